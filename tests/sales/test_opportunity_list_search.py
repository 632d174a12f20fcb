"""Searching the opportunity list (page ``?q=`` and API ``?q=``): by the deal's name or by its
customer, as the global search finds deals, among the deals the user may see; and the global
search page's way there when its group is full."""

import pytest
from django.urls import reverse

from guanxi.customers.services import create_customer
from guanxi.ops import search_views
from guanxi.sales.services import create_opportunity
from tests.conftest import login

LIST = reverse("sales:opportunities")
API = "/api/v1/opportunities"


@pytest.fixture
def deals(alice, alices_customer, charlie, charlies_customer):
    """Alice's deals with 王伟 (13800138000) and with 李娜, Charlie's with a company."""
    lina = create_customer(alice, {"name": "李娜", "phone": "13912345678"})
    return {
        "tea": create_opportunity(alice, alices_customer.pk, {"name": "茶叶年度采购"}),
        "cups": create_opportunity(alice, lina.pk, {"name": "Tea cups renewal"}),
        "chengdu": create_opportunity(charlie, charlies_customer.pk, {"name": "茶叶成都大单"}),
    }


def names(response) -> list[str]:
    return [o.name for o in response.context["page"].object_list]


@pytest.mark.parametrize(
    "q, found",
    [
        ("wangwei", ["茶叶年度采购"]),  # the customer's pinyin
        ("ww", ["茶叶年度采购"]),  # its initials
        ("王伟", ["茶叶年度采购"]),  # its name
        ("0138000", ["茶叶年度采购"]),  # digits inside the phone number
        ("renewal", ["Tea cups renewal"]),  # the deal's own name
        ("采购", ["茶叶年度采购"]),  # two Chinese characters inside the name
        ("茶叶", ["茶叶年度采购"]),  # not Charlie's 茶叶成都大单: Alice may not see it
    ],
)
def test_the_list_finds_a_deal_by_its_name_or_its_customer(client, alice, deals, q, found):
    assert names(login(client, alice).get(LIST, {"q": q})) == found


def test_the_search_keeps_the_other_filters_and_the_sort(client, alice, deals):
    response = login(client, alice).get(LIST, {"q": "a", "sort": "name"})

    assert names(response) == []  # "a" starts no word of either deal's text
    assert names(client.get(LIST, {"q": "tea", "sort": "name"})) == ["Tea cups renewal"]


def test_a_search_that_finds_nothing_says_so_and_offers_to_clear_it(client, alice, deals):
    response = login(client, alice).get(LIST, {"q": "xqzvk"})

    assert names(response) == []
    assert response.context["filtered"]
    assert "Clear the filters" in response.content.decode()


def test_the_search_box_keeps_what_was_typed(client, alice, deals):
    response = login(client, alice).get(LIST, {"q": "王伟"})

    assert 'name="q"' in response.content.decode()
    assert 'value="王伟"' in response.content.decode()


def test_the_api_finds_a_deal_by_its_customers_phone_digits(client, alice, deals):
    response = login(client, alice).get(API, {"q": "13912"})

    assert response.status_code == 200
    assert [o["name"] for o in response.json()["items"]] == ["Tea cups renewal"]


def test_the_api_search_finds_no_deal_of_another_reps_customer(client, alice, deals):
    response = login(client, alice).get(API, {"q": "chengdu"})

    assert response.json()["items"] == []
    assert [o["name"] for o in client.get(API).json()["items"]] == [
        "Tea cups renewal",
        "茶叶年度采购",
    ]


def test_the_global_search_page_links_to_all_matching_deals_when_its_group_is_full(
    client, alice, deals, monkeypatch
):
    monkeypatch.setattr(search_views, "PAGE_LIMIT", 1)
    create_opportunity(alice, deals["tea"].customer_id, {"name": "茶叶二期"})

    page = login(client, alice).get(reverse("ops:search"), {"q": "wangwei"}).content.decode()

    assert f"{LIST}?q=wangwei" in page
    assert "All in the opportunity list" in page
