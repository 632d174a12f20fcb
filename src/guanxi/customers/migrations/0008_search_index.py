"""Search index on customers' search_text: pg_trgm GIN (built concurrently) on PostgreSQL, an
FTS5 trigram table kept in step by triggers on SQLite (see customers/search_index.py)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from guanxi.customers import search_index

    search_index.install(schema_editor.connection, concurrently=True)


def backwards(apps, schema_editor):
    from guanxi.customers import search_index

    search_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("customers", "0007_import_job_kind"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
