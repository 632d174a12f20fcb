"""PostgreSQL reads a search's newest matches a few id blocks of the trigram index at a time
(customers.search_index._newest_in_blocks): the same rows as matching everything, and only the
newest blocks while they fill the page. Blocks of 4 ids here, so a few dozen customers span
many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.customers import search_index
from guanxi.customers.models import Customer
from guanxi.customers.queries import customers_for, visible_among
from guanxi.customers.services import create_customer, delete_customer, share_customer

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the id blocks are PostgreSQL's trigram index's"
    ),
]


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    monkeypatch.setattr(search_index, "ID_BLOCK", 4)


@pytest.fixture
def book(alice, bob, charlie):
    """王伟s owned by three reps, each followed by a 李娜, newest last: alice sees hers and the
    one bob shares; one of hers is deleted."""
    made = []
    for i in range(24):
        owner = (alice, bob, charlie)[i % 3]
        made.append(create_customer(owner, {"name": f"王伟{i:02d}"}))
        create_customer(owner, {"name": f"李娜{i:02d}"})
    share_customer(bob, made[4].pk, to_user=alice, level="read")
    delete_customer(alice, made[21].pk)
    return made


@pytest.fixture
def reads(monkeypatch):
    """The (first, last) blocks of each read."""
    asked = []
    real = search_index.Among.in_blocks

    def recording(self, term, first, last, before):
        asked.append((first, last))
        return real(self, term, first, last, before)

    monkeypatch.setattr(search_index.Among, "in_blocks", recording)
    return asked


def ids(qs, n: int) -> list[int]:
    return list(qs.values_list("pk", flat=True)[:n])


def everyone():
    return search_index.ids_among(Customer.objects.order_by())


def top_block() -> int:
    return Customer.objects.order_by("-pk").values_list("pk", flat=True)[0] // 4


@pytest.mark.parametrize("who", ["alice", "ada"])
@pytest.mark.parametrize("q", ["wangwei", "ww", "王伟", "wei"])
@pytest.mark.parametrize("want", [1, 5, 50])
def test_a_page_is_the_same_rows_as_matching_everything(request, book, who, q, want):
    user = request.getfixturevalue(who)

    assert ids(customers_for(user, q=q, newest=want), want) == ids(customers_for(user, q=q), want)


def test_a_page_below_a_cursor_is_the_same_rows(alice, book):
    before = book[15].pk

    walked = customers_for(alice, q="wangwei", newest=3, before=before).filter(pk__lt=before)
    everything = customers_for(alice, q="wangwei").filter(pk__lt=before)

    assert ids(walked, 3) == ids(everything, 3)


def test_the_newest_block_alone_fills_a_small_page(alice, book, reads):
    newest = create_customer(alice, {"name": "王伟99"})

    found = search_index.newest_matches("wangwei", everyone(), 1)

    assert found == [newest.pk]
    assert reads == [(top_block(), top_block())]


def test_older_blocks_are_read_newest_first_until_the_page_is_full(alice, book, reads):
    newest = create_customer(alice, {"name": "王伟99"})  # the newest block matches

    found = search_index.newest_matches("wangwei", everyone(), 6)

    assert found == [newest.pk, *[c.pk for c in reversed(book)][:5]]
    assert reads[0] == (top_block(), top_block())
    lasts = [last for _first, last in reads]
    assert lasts == sorted(set(lasts), reverse=True)  # each read older than the one before
    assert all(first > 0 for first, _last in reads)  # stopped before the oldest


def test_a_query_the_newest_block_does_not_match_reads_the_rest_at_once(alice, reads):
    oldest = create_customer(alice, {"name": "司马懿"})
    for i in range(12):
        create_customer(alice, {"name": f"李娜{i:02d}"})

    found = search_index.newest_matches("simayi", everyone(), 5)

    assert found == [oldest.pk]
    assert reads == [(top_block(), top_block()), (0, top_block() - 1)]


def test_a_read_of_several_newer_blocks_names_them_to_the_index_not_an_id_range(alice, book):
    """A range of ids made the planner read the primary key over it too (24 ms instead of 9
    at a million customers)."""
    top = top_block()
    with CaptureQueriesContext(connection) as queries:
        found = everyone().in_blocks("wangwei", top - 5, top, None)

    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert "/ 4) = ANY(" in sql and ">=" not in sql
    matching = Customer.objects.filter(pk__gte=(top - 5) * 4, search_text__contains="wangwei")
    assert sorted(found) == sorted(matching.values_list("pk", flat=True))
    assert found  # the book's newest 王伟s


def test_a_rep_finds_only_the_matches_she_may_see(alice, book):
    found = search_index.newest_matches("wangwei", visible_among(alice), 50)

    hers = [book[i].pk for i in range(0, 24, 3) if i != 21]  # her own, alive
    assert found == sorted([*hers, book[4].pk], reverse=True)  # and the one bob shares


def test_an_email_is_looked_up_by_its_own_index(alice, reads):
    customer = create_customer(alice, {"name": "王伟", "email": "wangwei.gz@example.com"})

    assert search_index.newest_matches("wangwei.gz@example.com", everyone(), 5) == [customer.pk]
    assert reads == []


def test_a_short_query_far_more_customers_match_goes_the_usual_way(alice, book, monkeypatch, reads):
    monkeypatch.setattr(search_index, "_surely_common", lambda term, cap, kind="", city="": True)

    assert search_index.newest_matches("ww", everyone(), 5) is None
    assert reads == []
    assert ids(customers_for(alice, q="ww", newest=5), 5) == ids(customers_for(alice, q="ww"), 5)


def test_an_empty_table_has_no_matches(reads):
    assert search_index.newest_matches("wangwei", everyone(), 5) == []
    assert reads == []


def test_the_index_holds_each_customers_id_block_kind_and_city(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s", [search_index.TRGM_INDEX]
        )
        (definition,) = cursor.fetchone()

    assert "((id / 65536)), kind, city, search_text gin_trgm_ops" in definition


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("customer_search_trgm", "search_text gin_trgm_ops"),
        ("customer_search_trgm_kinds", "(id / 65536), kind, search_text gin_trgm_ops"),
    ],
)
def test_install_replaces_an_index_of_an_earlier_layout(db, name, columns):
    search_index.uninstall()
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE INDEX {name} ON customers_customer USING gin ({columns})")

    search_index.install()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'customers_customer' "
            "AND indexdef LIKE '%%gin_trgm_ops%%'"
        )
        assert [name for (name,) in cursor.fetchall()] == [search_index.TRGM_INDEX]
