"""SQLite: an index on the end of each customer's e-mail (the last characters of its name part,
the "@" and the domain), so a search for an e-mail ("liangqiang@example.org") is a range scan
instead of FTS5 reading the row lists of its trigrams, some of which ("ang", "exa", "com") are
in a third of all customers (see customers.search_index). PostgreSQL has its reversed-name
index (0011) for the same."""

from django.db import migrations

from guanxi.customers.search_index import EMAIL_TAIL_INDEX, EMAIL_TAIL_INDEX_SQL


def forwards(apps, schema_editor):
    # search_index.install() puts it back after a migration that rebuilds the table.
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(EMAIL_TAIL_INDEX_SQL)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {EMAIL_TAIL_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0013_history_index_light"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
