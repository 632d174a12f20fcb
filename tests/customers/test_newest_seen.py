"""A list's newest customers read way by way (``visible_to(user, newest=n)``) are exactly the
newest of visible_to: for every kind of user, page size and cursor, with pools, shares to a
user and to a team, a manager's sub-teams and customers in the recycle bin among them."""

import pytest

from guanxi.accounts.models import User
from guanxi.customers import queries, search_index
from guanxi.customers.models import Customer
from guanxi.customers.queries import customer_rows, customers_for, list_columns
from guanxi.customers.services import create_customer

WHO = ["alice", "bob", "charlie", "mike", "newcomer"]


def _visible(user, n, below=None):
    qs = Customer.objects.visible_to(user)
    if below is not None:
        qs = qs.filter(pk__lt=below)
    return list(qs.order_by("-id").values_list("id", flat=True)[:n])


def _seen(user, n, below=None):
    qs = Customer.objects.visible_to(user, newest=n, below=below)
    return list(qs.order_by("-id").values_list("id", flat=True)[:n])


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("n", [1, 3, 7, 100])
def test_each_users_newest_are_visible_tos_newest(request, world, who, n):
    user = request.getfixturevalue(who)

    assert _seen(user, n) == _visible(user, n)


@pytest.mark.parametrize("who", WHO)
def test_below_a_cursor_they_are_visible_tos_too(request, world, who):
    user = request.getfixturevalue(who)
    for below in (world[-1].pk, world[20].pk, world[7].pk, world[0].pk):
        assert _seen(user, 4, below) == _visible(user, 4, below)


def test_the_ways_are_not_empty_for_the_test_to_mean_something(world, alice, mike, newcomer):
    assert len(_visible(alice, 100)) == 4 * 6  # own, 2 shares, company, Guangzhou, East pools
    assert len(_visible(newcomer, 100)) == 4 * 4
    assert len(_visible(mike, 100)) == 4 * 5  # Alice's, Bob's, company, East, Guangzhou pools


@pytest.mark.parametrize("who", ["ada", "nina"])
def test_who_sees_everything_reads_the_plain_newest(request, world, who):
    user = request.getfixturevalue(who)

    assert Customer.objects.all()._newest_seen(user, 5) is None
    assert _seen(user, 5) == _visible(user, 5)


def test_an_inactive_user_sees_nothing_either_way(world, alice):
    User.objects.filter(pk=alice.pk).update(is_active=False)
    alice = User.objects.get(pk=alice.pk)

    assert _seen(alice, 5) == []
    assert customer_rows(alice, limit=5) == []


def test_a_rep_with_no_customers_of_her_own_pages_through_the_pool_and_her_teams_shares(
    world, newcomer
):
    first = customer_rows(newcomer, limit=5)
    rest = customer_rows(newcomer, limit=50, before=first[-1].pk)

    assert [c.pk for c in first + rest] == _visible(newcomer, 100)
    assert {c.name.rsplit(" ", 1)[0] for c in first + rest} == {
        "company pool",
        "guangzhou pool",
        "east pool",
        "shared with guangzhou",
    }


def test_a_reps_list_never_shows_another_reps_customers_however_many_are_newer(
    client, alice, charlie
):
    mine = create_customer(alice, {"name": "mine"})
    for i in range(30):
        create_customer(charlie, {"name": f"charlie {i}"})
    client.force_login(alice)

    page = client.get("/api/v1/customers?limit=10").json()

    assert [row["id"] for row in page["items"]] == [mine.pk]
    assert client.get(f"/api/v1/customers/{Customer.objects.latest('id').pk}").status_code == 404


def test_newest_is_for_alive_customers_only(alice):
    with pytest.raises(ValueError, match="alive customers only"):
        Customer.objects.visible_to(alice, include_deleted=True, newest=5)


def test_a_page_is_one_statement(world, alice, django_assert_num_queries):
    customer_rows(alice, limit=5)  # built

    with django_assert_num_queries(1):
        customer_rows(alice, limit=5)


@pytest.mark.parametrize("who", [*WHO, "ada"])
@pytest.mark.parametrize("q", ["pool", "shared", "sh", "alice 2"])
@pytest.mark.parametrize("window", [3, 12, 20_000])  # PostgreSQL: the page in the newest or not
def test_a_common_query_tested_in_each_way_finds_what_the_walk_finds(
    request, world, monkeypatch, who, q, window
):
    monkeypatch.setattr(search_index, "MATCH_CAP", 1)  # every query is now "common"
    # and the index's newest matches never fill a page (as for a million customers)
    monkeypatch.setattr(search_index, "newest_matches", lambda *args, **kwargs: None)
    monkeypatch.setattr(queries, "COMMON_WINDOW", window)
    search_index.forget_common()
    user = request.getfixturevalue(who)
    walked = [c.pk for c in list_columns(customers_for(user, q=q)).order_by("-id")]

    for limit, before in ((3, None), (50, None), (4, world[30].pk)):
        rows = customer_rows(user, q=q, limit=limit, before=before)
        expected = [pk for pk in walked if before is None or pk < before][:limit]
        assert [c.pk for c in rows] == expected
    assert walked or who != "alice"  # Alice finds each query's customers


def test_the_rows_tested_are_each_ways_own(world, alice):
    def named_alice(qs):
        return qs.filter(name__startswith="alice")

    seen = Customer.objects.visible_to(alice, newest=50, tested=named_alice)

    assert sorted(seen.values_list("name", flat=True)) == [f"alice {i}" for i in range(4)]
