"""In a real browser: the merge page's proposal to keep the mobile not kept in "other phone"
names the right number as the user switches which mobile is kept."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from guanxi.customers.models import Customer
from guanxi.customers.services import create_customer
from tests.browser.helpers import no_problems, sign_in

pytestmark = pytest.mark.browser


def test_the_proposal_follows_the_mobile_kept_and_the_merge_keeps_both(open_page, alice):
    survivor = create_customer(alice, {"name": "王伟", "phone": "13800138000"})
    other = create_customer(alice, {"name": "王玮", "phone": "13900139000"})
    page = open_page()
    sign_in(page, "alice")
    page.goto(reverse("customers:merge", args=[survivor.pk, other.pk]))
    proposal = page.locator("label[for=c-phone_alt-p]")
    expect(page.locator("#c-phone_alt-p")).to_be_checked()
    expect(proposal.locator("span:visible")).to_have_text("+86 139 0013 9000")

    page.locator("#c-phone-o").check()

    expect(proposal.locator("span:visible")).to_have_text("+86 138 0013 8000")
    page.get_by_role("button", name=f"Merge 王玮 #{other.pk} into 王伟 #{survivor.pk}").click()
    expect(page.locator(".alert-success")).to_be_visible()
    survivor.refresh_from_db()
    assert (survivor.phone, survivor.phone_alt) == ("+8613900139000", "+8613800138000")
    assert Customer.objects.get(pk=other.pk).deleted_at is not None
    no_problems(page)
