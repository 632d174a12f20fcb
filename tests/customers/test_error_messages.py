"""The reasons a user reads for a bad value name what is wrong with it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from guanxi.core.identity import normalize_resident_id, normalize_uscc
from guanxi.customers import import_rows, services

pytestmark = pytest.mark.django_db


def test_a_resident_id_with_a_wrong_check_digit_says_so():
    with pytest.raises(ValidationError, match="last character .* does not match"):
        normalize_resident_id("110105194912310021")


def test_a_resident_id_with_an_impossible_birth_date_says_so():
    with pytest.raises(ValidationError, match="impossible birth date"):
        normalize_resident_id("110105194902300020")  # 1949-02-30, check digit right


def test_a_resident_id_of_the_wrong_length_asks_for_18_characters():
    with pytest.raises(ValidationError, match="18 characters"):
        normalize_resident_id("11010519491231")


def test_a_credit_code_with_a_wrong_check_digit_says_so():
    with pytest.raises(ValidationError, match="last character .* does not match"):
        normalize_uscc("91350100M000100Y44")  # the right one ends in 43


@pytest.mark.parametrize("text", ["1990-02-30", "1990/2/30", "1990年2月30日", "19900230"])
def test_a_date_that_does_not_exist_is_called_that(text):
    with pytest.raises(ValidationError, match="no such day"):
        import_rows.cell_date(text)


def test_text_that_is_no_date_asks_for_the_format():
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        import_rows.cell_date("next tuesday")


def test_a_bad_email_is_reported_once(alice):
    with pytest.raises(ValidationError) as caught:
        services.create_customer(alice, {"name": "王伟", "email": "not-an-email"})
    assert caught.value.message_dict["email"] == ["Enter a valid email address."]


def test_a_bad_email_is_told_in_chinese_without_an_english_word(alice):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.create_customer(alice, {"name": "王伟", "email": "not-an-email"})

    assert error.value.message_dict["email"] == ["请输入有效的电子邮件地址。"]
