"""A phone typed with a letter for the digit it looks like (O for 0, l or I for 1) is told
which letter and the number it would be, not that it is a digit short."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from guanxi.core.phones import normalize_phone


@pytest.mark.parametrize(
    ("typed", "letters", "meant"),
    [
        ("138-0013-800O", "the letter O", "+86 138 0013 8000"),
        ("13800l38000", "the letter l", "+86 138 0013 8000"),
        ("020-8765432I", "the letter I", "+86 20 8765 4321"),
        ("138OOl38000", "the letters O, l", "+86 138 0013 8000"),
    ],
)
def test_a_letter_for_a_digit_is_named_with_the_number_meant(typed, letters, meant):
    with pytest.raises(ValidationError) as error:
        normalize_phone(typed)

    assert error.value.messages[0].startswith(f"This number has {letters} where")
    assert error.value.messages[0].endswith(f"did you mean {meant}?")


def test_letters_that_make_no_number_get_the_plain_message():
    with pytest.raises(ValidationError, match="Enter a valid phone number"):
        normalize_phone("Office")


def test_the_message_reads_in_chinese():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        normalize_phone("138-0013-800O")

    assert "字母 O" in error.value.messages[0]


def test_letters_are_never_read_as_a_keypads_digits():
    # phonenumbers reads "138OOl38000" as 13866538000: a stranger's number.
    with pytest.raises(ValidationError, match="letters O, l"):
        normalize_phone("138OOl38000")


def test_a_letter_after_a_whole_number_is_not_dropped():
    with pytest.raises(ValidationError, match="Enter a valid phone number"):
        normalize_phone("13800138000O")


def test_a_label_before_the_number_is_no_part_of_it():
    assert normalize_phone("Tel: 13800138000") == "+8613800138000"
