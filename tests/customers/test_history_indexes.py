"""The customer history keeps the indexes it is read by and no more (each costs every change a
write): the customer's id, the date and the user."""

import pytest
from django.db import connection

from guanxi.customers.models import Customer

pytestmark = pytest.mark.django_db


def test_the_customer_history_is_indexed_by_customer_date_and_user_only():
    table = Customer.history.model._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    indexed = {
        tuple(c["columns"]) for c in constraints.values() if c["index"] and not c["primary_key"]
    }
    assert indexed == {("id",), ("history_date",), ("history_user_id",)}


def test_a_customers_history_is_still_read_through_an_index(alice):
    from guanxi.customers.services import create_customer, update_customer

    customer = create_customer(alice, {"name": "王伟"})
    update_customer(alice, customer.pk, {"city": "广州"})
    sql, params = customer.history.order_by("-history_id").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "customers_historicalcustomer_id_" in plan
        else:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET enable_seqscan = on")
            assert "customers_historicalcustomer_id_" in plan
    assert customer.history.count() == 2
