"""Phone numbers: parse, validate and normalise to E.164 (default region from settings)."""

import enum
import functools
import re
import unicodedata

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

# A CN mobile written as 11 digits (optionally +86, spaces or hyphens) that phonenumbers' own
# mobile pattern for CN accepts is valid and its E.164 form is "+86" + the digits: the common
# case of an import, answered without a full parse (tests compare it with phonenumbers).
# ASCII only: Python's "\d" also takes full-width and other scripts' digits, and a mobile with
# one full-width digit ("1380013800０") was stored as typed; phonenumbers' full parse converts
# every digit, so anything not ASCII goes there.
_CN_MOBILE_TEXT = re.compile(r"(?:\+86)?(1\d{10})", re.ASCII)
_CN_MOBILE = re.compile(
    phonenumbers.PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern, re.ASCII
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
    if _BETWEEN_NUMBERS.search(raw) and (numbers := _numbers(raw, region)):
        raise ValidationError(_two_numbers_message(numbers), code="two_numbers")
    extension = split_extension(raw, region)
    if extension is not None:
        raise ValidationError(_extension_message(*extension), code="extension")
    if _LETTER_AMONG_DIGITS.search(raw):
        # phonenumbers reads letters as a keypad's ("138OOl38000" as 13866538000, a stranger's
        # number) or drops them ("13800138000O"): a number with a letter in it is none (a
        # label before it, "Tel: 138…", is no part of it).
        raise ValidationError(_lookalike_message(raw, region) or invalid_message())
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(_lookalike_message(raw, region) or invalid_message()) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_lookalike_message(raw, region) or _why_not(raw, region))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_LETTER_AMONG_DIGITS = re.compile(r"[0-9０-９].*[A-Za-zＡ-Ｚａ-ｚ]")
#: Letters typed for the digits they look like ("138-0013-800O", "13800l38000").
_LOOKALIKE_LETTERS = re.compile(r"[OoIl〇]")
_AS_DIGITS = str.maketrans({"O": "0", "o": "0", "〇": "0", "I": "1", "l": "1"})


def _lookalike_message(raw: str, region: str) -> str:
    """For a number that holds a letter where a digit belongs and is one once it is that
    digit: which letter and the number it would be; else "" (phonenumbers read "800O" as
    "800" and the number was told it was a digit short)."""
    letters = dict.fromkeys(_LOOKALIKE_LETTERS.findall(raw))
    if not letters:
        return ""
    number = _valid(raw.translate(_AS_DIGITS), region)
    if number is None:
        return ""
    return ngettext(
        "This number has the letter %(letters)s where a digit belongs: did you mean %(number)s?",
        "This number has the letters %(letters)s where digits belong: did you mean %(number)s?",
        len(letters),
    ) % {
        "letters": pgettext("between items of a list", ", ").join(letters),
        "number": display_phone(
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        ),
    }


def _valid(raw: str, region: str) -> phonenumbers.PhoneNumber | None:
    """``raw`` as a valid number without an extension, else None (no message worded)."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if number.extension or not phonenumbers.is_valid_number(number):
        return None
    return number


#: What stands between two numbers written in one cell ("13800138006/13900139006"): never
#: part of one number.
_BETWEEN_NUMBERS = re.compile(r"\s*(?:[/／,，;；、|｜\n]|或|\bor\b)\s*", re.IGNORECASE)


def split_numbers(raw: str, region: str | None = None) -> list[str]:
    """The E.164 forms of the numbers ``raw`` holds when it is two or more valid numbers
    written apart ("13800138006/13900139006", "020-88883169，13800138000"), else []."""
    return [e164 for _written, e164 in _numbers(raw, region or settings.PHONE_REGION)]


def _numbers(raw: str, region: str) -> list[tuple[str, str]]:
    """(as written, E.164) of each number ``raw`` holds when it is two or more, else []."""
    parts = [p for p in _BETWEEN_NUMBERS.split(raw.strip()) if p]
    if len(parts) < 2:
        return []
    numbers = []
    for part in parts:
        number = _cn_mobile(part, region) or _valid(part, region)
        if not number:
            return []
        numbers.append((part, number if isinstance(number, str) else _e164(number)))
    return numbers


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _two_numbers_message(numbers: list[tuple[str, str]]) -> str:
    return _(
        "One phone number per field: %(first)s and %(second)s are two numbers. Keep one here "
        "and put the other elsewhere (a customer's other phone, or the notes)."
    ) % {"first": numbers[0][0], "second": numbers[1][0]}


#: A number, then an extension: 转 / 分机 / ext / x / # and its digits, or "-" and up to 6
#: digits after a landline that is whole without them ("020 88883169-801").
_EXTENSION = re.compile(
    r"(?P<number>.*[\d)）])\s*(?P<mark>转|分机号?|ext\.?|x|#|＃|-|－)\s*(?P<extension>\d{1,6})",
    re.IGNORECASE,
)


def split_extension(raw: str, region: str | None = None) -> tuple[str, str, str] | None:
    """(the number as written without its extension, its E.164 form, the extension in ASCII
    digits) when ``raw`` is a valid number followed by an extension ("0755-88881234 转 801",
    "020 88883169-801", "…ext. 801", "…x801", "…#801"); else None. A stored number is E.164,
    which has no room for an extension: where one goes is the caller's to say."""
    match = _EXTENSION.fullmatch(raw.strip())
    if match is None:
        return None
    region = region or settings.PHONE_REGION
    written = match.group("number").strip()
    number = _valid(written, region)
    if number is None:
        return None
    if match.group("mark") in "-－":
        # A hyphen joins a number's own groups too: only after a whole landline whose digits
        # with these after it are no number is what follows an extension.
        if phonenumbers.number_type(number) not in _LANDLINE_TYPES or _valid(raw, region):
            return None
    return written, _e164(number), _ascii_digits(match.group("extension"))


