"""Editing a draft order from its page; confirmed and paid orders are read-only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from guanxi.sales.models import Order
from guanxi.sales.services import create_order, set_order_status, update_order
from tests.conftest import login


@pytest.fixture
def draft(alice, alices_customer, tea):
    return create_order(
        alice, alices_customer.pk, [{"product": tea.pk, "quantity": 2}], order_date="2026-11-02"
    )


def _post(draft, *lines, **header):
    data = {
        "date": "2026-11-03",
        "due_date": "2026-12-03",
        "channel": "store",
        "store": "天河店",
        "notes": "",
        "version": draft.version,
        **header,
    }
    for i, row in enumerate(lines):
        for key, value in row.items():
            data[f"lines-{i}-{key}"] = value
    return data


def _url(order):
    return reverse("sales:order_edit", args=[order.pk])


def test_the_edit_form_shows_the_order_as_it_is(client, alice, draft, tea):
    response = login(client, alice).get(_url(draft))
    assert response.status_code == 200
    assert response.context["rows"] == [
        {
            "product": str(tea.pk),
            "quantity": "2",
            "unit_price": "128",
            "discount_percent": "",
            "tax_rate": "",
        }
    ]
    assert 'name="version"' in response.content.decode()


def test_a_draft_order_is_edited_header_and_lines(client, alice, draft, tea, cups):
    response = login(client, alice).post(
        _url(draft),
        _post(
            draft,
            {"product": tea.pk, "quantity": "1", "unit_price": "120"},
            {"product": cups.pk, "quantity": "2", "unit_price": "", "discount_percent": "10"},
        ),
    )
    assert response.status_code == 302 and response.url == reverse("sales:order", args=[draft.pk])
    order = Order.objects.get(pk=draft.pk)
    assert (str(order.order_date), str(order.due_date), order.channel, order.store) == (
        "2026-11-03",
        "2026-12-03",
        "store",
        "天河店",
    )
    assert order.total == Decimal("120.00") + Decimal("107.82")  # 2 × 59.90 − 10 %
    assert order.lines.count() == 2 and order.version == draft.version + 1


def test_a_stale_edit_shows_the_form_message_and_changes_nothing(client, alice, draft, tea):
    update_order(alice, draft.pk, {"notes": "changed meanwhile"})
    response = login(client, alice).post(
        _url(draft), _post(draft, {"product": tea.pk, "quantity": "5"})
    )
    assert response.status_code == 422
    assert "changed by someone else meanwhile" in response.content.decode()
    order = Order.objects.get(pk=draft.pk)
    assert order.lines.get().quantity == 2 and order.notes == "changed meanwhile"


def test_a_bad_line_is_a_line_error_and_nothing_is_written(client, alice, draft, tea):
    response = login(client, alice).post(
        _url(draft), _post(draft, {"product": tea.pk, "quantity": "-1"})
    )
    assert response.status_code == 422
    assert response.context["rows"][0]["errors"]["quantity"] == [
        "The quantity must be more than zero."
    ]
    assert Order.objects.get(pk=draft.pk).version == draft.version


@pytest.mark.parametrize("status", ["confirmed", "paid"])
def test_a_confirmed_or_paid_order_is_read_only_with_the_reason(client, alice, draft, tea, status):
    set_order_status(alice, draft.pk, "confirmed")
    if status == "paid":
        set_order_status(alice, draft.pk, "paid", paid_date="2026-11-05")
    login(client, alice)
    page = client.get(_url(draft))
    assert page.status_code == 200
    assert 'id="order-readonly"' in page.content.decode()
    assert "<form" not in page.content.decode().split('id="order-readonly"')[1]
    refused = client.post(_url(draft), _post(draft, {"product": tea.pk, "quantity": "9"}))
    assert refused.status_code == 409
    assert Order.objects.get(pk=draft.pk).lines.get().quantity == 2


def test_the_order_page_offers_edit_only_for_a_draft(client, alice, draft):
    login(client, alice)
    assert 'id="order-edit"' in client.get(reverse("sales:order", args=[draft.pk])).content.decode()
    set_order_status(alice, draft.pk, "confirmed")
    assert (
        'id="order-edit"'
        not in client.get(reverse("sales:order", args=[draft.pk])).content.decode()
    )


def test_another_rep_gets_404_and_the_analyst_403(client, charlie, nina, draft):
    assert login(client, charlie).get(_url(draft)).status_code == 404
    assert login(client, nina).get(_url(draft)).status_code == 403


def test_a_confirmed_orders_date_cannot_change_through_the_service(alice, draft):
    set_order_status(alice, draft.pk, "confirmed")
    with pytest.raises(Exception) as caught:
        update_order(alice, draft.pk, {"order_date": "2026-01-01"})
    assert caught.value.message_dict == {
        "order_date": ["Only a draft order's date can be changed."]
    }
