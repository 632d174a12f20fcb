"""WeChat IDs: letters, digits, "_" and "-", 5 to 30 of them, surrounding spaces dropped."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from guanxi.core.wechat import normalize_wechat_id


@pytest.mark.parametrize(
    "raw",
    [
        "wxid_abc123",  # as WeChat gives new accounts
        "zhang-wei_88",  # a chosen one
        "13800138000",  # a phone number used as the ID
        "12345",  # an old QQ number used as the ID
        "a" * 30,
        "ABCdef",
    ],
)
def test_an_id_of_letters_digits_underscores_and_hyphens_is_kept(raw):
    assert normalize_wechat_id(raw) == raw


def test_surrounding_spaces_are_dropped():
    assert normalize_wechat_id("  wxid_abc123 \t") == "wxid_abc123"


def test_nothing_given_is_nothing():
    assert normalize_wechat_id("  ") == ""


def _message(raw: str) -> str:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        normalize_wechat_id(raw)
    return " ".join(caught.value.messages)


@pytest.mark.parametrize("raw", ["a b!", "wx id", "wxid.abc", "微信号abcde", "ｗｘｉｄ＿ａｂｃ"])
def test_other_characters_are_refused(raw):
    assert _message(raw) == "A WeChat ID has only Latin letters, digits, _ and -."


@pytest.mark.parametrize("raw", ["abcd", "a" * 31])
def test_a_length_no_wechat_id_has_is_refused(raw):
    assert _message(raw) == "A WeChat ID has 5 to 30 characters."
