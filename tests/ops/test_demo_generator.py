"""The demo generator is deterministic and every identity number it makes is valid."""

import datetime as dt
from unittest import mock

import phonenumbers
from stdnum.cn import ric, uscc

from guanxi.ops.demo import generate_customers

TODAY = dt.date(2026, 5, 1)


def _rows(count=400, seed=7):
    return list(generate_customers(count, seed, today=TODAY))


def test_the_same_seed_gives_the_same_customers():
    first = [(c.fields["name"], c.fields["phone"], c.owner, c.tags) for c in _rows()]
    second = [(c.fields["name"], c.fields["phone"], c.owner, c.tags) for c in _rows()]
    assert first == second


def test_another_seed_gives_other_customers():
    assert [c.fields["name"] for c in _rows(seed=7)] != [c.fields["name"] for c in _rows(seed=8)]


def test_every_phone_is_a_valid_chinese_number_and_none_repeats():
    phones = []
    for c in _rows(2000):
        phones += [p for p in (c.fields["phone"], c.fields["phone_alt"]) if p]
        phones += [contact["phone"] for contact in c.contacts]
    assert len(phones) > 2000
    assert len(set(phones)) == len(phones)
    for phone in phones:
        number = phonenumbers.parse(phone, None)
        assert phonenumbers.is_valid_number(number), phone
        assert phonenumbers.region_code_for_number(number) == "CN"


def test_mobile_numbers_are_eleven_digits_starting_with_1():
    for c in _rows(500):
        if c.fields["kind"] == "person" and c.fields["phone"]:
            national = c.fields["phone"].removeprefix("+86")
            assert len(national) == 11 and national[0] == "1"


def test_every_resident_id_is_valid_and_matches_birthday_and_sex():
    people = [
        c.fields for c in _rows(2000) if c.fields["id_number"] and c.fields["kind"] == "person"
    ]
    assert len(people) > 300
    for row in people:
        number = row["id_number"]
        assert ric.is_valid(number), number
        assert ric.get_birth_date(number) == row["birthday"]
        male = int(number[16]) % 2 == 1
        assert male == (row["gender"] == "male")


def test_every_credit_code_is_valid():
    codes = [c.fields["id_number"] for c in _rows(2000) if c.fields["kind"] == "company"]
    codes = [code for code in codes if code]
    assert len(codes) > 100
    for code in codes:
        assert uscc.is_valid(code), code


def test_companies_have_contacts_and_people_do_not():
    for c in _rows(500):
        if c.fields["kind"] == "company":
            assert 1 <= len(c.contacts) <= 3
            assert [x["is_primary"] for x in c.contacts].count(True) == 1
        else:
            assert c.contacts == []


def test_car_owners_are_tagged_and_have_a_car_model():
    rows = _rows(1000)
    owners = [c for c in rows if "车主" in c.tags]
    assert owners
    assert all(c.fields["custom"].get("car_model") for c in owners)
    assert any(c.fields["birthday_calendar"] == "lunar" for c in rows)


def test_no_customer_of_today_arrives_in_the_future():
    before_the_evening = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)
    with mock.patch("guanxi.ops.demo.timezone.now", return_value=before_the_evening):
        made = list(generate_customers(300, 5, today=dt.date(2026, 5, 1)))

    assert max(c.fields["created_at"] for c in made) <= before_the_evening
