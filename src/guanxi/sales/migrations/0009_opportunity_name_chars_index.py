"""PostgreSQL: a GIN index of each opportunity's name as an array of its characters, so a 1-2
character Chinese query found anywhere in a name ("采购" in 茶叶年度采购) reads the names that
hold its characters instead of every deal (see sales/search_index.py). Built concurrently;
SQLite is unchanged."""

from django.db import migrations


def forwards(apps, schema_editor):
    from guanxi.sales import search_index

    if schema_editor.connection.vendor == "postgresql":
        search_index.install(schema_editor.connection, concurrently=True)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("sales", "0008_opportunity_search_index"),
    ]

    # Back, nothing to undo: after every migrate search_index.install() makes the indexes it
    # describes (sales.apps), whatever the migration state.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
