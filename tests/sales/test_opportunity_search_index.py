"""The opportunities' search index (sales.search_index): an opportunity is found by its name
and by its customer's search text, and the triggers keep that true through every write, on
SQLite (FTS5) and PostgreSQL (trigger-kept column, pg_trgm)."""

import pytest
from django.db import connection

from guanxi.customers import search_index as customer_index
from guanxi.customers.merge import merge_customers
from guanxi.customers.services import create_customer, update_customer
from guanxi.ops.search import search_opportunities
from guanxi.sales import search_index
from guanxi.sales.models import Opportunity
from guanxi.sales.services import create_opportunity

pytestmark = pytest.mark.django_db


def found(term: str) -> list[int]:
    return [pk for pk, _customer in search_index.newest_matching(term, 50)]


@pytest.fixture
def deal(alice, alices_customer):
    """茶叶年度采购, a deal of Alice's 王伟 (phone 13800138000)."""
    return create_opportunity(alice, alices_customer.pk, {"name": "茶叶年度采购", "amount": "5000"})


def test_a_deal_is_found_by_its_customer_in_every_form(deal):
    for term in ("wangwei", "ww", "王伟", "1380013", "王"):
        assert found(term) == [deal.pk], term


def test_a_deal_is_found_by_its_own_name(deal):
    assert found("年度采购") == [deal.pk]


def test_a_short_chinese_query_matches_inside_the_name(deal):
    assert found("采购") == [deal.pk]


def test_a_short_chinese_query_needs_its_characters_together(alice, alices_customer, deal):
    create_opportunity(alice, alices_customer.pk, {"name": "购置采集设备"})  # 购 and 采 apart

    assert found("采购") == [deal.pk]


def test_a_single_chinese_character_is_found_in_names_newest_first(alice, alices_customer, deal):
    later = create_opportunity(alice, alices_customer.pk, {"name": "软件采购"})

    assert found("购") == [later.pk, deal.pk]


def test_a_short_latin_query_matches_a_word_start_only(alice, alices_customer):
    words = create_opportunity(alice, alices_customer.pk, {"name": "Li Ning renewal"})
    create_opportunity(alice, alices_customer.pk, {"name": "Aligned rollout"})

    assert found("li") == [words.pk]


def test_a_name_with_spaces_is_found_run_together(alice, alices_customer):
    big = create_opportunity(alice, alices_customer.pk, {"name": "Big Deal 2027"})

    assert found("bigdeal") == [big.pk]


def test_a_renamed_customer_is_found_by_the_new_name_only(alice, alices_customer, deal):
    update_customer(alice, alices_customer.pk, {"name": "李娜"})

    assert found("lina") == [deal.pk]
    assert found("王伟") == []


def test_a_deal_renamed_in_bulk_sql_is_found_by_the_new_name(deal):
    Opportunity.objects.filter(pk=deal.pk).update(name="设备维护合同")

    assert found("维护合同") == [deal.pk]
    assert found("年度采购") == []


def test_a_merged_customers_deals_are_found_by_the_survivor(alice, alices_customer, deal):
    other = create_customer(alice, {"name": "王伟伟", "phone": "13900139999"})
    moved = create_opportunity(alice, other.pk, {"name": "办公用品"})

    # Not kept as the survivor's other phone (by default it would be): nothing finds it then.
    merge_customers(alice, alices_customer.pk, other.pk, {"phone_alt": "survivor"})

    assert set(found("1380013")) == {deal.pk, moved.pk}
    assert found("1390013999") == []


def test_a_deleted_deal_is_gone_from_the_index(deal):
    Opportunity.objects.filter(pk=deal.pk).delete()

    assert found("wangwei") == []


def test_deals_made_in_bulk_are_indexed(alice, alices_customer, deal):
    made = Opportunity.objects.bulk_create(
        [Opportunity(**_copy(deal), name=f"批量商机{i}") for i in range(3)]
    )

    assert sorted(found("批量商机")) == sorted(o.pk for o in made)


def test_a_query_too_common_for_the_customer_index_still_finds_deals(
    alice, alices_customer, deal, monkeypatch
):
    create_customer(alice, {"name": "王伟", "phone": "13700137000"})
    monkeypatch.setattr(customer_index, "MATCH_CAP", 1)  # "wangwei" is now "common"

    assert [o.pk for o in search_opportunities(alice, "wangwei", limit=5)] == [deal.pk]


@pytest.mark.parametrize(
    ("name", "term"),
    [
        ("续约{}", "wangwei"),  # through the index: the customer's pinyin
        ("设备采购{}", "采购"),  # a short Chinese query: inside the names
    ],
)
def test_the_newest_come_first_a_page_at_a_time(alice, alices_customer, name, term):
    deals = [
        create_opportunity(alice, alices_customer.pk, {"name": name.format(i)}).pk for i in range(5)
    ]

    first = search_index.newest_matching(term, 3)
    rest = search_index.newest_matching(term, 3, before=first[-1][0])

    assert first + rest == [(pk, alices_customer.pk) for pk in sorted(deals, reverse=True)]


def test_install_repairs_a_lost_trigger_and_refills(deal):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER {search_index.FTS_TABLE}_update")
            cursor.execute(f"DELETE FROM {search_index.FTS_TABLE}")  # noqa: S608 - a constant
        else:
            cursor.execute("DROP TRIGGER sales_opportunity_search_text ON sales_opportunity")

    search_index.install()
    Opportunity.objects.filter(pk=deal.pk).update(name="设备维护合同")

    assert found("维护合同") == [deal.pk]
    assert found("wangwei") == [deal.pk]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_install_rebuilds_a_lost_name_index(deal):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {search_index.NAME_INDEX}")
        # The deal's deferred foreign-key checks, run as the commit would: PostgreSQL refuses
        # CREATE INDEX while they are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    search_index.install()

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [search_index.NAME_INDEX])
        assert cursor.fetchone() is not None
    assert found("采购") == [deal.pk]


def test_install_is_a_no_op_when_in_place(deal, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        search_index.install()

    assert found("wangwei") == [deal.pk]


def _copy(deal: Opportunity) -> dict:
    fields = ("customer_id", "owner_id", "pipeline_id", "stage_id", "amount", "currency")
    return {f: getattr(deal, f) for f in fields}
