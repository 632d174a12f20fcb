"""The customer table without the indexes no read uses, which every write paid for: PostgreSQL's
second (LIKE) index of the phone, e-mail, ID number and city, and the single-column indexes of
``owner`` and ``deleted_at``, each the first column of a composite index (customer_owner_id,
customer_alive_id) that answers the same reads. The phone, e-mail, ID number and city keep one
plain index each, now named in Meta.

Only the indexes change: the table is not rebuilt (Django would copy it on SQLite to alter a
field's ``db_index``, and drop the search index's triggers with it). About 7 µs a customer row of
PostgreSQL's work on every insert (benchmarks/results/import.md)."""

from django.conf import settings
from django.db import migrations, models

TABLE = "customers_customer"
#: column -> the index it keeps (None: none of its own)
KEPT = {
    "phone": "customer_phone",
    "email": "customer_email",
    "id_number": "customer_id_number",
    "city": "customer_city",
    "owner_id": None,
    "deleted_at": None,
}


def _single_column_indexes(schema_editor, column: str) -> list[str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    return [
        name
        for name, c in constraints.items()
        if c["index"] and not c["unique"] and not c["primary_key"] and c["columns"] == [column]
    ]


def forward(apps, schema_editor):
    quote = schema_editor.quote_name
    for column, kept in KEPT.items():
        for name in _single_column_indexes(schema_editor, column):
            if name != kept:
                schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")
        if kept:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {quote(kept)} ON {quote(TABLE)} ({quote(column)})"
            )


def backward(apps, schema_editor):
    """Django's own indexes again, named as ``db_index`` names them."""
    quote = schema_editor.quote_name
    postgres = schema_editor.connection.vendor == "postgresql"
    for column, kept in KEPT.items():
        if kept:
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(kept)}")
        name = schema_editor._create_index_name(TABLE, [column], suffix="")
        schema_editor.execute(f"CREATE INDEX {quote(name)} ON {quote(TABLE)} ({quote(column)})")
        if postgres and kept:
            like = schema_editor._create_index_name(TABLE, [column], suffix="_like")
            schema_editor.execute(
                f"CREATE INDEX {quote(like)} ON {quote(TABLE)} ({quote(column)} varchar_pattern_ops)"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0016_name_company_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="customer",
                    name="city",
                    field=models.CharField(blank=True, max_length=30, verbose_name="city"),
                ),
                migrations.AlterField(
                    model_name="customer",
                    name="deleted_at",
                    field=models.DateTimeField(blank=True, null=True, verbose_name="deleted"),
                ),
                migrations.AlterField(
                    model_name="customer",
                    name="email",
                    field=models.EmailField(blank=True, max_length=254, verbose_name="e-mail"),
                ),
                migrations.AlterField(
                    model_name="customer",
                    name="id_number",
                    field=models.CharField(
                        blank=True, max_length=18, verbose_name="ID number / USCC"
                    ),
                ),
                migrations.AlterField(
                    model_name="customer",
                    name="owner",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="Empty while the customer is in the public pool.",
                        null=True,
                        on_delete=models.deletion.PROTECT,
                        related_name="owned_customers",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                migrations.AlterField(
                    model_name="customer",
                    name="phone",
                    field=models.CharField(blank=True, max_length=20, verbose_name="mobile phone"),
                ),
                migrations.AddIndex(
                    model_name="customer",
                    index=models.Index(fields=["phone"], name="customer_phone"),
                ),
                migrations.AddIndex(
                    model_name="customer",
                    index=models.Index(fields=["email"], name="customer_email"),
                ),
                migrations.AddIndex(
                    model_name="customer",
                    index=models.Index(fields=["id_number"], name="customer_id_number"),
                ),
                migrations.AddIndex(
                    model_name="customer",
                    index=models.Index(fields=["city"], name="customer_city"),
                ),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
    ]
