"""Chinese identity numbers: resident ID (身份证) and unified social credit code (统一社会信用代码)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric, uscc


def normalize_resident_id(raw: str) -> str:
    raw = (raw or "").strip().upper()
    if not raw:
        return ""
    try:
        return ric.validate(raw)
    except stdnum_exceptions.ValidationError:
        raise ValidationError(_("Enter a valid resident ID number (18 characters).")) from None


def normalize_uscc(raw: str) -> str:
    raw = (raw or "").strip().upper()
    if not raw:
        return ""
    try:
        return uscc.validate(raw)
    except stdnum_exceptions.ValidationError:
        raise ValidationError(
            _("Enter a valid unified social credit code (18 characters).")
        ) from None


def mask_id(value: str) -> str:
    """Keep the first 3 and last 4 characters."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
