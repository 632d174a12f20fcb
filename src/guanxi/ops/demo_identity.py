"""Well-formed (but made-up) Chinese phone numbers, resident IDs and USCCs for demo data.

Check digits are computed, not faked: resident IDs by GB 11643 (python-stdnum's ``ric``),
USCCs by GB 32100-2015 (``uscc``) with a GB 11714 organisation code inside.
"""

import datetime as dt
import random
import re

import phonenumbers
from stdnum.cn import ric, uscc

from guanxi.ops.demo_data import MOBILE_PREFIXES

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# phonenumbers' own patterns for China: a number matching the general and the type pattern is
# exactly what is_valid_number accepts, at a fraction of the cost of parsing (tests check both).
_CN = phonenumbers.PhoneMetadata.metadata_for_region("CN")
_GENERAL = re.compile(_CN.general_desc.national_number_pattern)
_MOBILE = re.compile(_CN.mobile.national_number_pattern)
_FIXED = re.compile(_CN.fixed_line.national_number_pattern)


def mobile_number(rng: random.Random) -> str:
    """A mainland mobile number in E.164 ("+8613812345678") that phonenumbers accepts."""
    while True:
        national = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        if _MOBILE.fullmatch(national) and _GENERAL.fullmatch(national):
            return "+86" + national


def resident_id(rng: random.Random, place_code: str, birthday: dt.date, male: bool) -> str:
    """An 18-character resident ID: place, birth date, a sequence whose parity gives the sex,
    and the check digit."""
    sequence = rng.randrange(0, 1000)
    if (sequence % 2 == 1) != male:
        sequence = (sequence + 1) % 1000
    body = f"{place_code}{birthday:%Y%m%d}{sequence:03d}"
    return body + ric.calc_check_digit(body + "?")  # it skips the last character


def organisation_code(rng: random.Random) -> str:
    """A 9-character organisation code (GB 11714): 8 digits and a check character."""
    body = f"{rng.randrange(10**8):08d}"
    remainder = 11 - sum(int(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    check = {10: "X", 11: "0"}.get(remainder, str(remainder))
    return body + check


def credit_code(rng: random.Random, area_code: str) -> str:
    """An 18-character unified social credit code of an enterprise (91…) registered in the area."""
    body = f"91{area_code}{organisation_code(rng)}"
    return body + uscc.calc_check_digit(body)


def landline_number(rng: random.Random, area_code: str) -> str:
    """A fixed-line number in E.164 for a city with 8-digit local numbers ("+862087654321")."""
    while True:
        national = f"{area_code}{rng.randrange(2, 9)}{rng.randrange(10**7):07d}"
        if _FIXED.fullmatch(national) and _GENERAL.fullmatch(national):
            return "+86" + national
