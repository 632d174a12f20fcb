"""An index of tag links by (tag, customer): a list filtered by a tag reads that tag's
customers newest first through it (``queries.newest_among``). Django's own indexes of the
link table are by customer and tag, and by tag alone, in no customer order."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0018_newest_seen_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX customer_tags_newest ON customers_customer_tags (tag_id, customer_id)",
            reverse_sql="DROP INDEX customer_tags_newest",
        ),
    ]
