"""The customer table keeps one index for each way it is read and no more (each costs every
write): no second (LIKE) index of a field on PostgreSQL, no single-column index of a column a
composite index starts with; and a rep's list, read by owner and from the pool, goes through
an index of the alive customers."""

import pytest
from django.db import connection

from guanxi.customers.models import Customer

pytestmark = pytest.mark.django_db


def _indexes(table: str = Customer._meta.db_table) -> dict[str, tuple]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        name: tuple(c["columns"])
        for name, c in constraints.items()
        if c["index"] and not c["primary_key"]
    }


def test_each_key_field_has_one_plain_index():
    indexes = _indexes()

    for column in ("phone", "email", "id_number"):
        assert [n for n, cols in indexes.items() if cols == (column,)] == [f"customer_{column}"]
    assert not [name for name in indexes if name.endswith("_like")]


def test_the_city_is_indexed_with_the_id_for_a_citys_newest_customers():
    indexes = _indexes()

    assert indexes["customer_city_newest"] == ("city", "id")
    assert ("city",) not in indexes.values()


def test_a_tags_links_are_indexed_by_tag_and_customer_for_its_newest_customers():
    indexes = _indexes(Customer.tags.through._meta.db_table)

    assert indexes["customer_tags_newest"] == ("tag_id", "customer_id")


def test_no_single_column_index_repeats_the_start_of_a_composite_one():
    indexes = _indexes()

    assert ("owner_id",) not in indexes.values() and ("deleted_at",) not in indexes.values()
    assert indexes["customer_owner_id"][0] == "owner_id"
    assert indexes["customer_alive_id"][0] == "deleted_at"


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return " ".join(str(row) for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
        return plan


def test_a_reps_customers_newest_first_are_read_through_the_index_of_alive_ones(alice):
    from guanxi.customers.services import create_customer

    create_customer(alice, {"name": "王伟"})

    plan = _plan(Customer.objects.filter(owner=alice, deleted_at=None).order_by("-id")[:50])

    assert "customer_owner_alive" in plan


def test_the_pool_newest_first_is_read_through_an_index_of_alive_ones(alice):
    plan = _plan(Customer.objects.filter(owner=None, deleted_at=None).order_by("-id")[:50])

    # PostgreSQL reads an IS NULL in order only from the pool's own index; SQLite from either.
    assert "customer_pool_newest" in plan or (
        connection.vendor == "sqlite" and "customer_owner_alive" in plan
    )


def test_an_owners_customers_warned_for_the_pool_are_read_through_their_own_index(alice):
    from guanxi.customers import pool

    plan = _plan(pool.warned_customers(alice))

    assert "customer_pool_warned" in plan
