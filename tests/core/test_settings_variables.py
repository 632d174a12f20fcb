"""The settings read from LANGUAGE_CODE and DATABASE_URL: the usual spellings of the two
languages are taken, anything else is refused by name (the `guanxi` command shows it as one
line: tests/core/test_cli_conditions.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from guanxi.settings import _database, _language_code


@pytest.mark.parametrize(
    ("spelling", "code"),
    [
        ("zh", "zh-hans"),
        ("zh-cn", "zh-hans"),
        ("zh_CN", "zh-hans"),
        ("zh-Hans", "zh-hans"),
        ("en", "en"),
        ("en-us", "en"),
        ("en_US", "en"),
    ],
)
def test_a_usual_spelling_of_a_language_is_taken(spelling, code):
    assert _language_code(spelling) == code


@pytest.mark.parametrize("spelling", ["fr", "zh-tw", ""])
def test_another_language_is_refused_naming_the_two(spelling):
    with pytest.raises(ImproperlyConfigured, match="use zh-hans .* or en"):
        _language_code(spelling)


def test_a_postgresql_url_is_read():
    db = _database("postgres://guanxi:pw@db.example.com:5433/crm")
    assert (db["ENGINE"], db["HOST"], db["PORT"], db["NAME"]) == (
        "django.db.backends.postgresql",
        "db.example.com",
        5433,
        "crm",
    )


@pytest.mark.parametrize(
    "url",
    ["garbage", "postgress://guanxi:secret@db/crm", "mysql://guanxi:secret@db/crm"],
)
def test_a_url_of_no_known_form_names_the_forms_and_not_the_password(url):
    with pytest.raises(ImproperlyConfigured) as refused:
        _database(url)
    assert "postgres://USER:PASSWORD@HOST:5432/NAME" in str(refused.value)
    assert "secret" not in str(refused.value)


def test_a_url_that_cannot_be_read_says_so():
    with pytest.raises(ImproperlyConfigured, match="cannot be read as a URL"):
        _database("postgres://guanxi:secret@db:port/crm")
