"""The global search finds deals through their own index (sales.search_index), never through
the customer index (a common name's thousands of matching customers), and never answers from
an earlier search."""

import pytest

from guanxi.customers import search_index
from guanxi.customers.services import create_customer
from guanxi.ops.search import global_search, search_opportunities
from guanxi.sales.services import create_opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture
def reads(monkeypatch):
    """The phrases the customer index (FTS5) or its match list was asked for."""
    asked: list[str] = []
    for name in ("match_ids", "newest_matches"):
        real = getattr(search_index, name)

        def counting(term, *args, _real=real, **kwargs):
            asked.append(term)
            return _real(term, *args, **kwargs)

        monkeypatch.setattr(search_index, name, counting)
    return asked


def test_finding_deals_does_not_read_the_customer_index(alice, alices_customer, reads):
    create_opportunity(alice, alices_customer.pk, {"name": "茶叶年度采购", "amount": "5000"})

    found = search_opportunities(alice, "wangwei", limit=5)

    assert [o.name for o in found] == ["茶叶年度采购"]
    assert reads == []


def test_a_customer_added_after_a_search_is_found_by_the_next_one(alice, alices_customer):
    assert [c.name for c in global_search(alice, "simayi").customers] == []

    create_customer(alice, {"name": "司马懿"})

    assert [c.name for c in global_search(alice, "simayi").customers] == ["司马懿"]


def test_a_rep_does_not_find_another_reps_customer_or_deal(charlie, alice, alices_customer):
    create_opportunity(alice, alices_customer.pk, {"name": "茶叶年度采购", "amount": "5000"})

    found = global_search(charlie, "wangwei")

    assert found.customers == [] and found.opportunities == []
