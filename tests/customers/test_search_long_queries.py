"""Long queries (an e-mail, a full name in pinyin) are looked up by a rare piece and checked
against the whole query: the same customers as reading the whole query from the index."""

import pytest
from django.db import connection  # noqa: F401 - read by the skipif conditions

from guanxi.customers import search_index
from guanxi.customers.queries import customers_for, search_customers
from guanxi.customers.services import create_customer

pytestmark = pytest.mark.django_db


def names(customers) -> list[str]:
    return [c.name for c in customers]


@pytest.fixture
def mailbook(alice):
    """Customers whose e-mails share pieces with wang_wei@example.com but not all of it."""
    made = {}
    for name, email in [
        ("王伟", "wang_wei@example.com"),
        ("王伟二", "xwang_wei@example.com.cn"),  # holds the whole query: found
        ("王伟三", "wang_wei@example.org"),  # same name part, other domain
        ("王伟四", "wangxwei@example.com"),  # "_" is a character, not a wildcard
        ("张伟", "zhang_wei@example.com"),
    ]:
        made[name] = create_customer(alice, {"name": name, "email": email})
    return made


def test_an_email_query_finds_exactly_the_customers_whose_text_holds_it(alice, mailbook):
    found = names(customers_for(alice, q="wang_wei@example.com"))

    assert found == ["王伟二", "王伟"]


def test_the_index_gives_the_same_ids_with_or_without_the_piece_lookup(mailbook, monkeypatch):
    monkeypatch.setattr(search_index, "EMAIL_TAIL", 100)  # no name part is long enough
    by_piece = search_index.match_ids("wang_wei@example.com")
    monkeypatch.setattr(search_index, "PIECE_CAP", 0)  # every piece "too common"
    whole = search_index.match_ids("wang_wei@example.com")

    assert by_piece == whole == [mailbook["王伟二"].pk, mailbook["王伟"].pk]


def test_a_long_pinyin_query_is_checked_against_the_whole_text(alice, mailbook):
    create_customer(alice, {"name": "王伟明"})  # wangweiming
    create_customer(alice, {"name": "王伟亮"})  # wangweiliang: same first pieces

    assert names(customers_for(alice, q="wangweiming")) == ["王伟明"]


def test_an_exact_email_still_comes_first(alice, mailbook):
    create_customer(alice, {"name": "新客户", "email": "new.wang_wei@example.com"})

    found = search_customers(alice, "wang_wei@example.com")

    assert names(found) == ["王伟", "新客户", "王伟二"]


def test_a_long_query_nobody_matches_finds_nothing(alice, mailbook):
    assert search_index.match_ids("nobody_here@example.com") == []
    assert names(customers_for(alice, q="nobody_here@example.com")) == []


def test_another_reps_customer_is_not_found_by_a_long_query(charlie, mailbook):
    assert names(customers_for(charlie, q="wang_wei@example.com")) == []
    assert names(search_customers(charlie, "wang_wei@example.com")) == []


def test_an_email_looked_up_by_its_name_part_alone_finds_the_same(mailbook, monkeypatch):
    monkeypatch.setattr(search_index, "EMAIL_TAIL", 100)
    whole = search_index.match_ids("wang_wei@example.com")
    monkeypatch.setattr(search_index, "_PIECES", 0)  # only "wang_wei@" is tried

    assert search_index._pieces("wang_wei@example.com") == ["wang_wei@"]
    assert search_index.match_ids("wang_wei@example.com") == whole


def test_an_opportunity_is_found_through_a_long_query_on_its_customer(alice, mailbook):
    from guanxi.ops.search import global_search
    from guanxi.sales.services import create_opportunity

    create_opportunity(alice, mailbook["王伟二"].pk, {"name": "年度采购", "amount": "5000"})

    found = global_search(alice, "wang_wei@example.com")

    assert [o.name for o in found.opportunities] == ["年度采购"]


def test_a_domain_alone_still_finds_every_customer_at_it(alice, mailbook):
    found = names(customers_for(alice, q="@example.com"))

    assert found == ["张伟", "王伟四", "王伟二", "王伟"]


def test_an_email_with_a_short_name_part_is_found_too(alice):
    wu = create_customer(alice, {"name": "吴一", "email": "wu@example.com"})
    xwu = create_customer(alice, {"name": "吴二", "email": "xwu@example.com"})
    create_customer(alice, {"name": "吴三", "email": "wu@example.org"})

    assert search_index.match_ids("wu@example.com") == [xwu.pk, wu.pk]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_tells_a_common_short_query_by_a_sample(alice, monkeypatch):
    made = [create_customer(alice, {"name": f"王{i}"}) for i in range(12)]
    made.append(create_customer(alice, {"name": "欧阳娜娜"}))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")

    def no_trigram_lookup(*args, **kwargs):
        raise AssertionError("the trigram index was read")

    with monkeypatch.context() as patched:
        patched.setattr(search_index, "like_q", no_trigram_lookup)
        assert search_index.match_ids("w", cap=1) is None  # 12 of 13: common, index not read
    assert search_index.match_ids("oy", cap=1) == [made[-1].pk]  # rare: read from the index
    assert names(customers_for(alice, q="w")) == [c.name for c in reversed(made[:12])]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgres_samples_a_short_query_among_one_kind(alice):
    for i in range(12):
        create_customer(alice, {"name": f"王{i}"})
    firm = create_customer(alice, {"kind": "company", "name": "王氏贸易"})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")

    assert search_index.match_ids("w", cap=1) is None  # 13 of 13: common
    assert search_index.match_ids("w", cap=1, kind="company") == [firm.pk]  # 1 of them


def test_an_email_is_answered_from_the_email_index(mailbook, monkeypatch):
    """SQLite: the index of the e-mails' ends; PostgreSQL: of their reversed name parts. The
    trigram index (FTS5 / pg_trgm) is never read."""

    def not_read(*args, **kwargs):
        raise AssertionError("the trigram index was read")

    trigram_read = "_fts_ids" if connection.vendor == "sqlite" else "like_q"
    monkeypatch.setattr(search_index, trigram_read, not_read)

    assert search_index.match_ids("wang_wei@example.com") == [
        mailbook["王伟二"].pk,
        mailbook["王伟"].pk,
    ]
    assert search_index.match_ids("ang_wei@example.c") == [
        mailbook["张伟"].pk,
        mailbook["王伟二"].pk,
        mailbook["王伟"].pk,
    ]


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_the_tail_lookup_reads_the_tail_index(mailbook):
    sql = (
        f"EXPLAIN QUERY PLAN SELECT id FROM customers_customer WHERE email <> ''"  # noqa: S608
        f" AND {search_index.EMAIL_TAIL_SQL} >= 'ng_wei@example.com'"
        f" AND {search_index.EMAIL_TAIL_SQL} < 'ng_wei@example.com~'"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        plan = " ".join(str(row) for row in cursor.fetchall())

    assert search_index.EMAIL_TAIL_INDEX in plan


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_the_tail_index_comes_back_after_a_table_rebuild(db):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {search_index.EMAIL_TAIL_INDEX}")
        search_index.install(connection)
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name = %s",
            [search_index.EMAIL_TAIL_INDEX],
        )
        assert cursor.fetchall() == [(search_index.EMAIL_TAIL_INDEX,)]
