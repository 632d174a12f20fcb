"""The customer search index also holds each customer's kind, so a search among the companies
(or persons) asks the index for both: on PostgreSQL the trigram index gains a kind column
(btree_gin), built concurrently beside the old one, which is then dropped (46 s at a million
customers on 2 cores, searches answering all the while); on SQLite the FTS5 index's text
ends with a kind mark, refilled by ``search_index.install`` after this migrate (about 75 s at a
million)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from guanxi.customers import search_index

    if schema_editor.connection.vendor == "postgresql":
        search_index.install(schema_editor.connection, concurrently=True)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("customers", "0020_city_newest"),
    ]

    # Back, nothing to undo: after every migrate search_index.install() makes the index it
    # describes (customers.apps), whatever the migration state.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
