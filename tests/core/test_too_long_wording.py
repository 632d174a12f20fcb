"""A text too long is told in one wording wherever it is checked: Django's (a form, a model)
and the import's (``django_wording.too_long``)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import translation

from guanxi.core.django_wording import too_long


def _django_message(limit: int, text: str) -> str:
    with pytest.raises(ValidationError) as caught:
        MaxLengthValidator(limit)(text)
    return caught.value.messages[0]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_too_long_words_it_as_django_does(language):
    with translation.override(language):
        assert too_long(120, 200) == _django_message(120, "x" * 200)


def test_too_long_in_chinese_says_how_long_it_is():
    with translation.override("zh-hans"):
        assert too_long(5000, 5123) == "最多 5000 个字符（现有 5123 个）。"
