"""Contacts get a ``search_text`` column (name, pinyin, initials, phone digits, e-mail, WeChat
ID: ``search.contact_search_text``), filled for the existing contacts, and its index
(``contact_search_index``: FTS5 on SQLite, pg_trgm GIN built concurrently on PostgreSQL), so the
global search finds a contact by pinyin, initials or part of an e-mail as it finds a customer.

The column is added by ``ALTER TABLE ... ADD COLUMN ... NOT NULL DEFAULT ''``, which neither
database copies the table for: Django's own AddField rebuilds the table on SQLite (a NOT NULL
column), which copies every contact and drops the indexes 0010 made in raw SQL. The fill reads
the contacts in id order a chunk at a time and writes each chunk in one statement on
PostgreSQL (from arrays) and one prepared statement on SQLite; the index is built after it,
in one pass over the filled column."""

from django.db import migrations, models, transaction

from guanxi.customers import contact_search_index
from guanxi.customers.search import contact_search_text

CHUNK = 5000
_ADD = "ALTER TABLE customers_contact ADD COLUMN search_text text NOT NULL DEFAULT ''"
_DROP = "ALTER TABLE customers_contact DROP COLUMN search_text"


def fill(apps, schema_editor):
    Contact = apps.get_model("customers", "Contact")
    connection = schema_editor.connection
    columns = ("pk", "name", "phone", "email", "wechat_id")
    contacts = Contact.objects.using(connection.alias).order_by("pk").values_list(*columns)
    last = 0
    while True:
        chunk = list(contacts.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        last = chunk[-1][0]
        ids = [row[0] for row in chunk]
        texts = [contact_search_text(dict(zip(columns, row, strict=True))) for row in chunk]
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "UPDATE customers_contact c SET search_text = v.text "
                    "FROM unnest(%s::bigint[], %s::text[]) AS v(id, text) WHERE c.id = v.id",
                    [ids, texts],
                )
            else:
                cursor.executemany(
                    "UPDATE customers_contact SET search_text = %s WHERE id = %s",
                    list(zip(texts, ids, strict=True)),
                )


def build_index(apps, schema_editor):
    contact_search_index.install(schema_editor.connection, concurrently=True)


def drop_index(apps, schema_editor):
    contact_search_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("customers", "0026_import_job_language"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="contact",
                    name="search_text",
                    field=models.TextField(blank=True, editable=False),
                ),
            ],
            database_operations=[migrations.RunSQL(_ADD, _DROP)],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(build_index, drop_index),
    ]
