"""A number of Taiwan, Hong Kong or Macao written without its code is refused with the number
as it would be written with its code; it is never stored as a guess."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from guanxi.core.phones import normalize_phone

#: What a phone number that is none is told (guanxi.core.phones.invalid_message).
PHONE_MESSAGE = (
    "Enter a valid phone number: a mobile such as 13800138000, a landline with its area code "
    "such as 020-87654321, or a number with its country code such as +852 9123 4567."
)


def _message(raw: str, region: str = "CN") -> str:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        normalize_phone(raw, region)
    return caught.value.messages[0]


def test_a_taiwan_mobile_without_its_code_is_refused_with_the_code_shown():
    assert _message("0912-345-678") == (
        "Not a valid number without a country code. If it is a number in Taiwan, "
        "write it with its code: +886 912 345 678."
    )


def test_a_hong_kong_mobile_without_its_code_is_refused_with_the_code_shown():
    assert "Hong Kong, write it with its code: +852 9123 4567." in _message("9123 4567")


def test_the_same_number_with_its_code_is_stored():
    assert normalize_phone("+886 912 345 678", "CN") == "+886912345678"


def test_a_number_valid_in_no_nearby_region_gets_the_plain_message():
    assert _message("12345") == PHONE_MESSAGE


def test_a_number_with_a_code_is_not_guessed_at():
    assert _message("+886 12") == PHONE_MESSAGE


def test_a_company_in_taiwan_is_shown_a_mainland_mobile_with_its_code():
    assert "mainland China, write it with its code: +86 138 0013 8000." in _message(
        "13800138000", "TW"
    )


def test_the_message_is_in_chinese_for_a_chinese_user():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        normalize_phone("0912345678", "CN")
    assert "+886 912 345 678" in caught.value.messages[0]
