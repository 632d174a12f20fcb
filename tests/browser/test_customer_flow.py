"""In a real browser: sign in, create a customer, find it by pinyin, share it, and the colleague
sees it."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

NAME = "欧阳晓燕"


def sign_in(page: Page, username: str) -> None:
    page.goto(reverse("login"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("customers:list")) + r"$"))


def search(page: Page, query: str):
    """Type into the list's search box; the table updates as one types (htmx)."""
    page.goto(reverse("customers:list"))
    page.locator("#f-q").fill(query)
    # htmx pushes the query into the address once the filtered table is in place.
    expect(page).to_have_url(re.compile(rf"[?&]q={query}\b"))
    return page.locator("#customer-table").get_by_role("link", name=NAME)


def test_a_rep_creates_finds_and_shares_a_customer_that_the_colleague_then_sees(
    open_page, alice, bob, alices_customer
):
    page = open_page()
    sign_in(page, "alice")

    page.goto(reverse("customers:create"))
    page.locator("#id_name").fill(NAME)
    page.locator("#id_phone").fill("139 1234 5678")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/customers/\d+/$"))
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()

    found = search(page, "ouyangxiaoyan")
    expect(found).to_be_visible()
    expect(
        page.locator("#customer-table").get_by_role("link", name=alices_customer.name)
    ).to_have_count(0)
    expect(search(page, "zhangsan")).to_have_count(0)
    search(page, "oyxy").click()
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()

    page.get_by_role("link", name="Sharing").click()
    page.locator("#id_target").select_option(f"user:{bob.pk}")
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.locator("#tab-card")).to_contain_text(str(bob))

    colleague = open_page()
    sign_in(colleague, "bob")
    found = search(colleague, "oyxy")
    expect(found).to_be_visible()
    found.click()
    expect(colleague.get_by_role("heading", name=NAME)).to_be_visible()


def test_a_colleague_does_not_see_a_customer_that_was_not_shared(open_page, alice, bob):
    page = open_page()
    sign_in(page, "alice")
    page.goto(reverse("customers:create"))
    page.locator("#id_name").fill(NAME)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=NAME)).to_be_visible()

    colleague = open_page()
    sign_in(colleague, "bob")
    expect(search(colleague, "oyxy")).to_have_count(0)
