"""search_index.ids_among: a query's SQL built once, run for batch after batch of ids, each
time answering exactly what filtering the query by those ids would."""

import pytest

from guanxi.customers import search_index
from guanxi.customers.models import Customer
from guanxi.customers.services import create_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(alice, charlie):
    """Three of Alice's customers and three of Charlie's, interleaved by id."""
    made = []
    for i in range(3):
        made.append(create_customer(alice, {"name": f"客户甲{i}"}).pk)
        made.append(create_customer(charlie, {"name": f"客户乙{i}"}).pk)
    return made


def test_each_batch_gets_the_visible_ones_among_its_ids(alice, mixed):
    among = search_index.ids_among(Customer.objects.visible_to(alice).order_by("-id"))
    expected = set(Customer.objects.visible_to(alice).values_list("pk", flat=True))

    first, second = among(mixed[:3]), among(mixed[3:])

    assert first == sorted(expected & set(mixed[:3]), reverse=True)
    assert second == sorted(expected & set(mixed[3:]), reverse=True)
    assert len(first) + len(second) == 3


def test_an_empty_batch_reads_nothing(alice, mixed, django_assert_num_queries):
    among = search_index.ids_among(Customer.objects.visible_to(alice))

    with django_assert_num_queries(0):
        assert among([]) == []


def test_an_inactive_user_sees_none_of_them(alice, mixed):
    alice.is_active = False

    assert search_index.ids_among(Customer.objects.visible_to(alice))(mixed) == []
