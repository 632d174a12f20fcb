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


def masks_none(user) -> bool:
    """Whether ``user`` sees every customer's sensitive fields in full."""
    return user.is_superuser or user.role in (Role.ADMIN, Role.MANAGER)


def masks_for(user, customer) -> bool:
    """True when ``user`` sees ``customer``'s sensitive fields masked."""
    if masks_none(user):
        return False
    if user.role == Role.REP and customer.owner_id == user.pk:
        return False
    return True


def digits_searched(user, term: str, *, whole_number: bool) -> str:
    """Where a search for ``term`` (a query as ``search.normalize_query`` gives it) may look
    for ``user``: "all" they see, only their "own" customers, or "none".

    Phone digits found on a customer whose phones ``user`` sees masked would give away the
    hidden digits one search at a time ("1300", "13001"…: 20 searches recovered a masked
    mobile). So a search of digits that is not a whole phone number looks only where the
    user sees phones in full: a rep's own customers, an analyst's none; a whole number finds
    whoever has it, as the duplicate check on a new customer does."""
    if masks_none(user) or whole_number or not term.isdigit():
        return "all"
    return "own" if user.role == Role.REP else "none"


def masked_value(user, customer, field: str) -> str:
    value = getattr(customer, field)
    if field in SENSITIVE_FIELDS and masks_for(user, customer):
        return SENSITIVE_FIELDS[field](value)
    return value


def masked_contact_phone(user, contact) -> str:
    """A contact's phone as ``user`` may read it (as stored, or masked: "+86138****8000"),
    masked exactly where its customer's phones are (``contact.customer``, with its owner)."""
    if contact.phone and masks_for(user, contact.customer):
        return SENSITIVE_FIELDS["phone"](contact.phone)
    return contact.phone


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
