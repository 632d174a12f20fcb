"""A birthday column takes the dates people write: full-width digits, dots, a year in two
digits before month and day, a lunar birthday after 农历; what it does not take is reported
with the forms it takes, and a number Excel keeps a date as says which date it would be."""

import datetime as dt

import pytest

from guanxi.customers import import_reports, imports
from guanxi.customers.models import Customer

pytestmark = pytest.mark.django_db

FORMS = "Write the date as 1985-03-05, 1985/3/5 or 1985年3月5日."


def _run(user, tmp_path, text: str):
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    job = imports.new_job(user, path, owner=user)
    imports.process(job)
    return job, import_reports.read_report(job)


@pytest.mark.parametrize(
    "cell",
    [
        "1985-03-05",
        "1985/3/5",
        "1985.3.5",
        "1985.03.05",
        "1985年3月5日",
        "1985 年 3 月 5 日",
        "19850305",
        "１９８５－０３－０５",
        "85.3.5",
        "85-3-5",
        "1985/3/5 0:00",
    ],
)
def test_the_usual_ways_of_writing_a_birthday_are_read(alice, tmp_path, cell):
    job, report = _run(alice, tmp_path, f"姓名,生日\n王伟,{cell}\n")

    assert (job.imported, report) == (1, [])
    assert Customer.objects.get().birthday == dt.date(1985, 3, 5)


def test_a_two_digit_year_not_in_the_future_is_this_century(alice, tmp_path):
    job, _report = _run(alice, tmp_path, "姓名,生日\n王伟,05.3.5\n")

    assert Customer.objects.get().birthday == dt.date(2005, 3, 5)


def test_a_two_digit_year_with_slashes_is_not_guessed(alice, tmp_path):
    job, report = _run(alice, tmp_path, "姓名,生日\n王伟,05/03/85\n")

    assert job.failed == 1
    assert report[0][3] == FORMS


def test_a_date_kept_as_an_excel_number_says_which_date_it_would_be(alice, tmp_path):
    job, report = _run(alice, tmp_path, "姓名,生日\n王伟,31111\n")

    assert job.failed == 1
    assert report[0][3] == (
        "31111 looks like the number Excel keeps a date as (1985-03-05): format the column "
        "as a date in Excel, or write the date as 1985-03-05."
    )


def test_an_impossible_day_says_so(alice, tmp_path):
    _job, report = _run(alice, tmp_path, "姓名,生日\n王伟,85.2.30\n")

    assert report[0][3] == "There is no such day in the calendar."


@pytest.mark.parametrize(
    ("cell", "solar"),
    [
        ("农历1985年正月十五", dt.date(1985, 3, 6)),
        ("农历1985-01-15", dt.date(1985, 3, 6)),
        ("阴历1985年腊月廿三", dt.date(1986, 2, 1)),
        ("农历2020年闰四月初一", dt.date(2020, 5, 23)),
    ],
)
def test_a_lunar_birthday_is_kept_with_the_lunar_calendar(alice, tmp_path, cell, solar):
    job, report = _run(alice, tmp_path, f"姓名,生日\n王伟,{cell}\n")

    assert (job.imported, report) == (1, [])
    customer = Customer.objects.get()
    assert (customer.birthday, customer.birthday_calendar) == (solar, "lunar")


def test_a_lunar_birthday_against_a_solar_calendar_column_is_reported(alice, tmp_path):
    job, report = _run(alice, tmp_path, "姓名,生日,生日历法\n王伟,农历1985年正月十五,公历\n")

    assert job.failed == 1
    assert report[0][1] == "生日"


def test_a_lunar_birthday_without_its_year_says_how_to_write_it(alice, tmp_path):
    _job, report = _run(alice, tmp_path, "姓名,生日\n王伟,农历正月十五\n")

    assert report[0][3] == "Write a lunar birthday as 农历1985年正月十五 or 农历1985-01-15."
