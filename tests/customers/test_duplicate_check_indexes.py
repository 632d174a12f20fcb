"""The duplicate check of a new customer reads each key through its own index: an OR of them
with the contacts joined read every customer (a second at a million customers)."""

import pytest
from django.db import connection

from guanxi.customers.duplicate_check import likely_duplicates
from guanxi.customers.models import Customer
from guanxi.customers.services import add_contact, create_customer


def test_a_new_customer_with_an_existing_other_phone_is_named(alice):
    existing = create_customer(alice, {"name": "王倩", "phone_alt": "15220003765"})

    found = likely_duplicates(alice, {"name": "王小倩", "phone": "15220003765"})

    assert f"#{existing.pk}" in found["phone"][0]


def test_a_new_customer_with_a_contacts_phone_is_named(alice):
    company = create_customer(alice, {"name": "某公司", "kind": "company"})
    add_contact(alice, company, {"name": "李经理", "phone": "13666600001"})

    found = likely_duplicates(alice, {"name": "李经理", "phone": "13666600001"})

    assert f"#{company.pk}" in found["phone"][0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
def test_the_other_phone_is_read_through_its_partial_index(db):
    qs = Customer.objects.filter(phone_alt__in=["+8615220003765"], phone_alt__gt="")

    plan = qs.values_list("pk", flat=True).explain()

    assert "customer_phone_alt" in plan
