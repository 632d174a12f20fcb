"""The global search finds contacts by the start of their name or phone, or their exact
e-mail, through indexes (migration 0010) rather than reading every contact."""

import pytest
from django.db import connection

from guanxi.customers.services import add_contact
from guanxi.ops.search import search_contacts

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'")
INDEXES = {"contact_name_prefix", "contact_phone_prefix", "contact_email"}


@pytest.fixture
def contacts(alice, alices_customer):
    add_contact(alice, alices_customer, {"name": "王芳", "phone": "13900139000"})
    add_contact(alice, alices_customer, {"name": "Wang Li", "email": "wang.li@example.com"})
    add_contact(alice, alices_customer, {"name": "李娜", "phone": "13700137000"})
    return alices_customer


def names(rows) -> list[str]:
    return [c.name for c in rows]


def test_contacts_are_found_by_name_phone_and_email(alice, contacts):
    assert names(search_contacts(alice, "王", limit=5)) == ["王芳"]
    assert names(search_contacts(alice, "1390013", limit=5)) == ["王芳"]
    assert names(search_contacts(alice, "wang.li@example.com", limit=5)) == ["Wang Li"]


def test_another_reps_contacts_are_not_found(charlie, contacts):
    assert names(search_contacts(charlie, "王", limit=5)) == []
    assert names(search_contacts(charlie, "1390013", limit=5)) == []


def test_the_contact_search_indexes_exist(contacts):
    with connection.cursor() as cursor:
        found = {
            index
            for index, info in connection.introspection.get_constraints(
                cursor, "customers_contact"
            ).items()
            if info["index"]
        }
    assert INDEXES <= found


@sqlite_only
def test_sqlite_matches_a_name_prefix_in_any_ascii_case_through_the_index(alice, contacts):
    assert names(search_contacts(alice, "wang", limit=5)) == ["Wang Li"]
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM customers_contact WHERE name LIKE %s ESCAPE '\\'",
            ["wang%"],
        )
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "contact_name_prefix" in plan
