"""Two partial indexes for a list that reads each way a user sees customers newest first
(``visible_to(user, newest=n)``): her own alive customers by owner, and the alive pool."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0017_customer_indexes_light"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["owner", "-id"],
                name="customer_owner_alive",
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True), ("owner__isnull", True)),
                fields=["-id"],
                name="customer_pool_newest",
            ),
        ),
    ]
