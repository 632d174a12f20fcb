"""The index of names becomes one of (name, employer): the import looks a person up by both
(its duplicate key), one probe a row instead of a read of every namesake; it still answers
every read by name."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0015_search_index_id_blocks"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["name", "company_name"], name="customer_name_company"),
        ),
        migrations.RemoveIndex(
            model_name="customer",
            name="customer_name",
        ),
    ]
