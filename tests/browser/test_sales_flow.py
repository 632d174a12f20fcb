"""In a real browser, a sales rep's day in sales: capture a lead, convert it into a customer and
an opportunity, drag the deal across the kanban to Won, then take the customer's order."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from guanxi.customers.models import Customer
from guanxi.sales.models import Opportunity, Order
from guanxi.sales.services import create_product
from tests.browser.helpers import no_problems, pipeline, sign_in  # noqa: F401 - pipeline: a fixture

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("pipeline")]

LEAD = "赵晓东"
COMPANY = "广州明达贸易有限公司"


def test_a_rep_turns_a_lead_into_a_won_deal_and_an_order(open_page, alice, ada):
    create_product(
        ada, {"sku": "TEA-001", "name": "铁观音", "unit": "box", "list_price": Decimal("128.00")}
    )
    page = open_page()
    sign_in(page, "alice")

    page.goto(reverse("sales:lead_create"))
    page.get_by_label("Name").fill(LEAD)
    page.get_by_label("Company").fill(COMPANY)
    page.get_by_label("Phone").fill("139 2222 3333")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=re.compile(LEAD))).to_be_visible()

    page.get_by_label("A new customer").check()
    page.get_by_label("Opportunity name").fill("明达 年度采购")
    page.get_by_label("Amount").fill("50000")
    page.get_by_role("button", name="Convert").click()
    expect(page).to_have_url(re.compile(r"/sales/opportunities/\d+/$"))
    deal = Opportunity.objects.get(name="明达 年度采购")
    customer = Customer.objects.get(name=COMPANY)
    assert deal.customer == customer

    page.goto(reverse("sales:board"))
    card = page.get_by_role("article", name="明达 年度采购")
    won = page.get_by_role("region", name="Won")
    card.drag_to(won.locator("[data-drop]"))
    expect(won.get_by_role("article", name="明达 年度采购")).to_be_visible()
    # The card is drawn in Won at once; the board says so only when the move is saved.
    expect(page.get_by_text("明达 年度采购 moved to Won.")).to_be_visible()
    page.reload()  # the move was saved, not only drawn
    expect(
        page.get_by_role("region", name="Won").get_by_role("article", name="明达 年度采购")
    ).to_be_visible()
    deal.refresh_from_db()
    assert deal.stage.kind == "won"

    page.goto(reverse("sales:orders"))
    page.get_by_role("link", name="New order").first.click()
    page.get_by_role("searchbox", name="Search customers").fill("mingda")
    picker = page.get_by_role("combobox", name=re.compile(r"^Customer"))
    expect(picker.locator("option", has_text=COMPANY)).to_have_count(1)
    picker.select_option(str(customer.pk))
    page.get_by_label("Product").select_option(label="TEA-001 · 铁观音 / box")
    page.get_by_label("Quantity").fill("3")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/sales/orders/\d+/$"))
    order = Order.objects.get(customer=customer)
    assert order.lines.get().quantity == 3
    expect(page.get_by_text(COMPANY).first).to_be_visible()
    no_problems(page)
