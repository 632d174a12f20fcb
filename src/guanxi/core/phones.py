"""Phone numbers: parse, validate and normalise to E.164 (default region from settings)."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalize_phone(raw: str, region: str | None = None) -> str:
    """The E.164 form of ``raw`` ("+8613800138000"), or ValidationError if it is not a number."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, region or settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter a valid phone number.")) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Enter a valid phone number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """A readable national form for a stored E.164 number."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def mask_phone(e164: str) -> str:
    """Hide the middle digits: +86 138****8000."""
    if not e164:
        return ""
    digits = e164
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:-8] + "****" + digits[-4:]
