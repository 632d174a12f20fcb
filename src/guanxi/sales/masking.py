"""Lead phones and e-mails, masked by role the way customers' phones are (customers.masking):
admins and managers see them in full, a rep on the leads they own, an analyst never. A role
allowed to reveal may ask for the full value; every reveal is written to the access log."""

from guanxi.core.phones import mask_phone
from guanxi.customers.masking import masks_for


def mask_email(email: str) -> str:
    """Keep the first letter and the domain: w***@example.com."""
    if not email:
        return ""
    local, at, domain = email.partition("@")
    if not at:
        return local[:1] + "***"
    return f"{local[:1]}***@{domain}"


LEAD_SENSITIVE_FIELDS = {"phone": mask_phone, "email": mask_email}


def lead_masks_for(user, lead) -> bool:
    """True when ``user`` sees ``lead``'s phone and e-mail masked (the customer rule: the
    owner of a record, managers and admins see it in full)."""
    return masks_for(user, lead)


def masked_lead_value(user, lead, field: str, *, masked: bool | None = None) -> str:
    value = getattr(lead, field)
    if field not in LEAD_SENSITIVE_FIELDS:
        return value
    if masked is None:
        masked = lead_masks_for(user, lead)
    return LEAD_SENSITIVE_FIELDS[field](value) if masked else value
