"""Search index on opportunities (their name and their customer's search text): an FTS5
trigram table kept by triggers on SQLite, a trigger-kept ``search_text`` column with a pg_trgm
GIN index (built concurrently) on PostgreSQL (see sales/search_index.py)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from guanxi.sales import search_index

    search_index.install(schema_editor.connection, concurrently=True)


def backwards(apps, schema_editor):
    from guanxi.sales import search_index

    search_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("sales", "0007_opportunity_report_indexes"),
        ("customers", "0014_sqlite_email_tail_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
