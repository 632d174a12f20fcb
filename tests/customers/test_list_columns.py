"""Lists (the API list, the list page, search results) read only the columns they show: the
tags come from the customer's denormalised tag column, kept by every tag write, and no row
loads anything more on its own."""

import pytest

from guanxi.customers.services import create_customer, update_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers"


def test_the_api_lists_tags_in_name_order(client, alice):
    create_customer(alice, {"name": "王伟"}, tags=["车主", "VIP", "a客户"])
    login(client, alice)

    (row,) = client.get(URL).json()["items"]

    assert row["tags"] == ["VIP", "a客户", "车主"]


def test_the_api_shows_tags_changed_by_an_edit(client, alice):
    customer = create_customer(alice, {"name": "王伟"}, tags=["VIP"])
    update_customer(alice, customer.pk, {}, tags=["回访"])
    login(client, alice)

    (row,) = client.get(URL).json()["items"]

    assert row["tags"] == ["回访"]


def test_the_api_shows_tags_added_by_a_bulk_action(client, alice):
    customer = create_customer(alice, {"name": "王伟"}, tags=["VIP"])
    login(client, alice)
    client.post(
        "/customers/bulk/",
        {"action": "tag", "tags": "回访", "ids": [customer.pk], "next": "/customers/"},
    )

    (row,) = client.get(URL).json()["items"]

    assert row["tags"] == ["VIP", "回访"]


@pytest.mark.parametrize("rows", [3, 30])
def test_the_api_list_is_two_queries_after_the_login(
    client, alice, django_assert_max_num_queries, rows
):
    for i in range(rows):
        create_customer(alice, {"name": f"客户{i}", "phone": f"1380013{i:04d}"}, tags=["VIP"])
    login(client, alice)

    # session + user, the page (owners joined, tags from the row).
    with django_assert_max_num_queries(3):
        body = client.get(f"{URL}?limit=200").json()

    assert len(body["items"]) == rows
    assert body["items"][0]["owner"]["username"] == "alice"


def test_a_masked_phone_on_a_shared_customer_in_the_list(client, alice, bob):
    from guanxi.customers.services import share_customer

    customer = create_customer(alice, {"name": "王伟", "phone": "13800138000"})
    share_customer(alice, customer.pk, to_user=bob)
    login(client, bob)

    (row,) = client.get(URL).json()["items"]

    assert row["masked"] is True
    assert row["phone"] != "+8613800138000" and row["phone"].endswith("8000")


def test_the_list_page_shows_owner_tags_and_phone_without_a_query_per_row(
    client, alice, django_assert_max_num_queries
):
    for i in range(30):
        create_customer(alice, {"name": f"客户{i}", "phone": f"1380013{i:04d}"}, tags=["VIP"])
    login(client, alice)

    with django_assert_max_num_queries(10):
        page = client.get("/customers/").content.decode()

    assert page.count("VIP") >= 25
    assert "138 0013 0029" in page or "13800130029" in page


def test_each_row_links_to_its_card_and_names_its_kind(client, alice):
    from django.urls import reverse

    person = create_customer(alice, {"name": "王伟"})
    company = create_customer(alice, {"kind": "company", "name": "华强电子有限公司"})
    login(client, alice)

    page = client.get("/customers/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert f'href="{reverse("customers:detail", args=[person.pk])}"' in page
    assert f'href="{reverse("customers:detail", args=[company.pk])}"' in page
    assert 'title="Company"' in page and 'title="Person"' in page
