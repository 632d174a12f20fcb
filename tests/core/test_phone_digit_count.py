"""A mainland landline or mobile with a digit too many or too few is told how many digits it
takes, and a number written with a mainland area code ("020-…") is never given a Taiwan hint."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from guanxi.core.phones import normalize_phone


def _message(raw: str, language: str = "en") -> str:
    with translation.override(language), pytest.raises(ValidationError) as caught:
        normalize_phone(raw, "CN")
    return caught.value.messages[0]


@pytest.mark.parametrize("raw", ["020-8888316", "(020) 8888 316", "0208888316"])
def test_a_guangzhou_landline_a_digit_short_is_told_it_takes_eight(raw):
    assert _message(raw) == (
        "Wrong number of digits for a landline: after 020 come 8 digits (this number has 7)."
    )


def test_an_area_code_taking_seven_or_eight_digits_says_both():
    assert "after 0433 come 7 or 8 digits (this number has 5)" in _message("0433-12345")


def test_a_taipei_landline_written_with_its_02_still_gets_the_taiwan_hint():
    assert "Taiwan, write it with its code: +886 2 8888 3169." in _message("02-88883169")


def test_a_taiwan_mobile_is_not_read_as_a_yulin_landline():
    # 0912 is also Yulin's area code; a Taiwan mobile is far likelier than its landline
    # a digit short.
    assert "Taiwan, write it with its code: +886 912 345 678." in _message("0912-345-678")


def test_a_mobile_a_digit_short_is_told_it_takes_eleven():
    assert _message("1380013800") == "A mobile number has 11 digits (this one has 10)."


def test_a_landline_of_the_right_length_is_stored():
    assert normalize_phone("020-88883169", "CN") == "+862088883169"
