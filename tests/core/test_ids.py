"""A number past the 64-bit range in a filter or a page number: the API refuses it naming the
parameter, a page ignores it. Both used to answer 500 (a foreign key's filter or an OFFSET hands
the number to the database driver, which refuses it)."""

import pytest

from guanxi.core.ids import MAX_ID, int_or_none
from guanxi.core.pagination import MAX_PAGE, page_number
from tests.conftest import login

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"


def test_int_or_none_takes_the_64_bit_range():
    assert int_or_none(str(MAX_ID)) == MAX_ID
    assert int_or_none(str(-MAX_ID)) == -MAX_ID


def test_int_or_none_refuses_past_the_range():
    assert int_or_none(str(MAX_ID + 1)) is None


def test_a_huge_page_number_is_the_last_page_asked_for():
    assert page_number(HUGE) == MAX_PAGE


def test_the_api_refuses_a_huge_owner_naming_it(client, alice):
    response = login(client, alice).get(f"/api/v1/customers?owner={HUGE}")

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "owner", "message": f"Must be at most {MAX_ID}."}
    ]


def test_the_api_refuses_a_negative_huge_owner(client, alice):
    response = login(client, alice).get(f"/api/v1/customers?owner=-{HUGE}")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "owner"


def test_the_export_api_refuses_a_huge_owner(client, alice):
    response = login(client, alice).get(f"/api/v1/customers/export?owner={HUGE}")

    assert response.status_code == 422


@pytest.mark.parametrize("param", ["owner", "customer", "pipeline", "stage"])
def test_the_deals_api_refuses_a_huge_id_filter(client, alice, param):
    response = login(client, alice).get(f"/api/v1/opportunities?{param}={HUGE}")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == param


def test_the_tasks_api_refuses_a_huge_assignee(client, alice):
    response = login(client, alice).get(f"/api/v1/tasks?assignee={HUGE}")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "assignee"


def test_the_list_page_ignores_a_huge_owner(client, alice, alices_customer):
    response = login(client, alice).get(f"/customers/?owner={HUGE}")

    assert response.status_code == 200
    assert alices_customer.name in response.content.decode()


def test_the_list_page_past_the_end_says_so(client, alice, alices_customer):
    response = login(client, alice).get(f"/customers/?page={HUGE}")

    assert response.status_code == 200
    assert "No more customers." in response.content.decode()


def test_the_deals_page_ignores_a_huge_customer_filter(client, alice):
    response = login(client, alice).get(f"/sales/opportunities/?customer={HUGE}&owner={HUGE}")

    assert response.status_code == 200
