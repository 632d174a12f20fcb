"""One primary contact a customer (the constraint: 0031); what a merge changed on rows it kept.

Customers that have several primary contacts (nothing stopped it before) keep the first one
made (the lowest id) as primary; the others are demoted, each with a history row saying so.
"""

from django.db import migrations, models
from django.db.models import Min
from django.utils import timezone

REASON = "one primary contact"


def demote_extra_primaries(apps, schema_editor):
    Contact = apps.get_model("customers", "Contact")
    HistoricalContact = apps.get_model("customers", "HistoricalContact")
    first = (
        Contact.objects.filter(is_primary=True)
        .values("customer_id")
        .annotate(kept=Min("id"), n=models.Count("id"))
        .filter(n__gt=1)
    )
    kept = {row["customer_id"]: row["kept"] for row in first}
    if not kept:
        return
    now = timezone.now()
    extras = []
    customer_ids = sorted(kept)
    for start in range(0, len(customer_ids), 500):
        chunk = customer_ids[start : start + 500]
        extras += [
            c
            for c in Contact.objects.filter(customer_id__in=chunk, is_primary=True)
            if c.pk != kept[c.customer_id]
        ]
    kept_in_history = {f.attname for f in HistoricalContact._meta.concrete_fields}
    columns = [f.attname for f in Contact._meta.concrete_fields if f.attname in kept_in_history]
    history = []
    for contact in extras:
        contact.is_primary = False
        contact.updated_at = now
        values = {name: getattr(contact, name) for name in columns}
        history.append(
            HistoricalContact(
                **values,
                history_date=now,
                history_type="~",
                history_change_reason=REASON,
            )
        )
    Contact.objects.bulk_update(extras, ["is_primary", "updated_at"], batch_size=500)
    HistoricalContact.objects.bulk_create(history, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0029_scan_names_skipped"),
    ]

    operations = [
        migrations.AddField(
            model_name="mergerecord",
            name="changed",
            field=models.JSONField(default=list),
        ),
        migrations.RunPython(demote_extra_primaries, migrations.RunPython.noop),
    ]
