"""查重 as a customer is created: existing customers with the same phone, e-mail or ID number.

The create page and the API warn and ask for confirmation (``allow_duplicate``) rather than
refuse: a shared switchboard number or a family e-mail is legitimate. A match in the pool says
"claim it instead". Customers the user cannot see are named only by their owner (or their pool),
so the check reveals no more than that such a customer exists — the same rule as the leads'.
The nightly pair finder and merge live in customers.duplicates / customers.merge.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from guanxi.core.identity import normalize_resident_id, normalize_uscc
from guanxi.core.phones import normalize_phone
from guanxi.customers.models import Customer, Kind


class LikelyDuplicate(ValidationError):
    """The new customer looks like one that exists; resend with allow_duplicate to create it."""


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
    checks: dict[str, Q] = {}
    phones = [p for p in phones if p]
    if phones:
        checks["phone"] = (
            Q(phone__in=phones) | Q(phone_alt__in=phones) | Q(contacts__phone__in=phones)
        )
    if email:
        checks["email"] = Q(email=email) | Q(contacts__email=email)
    if id_number:
        checks["id_number"] = Q(id_number=id_number)
    found: dict[str, list[str]] = {}
    for field, q in checks.items():
        matches = list(Customer.objects.alive().filter(q).select_related("owner").distinct()[:3])
        if not matches:
            continue
        seen = set(
            Customer.objects.visible_to(user)
            .filter(pk__in=[m.pk for m in matches])
            .values_list("pk", flat=True)
        )
        found[field] = [_message(m, m.pk in seen) for m in matches]
    return found


def check_new_customer(user, data: dict, *, allow_duplicate: bool = False) -> None:
    """Raise LikelyDuplicate unless ``allow_duplicate`` or nothing matches."""
    if allow_duplicate:
        return
    found = likely_duplicates(user, data)
    if found:
        raise LikelyDuplicate(found)


def _message(customer: Customer, visible: bool) -> str:
    if visible and customer.owner_id is None:
        return _("%(name)s (#%(id)d) has this and is in the public pool: claim it instead.") % {
            "name": customer.name,
            "id": customer.pk,
        }
    if visible:
        return _("%(name)s (#%(id)d), owned by %(owner)s, already has this.") % {
            "name": customer.name,
            "id": customer.pk,
            "owner": customer.owner,
        }
    if customer.owner_id is None:
        return _("A customer in another team's pool already has this.")
    return _("A customer owned by %(owner)s already has this.") % {"owner": customer.owner}
