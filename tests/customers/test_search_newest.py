"""A search that only needs the newest rows (a list page, an API page, the global search) reads
the index newest first until the page is full: the same rows as matching everything first."""

import pytest
from django.db import connection

from guanxi.customers import search_index
from guanxi.customers.queries import customers_for, search_customers
from guanxi.customers.services import create_customer, delete_customer, share_customer
from tests.conftest import login

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite", reason="the newest-first walk is SQLite's (FTS5) path"
    ),
]


def ids(qs, n: int) -> list[int]:
    return list(qs.values_list("pk", flat=True)[:n])


@pytest.fixture
def book(alice, bob, charlie):
    """王伟s owned by three reps, newest last: alice sees hers and the one bob shares."""
    made = []
    for i in range(24):
        owner = (alice, bob, charlie)[i % 3]
        made.append(
            create_customer(owner, {"name": f"王伟{i:02d}", "city": "广州" if i % 2 else "深圳"})
        )
        create_customer(owner, {"name": f"李娜{i:02d}"})  # matches nothing asked here
    share_customer(bob, made[4].pk, to_user=alice, level="read")
    delete_customer(alice, made[21].pk)
    return made


@pytest.mark.parametrize("who", ["alice", "ada"])
@pytest.mark.parametrize("q", ["wangwei", "ww", "王伟"])
def test_a_page_is_the_same_rows_as_matching_everything(request, book, who, q):
    user = request.getfixturevalue(who)

    assert ids(customers_for(user, q=q, newest=4), 4) == ids(customers_for(user, q=q), 4)


def test_the_walk_reads_only_the_newest_matches(ada, book):
    walked = search_index.newest_matches("wangwei", lambda batch: batch, 3)

    assert walked == sorted((c.pk for c in book), reverse=True)[:3]


def test_a_page_below_a_cursor_is_the_same_rows(alice, book):
    before = book[15].pk

    walked = customers_for(alice, q="wangwei", newest=3, before=before).filter(pk__lt=before)
    everything = customers_for(alice, q="wangwei").filter(pk__lt=before)

    assert ids(walked, 3) == ids(everything, 3)


def test_the_other_filters_apply_to_the_walk(alice, book):
    walked = customers_for(alice, q="wangwei", city="广州", newest=3)

    assert ids(walked, 3) == ids(customers_for(alice, q="wangwei", city="广州"), 3)
    assert {c.city for c in walked[:3]} == {"广州市"}


def test_a_walk_that_reads_too_much_goes_the_usual_way(alice, book, monkeypatch):
    monkeypatch.setattr(search_index, "MATCH_CAP", 5)  # alice sees too few of 5 to fill 6

    assert search_index.newest_matches("wangwei", lambda batch: batch[:1], 6) is None
    assert ids(customers_for(alice, q="wangwei", newest=6), 6) == ids(
        customers_for(alice, q="wangwei"), 6
    )


def test_fewer_matches_than_asked_are_all_found(alice, book):
    walked = customers_for(alice, q="wangwei", newest=50)

    assert sorted(ids(walked, 50)) == sorted(ids(customers_for(alice, q="wangwei"), 50))


def test_the_global_search_ranks_the_same_customers(alice, book):
    found = search_customers(alice, "wangwei", limit=3)

    assert [c.pk for c in found] == ids(customers_for(alice, q="wangwei"), 3)


def test_the_api_pages_through_every_match_once(client, alice, book):
    login(client, alice)
    seen, cursor = [], None
    while True:
        url = "/api/v1/customers?limit=2&q=wangwei" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).json()
        seen += [row["id"] for row in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert seen == ids(customers_for(alice, q="wangwei"), 100)


def test_the_second_list_page_holds_the_next_rows(client, alice, book, settings):
    settings.CUSTOMER_PAGE_SIZE = 3
    login(client, alice)

    html = client.get("/customers/", {"q": "wangwei", "page": 2}).content.decode()

    everything = list(customers_for(alice, q="wangwei")[3:6])
    assert all(c.name in html for c in everything)
    assert "page=3" in html


def test_a_page_is_answered_by_the_walk_alone(alice, book, monkeypatch):
    expected = ids(customers_for(alice, q="wangwei"), 4)

    def not_asked(*args, **kwargs):
        raise AssertionError("the usual path was taken")

    monkeypatch.setattr(search_index, "few_matches", not_asked)
    monkeypatch.setattr(search_index, "common_match", not_asked)

    assert ids(customers_for(alice, q="wangwei", newest=4), 4) == expected
