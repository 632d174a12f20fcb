"""Access on every sales page URL: another rep's records are 404, the analyst gets 403 on
writes, and a refused write changes nothing."""

import pytest
from django.urls import reverse

from guanxi.sales.models import Lead, Opportunity, Order, Quote, StageChange
from guanxi.sales.services import create_lead, create_opportunity, create_order, create_quote
from tests.conftest import login


@pytest.fixture
def alices_records(alice, alices_customer, tea):
    """One of everything, all Alice's."""
    return {
        "opportunity": create_opportunity(alice, alices_customer.pk, {"name": "年度采购"}),
        "order": create_order(alice, alices_customer.pk, [{"product": tea.pk, "quantity": 1}]),
        "quote": create_quote(alice, alices_customer.pk, [{"product": tea.pk, "quantity": 1}]),
        "lead": create_lead(alice, {"name": "赵磊", "company": "新华书店"}),
        "customer": alices_customer,
    }


# (url name, record kind, method)
RECORD_URLS = [
    ("sales:opportunity", "opportunity", "get"),
    ("sales:opportunity_edit", "opportunity", "get"),
    ("sales:opportunity_edit", "opportunity", "post"),
    ("sales:opportunity_move", "opportunity", "post"),
    ("sales:order", "order", "get"),
    ("sales:order_status", "order", "post"),
    ("sales:quote", "quote", "get"),
    ("sales:quote_print", "quote", "get"),
    ("sales:quote_status", "quote", "post"),
    ("sales:quote_convert", "quote", "post"),
    ("sales:lead", "lead", "get"),
    ("sales:lead_status", "lead", "post"),
    ("sales:lead_convert", "lead", "post"),
    ("sales:customer_value", "customer", "get"),
]
WRITES = [(name, kind) for name, kind, method in RECORD_URLS if method == "post"]


def _url(records, name, kind):
    return reverse(name, args=[records[kind].pk])


@pytest.mark.parametrize(("name", "kind", "method"), RECORD_URLS)
def test_rep_gets_404_on_every_url_of_another_reps_records(
    client, charlie, alices_records, name, kind, method
):
    response = getattr(login(client, charlie), method)(_url(alices_records, name, kind))
    assert response.status_code == 404


@pytest.mark.parametrize("tab", ["opportunities", "orders"])
def test_rep_gets_404_on_the_sales_tabs_of_another_reps_customer(
    client, charlie, alices_records, tab
):
    url = reverse("sales:customer_tab", args=[alices_records["customer"].pk, tab])
    assert login(client, charlie).get(url).status_code == 404


def test_rep_cannot_list_orders_of_another_reps_customer(client, charlie, alices_records):
    url = reverse("sales:orders") + f"?customer={alices_records['customer'].pk}"
    assert login(client, charlie).get(url).status_code == 404


@pytest.mark.parametrize(("name", "kind"), WRITES)
def test_analyst_gets_403_on_every_write(client, nina, alices_records, name, kind):
    response = login(client, nina).post(_url(alices_records, name, kind), {"status": "sent"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "name",
    ["sales:opportunity_create", "sales:lead_create", "sales:order_create", "sales:quote_create"],
)
def test_analyst_gets_403_on_every_create_form(client, nina, name):
    assert login(client, nina).get(reverse(name)).status_code == 403


def test_analyst_writes_leave_everything_as_it_was(client, nina, alices_records, stages):
    opp = alices_records["opportunity"]
    login(client, nina).post(
        reverse("sales:opportunity_move", args=[opp.pk]), {"stage": stages["Won"].pk}
    )
    opp.refresh_from_db()
    assert opp.stage == stages["Prospecting"]
    assert StageChange.objects.filter(opportunity=opp).count() == 1


def test_analyst_may_read_the_cards(client, nina, alices_records):
    login(client, nina)
    for kind, name in (("opportunity", "sales:opportunity"), ("order", "sales:order")):
        assert client.get(reverse(name, args=[alices_records[kind].pk])).status_code == 200


def test_a_rep_cannot_change_the_catalogue(client, alice, tea):
    login(client, alice)
    assert client.get(reverse("sales:product_create")).status_code == 403
    response = client.post(reverse("sales:product_edit", args=[tea.pk]), {"name": "x"})
    assert response.status_code == 403


def test_records_count_is_untouched_by_refused_requests(client, charlie, alices_records):
    before = (Opportunity.objects.count(), Order.objects.count(), Quote.objects.count())
    login(client, charlie).post(reverse("sales:quote_convert", args=[alices_records["quote"].pk]))
    assert (Opportunity.objects.count(), Order.objects.count(), Quote.objects.count()) == before
    assert Lead.objects.get(pk=alices_records["lead"].pk).status == Lead.Status.NEW
