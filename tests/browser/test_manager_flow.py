"""In a real browser, a sales manager's pages: the funnel and the forecast draw their charts, the
notification settings are saved, and a company customer gets a key-account plan."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from guanxi.core.notifications import preferences_for
from guanxi.customers.services import create_customer
from guanxi.keyaccounts.models import AccountPlan
from guanxi.sales.services import create_opportunity
from tests.browser.helpers import no_problems, pipeline, sign_in  # noqa: F401 - pipeline: a fixture

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("pipeline")]

COMPANY = "广州明达贸易有限公司"
STRATEGY = "明年把茶具也卖给他们：先见采购总监。"


def drawn(page: Page, chart_id: str) -> None:
    """ECharts draws into a canvas of its own inside the chart's box."""
    chart = page.get_by_role("img").and_(page.locator(f"#{chart_id}"))
    expect(chart).to_be_visible()
    expect(chart.locator("canvas")).to_have_count(1)
    box = chart.locator("canvas").bounding_box()
    assert box["width"] > 200 and box["height"] > 200


@pytest.fixture
def company(alice):
    return create_customer(alice, {"kind": "company", "name": COMPANY, "city": "广州"})


@pytest.fixture
def deals(alice, company):
    closing = timezone.localdate() + dt.timedelta(days=1)
    for name, amount in (("明达 茶叶", "50000"), ("明达 茶具", "12000")):
        create_opportunity(
            alice, company.pk, {"name": name, "amount": amount, "expected_close_date": closing}
        )


def test_a_manager_sees_the_funnel_and_forecast_charts_of_the_teams_deals(open_page, mike, deals):
    page = open_page()
    sign_in(page, "mike")

    page.goto(reverse("sales:funnel"))
    expect(page.get_by_role("heading", name="Sales funnel")).to_be_visible()
    drawn(page, "funnel-chart")
    expect(page.get_by_role("row").filter(has_text="Prospecting")).to_contain_text("2")

    page.get_by_role("link", name="Forecast").click()
    expect(page.get_by_role("heading", name="Forecast")).to_be_visible()
    drawn(page, "forecast-chart")
    expect(page.get_by_role("row").filter(has_text="Alice").first).to_be_visible()
    no_problems(page)


def test_a_manager_turns_off_a_notification_and_it_stays_off(open_page, mike):
    page = open_page()
    sign_in(page, "mike")
    page.goto(reverse("notifications"))
    page.get_by_role("link", name=re.compile("Settings")).first.click()
    expect(page.get_by_role("heading", name="Notification settings")).to_be_visible()

    shared = page.get_by_role("checkbox", name="Shared with you: in the app")
    expect(shared).to_be_checked()
    shared.uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your notification settings were saved.")).to_be_visible()
    expect(page.get_by_role("checkbox", name="Shared with you: in the app")).not_to_be_checked()
    stored = {p["label"]: p["in_app"] for p in preferences_for(mike)}
    assert stored["Shared with you"] is False
    assert stored["Assigned to you"] is True
    no_problems(page)


def test_a_manager_writes_a_key_account_plan_for_a_company_customer(open_page, mike, company):
    page = open_page()
    sign_in(page, "mike")
    page.goto(reverse("customers:detail", args=[company.pk]))
    page.get_by_role("link", name="Key account").click()
    expect(page).to_have_url(re.compile(r"\?tab=keyaccount$"))

    page.get_by_role("link", name="Create a plan").click()
    page.get_by_label("Strategy").fill(STRATEGY)
    page.get_by_label("Review every (days)").fill("30")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"\?tab=keyaccount$"))
    expect(page.locator("#tab-card")).to_contain_text(STRATEGY)
    expect(page.get_by_role("link", name="Edit plan")).to_be_visible()
    assert AccountPlan.objects.get(customer=company).strategy == STRATEGY
    no_problems(page)
