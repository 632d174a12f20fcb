"""Orders and quotes are visible exactly when their customer is, whichever way the check is
read: the customers' list (a user who sees few) or a probe per record (one who sees many)."""

import pytest
from django.http import Http404

from guanxi.customers.services import create_customer, delete_customer, share_customer
from guanxi.sales.models import Order, Quote
from guanxi.sales.services import access_order, create_order, create_quote


@pytest.fixture
def book(alice, bob, charlie, tea):
    """Orders of Alice's customer, of Bob's (shared with Alice to read), of Charlie's, and of
    a customer of Alice's now in the recycle bin."""
    line = [{"product": tea.pk, "quantity": 1}]
    own = create_customer(alice, {"name": "王伟"})
    shared = create_customer(bob, {"name": "李娜"})
    share_customer(bob, shared.pk, to_user=alice, level="read")
    other = create_customer(charlie, {"name": "张三"})
    binned = create_customer(alice, {"name": "赵六"})
    orders = {
        "own": create_order(alice, own.pk, line),
        "shared": create_order(bob, shared.pk, line),
        "other": create_order(charlie, other.pk, line),
        "binned": create_order(alice, binned.pk, line),
    }
    create_quote(alice, own.pk, line)
    create_quote(charlie, other.pk, line)
    delete_customer(alice, binned.pk)
    return orders


def _numbers(orders, qs):
    return sorted(key for key, order in orders.items() if qs.filter(pk=order.pk).exists())


@pytest.mark.parametrize("few", [False, True], ids=["a probe per order", "the customers' list"])
def test_a_rep_sees_the_orders_of_the_customers_she_sees(request, alice, book, few):
    if few:
        request.getfixturevalue("small_reach")

    assert _numbers(book, Order.objects.visible_to(alice)) == ["own", "shared"]
    assert _numbers(book, Order.objects.editable_by(alice)) == ["own"]
    assert Quote.objects.visible_to(alice).count() == 1


@pytest.mark.parametrize("few", [False, True], ids=["a probe per order", "the customers' list"])
def test_another_reps_order_by_id_is_404(request, alice, book, few):
    if few:
        request.getfixturevalue("small_reach")

    with pytest.raises(Http404):
        access_order(alice, book["other"].pk)


def test_an_admin_does_not_see_the_orders_of_a_customer_in_the_recycle_bin(ada, book):
    assert _numbers(book, Order.objects.visible_to(ada)) == ["other", "own", "shared"]
