"""GET /api/v1/orders?customer=&from=&to=: the purchase history other systems and analytics
read, filtered and limited to what the caller may see."""

import pytest

from guanxi.sales.services import create_order, set_order_status
from tests.conftest import login

API = "/api/v1/orders"


@pytest.fixture
def history(alice, charlie, alices_customer, charlies_customer, tea):
    orders = []
    for owner, customer, day in (
        (alice, alices_customer, "2026-01-10"),
        (alice, alices_customer, "2026-03-10"),
        (charlie, charlies_customer, "2026-02-10"),
    ):
        order = create_order(
            owner, customer.pk, [{"product": tea.pk, "quantity": 1}], order_date=day
        )
        set_order_status(owner, order.pk, "confirmed")
        orders.append(order)
    return orders


def test_from_and_to_bound_the_order_date_inclusively(client, ada, history):
    body = login(client, ada).get(API, {"from": "2026-01-10", "to": "2026-02-10"}).json()
    assert sorted(o["order_date"] for o in body["items"]) == ["2026-01-10", "2026-02-10"]


def test_the_customer_filter_keeps_one_customers_orders(client, ada, history, charlies_customer):
    body = login(client, ada).get(API, {"customer": charlies_customer.pk}).json()
    assert [o["customer"]["id"] for o in body["items"]] == [charlies_customer.pk]


def test_a_rep_filtering_on_another_reps_customer_gets_nothing(
    client, alice, history, charlies_customer
):
    body = login(client, alice).get(API, {"customer": charlies_customer.pk}).json()
    assert body == {"items": [], "next_cursor": None}


def test_a_rep_sees_only_orders_of_customers_they_may_see(client, alice, history):
    body = login(client, alice).get(API).json()
    assert sorted(o["order_date"] for o in body["items"]) == ["2026-01-10", "2026-03-10"]


def test_an_unparseable_from_answers_422_on_from(client, alice):
    response = login(client, alice).get(API, {"from": "10/01/2026"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "from"


def test_a_to_before_from_answers_422_on_to(client, alice):
    response = login(client, alice).get(API, {"from": "2026-03-01", "to": "2026-02-01"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "to", "message": "The end date is before the start date."}
    ]
