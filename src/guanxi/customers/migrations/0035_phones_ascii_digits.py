"""Phones saved with a full-width digit among ASCII ones are normalised.

``normalize_phone``'s fast path for a mainland mobile matched its digits with Python's "\\d",
which takes full-width digits too: "1380013800０" was stored as "+861380013800０", shown so,
found by no search of its digits and matched as a duplicate of nothing. The fast path now
takes ASCII digits only. Here every customer phone, other phone and contact phone holding
anything but "+" and ASCII digits is normalised again, with its search text, and each changed
record gets a history row saying why (a customer's version is raised: its form, open before,
is refused rather than saving the old number back). A value that still is no number is left
as it is. The few rows are found by one scan of each table (the regex runs in SQLite through
Python: about 1 s a million rows)."""

from django.core.exceptions import ValidationError
from django.db import migrations
from django.db.models import Q
from django.utils import timezone

from guanxi.core.phones import normalize_phone
from guanxi.customers.search import contact_search_text
from guanxi.customers.services import search_text_for

REASON = "phone digits normalised"
NOT_ASCII = r"[^+0-9]"


def _normalised(value: str) -> str:
    """``value`` normalised, or ``value`` itself when it is no number."""
    if not value:
        return value
    try:
        return normalize_phone(value)
    except ValidationError:
        return value


def _history_row(history_model, record, now):
    kept = {f.attname for f in history_model._meta.concrete_fields}
    values = {
        f.attname: getattr(record, f.attname)
        for f in record._meta.concrete_fields
        if f.attname in kept
    }
    return history_model(
        **values, history_date=now, history_type="~", history_change_reason=REASON
    )


def normalise_phones(apps, schema_editor):
    alias = schema_editor.connection.alias
    now = timezone.now()
    Customer = apps.get_model("customers", "Customer")
    Contact = apps.get_model("customers", "Contact")
    customers = Customer.objects.using(alias).filter(
        Q(phone__regex=NOT_ASCII) | Q(phone_alt__regex=NOT_ASCII)
    )
    changed = []
    for customer in customers.order_by("pk"):
        phone, phone_alt = _normalised(customer.phone), _normalised(customer.phone_alt)
        if (phone, phone_alt) == (customer.phone, customer.phone_alt):
            continue
        customer.phone, customer.phone_alt = phone, phone_alt
        customer.search_text = search_text_for(
            {f: getattr(customer, f) for f in _CUSTOMER_SEARCHED}
        )
        customer.version += 1
        customer.updated_at = now
        changed.append(customer)
    fields = ["phone", "phone_alt", "search_text", "version", "updated_at"]
    Customer.objects.using(alias).bulk_update(changed, fields, batch_size=500)
    history = apps.get_model("customers", "HistoricalCustomer")
    history.objects.using(alias).bulk_create(
        [_history_row(history, c, now) for c in changed], batch_size=500
    )

    contacts = []
    for contact in Contact.objects.using(alias).filter(phone__regex=NOT_ASCII).order_by("pk"):
        phone = _normalised(contact.phone)
        if phone == contact.phone:
            continue
        contact.phone = phone
        contact.search_text = contact_search_text(
            {f: getattr(contact, f) for f in ("name", "phone", "email", "wechat_id")}
        )
        contact.updated_at = now
        contacts.append(contact)
    Contact.objects.using(alias).bulk_update(
        contacts, ["phone", "search_text", "updated_at"], batch_size=500
    )
    history = apps.get_model("customers", "HistoricalContact")
    history.objects.using(alias).bulk_create(
        [_history_row(history, c, now) for c in contacts], batch_size=500
    )


_CUSTOMER_SEARCHED = ("kind", "name", "phone", "phone_alt", "email", "company_name", "wechat_id")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0034_export_job_kind"),
    ]

    operations = [migrations.RunPython(normalise_phones, migrations.RunPython.noop)]
