"""A phone with full-width digits among ASCII ones is normalised as an all-full-width one is:
the mainland-mobile fast path takes ASCII digits only (Python's "\\d" takes "０" too) and
leaves the rest to phonenumbers, which converts every digit."""

import pytest

from guanxi.core.phones import display_phone, normalize_phone


@pytest.mark.parametrize(
    "raw",
    [
        "1380013800０",
        "+861380013800０",
        "138 0013 800０",
        "１380013800０",
        "１３８００１３８０００",
    ],
)
def test_a_mobile_with_a_full_width_digit_is_stored_in_ascii(raw):
    assert normalize_phone(raw) == "+8613800138000"


def test_a_stored_number_with_a_full_width_digit_is_shown_in_ascii():
    # Old data (migration 0035 normalises it) is grouped by phonenumbers, which converts it.
    assert display_phone("+861380013800０") == "+86 138 0013 8000"
