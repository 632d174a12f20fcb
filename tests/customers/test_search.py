"""Customer search through the index: what matches, exact matches first, visibility, and the
index kept in step with every write (create, update, delete, import, bulk)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from guanxi.customers import search_index
from guanxi.customers.models import Customer
from guanxi.customers.queries import customers_for, search_customers
from guanxi.customers.services import (
    create_customer,
    delete_customer,
    purge_customer,
    share_customer,
    update_customer,
)

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'")
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'")


def names(customers) -> list[str]:
    return [c.name for c in customers]


@pytest.fixture
def book(alice, alices_customer):
    """王伟 (13800138000) and a few others owned by Alice."""
    for name, phone in [("张伟", "13912345678"), ("李娜", "13712345678"), ("欧阳娜娜", "")]:
        create_customer(alice, {"name": name, "phone": phone})
    return alices_customer


@pytest.mark.parametrize("query", ["wangwei", "ww", "王伟", "王", "1380013", "13800138000", "w"])
def test_search_finds_wang_wei_by_pinyin_initials_characters_and_phone_digits(alice, book, query):
    assert "王伟" in names(customers_for(alice, q=query))


@pytest.mark.parametrize("query", ["wangw", "138 0013 8000", "+86 138-0013-8000", "WangWei"])
def test_three_or_more_characters_match_anywhere_in_a_word(alice, book, query):
    assert names(customers_for(alice, q=query)) == ["王伟"]


def test_one_or_two_characters_match_the_start_of_a_word_only(alice, book):
    assert "王伟" not in names(customers_for(alice, q="ei"))
    assert names(customers_for(alice, q="oy")) == ["欧阳娜娜"]


def test_a_query_nobody_matches_finds_nothing(alice, book):
    assert names(customers_for(alice, q="xyzzy")) == []
    assert names(customers_for(alice, q="q")) == []


def test_common_and_rare_queries_give_the_same_customers(alice, book, monkeypatch):
    rare = names(customers_for(alice, q="wei"))
    monkeypatch.setattr(search_index, "MATCH_CAP", 1)  # every query is now "common"
    assert search_index.match_ids("wei", cap=1) is None
    assert names(customers_for(alice, q="wei")) == rare == ["张伟", "王伟"]


def test_an_exact_phone_match_comes_before_newer_partial_matches(alice, book):
    newer = create_customer(alice, {"name": "赵六", "phone_alt": "13800138000"})

    found = search_customers(alice, "13800138000")

    assert names(found) == ["王伟", newer.name]


def test_an_exact_email_match_comes_before_newer_partial_matches(alice, book):
    create_customer(alice, {"name": "钱七", "email": "xwangwei@example.com"})

    found = search_customers(alice, "WangWei@example.com")

    assert names(found) == ["王伟", "钱七"]


def test_a_rep_does_not_find_another_reps_customer(alice, charlie, book, charlies_customer):
    assert names(search_customers(charlie, "wangwei")) == []
    assert names(customers_for(charlie, q="ww")) == []
    assert names(search_customers(alice, "chengdu")) == []
    assert names(search_customers(charlie, "chengdu")) == [charlies_customer.name]


def test_a_rep_finds_a_customer_shared_with_them(alice, bob, book):
    assert names(search_customers(bob, "wangwei")) == []
    share_customer(alice, book.pk, to_user=bob)
    assert names(search_customers(bob, "wangwei")) == ["王伟"]


def test_a_deleted_customer_is_not_found(alice, book):
    delete_customer(alice, book.pk)
    assert names(customers_for(alice, q="wangwei")) == []


def test_a_new_customer_is_found_at_once(alice):
    create_customer(alice, {"name": "司马懿", "phone": "13600001111"})
    assert search_index.match_ids("simayi") is not None
    assert names(customers_for(alice, q="simayi")) == ["司马懿"]
    assert names(customers_for(alice, q="smy")) == ["司马懿"]


def test_a_renamed_customer_is_found_by_the_new_name_only(alice, book):
    update_customer(alice, book.pk, {"name": "王小伟", "phone": "13911112222"})

    assert names(customers_for(alice, q="wangxiaowei")) == ["王小伟"]
    assert names(customers_for(alice, q="1380013")) == []
    assert search_index.match_ids("13800138000") == []


def test_a_purged_customer_leaves_the_index(ada, alice, book):
    delete_customer(alice, book.pk)
    purge_customer(ada, book.pk)
    assert search_index.match_ids("wangwei") == []


def test_an_update_that_bypasses_save_keeps_the_index_in_step(alice, book):
    Customer.objects.filter(pk=book.pk).update(search_text="dongfang dfb 13500000000")
    assert search_index.match_ids("wangwei") == []
    assert search_index.match_ids("dongfang") == [book.pk]


def test_imported_customers_are_found(alice, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("姓名,手机\n诸葛亮,13811112222\n", encoding="utf-8")
    call_command(
        "import",
        "customers",
        str(path),
        "--owner",
        "alice",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert names(customers_for(alice, q="zhugeliang")) == ["诸葛亮"]
    assert names(customers_for(alice, q="zgl")) == ["诸葛亮"]


@sqlite_only
def test_the_index_is_rebuilt_when_a_migration_dropped_its_triggers(alice, book):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {search_index.FTS_TABLE}_insert")
    search_index.install()
    create_customer(alice, {"name": "司马懿"})
    assert names(customers_for(alice, q="simayi")) == ["司马懿"]
    assert search_index.match_ids("wangwei") == [book.pk]


@sqlite_only
def test_the_index_keys_each_customer_by_minus_its_id_so_newest_first_is_ascending(alice, book):
    for n in range(3):
        create_customer(alice, {"name": f"王伟{n}"})
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {search_index.FTS_TABLE} WHERE {search_index.FTS_TABLE} "  # noqa: S608 - a constant
            "MATCH '\"wangwei\"' ORDER BY rowid"
        )
        rowids = [rowid for (rowid,) in cursor.fetchall()]
    newest_first = Customer.objects.filter(name__startswith="王伟").order_by("-pk")
    assert rowids == [-pk for pk in newest_first.values_list("pk", flat=True)]


@sqlite_only
def test_an_index_of_the_earlier_layout_is_rebuilt_by_install(alice, book):
    with connection.cursor() as cursor:
        # The layout before: keyed by the id itself, its triggers writing new.id.
        cursor.execute(f"DROP TRIGGER {search_index.FTS_TABLE}_insert")
        cursor.execute(
            f"CREATE TRIGGER {search_index.FTS_TABLE}_insert AFTER INSERT ON customers_customer "  # noqa: S608 - a constant
            f"BEGIN INSERT INTO {search_index.FTS_TABLE}(rowid, search_text) "
            "VALUES (new.id, new.search_text); END"
        )
        table = search_index.FTS_TABLE
        cursor.execute(f"INSERT INTO {table}({table}) VALUES ('delete-all')")  # noqa: S608 - a constant
        cursor.execute(
            f"INSERT INTO {search_index.FTS_TABLE}(rowid, search_text) "  # noqa: S608 - a constant
            "SELECT id, search_text FROM customers_customer"
        )
    search_index.install()
    newest = create_customer(alice, {"name": "司马懿"})
    assert search_index.match_ids("simayi") == [newest.pk]
    assert search_index.match_ids("wangwei") == [book.pk]


def test_newest_matches_pages_down_from_a_cursor(alice, book):
    for n in range(5):
        create_customer(alice, {"name": f"王伟{n}"})
    everyone = search_index.ids_among(Customer.objects.order_by())
    first = search_index.newest_matches("wangwei", everyone, 3)
    rest = search_index.newest_matches("wangwei", everyone, 10, before=first[-1])
    assert first + rest == search_index.match_ids("wangwei")
    assert first == sorted(first, reverse=True)


def test_optimize_keeps_every_match(alice, book):
    for n in range(3):  # each in its own transaction: a segment each on SQLite
        create_customer(alice, {"name": f"王伟{n}"})
    before = search_index.match_ids("wangwei")
    assert search_index.optimize() is True
    assert search_index.match_ids("wangwei") == before
    assert len(before) == 4


def test_optimize_of_a_missing_index_says_so(alice, book, monkeypatch):
    monkeypatch.setattr(search_index, "FTS_TABLE", "no_such_fts")
    monkeypatch.setattr(search_index, "TRGM_INDEX", "no_such_index")
    assert search_index.optimize() is False


def test_a_query_found_common_is_remembered_and_answers_no_ids_without_reading(
    alice, book, monkeypatch, django_assert_num_queries
):
    create_customer(alice, {"name": "王伟2"})
    monkeypatch.setattr(search_index, "MATCH_CAP", 1)
    assert search_index.match_ids("wangwei") is None
    with django_assert_num_queries(0):
        assert search_index.match_ids("wangwei") is None
    assert names(customers_for(alice, q="wangwei")) == ["王伟2", "王伟"]


def test_a_remembered_verdict_expires(alice, book, monkeypatch):
    other = create_customer(alice, {"name": "王伟2"})
    monkeypatch.setattr(search_index, "MATCH_CAP", 1)
    monkeypatch.setattr(search_index, "COMMON_TTL", -1.0)
    assert search_index.match_ids("wangwei") is None
    Customer.objects.filter(pk=other.pk).delete()
    assert search_index.match_ids("wangwei") == [book.pk]


def test_forget_common_drops_the_verdicts(alice, book, monkeypatch):
    other = create_customer(alice, {"name": "王伟2"})
    monkeypatch.setattr(search_index, "MATCH_CAP", 1)
    assert search_index.match_ids("wangwei") is None
    Customer.objects.filter(pk=other.pk).delete()
    assert search_index.match_ids("wangwei") is None  # remembered
    search_index.forget_common()
    assert search_index.match_ids("wangwei") == [book.pk]


@postgres_only
def test_a_short_query_found_not_common_is_not_sampled_again(alice, book, monkeypatch):
    sampled = []

    def surely_common(term, cap, kind="", city=""):
        sampled.append(term)
        return False

    monkeypatch.setattr(search_index, "_surely_common", surely_common)
    assert search_index.match_ids("ww") == [book.pk]
    assert search_index.match_ids("ww") == [book.pk]
    assert sampled == ["ww"]


def test_a_query_found_not_common_still_finds_new_matches(alice, book):
    assert search_index.match_ids("wangwei") == [book.pk]
    other = create_customer(alice, {"name": "王伟2"})
    assert search_index.match_ids("wangwei") == [other.pk, book.pk]


@pytest.mark.parametrize("query", ["%", "a_c", "w%w", "\\"])
def test_like_wildcards_in_a_query_are_plain_characters(alice, book, query):
    create_customer(alice, {"name": "abc", "email": "abc@example.com"})
    assert names(customers_for(alice, q=query)) == []


def test_customers_picked_by_their_ids_are_those_ids(alice, book):
    wanted = list(Customer.objects.values_list("pk", flat=True)[:3])

    picked = Customer.objects.filter(search_index.ids_q("pk", wanted))

    assert sorted(picked.values_list("pk", flat=True)) == sorted(wanted)


@postgres_only
def test_thousands_of_ids_go_to_postgresql_as_one_array(alice, book):
    wanted = [book.pk, *range(10**9, 10**9 + 5_000)]

    picked = Customer.objects.filter(search_index.ids_q("pk", wanted))
    sql, params = picked.values_list("pk", flat=True).query.sql_with_params()

    assert "= ANY(%s::bigint[])" in sql and len(params) == 1
    assert list(picked.values_list("pk", flat=True)) == [book.pk]


@pytest.fixture
def firms(alice, book):
    """Two companies beside book's people: 王伟 the person and 王伟贸易 the company match
    "wangwei"."""
    return [
        create_customer(alice, {"kind": "company", "name": name})
        for name in ("王伟贸易有限公司", "李娜科技有限公司")
    ]


@pytest.mark.parametrize(
    ("kind", "expected"), [("company", "王伟贸易有限公司"), ("person", "王伟")]
)
def test_the_index_answers_a_query_for_one_kind_of_customer(alice, firms, kind, expected):
    ids = search_index.match_ids("wangwei", kind=kind)

    assert names(Customer.objects.filter(pk__in=ids)) == [expected]


def test_a_customer_whose_kind_changes_is_found_as_the_new_kind(alice, book):
    Customer.objects.filter(pk=book.pk).update(kind="company")  # past save() (SQLite: the trigger)

    assert search_index.match_ids("wangwei", kind="company") == [book.pk]
    assert search_index.match_ids("wangwei", kind="person") == []


def test_an_unknown_kind_does_not_narrow_the_index(alice, firms, book):
    assert search_index.fts_phrase("wangwei", "robot") == 'search_text : "wangwei"'
    assert len(search_index.match_ids("wangwei", kind="robot")) == 2


def test_no_query_can_hold_the_kind_mark(alice, firms):
    assert search_index.fts_phrase("\x1fc\x1f") == 'search_text : "  c"'
    assert names(customers_for(alice, q="\x1fc\x1f")) == names(customers_for(alice, q="c"))


@pytest.mark.parametrize("kind", ["company", "person"])
def test_a_search_within_one_kind_finds_only_that_kind(alice, firms, kind):
    found = customers_for(alice, q="wangwei", kind=kind)

    assert [c.kind for c in found] == [kind]


@pytest.fixture
def cities(alice, book):
    """Two more 王伟, in 杭州市 and 上海市, beside book's (no city)."""
    return {
        city: create_customer(alice, {"name": "王伟", "city": city})
        for city in ("杭州市", "上海市")
    }


