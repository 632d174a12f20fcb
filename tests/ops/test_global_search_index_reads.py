"""The global search reads the customer index once per query (customers and the
opportunities of matching customers share the lookup), and never answers from an earlier one."""

import pytest

from guanxi.customers import search_index
from guanxi.customers.services import create_customer
from guanxi.ops.search import global_search
from guanxi.sales.services import create_opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture
def reads(monkeypatch):
    """The terms the customer index was asked for."""
    asked: list[str] = []
    real = search_index._match_ids

    def counting(term, cap):
        asked.append(term)
        return real(term, cap)

    monkeypatch.setattr(search_index, "_match_ids", counting)
    return asked


def test_one_global_search_reads_the_customer_index_once(alice, alices_customer, reads):
    create_opportunity(alice, alices_customer.pk, {"name": "茶叶年度采购", "amount": "5000"})

    found = global_search(alice, "wangwei")

    assert reads == ["wangwei"]
    assert [c.name for c in found.customers] == ["王伟"]
    assert [o.name for o in found.opportunities] == ["茶叶年度采购"]


def test_a_customer_added_after_a_search_is_found_by_the_next_one(alice, alices_customer, reads):
    assert [c.name for c in global_search(alice, "simayi").customers] == []

    create_customer(alice, {"name": "司马懿"})

    assert [c.name for c in global_search(alice, "simayi").customers] == ["司马懿"]
    assert reads == ["simayi", "simayi"]


def test_a_rep_does_not_find_another_reps_customer_or_deal(charlie, alice, alices_customer, reads):
    create_opportunity(alice, alices_customer.pk, {"name": "茶叶年度采购", "amount": "5000"})

    found = global_search(charlie, "wangwei")

    assert found.customers == [] and found.opportunities == []
