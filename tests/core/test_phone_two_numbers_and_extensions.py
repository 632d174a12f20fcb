"""Two numbers in one field and a number with an extension are each told what to do, in one
message: a stored phone is E.164, with room for one number and no extension."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from guanxi.core.phones import normalize_phone, split_extension, split_numbers


def _message(raw: str) -> str:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        normalize_phone(raw, "CN")
    assert len(caught.value.messages) == 1
    return caught.value.messages[0]


@pytest.mark.parametrize(
    "raw", ["13800138006/13900139006", "13800138006，13900139006", "13800138006 或 13900139006"]
)
def test_two_numbers_in_one_field_are_told_to_go_one_a_field(raw):
    assert _message(raw) == (
        "One phone number per field: 13800138006 and 13900139006 are two numbers. Keep one "
        "here and put the other elsewhere (a customer's other phone, or the notes)."
    )


def test_the_two_numbers_are_given_normalised_to_whoever_places_them():
    assert split_numbers("13800138006/020-88883169") == ["+8613800138006", "+862088883169"]


def test_one_number_and_something_else_is_no_two_numbers():
    assert split_numbers("13800138006/139") == []


@pytest.mark.parametrize(
    "raw",
    [
        "0755-88881234 转 801",
        "0755-88881234转801",
        "0755-88881234 分机 801",
        "0755-88881234 ext. 801",
        "0755-88881234 x801",
        "0755-88881234#801",
        "0755-88881234-801",
    ],
)
def test_a_landline_with_an_extension_is_told_to_put_the_extension_in_the_notes(raw):
    assert _message(raw) == (
        "A phone number is kept without its extension: enter 0755-88881234 here and the "
        "extension (801) in the notes."
    )


def test_an_extension_after_a_landline_written_with_spaces_is_recognised():
    assert split_extension("020 88883169-801") == ("020 88883169", "+862088883169", "801")


def test_an_extension_is_never_dropped_silently():
    # phonenumbers reads "ext" itself; its E.164 form has no extension.
    with pytest.raises(ValidationError):
        normalize_phone("+1 415 555 2671 ext 12")


@pytest.mark.parametrize("raw", ["020-88883169", "0755-8888-1234", "020-888-83169"])
def test_a_hyphen_between_a_landlines_own_groups_is_no_extension(raw):
    assert split_extension(raw) is None
    assert normalize_phone(raw, "CN").startswith("+86")
