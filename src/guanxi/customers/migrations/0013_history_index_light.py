"""The customer history keeps only the indexes it is read by (the customer's id, the date, the
user): the copies of the customer table's other indexes cost every change a write each.

SQLite would copy the whole history table once per altered field to drop an index; the
indexes are dropped by name instead (the names Django gave them), on both databases."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FIELDS = (
    "city",
    "created_by",
    "deleted_at",
    "deleted_by",
    "email",
    "id_number",
    "owner",
    "phone",
    "pool_team",
)


def _names(schema_editor, model):
    table = model._meta.db_table
    for name in FIELDS:
        column = model._meta.get_field(name).column
        yield schema_editor._create_index_name(table, [column])
        yield schema_editor._create_index_name(table, [column], suffix="_like")  # PostgreSQL


def drop_indexes(apps, schema_editor):
    model = apps.get_model("customers", "HistoricalCustomer")
    for name in _names(schema_editor, model):
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create_indexes(apps, schema_editor):
    model = apps.get_model("customers", "HistoricalCustomer")
    like = getattr(schema_editor, "_create_like_index_sql", None)  # PostgreSQL's text prefixes
    for name in FIELDS:
        field = model._meta.get_field(name)
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))
        if like is not None and (statement := like(model, field)) is not None:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("customers", "0012_verbose_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name="historicalcustomer",
                    name="city",
                    field=models.CharField(blank=True, max_length=30, verbose_name="city"),
                ),
                migrations.AlterField(
                    model_name="historicalcustomer",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalcustomer",
                    name="deleted_at",
                    field=models.DateTimeField(blank=True, null=True, verbose_name="deleted"),
                ),
                migrations.AlterField(
                    model_name="historicalcustomer",
                    name="deleted_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="deleted by",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalcustomer",
                    name="email",
                    field=models.EmailField(blank=True, max_length=254, verbose_name="e-mail"),
                ),
                migrations.AlterField(
                    model_name="historicalcustomer",
                    name="id_number",
                    field=models.CharField(
                        blank=True, max_length=18, verbose_name="ID number / USCC"
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalcustomer",
                    name="owner",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        help_text="Empty while the customer is in the public pool.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                migrations.AlterField(
                    model_name="historicalcustomer",
                    name="phone",
                    field=models.CharField(blank=True, max_length=20, verbose_name="mobile phone"),
                ),
                migrations.AlterField(
                    model_name="historicalcustomer",
                    name="pool_team",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        help_text="Whose pool: this team and its sub-teams; empty: the company-wide pool.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.team",
                        verbose_name="pool",
                    ),
                ),
            ],
        ),
    ]
