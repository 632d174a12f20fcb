"""A prepared query's instances are the ones Django's ``from_db`` makes, whether they are built
straight (core.prepared._instance) or through ``from_db`` when something needs it."""

import pytest
from django.db.models.signals import post_init

from guanxi.core.prepared import Prepared
from guanxi.customers.models import Customer
from guanxi.customers.queries import list_columns
from guanxi.customers.services import create_customer


@pytest.fixture
def customers(alice, bob):
    made = [
        create_customer(alice, {"name": "王伟", "city": "广州", "notes": "老客户"}, tags=["VIP"]),
        create_customer(bob, {"name": "李娜", "city": "深圳"}),
        create_customer(alice, {"name": "张敏"}),
    ]
    Customer.objects.filter(pk=made[1].pk).update(owner=None)  # one in the pool: no owner
    return made


def _newest_first():
    return list_columns(Customer.objects.all()).order_by("-id")


def _described(customer):
    """Everything an instance holds: its attributes, its state and the owner it carries."""
    attributes = {k: v for k, v in vars(customer).items() if k != "_state"}
    owner = customer._state.fields_cache.get("owner", "not read")
    if owner not in (None, "not read"):
        owner = ({k: v for k, v in vars(owner).items() if k != "_state"}, owner._state.db)
    return attributes, customer._state.adding, customer._state.db, owner


def test_rows_are_the_instances_the_queryset_makes(customers):
    prepared = Prepared(_newest_first(), {})

    assert [_described(c) for c in prepared.rows()] == [_described(c) for c in _newest_first()]


def test_a_row_carries_its_owner_and_a_pool_customer_none(customers, django_assert_num_queries):
    rows = Prepared(_newest_first(), {}).rows()

    with django_assert_num_queries(0):
        owners = [c.owner and c.owner.username for c in rows]

    assert owners == ["alice", None, "alice"]


def test_a_column_not_read_is_read_when_asked_for(customers):
    first = Prepared(_newest_first().filter(pk=customers[0].pk), {}).rows()[0]

    assert "notes" in first.get_deferred_fields()
    assert first.notes == "老客户"


def test_a_row_saves_as_an_update(customers):
    first = Prepared(_newest_first().filter(pk=customers[2].pk), {}).rows()[0]

    first.city = "杭州"
    first.save(update_fields=["city"])

    assert Customer.objects.count() == 3
    assert Customer.objects.get(pk=customers[2].pk).city == "杭州"


def test_instances_go_through_from_db_when_their_making_is_listened_to(customers):
    made = []

    def heard(sender, instance, **kwargs):
        made.append(type(instance).__name__)

    post_init.connect(heard)
    try:
        rows = Prepared(_newest_first(), {}).rows()
    finally:
        post_init.disconnect(heard)

    assert made.count("Customer") == len(rows) == 3
    assert made.count("User") == 2  # the owners; the pool customer has none
