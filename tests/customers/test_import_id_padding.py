"""A CSV file whose ID-number column a spreadsheet padded with zeros: each row is told that
zeros were added in front, not that the check digit does not match."""

import pytest

from guanxi.customers import import_reports, imports

pytestmark = pytest.mark.django_db


def test_an_id_number_padded_to_18_with_a_zero_is_told_of_the_zero(alice, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("姓名,身份证号\n王伟,011010119900307451\n", encoding="utf-8")
    job = imports.new_job(alice, path, owner=alice)

    imports.process(job)

    assert [line[3] for line in import_reports.read_report(job)] == [
        "This ID number starts with a zero, which no ID number does (added in front of it?), "
        "and without it has 17 characters: an ID number has 18."
    ]
