"""On a phone 390 px wide, the customer list and the customer card fit the screen: the page never
scrolls sideways (wide tables scroll inside their own box)."""

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from guanxi.customers import imports
from guanxi.customers.services import create_customer
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.helpers import no_problems, overflow, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized page, in the default language (Chinese) and in English."""
    contexts = []

    def make(language: str):
        context = browser.new_context(base_url=live_server.url, viewport=PHONE)
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_customer_list_and_card_do_not_scroll_sideways_on_a_phone(
    phone_page, alice, alices_customer, language
):
    company = create_customer(
        alice,
        {
            "kind": "company",
            "name": "广州市天河区明达国际贸易与供应链管理有限公司",
            "phone": "020 3783 3169",
            "email": "procurement.department@mingda-international-trading.com.cn",
            "address": "广州市天河区珠江新城华夏路十号富力中心四十二楼",
            "city": "广州",
            "province": "广东",
        },
        tags=["重点客户", "华南", "年度采购"],
    )
    page = phone_page(language)
    sign_in(page, "alice")

    page.goto(reverse("customers:list"))
    expect(page.locator("#customer-table").get_by_role("link", name=company.name)).to_be_visible()
    width, window = overflow(page)
    assert width <= window, f"the customer list is {width} px wide on a {window} px phone"

    for customer in (company, alices_customer):
        page.goto(reverse("customers:detail", args=[customer.pk]))
        expect(page.get_by_role("heading", name=customer.name)).to_be_visible()
        page.wait_for_load_state("networkidle")  # the card's panels arrive by htmx
        width, window = overflow(page)
        assert width <= window, f"{customer.name}'s card is {width} px wide on a {window} px phone"
    no_problems(page)


def test_the_centred_form_pages_do_not_scroll_sideways_on_a_phone(phone_page, alice):
    """Pages whose content sits in a centred row (notifications, their settings, a new task)."""
    page = phone_page("zh-hans")
    sign_in(page, "alice")
    for url in (
        reverse("notifications"),
        reverse("notification_preferences"),
        reverse("interactions:task_new"),
    ):
        page.goto(url)
        width, window = overflow(page)
        assert width <= window, f"{url} is {width} px wide on a {window} px phone"
    no_problems(page)


def test_an_import_with_its_report_does_not_scroll_sideways_on_a_phone(
    phone_page, alice, tmp_path, settings
):
    settings.DATA_DIR = tmp_path
    path = tmp_path / "客户.csv"
    path.write_text(
        "姓名,手机,身份证号\n王伟,13800138000,110105194912310020\n李娜,12345,\n"
        "张三,13800138000,330106199501012550\n",
        encoding="utf-8",
    )
    job = imports.new_job(alice, path)
    imports.configure(alice, job, job.mapping, alice, "skip")
    imports.process(job, dry_run=True)
    page = phone_page("zh-hans")
    sign_in(page, "alice")
    page.goto(reverse("customers:import_job", args=[job.pk]))
    expect(page.locator("#import-problems")).to_be_visible()
    width, window = overflow(page)
    assert width <= window, f"the import's page is {width} px wide on a {window} px phone"
    no_problems(page)
