"""Which sensitive fields a user sees masked.

Admins and managers see phones and ID numbers in full; a rep sees them in full on the
customers they own and masked on customers shared with them; an analyst always sees them
masked. Anyone allowed to reveal (admins, managers, reps) can reveal a masked value, and
each reveal is written to the access log.
"""

from guanxi.accounts.models import Role
from guanxi.core.identity import mask_id
from guanxi.core.phones import display_phone, mask_phone

SENSITIVE_FIELDS = {"phone": mask_phone, "phone_alt": mask_phone, "id_number": mask_id}
PHONE_FIELDS = ("phone", "phone_alt")


def masks_for(user, customer) -> bool:
    """True when ``user`` sees ``customer``'s sensitive fields masked."""
    if user.is_superuser or user.role in (Role.ADMIN, Role.MANAGER):
        return False
    if user.role == Role.REP and customer.owner_id == user.pk:
        return False
    return True


def masked_value(user, customer, field: str) -> str:
    value = getattr(customer, field)
    if field in SENSITIVE_FIELDS and masks_for(user, customer):
        return SENSITIVE_FIELDS[field](value)
    return value


def shown_value(field: str, value: str, masked: bool) -> str:
    """A sensitive value as pages show it: a phone grouped for reading, its middle digits
    hidden when masked ("+86 138 **** 8000"); an ID number as stored, or masked."""
    if field in PHONE_FIELDS:
        return display_phone(value, masked=masked)
    return SENSITIVE_FIELDS[field](value) if masked and value else value


def listed_columns(user, customer) -> dict:
    """The columns every customer list's JSON starts with, in its order, the phone as ``user``
    sees it (the customer list and the pool's)."""
    return {
        "id": customer.pk,
        "kind": customer.kind,
        "name": customer.name,
        "phone": masked_value(user, customer, "phone"),
        "email": customer.email,
        "company_name": customer.company_name,
        "province": customer.province,
        "city": customer.city,
    }
