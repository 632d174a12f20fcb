"""A number that is none is told what a phone number is, with examples that are taken."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

from guanxi.core.phones import invalid_message, normalize_phone


def _message(raw: str) -> str:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        normalize_phone(raw)
    return " ".join(caught.value.messages)


def test_a_number_that_is_none_is_told_what_is_taken():
    assert _message("abc") == (
        "Enter a valid phone number: a mobile such as 13800138000, a landline with its area "
        "code such as 020-87654321, or a number with its country code such as +852 9123 4567."
    )


@override_settings(PHONE_REGION="CN")
@pytest.mark.parametrize(
    ("example", "stored"),
    [
        ("13800138000", "+8613800138000"),
        ("020-87654321", "+862087654321"),
        ("+852 9123 4567", "+85291234567"),
    ],
)
def test_each_example_the_message_gives_is_taken(example, stored):
    with translation.override("en"):
        assert example in invalid_message()
    assert normalize_phone(example) == stored


def test_the_message_gives_no_example_it_does_not_take():
    with translation.override("en"):
        examples = re.findall(r"\+?[\d][\d -]{6,}\d", invalid_message())
    assert examples == ["13800138000", "020-87654321", "+852 9123 4567"]
