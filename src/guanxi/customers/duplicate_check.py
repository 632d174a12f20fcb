"""查重 as a customer is created: existing customers with the same phone, e-mail or ID number.

The create page and the API warn and ask for confirmation (``allow_duplicate``) rather than
refuse: a shared switchboard number or a family e-mail is legitimate. A match in the pool says
"claim it instead". Customers the user cannot see are named only by their owner (or their pool),
so the check reveals no more than that such a customer exists — the same rule as the leads'.
The nightly pair finder and merge live in customers.duplicates / customers.merge.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanxi.core.identity import normalize_resident_id, normalize_uscc
from guanxi.core.phones import normalize_phone
from guanxi.customers.models import Contact, Customer, Kind


class LikelyDuplicate(ValidationError):
    """The new customer looks like one that exists; resend with allow_duplicate to create it.

    Each matching field holds a line per customer it matches (the API names the fields); a
    customer matched on several fields has the same line under each, naming them all, and
    ``messages`` (the page's list) says it once."""

    @property
    def messages(self) -> list[str]:
        return list(dict.fromkeys(super().messages))


def likely_duplicates(user, data: dict) -> dict[str, list[str]]:
    """Messages per field about existing customers matching ``data`` (raw form or API
    values, normalised here as the model does); empty when nothing matches or the data is
    invalid (the create reports that)."""
    try:
        phones = [normalize_phone(data.get(f) or "") for f in ("phone", "phone_alt")]
        email = (data.get("email") or "").strip().lower()
        normalize_id = normalize_uscc if data.get("kind") == Kind.COMPANY else normalize_resident_id
        id_number = normalize_id(data.get("id_number") or "")
    except ValidationError:
        return {}
    # Each key read through its own index (an OR of them, with the contacts joined, read every
    # customer: a second a check at a million customers), as ids, the first three of each kept.
    checks: dict[str, list] = {}
    phones = [p for p in phones if p]
    if phones:
        checks["phone"] = [
            Customer.objects.filter(phone__in=phones),
            Customer.objects.filter(phone_alt__in=phones, phone_alt__gt=""),  # partial index
            _customers_of(Contact.objects.filter(phone__in=phones)),
        ]
    if email:
        checks["email"] = [
            Customer.objects.filter(email=email),
            _customers_of(Contact.objects.filter(email=email)),
        ]
    if id_number:
        checks["id_number"] = [Customer.objects.filter(id_number=id_number)]
    # Each customer once, with the fields it matches on (in the order of ``checks``).
    matched: dict[int, tuple[Customer, list[str]]] = {}
    for field, sources in checks.items():
        ids = {pk for qs in sources for pk in qs.values_list("pk", flat=True)[:50]}
        found = Customer.objects.alive().filter(pk__in=ids).select_related("owner")
        for customer in found.order_by("pk")[:3]:
            matched.setdefault(customer.pk, (customer, []))[1].append(field)
    if not matched:
        return {}
    seen = set(
        Customer.objects.visible_to(user).filter(pk__in=list(matched)).values_list("pk", flat=True)
    )
    company = data.get("kind") == Kind.COMPANY
    found: dict[str, list[str]] = {}
    for customer, fields in matched.values():
        line = _message(customer, customer.pk in seen, _fields(fields, company=company))
        for field in fields:
            found.setdefault(field, []).append(line)
    return found


def _customers_of(contacts):
    """The customers of these contacts, as a queryset of customer ids like the others."""
    return Customer.objects.filter(pk__in=list(contacts.values_list("customer_id", flat=True)[:50]))


def check_new_customer(user, data: dict, *, allow_duplicate: bool = False) -> None:
    """Raise LikelyDuplicate unless ``allow_duplicate`` or nothing matches."""
    if allow_duplicate:
        return
    found = likely_duplicates(user, data)
    if found:
        raise LikelyDuplicate(found)


def _fields(fields: list[str], *, company: bool) -> str:
    """The matching fields as a sentence names them: "phone number and ID number"."""
    names = {
        "phone": _("phone number"),
        "email": _("e-mail"),
        "id_number": _("unified social credit code") if company else _("ID number"),
    }
    words = [str(names[f]) for f in fields]
    if len(words) == 1:
        return words[0]
    return _("%(items)s and %(last)s") % {
        "items": pgettext("between items of a list", ", ").join(words[:-1]),
        "last": words[-1],
    }


def _message(customer: Customer, visible: bool, fields: str) -> str:
    if visible and customer.owner_id is None:
        return _(
            "%(name)s (#%(id)d) has this %(fields)s and is in the public pool: claim it instead."
        ) % {"name": customer.name, "id": customer.pk, "fields": fields}
    if visible:
        return _("%(name)s (#%(id)d), owned by %(owner)s, already has this %(fields)s.") % {
            "name": customer.name,
            "id": customer.pk,
            "owner": customer.owner,
            "fields": fields,
        }
    if customer.owner_id is None:
        return _("A customer in another team's pool already has this %(fields)s.") % {
            "fields": fields
        }
    return _("A customer owned by %(owner)s already has this %(fields)s.") % {
        "owner": customer.owner,
        "fields": fields,
    }
