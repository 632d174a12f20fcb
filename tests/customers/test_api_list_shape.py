"""The customer list's rows are built in their schema's shape and not validated again (Ninja
passes an instance of the declared response through): each row must be exactly what validating
it would give, for every kind of row, and the JSON must carry the schema's fields."""

import pytest

from guanxi.core.pagination import Page
from guanxi.customers import pool
from guanxi.customers.api import _list_item
from guanxi.customers.models import Customer
from guanxi.customers.schemas import CustomerListItem
from guanxi.customers.services import create_customer, delete_customer
from tests.conftest import login


@pytest.fixture
def rows(alice, teams):
    owned = create_customer(
        alice,
        {"name": "王伟", "phone": "13800138000", "email": "ww@example.com", "city": "广州"},
        tags=["VIP", "老客户"],
    )
    pooled = create_customer(alice, {"name": "李娜", "phone": "13900139000"})
    pool.release(alice, pooled.pk, "test")
    deleted = create_customer(alice, {"name": "张敏"})
    delete_customer(alice, deleted.pk)
    return [owned, pooled, deleted]


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_a_row_is_what_validating_it_gives(request, rows, who):
    user = request.getfixturevalue(who)
    for customer in Customer.objects.select_related("owner").filter(pk__in=[c.pk for c in rows]):
        row = _list_item(user, customer)

        # What the route returned before: the owner as a model, the row validated.
        validated = CustomerListItem.model_validate({**row, "owner": customer.owner}).model_dump()

        assert list(row) == list(validated)  # the schema's fields, in its order
        assert row == validated
        assert [type(v) for v in row.values()] == [type(v) for v in validated.values()]


def test_the_list_answers_in_the_schema(client, alice, rows):
    login(client, alice)

    body = client.get("/api/v1/customers?limit=50").json()

    assert set(body) == set(Page[CustomerListItem].model_fields)
    owned = next(item for item in body["items"] if item["id"] == rows[0].pk)
    assert set(owned) == set(CustomerListItem.model_fields)
    assert owned["owner"] == {"id": alice.pk, "username": "alice", "display_name": "Alice"}
    assert owned["tags"] == ["VIP", "老客户"]
    assert owned["created_at"].endswith("Z")


def test_the_recycle_bin_answers_in_the_schema(client, alice, rows):
    login(client, alice)

    body = client.get("/api/v1/customers/deleted").json()

    assert [item["id"] for item in body["items"]] == [rows[2].pk]
    assert set(body["items"][0]) == set(CustomerListItem.model_fields)
    assert body["items"][0]["deleted_at"].endswith("Z")
