"""Orders and quotes: totals in Decimal rounded half-up, the status table, prices, refusals."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from guanxi.sales.models import Order, OrderLine, Quote, QuoteLine
from guanxi.sales.queries import customer_value
from guanxi.sales.services import (
    convert_quote,
    create_order,
    create_price_list,
    create_quote,
    price_for,
    set_order_status,
    set_quote_status,
    update_order,
)


def test_order_totals_apply_discount_then_tax_rounded_half_up_to_cents(
    alice, alices_customer, tea, cups
):
    # 3 × 128.00 = 384.00; 10 % off = 38.40; net 345.60; 13 % tax = 44.928 → 44.93; 390.53
    # 1 × 59.90, no discount, 6 % tax = 3.594 → 3.59; 63.49
    order = create_order(
        alice,
        alices_customer.pk,
        [
            {"product": tea.pk, "quantity": 3, "discount_percent": "10", "tax_rate": "13"},
            {"product": cups.pk, "quantity": 1, "tax_rate": "6"},
        ],
    )
    order.refresh_from_db()
    assert (order.subtotal, order.discount_total, order.tax_total, order.total) == (
        Decimal("443.90"),
        Decimal("38.40"),
        Decimal("48.52"),
        Decimal("454.02"),
    )
    first = order.lines.get(position=0)
    assert (first.subtotal, first.discount, first.tax, first.total) == (
        Decimal("384.00"),
        Decimal("38.40"),
        Decimal("44.93"),
        Decimal("390.53"),
    )


def test_half_a_cent_rounds_up(alice, alices_customer, tea):
    # 0.5 × 0.01 = 0.005 → 0.01
    order = create_order(
        alice, alices_customer.pk, [{"product": tea.pk, "quantity": "0.5", "unit_price": "0.01"}]
    )
    assert order.total == Decimal("0.01")


def test_an_order_gets_a_number_and_starts_as_a_draft(alice, alices_customer, tea):
    order = create_order(alice, alices_customer.pk, [{"product": tea.pk, "quantity": 1}])
    assert order.number == f"SO-{order.pk:06d}"
    assert order.status == Order.Status.DRAFT


def test_an_order_goes_confirmed_shipped_paid_and_paying_stamps_the_date(
    alice, alices_customer, tea
):
    order = create_order(
        alice,
        alices_customer.pk,
        [{"product": tea.pk, "quantity": 1}],
        order_date="2026-11-01",
        due_date="2026-12-01",
    )
    set_order_status(alice, order.pk, "confirmed")
    set_order_status(alice, order.pk, "shipped")
    order = set_order_status(alice, order.pk, "paid", paid_date="2026-12-05")
    assert order.status == "paid"
    assert order.paid_date == dt.date(2026, 12, 5)


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], "paid"),  # a draft cannot be paid
        ([], "shipped"),
        (["confirmed", "cancelled"], "confirmed"),  # cancelled is final
        (["confirmed"], "refunded"),  # nothing paid, nothing to refund
        (["confirmed", "shipped"], "refunded"),
        (["confirmed"], "draft"),
    ],
)
def test_an_illegal_status_change_is_refused_and_changes_nothing(
    alice, alices_customer, tea, path, illegal
):
    order = create_order(alice, alices_customer.pk, [{"product": tea.pk, "quantity": 1}])
    for status in path:
        set_order_status(alice, order.pk, status)
    before = Order.objects.get(pk=order.pk)
    with pytest.raises(ValidationError) as err:
        set_order_status(alice, order.pk, illegal)
    assert "status" in err.value.message_dict
    after = Order.objects.get(pk=order.pk)
    assert (after.status, after.version) == (before.status, before.version)


def test_a_paid_order_can_be_refunded(alice, alices_customer, tea):
    order = create_order(alice, alices_customer.pk, [{"product": tea.pk, "quantity": 1}])
    set_order_status(alice, order.pk, "confirmed")
    set_order_status(alice, order.pk, "paid")
    assert set_order_status(alice, order.pk, "refunded").status == "refunded"


def test_lines_of_a_confirmed_order_cannot_be_replaced(alice, alices_customer, tea):
    order = create_order(
        alice, alices_customer.pk, [{"product": tea.pk, "quantity": 1}], status="confirmed"
    )
    with pytest.raises(ValidationError) as err:
        update_order(alice, order.pk, {}, lines=[{"product": tea.pk, "quantity": 5}])
    assert "lines" in err.value.message_dict
    assert order.lines.get().quantity == 1


def test_an_order_line_with_zero_quantity_is_refused_and_nothing_is_written(
    alice, alices_customer, tea
):
    with pytest.raises(ValidationError) as err:
        create_order(
            alice,
            alices_customer.pk,
            [{"product": tea.pk, "quantity": 1}, {"product": tea.pk, "quantity": 0}],
        )
    assert "lines.1.quantity" in err.value.message_dict
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_an_unparseable_order_date_names_the_field_and_writes_nothing(alice, alices_customer, tea):
    with pytest.raises(ValidationError) as err:
        create_order(
            alice, alices_customer.pk, [{"product": tea.pk, "quantity": 1}], order_date="2026-13-45"
        )
    assert "order_date" in err.value.message_dict
    assert not Order.objects.exists()


def test_a_quote_line_with_negative_quantity_is_refused_and_nothing_is_written(
    alice, alices_customer, tea
):
    with pytest.raises(ValidationError) as err:
        create_quote(alice, alices_customer.pk, [{"product": tea.pk, "quantity": "-2"}])
    assert "lines.0.quantity" in err.value.message_dict
    assert not Quote.objects.exists() and not QuoteLine.objects.exists()


def test_a_sent_quote_converts_into_an_order_with_the_same_lines_once(alice, alices_customer, tea):
    quote = create_quote(
        alice,
        alices_customer.pk,
        [{"product": tea.pk, "quantity": 2, "discount_percent": "5", "tax_rate": "13"}],
    )
    set_quote_status(alice, quote.pk, "sent")
    order = convert_quote(alice, quote.pk)
    quote.refresh_from_db()
    assert quote.status == "accepted"
    assert order.quote_id == quote.pk and order.status == "confirmed"
    assert order.total == quote.total == Decimal("274.82")  # 256 − 12.80 = 243.20 + 31.616
    with pytest.raises(ValidationError):
        convert_quote(alice, quote.pk)


def test_a_draft_quote_does_not_convert(alice, alices_customer, tea):
    quote = create_quote(alice, alices_customer.pk, [{"product": tea.pk, "quantity": 1}])
    with pytest.raises(ValidationError):
        convert_quote(alice, quote.pk)
    assert not Order.objects.exists()


def test_the_most_specific_valid_price_list_wins_else_the_list_price(ada, alices_customer, tea):
    day = dt.date(2026, 11, 1)
    create_price_list(
        ada, {"name": "广东", "province": "广东", "valid_from": "2026-01-01"}, {tea.pk: "120.00"}
    )
    create_price_list(
        ada, {"name": "VIP", "tier": "VIP", "valid_from": "2026-01-01"}, {tea.pk: "110.00"}
    )
    create_price_list(
        ada,
        {"name": "VIP old", "tier": "VIP", "valid_from": "2025-01-01", "valid_to": "2025-12-31"},
        {tea.pk: "90.00"},
    )
    assert price_for(tea, alices_customer, day) == Decimal("110.00")  # tagged VIP, in 广东
    assert price_for(tea, None, day) == Decimal("128.00")
    assert price_for(tea, alices_customer, dt.date(2025, 6, 1)) == Decimal("90.00")


def test_a_line_without_a_price_takes_the_customers_price(ada, alice, alices_customer, tea):
    create_price_list(
        ada, {"name": "VIP", "tier": "VIP", "valid_from": "2026-01-01"}, {tea.pk: "110.00"}
    )
    order = create_order(
        alice, alices_customer.pk, [{"product": tea.pk, "quantity": 1}], order_date="2026-11-01"
    )
    assert order.lines.get().unit_price == Decimal("110.00")


def test_customer_value_counts_only_confirmed_paid_and_shipped_orders(alice, alices_customer, tea):
    def order(day, status):
        create_order(
            alice,
            alices_customer.pk,
            [{"product": tea.pk, "quantity": 1}],
            order_date=day,
            status=status,
            paid_date=day if status == "paid" else None,
        )

    order("2026-01-10", "confirmed")
    order("2026-03-10", "paid")
    order("2026-05-10", "draft")
    order("2026-06-10", "cancelled")
    value = customer_value(alices_customer)
    assert value["total_spend"] == Decimal("256.00")
    assert value["order_count"] == 2
    assert (value["first_purchase"], value["last_purchase"]) == (
        dt.date(2026, 1, 10),
        dt.date(2026, 3, 10),
    )