def test_the_index_answers_a_query_in_one_city(alice, cities):
    assert search_index.match_ids("wangwei", city="杭州市") == [cities["杭州市"].pk]
    assert search_index.match_ids("ww", city="上海市") == [cities["上海市"].pk]


def test_in_one_city_only_its_matches_count_against_the_cap(alice, cities):
    assert search_index.match_ids("wangwei", 1) is None
    assert search_index.match_ids("wangwei", 1, city="杭州市") == [cities["杭州市"].pk]


def test_a_customer_who_moves_is_found_in_the_new_city(alice, cities):
    moved = cities["杭州市"]
    Customer.objects.filter(pk=moved.pk).update(city="上海市")

    assert search_index.match_ids("wangwei", city="杭州市") == []
    assert moved.pk in search_index.match_ids("wangwei", city="上海市")


def test_a_query_for_a_city_name_finds_no_one_merely_living_there(alice, cities):
    assert names(customers_for(alice, q="上海市")) == []
    assert search_index.match_ids("上海市") == []


def test_a_city_with_a_quote_in_its_name_is_asked_for_whole(alice, book):
    odd = create_customer(alice, {"name": "王伟", "city": 'A"B'})

    assert search_index.match_ids("wangwei", city='A"B') == [odd.pk]
    assert search_index.match_ids("wangwei", city="A") == []


@pytest.mark.parametrize("city", ["杭州市", "上海市"])
def test_a_search_within_one_city_finds_only_that_city(alice, cities, city):
    found = customers_for(alice, q="wangwei", city=city)

    assert [c.pk for c in found] == [cities[city].pk]
