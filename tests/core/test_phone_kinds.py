"""What kind of number a stored number is, as messages name it: a mainland 400 or 800 number and
a landline are no mobile (a customer's "mobile phone" field holds them too); the rule rests on
the type phonenumbers gives each."""

import phonenumbers
import pytest
from django.test import override_settings
from django.utils import translation

from guanxi.core.phones import PhoneKind, normalize_phone, phone_kind, phone_noun

Type = phonenumbers.PhoneNumberType


@pytest.mark.parametrize(
    ("e164", "kind"),
    [
        ("+864008008888", Type.SHARED_COST),  # neither UAN nor FIXED_LINE_OR_MOBILE
        ("+868008208820", Type.TOLL_FREE),
        ("+8613800138000", Type.MOBILE),
        ("+862087654321", Type.FIXED_LINE),
        ("+12015550123", Type.FIXED_LINE_OR_MOBILE),
    ],
)
def test_phonenumbers_types_the_numbers_the_rule_names_as_it_reads(e164, kind):
    assert phonenumbers.number_type(phonenumbers.parse(e164)) == kind


@override_settings(PHONE_REGION="CN")
def test_a_400_number_as_typed_is_a_400_number_not_a_mobile():
    stored = normalize_phone("400-800-8888")

    assert (stored, phone_kind(stored)) == ("+864008008888", PhoneKind.CN_400)


def test_an_800_number_is_an_800_number():
    assert phone_kind("+868008208820") == PhoneKind.CN_800


@pytest.mark.parametrize("e164", ["+8613800138000", "+8619912345678", "+8617400012345"])
def test_a_mainland_mobile_is_a_mobile_as_phonenumbers_says(e164):
    number = phonenumbers.parse(e164)

    assert phone_kind(e164) == PhoneKind.MOBILE
    assert phonenumbers.number_type(number) == Type.MOBILE


@pytest.mark.parametrize("e164", ["+862087654321", "+8675588881234", "+85221234567"])
def test_a_landline_is_a_landline(e164):
    assert phone_kind(e164) == PhoneKind.LANDLINE


@pytest.mark.parametrize(
    "e164",
    [
        "+12015550123",  # a mobile and a landline look alike
        "+8610101234",  # a mainland service number, shared cost but no 400 number
        "+18005551234",  # toll-free, not the mainland's 800
        "not a number",
        "",
    ],
)
def test_any_other_number_is_called_a_phone_number(e164):
    with translation.override("en"):
        assert (phone_kind(e164), phone_noun(e164)) == (PhoneKind.OTHER, "phone number")


def test_each_kind_has_its_own_noun():
    with translation.override("en"):
        nouns = [
            phone_noun(e164)
            for e164 in ("+8613800138000", "+862087654321", "+864008008888", "+868008208820")
        ]

    assert nouns == ["mobile number", "landline number", "400 number", "800 number"]
