"""Phone numbers: parse, validate and normalise to E.164 (default region from settings)."""

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A CN mobile written as 11 digits (optionally +86, spaces or hyphens) that phonenumbers' own
# mobile pattern for CN accepts is valid and its E.164 form is "+86" + the digits: the common
# case of an import, answered without a full parse (tests compare it with phonenumbers).
_CN_MOBILE_TEXT = re.compile(r"(?:\+86)?(1\d{10})")
_CN_MOBILE = re.compile(
    phonenumbers.PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern
)


def _cn_mobile(raw: str, region: str) -> str:
    compact = raw.replace(" ", "").replace("-", "")
    match = _CN_MOBILE_TEXT.fullmatch(compact)
    if match is None or (region != "CN" and not compact.startswith("+")):
        return ""
    national = match.group(1)
    return "+86" + national if _CN_MOBILE.fullmatch(national) else ""


def normalize_phone(raw: str, region: str | None = None) -> str:
    """The E.164 form of ``raw`` ("+8613800138000"), or ValidationError if it is not a number."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    fast = _cn_mobile(raw, region or settings.PHONE_REGION)
    if fast:
        return fast
    region = region or settings.PHONE_REGION
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(invalid_message()) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_elsewhere(raw, region) or invalid_message())
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def invalid_message() -> str:
    """What a number that is none is told, with what is taken (each example is one
    normalize_phone takes, in the default region CN: tests/core/test_phone_message.py)."""
    return _(
        "Enter a valid phone number: a mobile such as 13800138000, a landline with its area "
        "code such as 020-87654321, or a number with its country code such as +852 9123 4567."
    )


def _nearby_regions() -> dict[str, str]:
    """Regions whose numbers a file from a Chinese company holds written without their code."""
    return {"CN": _("mainland China"), "HK": _("Hong Kong"), "MO": _("Macao"), "TW": _("Taiwan")}


def _elsewhere(raw: str, region: str) -> str:
    """When ``raw``, not a number of ``region``, is one of exactly one nearby region written
    without its code (a Taiwan mobile "0912 345 678" in a file from Taipei): a message giving
    it with the code, to be checked and written so; a guess is never stored."""
    if raw.startswith(("+", "00")):
        return ""
    found = []
    for other, name in _nearby_regions().items():
        if other == region:
            continue
        try:
            number = phonenumbers.parse(raw, other)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            found.append((name, number))
    if len(found) != 1:
        return ""
    name, number = found[0]
    return _(
        "Not a valid number without a country code. If it is a number in %(region)s, "
        "write it with its code: %(number)s."
    ) % {
        "region": name,
        "number": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
    }


_CN_MOBILE_E164 = re.compile(r"\+86(1\d{10})")


def display_phone(e164: str, *, masked: bool = False) -> str:
    """A readable international form for a stored E.164 number ("+86 138 0013 8000",
    "+86 20 8765 4321"); masked, the same grouping with the digits ``mask_phone`` hides each
    shown as "*" ("+86 138 **** 8000", "+86 20 **** 4321"), so a mobile and a landline read
    alike on one card and a page hides exactly what the API and exports hide. A value that is
    no number is shown as ``mask_phone`` gives it."""
    if not e164:
        return ""
    # A CN mobile is grouped 3-4-4 (phonenumbers' format for every CN mobile pattern; tests
    # compare the two): a list page shows 25-50 of them, 0.1-0.2 ms each through a full parse.
    match = _CN_MOBILE_E164.fullmatch(e164)
    if match is not None and _CN_MOBILE.fullmatch(national := match.group(1)):
        middle = "****" if masked else national[3:7]
        return f"+86 {national[:3]} {middle} {national[7:]}"
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return mask_phone(e164) if masked else e164
    shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return _masked_in_place(shown, e164) if masked else shown


def _masked_in_place(shown: str, e164: str) -> str:
    """``shown`` (``e164`` grouped) with the digits ``mask_phone`` hides, the four before the
    last four, each replaced by "*"; ``mask_phone`` itself when the two do not hold the same
    digits or the number is too short to keep any (``mask_phone`` then hides it all)."""
    digits = [c for c in shown if c.isdigit()]
    if "".join(digits) != e164.lstrip("+") or len(e164) <= 8:
        return mask_phone(e164)
    hidden = range(len(digits) - 8, len(digits) - 4)
    out, seen = [], 0
    for char in shown:
        if char.isdigit():
            out.append("*" if seen in hidden else char)
            seen += 1
        else:
            out.append(char)
    return "".join(out)


def mask_phone(e164: str) -> str:
    """The stored number with its middle digits hidden, as the API and exports give it:
    "+86138****8000" (pages show ``display_phone(e164, masked=True)``)."""
    if not e164:
        return ""
    digits = e164
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:-8] + "****" + digits[-4:]
