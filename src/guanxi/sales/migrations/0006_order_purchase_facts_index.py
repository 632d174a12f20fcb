# The analytics refresh reads status, date, customer, total, due and paid date of every
# purchase order: a covering index lets SQLite scan it instead of the whole table. It starts
# with (status, order_date), so it also serves every lookup the index it replaces served.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0005_lead_assignment_rules_and_web_forms"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="order",
            name="order_status_date",
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["status", "order_date", "customer", "total", "due_date", "paid_date"],
                name="order_purchase_facts",
            ),
        ),
    ]
