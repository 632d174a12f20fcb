"""Indexes for the global search over contacts: a name or phone that starts with what was
typed, or an exact e-mail (ops.search.search_contacts), without reading every contact.

SQLite's LIKE ignores ASCII case, so only an index in NOCASE order can answer ``LIKE 'x%'``;
PostgreSQL's LIKE is case-sensitive and a text_pattern_ops index answers it in any collation.
Both are storage details the ORM cannot declare, hence raw SQL (like the search index)."""

from django.db import migrations

_INDEXES = {
    "sqlite": [
        'CREATE INDEX IF NOT EXISTS contact_name_prefix ON customers_contact ("name" COLLATE NOCASE)',
        'CREATE INDEX IF NOT EXISTS contact_phone_prefix ON customers_contact ("phone" COLLATE NOCASE)',
        'CREATE INDEX IF NOT EXISTS contact_email ON customers_contact ("email")',
    ],
    "postgresql": [
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS contact_name_prefix"
        ' ON customers_contact ("name" text_pattern_ops)',
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS contact_phone_prefix"
        ' ON customers_contact ("phone" text_pattern_ops)',
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS contact_email ON customers_contact ("email")',
    ],
}
_NAMES = ("contact_name_prefix", "contact_phone_prefix", "contact_email")


def forwards(apps, schema_editor):
    for sql in _INDEXES.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor in _INDEXES:
        for name in _NAMES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("customers", "0009_export_jobs"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
