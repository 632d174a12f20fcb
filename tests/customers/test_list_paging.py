"""The customer list pages through a million rows without counting them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.customers.services import create_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def thirty(alice, settings):
    settings.CUSTOMER_PAGE_SIZE = 25
    return [create_customer(alice, {"name": f"客户{i:02d}"}) for i in range(30)]


def test_the_list_page_never_counts_the_customers(client, alice, thirty):
    login(client, alice)

    with CaptureQueriesContext(connection) as queries:
        html = client.get("/customers/").content.decode()

    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert not [sql for sql in counts if "customers_customer" in sql]
    assert "Customers 1–25" in html
    assert "page=2" in html and "客户29" in html and "客户04" not in html


def test_the_next_page_holds_the_rest_and_links_back(client, alice, thirty):
    login(client, alice)

    html = client.get("/customers/", {"page": 2}).content.decode()

    assert "Customers 26–30" in html
    assert "客户04" in html and "客户05" not in html
    assert "Previous" in html and "page=3" not in html


def test_a_list_that_fits_on_one_page_shows_its_count(client, alice):
    for name in ("甲", "乙", "丙"):
        create_customer(alice, {"name": name})
    login(client, alice)

    assert "3 customers" in client.get("/customers/").content.decode()


def test_a_page_past_the_end_offers_the_first_page(client, alice, thirty):
    login(client, alice)

    html = client.get("/customers/", {"page": 9}).content.decode()

    assert "No more customers." in html
