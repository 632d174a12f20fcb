"""The customer list's rows read by SQL built once (queries.customer_rows, core.prepared) are
the rows, columns and owners the queryset gives, for every kind of user and page."""

import pytest

from guanxi.accounts.models import User
from guanxi.core.prepared import Prepared, ids_value, pk_among
from guanxi.customers.models import Customer
from guanxi.customers.queries import customer_rows, customers_for, list_columns
from guanxi.customers.services import create_customer, share_customer

NAMES = ["王伟", "王芳", "李娜", "张伟", "刘洋", "陈静", "王静"]


@pytest.fixture
def book(alice, bob, charlie, mike, ada):
    """Customers of three reps, one of Charlie's shared with Alice."""
    made = []
    for i, name in enumerate(NAMES):
        owner = (alice, bob, charlie)[i % 3]
        made.append(create_customer(owner, {"name": name, "city": "广州"}, tags=["VIP"]))
    share_customer(charlie, made[2].pk, to_user=alice, level="read")
    return made


def _orm(user, *, q="", offset=0, limit=3, before=None):
    qs = list_columns(customers_for(user, q=q, newest=offset + limit, before=before))
    if before is not None:
        qs = qs.filter(pk__lt=before)
    return list(qs[offset : offset + limit])


def _shape(rows):
    return [
        (c.pk, c.name, c.city, c.tag_names, c.updated_at, c.owner_id, c.owner and c.owner.username)
        for c in rows
    ]


@pytest.mark.parametrize("who", ["ada", "mike", "alice", "bob", "charlie"])
@pytest.mark.parametrize(("offset", "limit"), [(0, 3), (3, 3), (0, 50)])
def test_every_users_pages_are_the_querysets_rows(request, book, who, offset, limit):
    user = request.getfixturevalue(who)

    assert _shape(customer_rows(user, offset=offset, limit=limit)) == _shape(
        _orm(user, offset=offset, limit=limit)
    )


@pytest.mark.parametrize("who", ["ada", "alice", "charlie"])
def test_pages_below_a_cursor_are_the_querysets_rows(request, book, who):
    user = request.getfixturevalue(who)
    for before in (book[-1].pk, book[4].pk, book[1].pk):
        assert _shape(customer_rows(user, limit=2, before=before)) == _shape(
            _orm(user, limit=2, before=before)
        )


@pytest.mark.parametrize("q", ["wang", "ww", "王", "静", "nobody"])
@pytest.mark.parametrize("who", ["ada", "alice"])
def test_searched_pages_are_the_querysets_rows(request, book, who, q):
    user = request.getfixturevalue(who)

    assert _shape(customer_rows(user, q=q, limit=5)) == _shape(_orm(user, q=q, limit=5))


def test_a_page_comes_with_its_owners_in_one_statement(alice, book, django_assert_num_queries):
    customer_rows(alice, limit=5)  # built

    with django_assert_num_queries(1):
        rows = customer_rows(alice, limit=5)
        assert {c.owner.username for c in rows} == {"alice", "charlie"}


def test_a_share_made_after_the_first_page_shows_on_the_next(alice, charlie, book):
    before = {c.pk for c in customer_rows(alice, limit=50)}
    share_customer(charlie, book[5].pk, to_user=alice, level="read")

    after = {c.pk for c in customer_rows(User.objects.get(pk=alice.pk), limit=50)}

    assert after == before | {book[5].pk}


def test_a_deactivated_user_reads_no_rows(alice, book):
    User.objects.filter(pk=alice.pk).update(is_active=False)

    assert customer_rows(User.objects.get(pk=alice.pk), limit=50) == []


def test_a_marker_that_does_not_reach_the_sql_is_refused(db):
    with pytest.raises(ValueError, match="marker 'before' not found"):
        Prepared(Customer.objects.filter(pk__lt=5), {"before": 6})


def test_a_prepared_query_runs_with_the_values_given_each_time(alice, book):
    prepared = Prepared(
        list_columns(Customer.objects.filter(pk__lt=-99)).order_by("-id"), {"before": -99}
    )

    first = prepared.rows(before=book[3].pk)
    second = prepared.rows(before=book[6].pk)

    assert [c.pk for c in first] == [c.pk for c in book[:3][::-1]]
    assert [c.pk for c in second] == [c.pk for c in book[:6][::-1]]


def test_ids_given_at_run_time_pick_their_rows(book):
    condition, marker = pk_among(Customer)
    by_id = Prepared(Customer.objects.filter(condition).order_by("-id"), {"ids": marker})

    picked = by_id.rows(ids=ids_value([book[0].pk, book[4].pk, 10**9]))
    none = by_id.rows(ids=ids_value([]))

    assert [c.pk for c in picked] == [book[4].pk, book[0].pk]
    assert none == []


def test_a_marker_in_several_places_takes_the_value_in_each(book):
    twice = Prepared(
        Customer.objects.filter(pk__lt=-99).filter(pk__in=Customer.objects.filter(pk__lt=-99)),
        {"below": -99},
    )

    assert sorted(c.pk for c in twice.rows(below=book[2].pk)) == [book[0].pk, book[1].pk]
