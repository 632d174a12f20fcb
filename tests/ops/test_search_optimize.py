"""Merging the search indexes' pending writes (nightly job, `guanxi search optimize`): every
customer, contact and deal is still found afterwards, on both databases."""

import io

import pytest
from django.core.management import call_command

from guanxi.customers import search_index
from guanxi.customers.services import create_customer
from guanxi.ops.search import global_search, optimize_indexes
from guanxi.ops.tasks import optimize_search_indexes
from guanxi.sales import search_index as deal_index
from guanxi.sales.services import create_opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture
def found(alice, alices_customer):
    """王伟 with a deal, and two more 王伟 each written in its own transaction."""
    create_opportunity(alice, alices_customer.pk, {"name": "茶叶年度采购", "amount": "5000"})
    for n in range(2):
        create_customer(alice, {"name": f"王伟{n}"})
    return alice


def names(results) -> tuple[list[str], list[str]]:
    return [c.name for c in results.customers], [o.name for o in results.opportunities]


def test_optimize_merges_both_indexes_and_keeps_every_match(found):
    before = names(global_search(found, "wangwei"))

    took = optimize_indexes()

    assert set(took) == {"customers", "contacts", "deals"}
    assert all(seconds is not None and seconds >= 0 for seconds in took.values())
    assert names(global_search(found, "wangwei")) == before
    assert len(before[0]) == 3
    assert before[1] == ["茶叶年度采购"]


def test_contacts_are_still_found_after_their_index_is_merged(found, alices_customer):
    from guanxi.customers.services import add_contact

    add_contact(found, alices_customer, {"name": "李太太", "email": "litaitai@example.com"})

    assert optimize_indexes()["contacts"] is not None
    assert [c.name for c in global_search(found, "ltt").contacts] == ["李太太"]
    assert [c.name for c in global_search(found, "taitai@").contacts] == ["李太太"]


def test_a_missing_index_is_reported_not_an_error(found, monkeypatch):
    monkeypatch.setattr(deal_index, "FTS_TABLE", "no_such_fts")
    monkeypatch.setattr(deal_index, "TRGM_INDEX", "no_such_index")

    assert optimize_indexes()["deals"] is None


def test_the_command_prints_each_index(found):
    out = io.StringIO()

    call_command("search", "optimize", stdout=out)

    assert "customers: merged in" in out.getvalue()
    assert "deals: merged in" in out.getvalue()


def test_the_nightly_job_merges_them(found):
    optimize_search_indexes.call_local()

    assert len(search_index.match_ids("wangwei")) == 3
