"""The global search finds contacts through their own search index (customers.
contact_search_index: FTS5 on SQLite, pg_trgm on PostgreSQL, migration 0027) rather than
reading every contact, and the index follows every write, bulk ones included."""

import pytest
from django.db import connection

from guanxi.customers import contact_search_index
from guanxi.customers.models import Contact
from guanxi.customers.services import add_contact
from guanxi.ops.search import search_contacts

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'")
postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'")
#: Migration 0010's: the e-mail's answers the duplicate checks (contacts__email).
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


def test_a_name_in_latin_letters_and_a_chinese_one_in_pinyin_match_in_any_case(alice, contacts):
    assert names(search_contacts(alice, "WANG", limit=5)) == ["Wang Li", "王芳"]
    assert names(search_contacts(alice, "wangli", limit=5)) == ["Wang Li"]


def test_the_contact_indexes_exist(contacts):
    with connection.cursor() as cursor:
        found = {
            index
            for index, info in connection.introspection.get_constraints(
                cursor, "customers_contact"
            ).items()
            if info["index"]
        }
    assert INDEXES <= found
    if connection.vendor == "postgresql":
        assert contact_search_index.TRGM_INDEX in found


@sqlite_only
def test_sqlite_keeps_the_fts_table_in_step_with_bulk_writes(alice, contacts):
    contact = Contact.objects.get(name="李娜")
    # A bulk UPDATE (no save()): the triggers move the index row with the search text.
    Contact.objects.filter(pk=contact.pk).update(search_text="zhaomin")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT -rowid FROM {contact_search_index.FTS_TABLE} "  # noqa: S608 - a constant
            f"WHERE {contact_search_index.FTS_TABLE} MATCH %s",
            ['search_text : "zhaomin"'],
        )
        assert [pk for (pk,) in cursor.fetchall()] == [contact.pk]
    assert names(search_contacts(alice, "lina", limit=5)) == []

    Contact.objects.filter(pk=contact.pk).delete()

    assert names(search_contacts(alice, "zhaomin", limit=5)) == []


@sqlite_only
def test_sqlite_install_puts_back_triggers_a_table_rebuild_dropped(alice, contacts):
    with connection.cursor() as cursor:  # what Django's rebuild of the table leaves
        for name in contact_search_index._TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
    add_contact(alice, contacts, {"name": "赵敏"})
    assert names(search_contacts(alice, "zhaomin", limit=5)) == []

    contact_search_index.install()

    assert names(search_contacts(alice, "zhaomin", limit=5)) == ["赵敏"]
    assert names(search_contacts(alice, "wangfang", limit=5)) == ["王芳"]


@postgresql_only
def test_postgresql_reads_the_matches_through_the_trigram_index(contacts):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM customers_contact WHERE search_text LIKE %s",
            ["%wangfang%"],
        )
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert contact_search_index.TRGM_INDEX in plan