def _extension_message(written: str, e164: str, extension: str) -> str:
    return _(
        "A phone number is kept without its extension: enter %(number)s here and the "
        "extension (%(extension)s) in the notes."
    ) % {"number": written, "extension": extension}


def _why_not(raw: str, region: str) -> str:
    """What is wrong with ``raw``, a number phonenumbers read but does not find valid: a
    mainland landline's digit count, else a nearby region's number written without its code,
    else a mainland mobile's digit count, else the plain message."""
    if region != "CN" or raw.startswith(("+", "00")):
        return _elsewhere(raw, region) or invalid_message()
    # A Taiwan mobile ("0912 345 678") reads as a mainland landline a digit short too (0912
    # is Yulin's code): the mobile is what such a number is. Any other number with a mainland
    # area code is told about the mainland ("020-8888316" is no Taiwan "02" landline).
    nearby = _nearby_number(raw, region)
    if nearby is not None and phonenumbers.number_type(nearby[1]) in _MOBILE_TYPES:
        return _elsewhere_message(*nearby)
    return (
        _cn_landline_message(raw)
        or (_elsewhere_message(*nearby) if nearby is not None else "")
        or _cn_mobile_length_message(raw)
        or invalid_message()
    )


_MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


def _ascii_digits(text: str) -> str:
    """``text`` with every decimal digit (full-width "０"…) written as an ASCII one."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text)


@functools.cache
def _cn_landline_lengths(area: str) -> tuple[int, ...]:
    """The lengths phonenumbers takes for a landline number after mainland area code
    ``area`` (without its 0: "20", "755"); none when ``area`` is no area code. A few
    subscriber numbers of each length are tried, as the metadata holds no list of codes."""
    lengths = []
    for length in (7, 8):
        for first in "2345678":
            number = phonenumbers.PhoneNumber(
                country_code=86, national_number=int(area + first * length)
            )
            if phonenumbers.number_type(number) in _LANDLINE_TYPES:
                lengths.append(length)
                break
    return tuple(lengths)


_LANDLINE_TYPES = (
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


def _cn_area_and_rest(text: str) -> tuple[str, str] | None:
    """A mainland landline's area code (without its 0) and the digits after it, when ``text``
    starts with 0 and an area code: the first group of digits when the text separates it
    ("020-8888316", "(0755) 8888 123"), else read from the digits (2 digits for 10 and 2x,
    3 for the rest)."""
    groups = re.findall(r"[0-9]+", _ascii_digits(text))
    if not groups or not groups[0].startswith("0") or groups[0].startswith("00"):
        return None
    if len(groups) > 1 and len(groups[0]) <= 4:
        # Written apart, the code is what was written: "02-8888 3169" is no mainland one.
        return groups[0][1:], "".join(groups[1:])
    digits = "".join(groups)[1:]
    size = 2 if digits.startswith(("10", "2")) else 3
    return digits[:size], digits[size:]


def _cn_landline_message(raw: str) -> str:
    """For a number written as a mainland landline (0, an area code, the number) that is
    none: its digit count when that is what is wrong ("020-8888316": 020 takes 8 digits),
    else the plain message (never a guess at another region: "020" is Guangzhou's, not a
    Taiwan number's "02"). Empty when ``raw`` does not start with a mainland area code."""
    found = _cn_area_and_rest(raw)
    if found is None:
        return ""
    area, rest = found
    lengths = _cn_landline_lengths(area) if area.isdigit() else ()
    if not lengths:
        return ""
    if len(rest) in lengths:
        return invalid_message()
    return _(
        "Wrong number of digits for a landline: after %(area)s come %(expected)s digits "
        "(this number has %(count)d)."
    ) % {
        "area": "0" + area,
        "expected": (
            str(lengths[0])
            if len(lengths) == 1
            else _("%(a)d or %(b)d") % {"a": lengths[0], "b": lengths[1]}
        ),
        "count": len(rest),
    }


def _cn_mobile_length_message(raw: str) -> str:
    """For a mainland mobile with a digit too many or too few ("1380013800"): its count."""
    digits = "".join(re.findall(r"[0-9]+", _ascii_digits(raw)))
    if not re.fullmatch(r"1[3-9][0-9]{7,11}", digits) or len(digits) == 11:
        return ""
    return _("A mobile number has 11 digits (this one has %(count)d).") % {"count": len(digits)}


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
    found = _nearby_number(raw, region)
    return "" if found is None else _elsewhere_message(*found)


def _elsewhere_message(name: str, number: phonenumbers.PhoneNumber) -> str:
    return _(
        "Not a valid number without a country code. If it is a number in %(region)s, "
        "write it with its code: %(number)s."
    ) % {
        "region": name,
        "number": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
    }


def _nearby_number(raw: str, region: str):
    """(region's name, number) when ``raw`` is a valid number of exactly one nearby region
    other than ``region``, read without its code; else None."""
    if raw.startswith(("+", "00")):
        return None
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
    return found[0] if len(found) == 1 else None


_CN_MOBILE_E164 = re.compile(r"\+86(1\d{10})", re.ASCII)


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


class PhoneKind(enum.StrEnum):
    """What kind of number a stored number is, as a message names it."""

    MOBILE = "mobile"
    LANDLINE = "landline"
    CN_400 = "400"  # a mainland 400 service number: the caller pays a local call
    CN_800 = "800"  # a mainland 800 number: free to the caller
    OTHER = "other"


def phone_kind(e164: str) -> PhoneKind:
    """The kind of a stored number, by phonenumbers' type for it: MOBILE, FIXED_LINE a
    landline; a mainland 400 number is SHARED_COST (neither UAN nor FIXED_LINE_OR_MOBILE) and
    an 800 one TOLL_FREE. OTHER for the rest: a number phonenumbers cannot tell a mobile from
    a landline by (FIXED_LINE_OR_MOBILE: +1 201 555 0123), the mainland's other service
    numbers (95xxx, 1010xxxx), a number that is none."""
    match = _CN_MOBILE_E164.fullmatch(e164 or "")
    if match is not None and _CN_MOBILE.fullmatch(match.group(1)):
        return PhoneKind.MOBILE  # the common case, without a full parse (as display_phone)
    try:
        number = phonenumbers.parse(e164, settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        return PhoneKind.OTHER
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.MOBILE:
        return PhoneKind.MOBILE
    if kind == phonenumbers.PhoneNumberType.FIXED_LINE:
        return PhoneKind.LANDLINE
    if number.country_code == 86:
        national = str(number.national_number)
        if kind == phonenumbers.PhoneNumberType.SHARED_COST and national.startswith("400"):
            return PhoneKind.CN_400
        if kind == phonenumbers.PhoneNumberType.TOLL_FREE and national.startswith("800"):
            return PhoneKind.CN_800
    return PhoneKind.OTHER


def phone_noun(e164: str) -> str:
    """What a message calls a stored number: "mobile number", "landline number", "400
    number", "800 number", else "phone number" (never "mobile" for a number that is none:
    a customer's "mobile phone" field holds a company's 400 number or landline too)."""
    kind = phone_kind(e164)
    if kind == PhoneKind.MOBILE:
        return _("mobile number")
    if kind == PhoneKind.LANDLINE:
        return _("landline number")
    if kind == PhoneKind.CN_400:
        return _("400 number")
    if kind == PhoneKind.CN_800:
        return _("800 number")
    return _("phone number")


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
