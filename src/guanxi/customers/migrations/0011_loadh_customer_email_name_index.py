"""PostgreSQL: an index on the reversed name part of each customer's e-mail, so a search for an
e-mail ("wangwei@example.com") finds the customers whose e-mail name ends with "wangwei" and
whose domain starts with "example.com" without reading the trigram index's lists for the
domain, which hold a third of all customers (see customers.search_index). SQLite reads its own
FTS index by pieces instead; there is no reverse() there."""

from django.db import migrations

from guanxi.customers.search_index import EMAIL_NAME_INDEX, EMAIL_NAME_SQL


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {EMAIL_NAME_INDEX}"
            f" ON customers_customer (({EMAIL_NAME_SQL}) text_pattern_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {EMAIL_NAME_INDEX}")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("customers", "0010_loadh_contact_search_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
