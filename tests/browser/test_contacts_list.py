"""In a real browser: a rep opens the contacts list from the menu, finds a contact by pinyin as
she types, keeps the primary contacts only, and opens its customer's card on the contacts tab."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from guanxi.customers.services import add_contact, create_customer
from tests.browser.helpers import no_problems, sign_in

pytestmark = pytest.mark.browser


def test_a_rep_finds_a_contact_and_opens_its_customers_contacts_tab(open_page, alice, charlie):
    huaxin = create_customer(alice, {"kind": "company", "name": "广州华信贸易有限公司"})
    add_contact(
        alice, huaxin, {"name": "李太太", "email": "litaitai@example.com", "is_primary": True}
    )
    add_contact(alice, huaxin, {"name": "张经理", "phone": "13700137000"})
    theirs = create_customer(charlie, {"kind": "company", "name": "成都锦城贸易有限公司"})
    add_contact(charlie, theirs, {"name": "赵敏"})
    page = open_page()
    sign_in(page, "alice")

    page.locator("nav").get_by_role("link", name="Contacts").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("customers:contacts")) + "$"))
    table = page.locator("#contact-table")
    expect(table.get_by_role("link", name="张经理")).to_be_visible()
    expect(table.get_by_role("link", name="赵敏")).to_have_count(0)

    page.locator("#f-q").fill("ltt")
    expect(page).to_have_url(re.compile(r"[?&]q=ltt\b"))
    expect(table.get_by_role("link", name="张经理")).to_have_count(0)
    page.locator("#f-q").fill("")
    page.get_by_label("Primary contacts only").check()
    expect(page).to_have_url(re.compile(r"[?&]primary=1\b"))
    expect(table.get_by_role("link", name="张经理")).to_have_count(0)

    table.get_by_role("link", name="李太太").click()
    expect(page).to_have_url(re.compile(rf"/customers/{huaxin.pk}/\?tab=contacts$"))
    expect(page.locator("#tab-card")).to_contain_text("litaitai@example.com")
    no_problems(page)
