"""A resident ID number with zeros added in front (a spreadsheet's number format pads a column to
one width) is told so, with its length, rather than that its check digit does not match; one
that lost a character is told its length; spaces around a valid one are dropped."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from guanxi.core.identity import normalize_resident_id

VALID = "110101199003074514"


def _message(raw: str) -> str:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        normalize_resident_id(raw)
    return " ".join(caught.value.messages)


def test_zeros_added_in_front_of_an_id_number_are_named_with_its_length():
    assert _message("000" + VALID) == (
        "3 zeros were added in front of this ID number: it has 21 characters, an ID number "
        "has 18 and never starts with 0. Remove the zeros."
    )


def test_one_zero_added_in_front_is_named_in_the_singular():
    assert _message("0" + VALID) == (
        "A zero was added in front of this ID number: it has 19 characters, an ID number has "
        "18 and never starts with 0. Remove the zero."
    )


def test_a_zero_padding_a_short_number_to_18_is_named_not_its_check_digit():
    # "0" and 17 digits: python-stdnum finds its check digit wrong, which said "a typing error?"
    assert _message("0" + VALID[:-1]) == (
        "This ID number starts with a zero, which no ID number does (added in front of it?), "
        "and without it has 17 characters: an ID number has 18."
    )


def test_an_id_number_that_lost_its_last_character_is_told_its_length():
    assert _message("11010519491231002") == (
        "Enter a valid resident ID number: an ID number has 18 characters, this one has 17."
    )


def test_a_wrong_check_digit_is_still_told_so():
    assert _message(VALID[:-1] + "5") == (
        "The last character of this resident ID number does not match: a typing error?"
    )


def test_spaces_around_a_valid_id_number_are_dropped():
    assert normalize_resident_id("  " + VALID + " ") == VALID
