"""Indexes for the funnel's cohort (a pipeline's deals created in a period) and the board's
columns by amount, covering what their aggregates read; and the forecast's recently lost deals."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sales", "0006_order_purchase_facts_index")]

    operations = [
        migrations.AddIndex(
            model_name="opportunity",
            index=models.Index(
                fields=["pipeline", "created_at", "stage", "amount", "customer"],
                name="opp_pipeline_created",
            ),
        ),
        migrations.AddIndex(
            model_name="opportunity",
            index=models.Index(fields=["lost_at"], name="opp_lost_at"),
        ),
        migrations.AddIndex(
            model_name="opportunity",
            index=models.Index(
                fields=["pipeline", "stage", "amount", "id", "customer"], name="opp_board_amount"
            ),
        ),
    ]
