"""The city filter reads a city as people type it: "广州", "广州市" and " 广州 " all find the
customers stored in 广州市, on the list page, the API, the exports and the pool, and it stays an
exact match (customers.cities.stored_city)."""

import csv
import io

import pytest
from django.urls import reverse

from guanxi.customers import pool
from guanxi.customers.cities import stored_city
from guanxi.customers.models import Customer
from guanxi.customers.services import create_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db
LIST = reverse("customers:list")
API = "/api/v1/customers"
EXPORT = "/customers/export/"


@pytest.fixture
def cities(alice):
    """Alice's customers in 广州市 (two), 上海市 and 广州 written without its 市 nowhere."""
    create_customer(alice, {"name": "陈广", "city": "广州市"})
    create_customer(alice, {"name": "林珠", "city": "广州市"})
    create_customer(alice, {"name": "沈沪", "city": "上海市"})
    return alice


def page_names(response) -> list[str]:
    return sorted(c.name for c in response.context["page"].object_list)


@pytest.mark.parametrize("typed", ["广州", "广州市", " 广州 ", "\u3000广州市 ", "广 州"])
def test_the_list_page_finds_the_citys_customers_however_it_is_typed(client, cities, typed):
    response = login(client, cities).get(LIST, {"city": typed})

    assert page_names(response) == ["林珠", "陈广"]


def test_the_api_finds_the_citys_customers_by_its_short_name(client, cities):
    login(client, cities)

    body = client.get(API, {"city": "上海"}).json()

    assert [row["name"] for row in body["items"]] == ["沈沪"]


def test_the_api_sorted_by_name_finds_them_too(client, cities):
    login(client, cities)

    body = client.get(API, {"city": "广州", "ordering": "name"}).json()

    assert sorted(row["name"] for row in body["items"]) == ["林珠", "陈广"]


def test_the_export_follows_the_same_filter(client, cities):
    response = login(client, cities).get(EXPORT, {"format": "csv", "city": "广州"})

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(body)))
    names = sorted(row[table[0].index("Name")] for row in table[1:])
    assert names == ["林珠", "陈广"]


def test_an_unknown_city_shows_the_empty_state(client, cities):
    response = login(client, cities).get(LIST, {"city": "拉萨"})

    assert page_names(response) == []
    assert "Nothing matches your search" in response.content.decode()
    assert client.get(API, {"city": "拉萨"}).json()["items"] == []


def test_the_filter_is_still_an_exact_city_not_a_part_of_its_name(client, cities):
    login(client, cities)

    assert page_names(client.get(LIST, {"city": "广"})) == []
    assert page_names(client.get(LIST, {"city": "州"})) == []


def test_a_city_stored_without_its_suffix_is_found_by_either_name(client, alice):
    create_customer(alice, {"name": "李深", "city": "深圳"})
    login(client, alice)

    assert page_names(client.get(LIST, {"city": "深圳"})) == ["李深"]
    assert page_names(client.get(LIST, {"city": "深圳市"})) == ["李深"]


def test_a_search_within_the_city_uses_the_same_city(client, cities):
    login(client, cities)

    assert page_names(client.get(LIST, {"city": "广州", "q": "chenguang"})) == ["陈广"]


def test_the_pool_filter_reads_the_city_the_same_way(ada, cities):
    Customer.objects.filter(name="沈沪").update(owner=None)

    assert [c.name for c in pool.pool_for(ada, city="上海")] == ["沈沪"]


def test_a_known_city_is_read_without_a_query(cities, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert stored_city("广州") == "广州市"
        assert stored_city("  ") == ""


def test_the_spellings_tried_for_a_name_stored_as_typed(alice):
    create_customer(alice, {"name": "乙", "city": "昆山"})  # county-level: kept as typed

    assert stored_city("昆山市") == "昆山"
    assert stored_city("东京") == "东京市"
    assert stored_city("市") == "市"
