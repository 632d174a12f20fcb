"""The sales API over real HTTP: shapes, errors in the one shape, access, pagination."""

import json

import pytest

from guanxi.sales.models import Lead, Opportunity, Order, Quote
from guanxi.sales.services import create_opportunity, create_order, set_order_status
from tests.conftest import login

API = "/api/v1"


def post(client, url, body):
    return client.post(API + url, json.dumps(body), content_type="application/json")


@pytest.fixture
def deal(alice, alices_customer):
    return create_opportunity(
        alice, alices_customer.pk, {"name": "茶叶年度采购", "amount": "50000"}
    )


def test_an_anonymous_caller_gets_401(api_client):
    assert api_client.get(API + "/orders").status_code == 401


def test_a_rep_creates_an_order_and_reads_its_totals(api_client, alice, alices_customer, tea):
    login(api_client, alice)
    response = post(
        api_client,
        "/orders",
        {
            "customer": alices_customer.pk,
            "lines": [
                {"product": tea.pk, "quantity": "3", "discount_percent": "10", "tax_rate": "13"}
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["subtotal"], body["discount_total"], body["tax_total"], body["total"]) == (
        "384.00",
        "38.40",
        "44.93",
        "390.53",
    )
    assert body["lines"][0]["unit_price"] == "128.00"


def test_an_illegal_status_change_answers_422_on_status(api_client, alice, alices_customer, tea):
    order = create_order(alice, alices_customer.pk, [{"product": tea.pk, "quantity": 1}])
    login(api_client, alice)
    response = api_client.patch(
        f"{API}/orders/{order.pk}", json.dumps({"status": "paid"}), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"
    assert Order.objects.get(pk=order.pk).status == "draft"


def test_orders_filter_by_customer_and_dates_and_page_by_cursor(
    api_client, alice, alices_customer, tea, django_assert_max_num_queries
):
    for day in ("2026-01-05", "2026-02-05", "2026-03-05", "2026-04-05"):
        order = create_order(
            alice, alices_customer.pk, [{"product": tea.pk, "quantity": 1}], order_date=day
        )
        set_order_status(alice, order.pk, "confirmed")
    login(api_client, alice)
    url = f"{API}/orders?customer={alices_customer.pk}&from=2026-02-01&to=2026-04-30&limit=2"
    with django_assert_max_num_queries(6):
        first = api_client.get(url).json()
    assert [o["order_date"] for o in first["items"]] == ["2026-04-05", "2026-03-05"]
    second = api_client.get(url + "&cursor=" + first["next_cursor"]).json()
    assert [o["order_date"] for o in second["items"]] == ["2026-02-05"]
    assert second["next_cursor"] is None


def test_the_order_list_costs_the_same_queries_for_many_orders(
    api_client, alice, alices_customer, tea, cups, django_assert_max_num_queries
):
    for _ in range(20):
        create_order(
            alice,
            alices_customer.pk,
            [{"product": tea.pk, "quantity": 1}, {"product": cups.pk, "quantity": 2}],
        )
    login(api_client, alice)
    with django_assert_max_num_queries(6):
        assert len(api_client.get(API + "/orders").json()["items"]) == 20


def test_the_opportunity_list_pins_its_queries(
    api_client, alice, alices_customer, django_assert_max_num_queries
):
    for i in range(15):
        create_opportunity(alice, alices_customer.pk, {"name": f"deal {i}", "amount": i})
    login(api_client, alice)
    with django_assert_max_num_queries(5):
        assert len(api_client.get(API + "/opportunities").json()["items"]) == 15


def test_a_negative_amount_answers_422_on_amount_and_writes_nothing(
    api_client, alice, alices_customer
):
    login(api_client, alice)
    response = post(
        api_client,
        "/opportunities",
        {"customer": alices_customer.pk, "name": "x", "amount": "-100"},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "amount", "message": "This cannot be negative."}]
    assert not Opportunity.objects.exists()


def test_an_unparseable_date_answers_422_on_the_field(api_client, alice, alices_customer):
    login(api_client, alice)
    response = post(
        api_client,
        "/opportunities",
        {"customer": alices_customer.pk, "name": "x", "expected_close_date": "2026-02-30"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "expected_close_date"
    assert not Opportunity.objects.exists()


def test_an_unknown_field_is_refused(api_client, alice, alices_customer):
    login(api_client, alice)
    response = post(
        api_client, "/opportunities", {"customer": alices_customer.pk, "name": "x", "colour": "red"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "colour", "message": "Unknown field."}]


def test_an_unknown_stage_answers_422_on_stage(api_client, alice, deal):
    login(api_client, alice)
    response = post(api_client, f"/opportunities/{deal.pk}/move", {"stage": 99999})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "stage"


def test_moving_to_lost_without_a_reason_answers_422(api_client, alice, deal, stages):
    login(api_client, alice)
    response = post(api_client, f"/opportunities/{deal.pk}/move", {"stage": stages["Lost"].pk})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "lost_reason"


def test_a_move_is_in_the_history(api_client, alice, deal, stages):
    login(api_client, alice)
    moved = post(api_client, f"/opportunities/{deal.pk}/move", {"stage": stages["Proposal"].pk})
    assert moved.json()["stage"]["id"] == stages["Proposal"].pk
    history = api_client.get(f"{API}/opportunities/{deal.pk}/history").json()
    assert [h["to_stage"]["id"] for h in history] == [
        stages["Prospecting"].pk,
        stages["Proposal"].pk,
    ]


def test_a_stale_move_answers_412(api_client, alice, deal, stages):
    login(api_client, alice)
    response = api_client.post(
        f"{API}/opportunities/{deal.pk}/move",
        json.dumps({"stage": stages["Proposal"].pk}),
        content_type="application/json",
        HTTP_IF_MATCH='"7"',
    )
    assert response.status_code == 412


@pytest.mark.parametrize(
    ("persona", "status"),
    [("alice", 200), ("mike", 200), ("ada", 200), ("nina", 200), ("bob", 404), ("charlie", 404)],
)
def test_who_may_open_alices_opportunity(api_client, deal, persona, status, request):
    login(api_client, request.getfixturevalue(persona))
    assert api_client.get(f"{API}/opportunities/{deal.pk}").status_code == status


def test_another_rep_cannot_move_alices_opportunity(api_client, charlie, deal, stages):
    login(api_client, charlie)
    response = post(api_client, f"/opportunities/{deal.pk}/move", {"stage": stages["Proposal"].pk})
    assert response.status_code == 404


def test_a_quote_line_with_negative_quantity_answers_422_and_writes_nothing(
    api_client, alice, alices_customer, tea
):
    login(api_client, alice)
    response = post(
        api_client,
        "/quotes",
        {"customer": alices_customer.pk, "lines": [{"product": tea.pk, "quantity": "-1"}]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "lines.0.quantity"
    assert not Quote.objects.exists()


def test_a_duplicate_lead_answers_409_naming_the_match(api_client, alice, alices_customer):
    login(api_client, alice)
    response = post(api_client, "/leads", {"name": "王先生", "phone": "13800138000"})
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "phone"
    assert not Lead.objects.exists()


def test_a_lead_is_captured_and_converted_over_the_api(api_client, alice, stages):
    login(api_client, alice)
    lead = post(
        api_client,
        "/leads",
        {
            "name": "张三",
            "company": "广州明达贸易",
            "phone": "13900139000",
            "source": "website",
            "notes": "官网留言",
        },
    ).json()
    response = post(
        api_client,
        f"/leads/{lead['id']}/convert",
        {"opportunity": {"amount": "12000"}, "stage": stages["Qualification"].pk},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["customer"]["name"] == "广州明达贸易"
    assert (body["opportunity"]["amount"], body["opportunity"]["stage"]["id"]) == (
        "12000.00",
        stages["Qualification"].pk,
    )
    assert body["lead"]["status"] == "converted"


def test_the_funnel_endpoint_refuses_an_unparseable_date(api_client, mike):
    login(api_client, mike)
    response = api_client.get(API + "/sales/funnel?from=2026-13-01")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "from"


def test_the_funnel_endpoint_answers_per_stage(api_client, mike, deal):
    login(api_client, mike)
    body = api_client.get(API + "/sales/funnel").json()
    assert body["stages"][0]["count"] == 1 and body["stages"][0]["amount"] == "50000.00"


def test_the_forecast_endpoint_answers_for_a_quarter(api_client, mike, deal):
    login(api_client, mike)
    response = api_client.get(API + "/sales/forecast?period=2026-Q4")
    assert response.status_code == 200
    assert response.json()["start"] == "2026-10-01"


def test_the_forecast_endpoint_refuses_a_bad_period(api_client, mike):
    login(api_client, mike)
    response = api_client.get(API + "/sales/forecast?period=2026-Q5")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "period"


def test_a_rep_cannot_add_products(api_client, alice):
    login(api_client, alice)
    response = post(api_client, "/products", {"sku": "X", "name": "X", "list_price": "1"})
    assert response.status_code == 403


def test_the_customer_value_endpoint(api_client, alice, alices_customer, tea):
    create_order(
        alice,
        alices_customer.pk,
        [{"product": tea.pk, "quantity": 2}],
        status="confirmed",
        order_date="2026-05-01",
    )
    login(api_client, alice)
    body = api_client.get(f"{API}/sales/customers/{alices_customer.pk}/value").json()
    assert (body["total_spend"], body["order_count"], body["first_purchase"]) == (
        "256.00",
        1,
        "2026-05-01",
    )
