"""The demo's bulk paths: what a big demo writes, searchable at once, with a sampled sales
history past SALES_CUSTOMERS customers."""

import datetime as dt

import pytest

from guanxi.accounts.models import User
from guanxi.customers.models import Contact, Customer
from guanxi.customers.queries import customers_for, search_customers
from guanxi.ops import demo
from guanxi.sales.models import Opportunity, Order

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 1)


def test_past_the_sales_limit_a_spread_sample_of_customers_buys(monkeypatch):
    monkeypatch.setattr(demo, "SALES_CUSTOMERS", 10)

    demo.load_demo(customers=40, seed=4, today=TODAY)

    ids = list(Customer.objects.order_by("id").values_list("pk", flat=True))
    sampled = set(ids[::4])
    buyers = set(Order.objects.values_list("customer_id", flat=True))
    buyers |= set(Opportunity.objects.values_list("customer_id", flat=True))
    assert buyers and buyers <= sampled
    assert Customer.objects.count() == 40


def test_a_small_demo_gives_every_customer_a_chance_to_buy():
    demo.load_demo(customers=60, seed=4, today=TODAY)
    buyers = set(Order.objects.values_list("customer_id", flat=True))
    assert len(buyers) > 30


def test_bulk_written_customers_are_found_by_search_at_once():
    demo.load_demo(customers=50, seed=8, today=TODAY)
    admin = User.objects.get(username="admin")
    customer = Customer.objects.exclude(phone="").order_by("?").first()

    assert customer in customers_for(admin, q=customer.name)
    assert customer in search_customers(admin, customer.phone.removeprefix("+86"))


def test_bulk_written_contacts_and_customers_keep_their_history_and_ids_sequence(alice):
    demo.load_demo(customers=50, seed=8, today=TODAY)

    assert Customer.history.filter(history_type="+").count() == 50
    assert Contact.history.count() == Contact.objects.count()
    # The id sequences moved past the explicit ids: the services can create more.
    from guanxi.customers.services import add_contact, create_customer

    created = create_customer(alice, {"name": "新客户"})
    assert created.pk > max(Customer.objects.exclude(pk=created.pk).values_list("pk", flat=True))
    add_contact(alice, created, {"name": "联系人"})
