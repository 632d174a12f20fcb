"""PostgreSQL: the trigram index on customers' search text also holds each customer's id block
(``id / 65536``, through btree_gin), so a search for the newest matches reads the newest
block's part of the index first (see customers.search_index._newest_in_blocks). Built
concurrently beside the old index, which is then dropped; a minute or so at a million
customers, searches answering all the while. SQLite's FTS5 index is unchanged."""

from django.db import migrations


def forwards(apps, schema_editor):
    from guanxi.customers import search_index

    if schema_editor.connection.vendor == "postgresql":
        search_index.install(schema_editor.connection, concurrently=True)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("customers", "0014_sqlite_email_tail_index"),
    ]

    # Back, nothing to undo: after every migrate search_index.install() makes the index it
    # describes (customers.apps), whatever the migration state.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
