"""A day far outside what a CRM keeps (0001-01-01, 9999-12-31): the API refuses it naming the
field, a page's filter ignores it. A filter turned such a day into a moment and the database
driver turned that into UTC, past Python's dates: a 500."""

import datetime as dt

import pytest

from guanxi.core.days import EARLIEST, LATEST, day_or_none
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_day_or_none_takes_the_range_ends():
    assert (day_or_none("1900-01-01"), day_or_none("2999-12-31")) == (EARLIEST, LATEST)


def test_day_or_none_refuses_a_day_outside_the_range():
    assert day_or_none("0001-01-01") is None


def test_day_or_none_reads_a_plain_day():
    assert day_or_none(" 2026-11-24 ") == dt.date(2026, 11, 24)


def test_the_funnel_api_refuses_the_first_day_of_year_one(client, alice):
    response = login(client, alice).get("/api/v1/sales/funnel?from=0001-01-01")

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "from", "message": "Must be at least 1900-01-01."}
    ]


def test_the_funnel_api_refuses_the_last_day_of_9999(client, alice):
    response = login(client, alice).get("/api/v1/sales/funnel?to=9999-12-31")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "to"


def test_the_tasks_api_refuses_a_due_filter_in_year_one(client, alice):
    response = login(client, alice).get("/api/v1/tasks?due_before=0001-01-01")

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "due_before", "message": "Enter a date from 1900-01-01 to 2999-12-31."}
    ]


def test_the_funnel_page_ignores_a_day_outside_the_range(client, alice):
    response = login(client, alice).get("/sales/funnel/?start=0001-01-01&end=9999-12-31")

    assert response.status_code == 200
