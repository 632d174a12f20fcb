"""The database keeps one primary contact a customer (the extra ones demoted by 0030: a
migration of its own, as PostgreSQL alters no table with the data migration's writes pending)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0030_contact_one_primary"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_primary", True)),
                fields=("customer",),
                name="contact_one_primary",
            ),
        ),
    ]
