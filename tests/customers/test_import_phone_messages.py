"""The import's report gives a phone one reason: two numbers in a cell are not also "too
long", an extension is named, a Guangzhou landline a digit short is not a Taiwan number."""

import csv

import pytest

from guanxi.customers import imports
from guanxi.customers.models import Contact
from guanxi.customers.services import create_customer

pytestmark = pytest.mark.django_db


def _reasons(user, tmp_path, text: str) -> dict[str, str]:
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    job = imports.process(imports.new_job(user, path, owner=user))
    with open(job.report_path, encoding="utf-8-sig") as report:
        return {line[2]: line[3] for line in list(csv.reader(report))[1:]}


def test_two_numbers_in_a_cell_get_one_reason(alice, tmp_path):
    reasons = _reasons(alice, tmp_path, "姓名,手机\n王倩,13800138006/13900139006\n")

    assert reasons == {
        "13800138006/13900139006": "One phone number per field: 13800138006 and 13900139006 "
        "are two numbers. Keep one here and put the other elsewhere (a customer's other phone, "
        "or the notes)."
    }


def test_a_landline_with_an_extension_is_told_where_the_extension_goes(alice, tmp_path):
    reasons = _reasons(alice, tmp_path, '姓名,手机\n王倩,"020 88883169-801"\n')

    assert reasons["020 88883169-801"].startswith(
        "A phone number is kept without its extension: enter 020 88883169 here"
    )


def test_a_guangzhou_landline_a_digit_short_is_told_its_digit_count(alice, tmp_path):
    reasons = _reasons(alice, tmp_path, "姓名,手机\n王倩,020-8888316\n")

    assert reasons["020-8888316"] == (
        "Wrong number of digits for a landline: after 020 come 8 digits (this number has 7)."
    )


def test_a_valid_number_written_longer_than_the_field_is_stored(alice):
    customer = create_customer(alice, {"name": "王倩", "phone": "0086 (0) 755 - 8888 - 1234"})

    assert customer.phone == "+8675588881234"


def test_a_contacts_two_numbers_get_one_message(alice):
    customer = create_customer(alice, {"name": "华信公司", "kind": "company"})
    contact = Contact(customer=customer, name="李助理", phone="13800138006/13900139006")

    with pytest.raises(Exception) as caught:
        contact.full_clean()

    assert len(caught.value.message_dict["phone"]) == 1
