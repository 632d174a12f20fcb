"""Chinese identity numbers: resident ID (身份证) and unified social credit code (统一社会信用代码)."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric, uscc

# Whether a district code was in use in a birth year: python-stdnum looks it up in its
# database for every number, which is most of the time of a check; the answer only depends on
# the code and the year, so it is kept.
_PLACE_VALID: dict[tuple[str, str], bool] = {}


_PLAIN_RIC = re.compile(r"[0-9]{17}[0-9X]")


def _validate_ric(raw: str) -> str:
    """``stdnum.cn.ric.validate`` with the birth-place lookup cached per (district, year), and
    without its character-by-character clean-up when the number is plain ASCII already."""
    number = raw.strip() if _PLAIN_RIC.fullmatch(raw.strip()) else ric.compact(raw)
    if len(number) != 18:
        raise stdnum_exceptions.InvalidLength()
    if not number[:-1].isdigit() or not number[:-1].isascii():
        raise stdnum_exceptions.InvalidFormat()
    if number[-1] != ric.calc_check_digit(number):
        raise stdnum_exceptions.InvalidChecksum()
    try:  # ric.get_birth_date without compacting again
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise stdnum_exceptions.InvalidComponent() from None
    key = (number[:6], number[6:10])
    valid = _PLACE_VALID.get(key)
    if valid is None:
        try:
            ric.get_birth_place(number)
            valid = True
        except stdnum_exceptions.ValidationError:
            valid = False
        _PLACE_VALID[key] = valid
    if not valid:
        raise stdnum_exceptions.InvalidComponent()
    return number


def normalize_resident_id(raw: str) -> str:
    raw = (raw or "").strip().upper()
    if not raw:
        return ""
    try:
        return _validate_ric(raw)
    except stdnum_exceptions.InvalidChecksum:
        raise ValidationError(
            _("The last character of this resident ID number does not match: a typing error?")
        ) from None
    except stdnum_exceptions.InvalidComponent:
        raise ValidationError(
            _("This resident ID number has an impossible birth date or district code.")
        ) from None
    except stdnum_exceptions.ValidationError:
        raise ValidationError(_("Enter a valid resident ID number (18 characters).")) from None


def normalize_uscc(raw: str) -> str:
    raw = (raw or "").strip().upper()
    if not raw:
        return ""
    try:
        return uscc.validate(raw)
    except stdnum_exceptions.InvalidChecksum:
        raise ValidationError(
            _("The last character of this credit code does not match: a typing error?")
        ) from None
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
