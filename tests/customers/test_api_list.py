"""Listing customers through the API: cursor pagination, filters, ordering, query count."""

import pytest

from guanxi.customers.services import create_customer, share_customer
from tests.conftest import login

URL = "/api/v1/customers"


@pytest.fixture
def many(alice):
    cities = ["广州", "深圳", "佛山"]
    return [
        create_customer(
            alice,
            {"name": f"客户{i:02d}", "city": cities[i % 3], "phone": f"138001380{i:02d}"},
            tags=["VIP"] if i % 4 == 0 else [],
        )
        for i in range(23)
    ]


def _walk(client, query):
    seen, cursor = [], None
    while True:
        url = f"{URL}?{query}" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).json()
        assert len(body["items"]) <= 5
        seen += [row["id"] for row in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen


@pytest.mark.parametrize("ordering", ["-id", "id", "name", "-name", "created", "-created"])
def test_cursor_walk_returns_every_customer_exactly_once(client, alice, many, ordering):
    login(client, alice)

    seen = _walk(client, f"limit=5&ordering={ordering}")

    assert sorted(seen) == sorted(c.pk for c in many)
    assert len(seen) == len(set(seen))


def test_ordering_by_name_sorts_the_pages(client, alice, many):
    login(client, alice)

    first = client.get(f"{URL}?limit=3&ordering=-name").json()["items"]

    assert [row["name"] for row in first] == ["客户22", "客户21", "客户20"]


def test_default_page_is_newest_first_with_fifty_rows(client, alice, many):
    login(client, alice)

    body = client.get(URL).json()

    assert [row["id"] for row in body["items"]] == sorted((c.pk for c in many), reverse=True)
    assert body["next_cursor"] is None


def test_limit_above_200_is_refused_clearly(client, alice):
    login(client, alice)

    response = client.get(f"{URL}?limit=500")

    assert response.status_code == 422
    assert response.json() == {
        "detail": "Invalid input.",
        "errors": [{"field": "limit", "message": "Must be at most 200."}],
    }


def test_unknown_ordering_is_refused(client, alice):
    login(client, alice)

    response = client.get(f"{URL}?ordering=phone")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "ordering"


def test_cursor_of_another_ordering_is_refused(client, alice, many):
    login(client, alice)
    cursor = client.get(f"{URL}?limit=2&ordering=name").json()["next_cursor"]

    response = client.get(f"{URL}?limit=2&ordering=-id&cursor={cursor}")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"


def test_filter_by_city(client, alice, many):
    login(client, alice)

    body = client.get(f"{URL}?city=深圳&limit=200").json()

    assert {row["city"] for row in body["items"]} == {"深圳市"}
    assert len(body["items"]) == 8


def test_filter_by_tag(client, alice, many):
    login(client, alice)

    body = client.get(f"{URL}?tag=VIP&limit=200").json()

    assert len(body["items"]) == 6
    assert all(row["tags"] == ["VIP"] for row in body["items"])


def test_filter_by_kind(client, alice, many):
    create_customer(alice, {"kind": "company", "name": "广州某某有限公司"})
    login(client, alice)

    body = client.get(f"{URL}?kind=company").json()

    assert [row["name"] for row in body["items"]] == ["广州某某有限公司"]


def test_filter_by_owner(client, mike, alice, bob, many):
    create_customer(bob, {"name": "鲍勃的客户"})
    login(client, mike)

    body = client.get(f"{URL}?owner={bob.pk}").json()

    assert [row["name"] for row in body["items"]] == ["鲍勃的客户"]


def test_search_by_pinyin_initials(client, alice, alices_customer, many):
    login(client, alice)

    body = client.get(f"{URL}?q=ww").json()

    assert [row["id"] for row in body["items"]] == [alices_customer.pk]


def test_list_shows_only_what_the_user_may_see(
    client, alice, bob, alices_customer, charlies_customer
):
    create_customer(bob, {"name": "鲍勃的客户"})
    login(client, alice)

    body = client.get(URL).json()

    assert [row["id"] for row in body["items"]] == [alices_customer.pk]


def test_list_masks_phones_of_customers_shared_with_a_rep(
    client, alice, charlie, charlies_customer
):
    share_customer(charlie, charlies_customer.pk, to_user=alice)
    login(client, alice)

    row = client.get(URL).json()["items"][0]

    assert row["masked"] is True
    assert "****" in row["phone"]


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(
    client, alice, django_assert_max_num_queries, rows
):
    for i in range(rows):
        create_customer(alice, {"name": f"客户{i}"}, tags=["VIP", f"t{i}"])
    login(client, alice)

    # session + user, the page, its tags.
    with django_assert_max_num_queries(4):
        body = client.get(f"{URL}?limit=200").json()

    assert len(body["items"]) == rows


def test_list_query_count_with_a_bearer_token(client, alice, django_assert_max_num_queries):
    from guanxi.accounts.services import issue_token

    for i in range(20):
        create_customer(alice, {"name": f"客户{i}"}, tags=["VIP"])
    headers = {"Authorization": f"Bearer {issue_token(alice)}"}

    # token (+ its last-used stamp), the page, its tags.
    with django_assert_max_num_queries(4):
        client.get(f"{URL}?limit=200&ordering=name", headers=headers)


def test_recycle_bin_lists_deleted_customers_only(client, alice, alices_customer):
    other = create_customer(alice, {"name": "还在的客户"})
    login(client, alice)
    client.delete(f"{URL}/{alices_customer.pk}")

    body = client.get(f"{URL}/deleted").json()

    assert [row["id"] for row in body["items"]] == [alices_customer.pk]
    assert body["items"][0]["deleted_at"] is not None
    assert [row["id"] for row in client.get(URL).json()["items"]] == [other.pk]
