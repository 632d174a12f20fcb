"""Chinese identity numbers: resident ID (身份证) and unified social credit code (统一社会信用代码)."""

import datetime as dt
import functools
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from stdnum import exceptions as stdnum_exceptions
from stdnum import numdb
from stdnum.cn import ric, uscc


# Whether a district code ever existed. The code is where the number was issued, which can be
# years after the birth date in the number (440106 天河区 dates from 1985 and issues numbers to
# people born before), so unlike ``stdnum.cn.ric.validate`` the years a code was in use are not
# compared with the birth year. python-stdnum's database lookup is most of the time of a check
# and its answer only depends on the code, so it is kept: room for every code the table knows
# (about 7,000) and as many unknown ones, bounded whatever numbers are typed in.
@functools.lru_cache(maxsize=16384)
def _district_known(code: str) -> bool:
    # numdb answers a row per level, the province ("44") then the county ("0106"), whose
    # "county" value lists every name the code had, e.g. "[1985-]天河区"; an unknown county
    # under a known province comes back as an empty dict.
    return any(props.get("county") for _part, props in numdb.get("cn/loc").info(code))


_PLAIN_RIC = re.compile(r"[0-9]{17}[0-9X]")


def _validate_ric(raw: str) -> str:
    """``stdnum.cn.ric.validate``, except that the district code only has to have existed at some
    time, looked up once per code, and without its character-by-character clean-up when the
    number is plain ASCII already."""
    number = raw.strip() if _PLAIN_RIC.fullmatch(raw.strip()) else ric.compact(raw)
    if len(number) != 18:
        raise stdnum_exceptions.InvalidLength()
    if not number[:-1].isdigit() or not number[:-1].isascii():
        raise stdnum_exceptions.InvalidFormat()
    if number[-1] != ric.calc_check_digit(number):
        raise stdnum_exceptions.InvalidChecksum()
    try:  # ric.get_birth_date without compacting again
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise stdnum_exceptions.InvalidComponent() from None
    if born.year < 1900 or born > timezone.localdate():  # as a birthday is checked
        raise stdnum_exceptions.InvalidComponent()
    if not _district_known(number[:6]):
        raise stdnum_exceptions.InvalidComponent()
    return number


#: An ID number with zeros in front: no ID number starts with 0 (its first digit is a
#: province's, 1 to 8), so they were added, as a spreadsheet's number format pads a column of
#: numbers to one width ("000110101199003074514"); before, such a number was told its check
#: digit did not match, or its length.
_PADDED_RIC = re.compile(r"(0+)([1-9][0-9]*X?)")
_DIGITS_RIC = re.compile(r"[0-9]+X?")


def normalize_resident_id(raw: str) -> str:
    raw = (raw or "").strip().upper()
    if not raw:
        return ""
    try:
        return _validate_ric(raw)
    except stdnum_exceptions.ValidationError as exc:
        raise ValidationError(_ric_message(raw, exc)) from None


def _ric_message(raw: str, exc: stdnum_exceptions.ValidationError) -> str:
    """Why ``raw`` is no resident ID number: zeros added in front of it, else what python-stdnum
    found (``exc``), a wrong length with the number's own."""
    number = raw if _PLAIN_RIC.fullmatch(raw) else ric.compact(raw)
    padded = _PADDED_RIC.fullmatch(number)
    if padded is not None:
        zeros, rest = len(padded.group(1)), len(padded.group(2))
        values = {"zeros": zeros, "count": len(number), "rest": rest}
        if rest == 18:
            return (
                ngettext(
                    "A zero was added in front of this ID number: it has %(count)d characters, an "
                    "ID number has 18 and never starts with 0. Remove the zero.",
                    "%(zeros)d zeros were added in front of this ID number: it has %(count)d "
                    "characters, an ID number has 18 and never starts with 0. Remove the zeros.",
                    zeros,
                )
                % values
            )
        return (
            ngettext(
                "This ID number starts with a zero, which no ID number does (added in front of "
                "it?), and without it has %(rest)d characters: an ID number has 18.",
                "This ID number starts with %(zeros)d zeros, which no ID number does (added in "
                "front of it?), and without them has %(rest)d characters: an ID number has 18.",
                zeros,
            )
            % values
        )
    if isinstance(exc, stdnum_exceptions.InvalidChecksum):
        return _("The last character of this resident ID number does not match: a typing error?")
    if isinstance(exc, stdnum_exceptions.InvalidComponent):
        return _(
            "This resident ID number has an impossible birth date or an unknown district code."
        )
    if isinstance(exc, stdnum_exceptions.InvalidLength) and _DIGITS_RIC.fullmatch(number):
        return _(
            "Enter a valid resident ID number: an ID number has 18 characters, this one has "
            "%(count)d."
        ) % {"count": len(number)}
    return _("Enter a valid resident ID number (18 characters).")


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
