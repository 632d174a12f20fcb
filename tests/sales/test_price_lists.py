"""Price lists: the service's validation, the pages (managers change them, reps read them) and
the API routes."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from guanxi.customers.services import create_customer
from guanxi.sales.models import PriceList, PriceListItem
from guanxi.sales.services import create_price_list, resolve_price, update_price_list
from tests.conftest import login

API = "/api/v1"
HEADER = {"name": "VIP 2026", "tier": "VIP", "valid_from": "2026-01-01", "currency": "CNY"}


def _form(items=(), **fields):
    data = {**HEADER, "active": "on", **fields}
    for i, (product, price) in enumerate(items):
        data[f"items-{i}-product"] = str(product)
        data[f"items-{i}-price"] = str(price)
    return data


@pytest.fixture
def vip_list(mike, tea):
    return create_price_list(mike, HEADER, [{"product": tea.pk, "price": "100"}])


# --- service -------------------------------------------------------------------------------------


def test_a_price_list_ending_before_it_starts_is_refused_and_nothing_is_written(mike, tea):
    with pytest.raises(ValidationError) as caught:
        create_price_list(
            mike, {**HEADER, "valid_to": "2025-12-31"}, [{"product": tea.pk, "price": "1"}]
        )
    assert caught.value.message_dict == {"valid_to": ["The end date is before the start date."]}
    assert not PriceList.objects.exists() and not PriceListItem.objects.exists()


def test_a_negative_price_and_a_repeated_product_are_reported_per_line(mike, tea, cups):
    items = [
        {"product": tea.pk, "price": "-1"},
        {"product": cups.pk, "price": "50"},
        {"product": cups.pk, "price": "45"},
    ]
    with pytest.raises(ValidationError) as caught:
        create_price_list(mike, HEADER, items)
    assert caught.value.message_dict == {
        "items.0.price": ["This cannot be negative."],
        "items.2.product": ["This product is already priced on line 2."],
    }
    assert not PriceList.objects.exists()


def test_a_rep_cannot_create_a_price_list(alice, tea):
    with pytest.raises(PermissionDenied):
        create_price_list(alice, HEADER, [{"product": tea.pk, "price": "1"}])


def test_updating_replaces_the_items_and_the_new_price_applies(
    mike, vip_list, tea, cups, alices_customer
):
    update_price_list(mike, vip_list.pk, {"name": "VIP"}, [{"product": cups.pk, "price": "40"}])
    vip_list.refresh_from_db()
    assert vip_list.name == "VIP"
    assert [(i.product, i.price) for i in vip_list.items.all()] == [(cups, Decimal("40.00"))]
    on = dt.date(2026, 6, 1)
    assert resolve_price(tea, alices_customer, on) == (Decimal("128.00"), None)
    assert resolve_price(cups, alices_customer, on)[0] == Decimal("40.00")


def test_a_refused_update_leaves_header_and_items_as_they_were(mike, vip_list, tea):
    with pytest.raises(ValidationError):
        update_price_list(
            mike, vip_list.pk, {"name": "renamed"}, [{"product": tea.pk, "price": "abc"}]
        )
    vip_list.refresh_from_db()
    assert vip_list.name == "VIP 2026"
    assert [i.price for i in vip_list.items.all()] == [Decimal("100.00")]


# --- pages ---------------------------------------------------------------------------------------


def test_a_manager_creates_a_price_list_with_its_items_from_the_page(client, mike, tea, cups):
    response = login(client, mike).post(
        reverse("sales:price_list_create"), _form([(tea.pk, "99"), (cups.pk, "45.5")])
    )
    assert response.status_code == 302
    price_list = PriceList.objects.get()
    assert (price_list.tier, price_list.active) == ("VIP", True)
    assert sorted(price_list.items.values_list("price", flat=True)) == [
        Decimal("45.50"),
        Decimal("99.00"),
    ]


def test_the_page_shows_form_errors_and_writes_nothing(client, mike, tea):
    response = login(client, mike).post(
        reverse("sales:price_list_create"),
        _form([(tea.pk, "-5"), (tea.pk, "10")], valid_to="2025-01-01"),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "The end date is before the start date." in html
    assert "This cannot be negative." in html
    assert "This product is already priced on line 1." in html
    assert not PriceList.objects.exists()


def test_the_edit_page_removes_a_line_left_out(client, mike, vip_list, cups):
    page = login(client, mike).get(reverse("sales:price_list_edit", args=[vip_list.pk]))
    assert page.status_code == 200 and 'name="items-0-price" ' in page.content.decode()
    response = client.post(
        reverse("sales:price_list_edit", args=[vip_list.pk]), _form([(cups.pk, "30")])
    )
    assert response.status_code == 302
    assert list(vip_list.items.values_list("product", flat=True)) == [cups.pk]


def test_a_rep_reads_the_list_but_may_not_open_the_form(client, alice, vip_list):
    login(client, alice)
    listing = client.get(reverse("sales:price_lists"))
    assert listing.status_code == 200 and "VIP 2026" in listing.content.decode()
    assert reverse("sales:price_list_edit", args=[vip_list.pk]) not in listing.content.decode()
    assert client.get(reverse("sales:price_list_edit", args=[vip_list.pk])).status_code == 403
    assert client.post(reverse("sales:price_list_create"), _form()).status_code == 403


def test_the_list_filters_by_state_and_pins_its_queries(
    client, mike, vip_list, django_assert_max_num_queries
):
    create_price_list(mike, {**HEADER, "name": "old", "active": False})
    login(client, mike)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("sales:price_lists"), {"state": "inactive"})
    assert [pl.name for pl in response.context["page"].object_list] == ["old"]


# --- API -----------------------------------------------------------------------------------------


def _send(client, method, url, body):
    return getattr(client, method)(API + url, json.dumps(body), content_type="application/json")


def test_the_api_creates_reads_and_lists_price_lists(client, mike, tea):
    login(client, mike)
    created = _send(
        client, "post", "/price-lists", {**HEADER, "items": [{"product": tea.pk, "price": "88"}]}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["items"] == [
        {"product": tea.pk, "sku": "TEA-001", "name": tea.name, "price": "88.00"}
    ]
    assert client.get(f"{API}/price-lists/{body['id']}").json()["tier"] == "VIP"
    assert [pl["id"] for pl in client.get(f"{API}/price-lists?q=VIP").json()["items"]] == [
        body["id"]
    ]


def test_the_api_patch_replaces_items_only_when_sent(client, mike, vip_list, cups):
    login(client, mike)
    renamed = _send(client, "patch", f"/price-lists/{vip_list.pk}", {"active": False})
    assert renamed.json()["active"] is False and len(renamed.json()["items"]) == 1
    replaced = _send(
        client,
        "patch",
        f"/price-lists/{vip_list.pk}",
        {"items": [{"product": cups.pk, "price": "12"}]},
    )
    assert [i["sku"] for i in replaced.json()["items"]] == ["CUP-006"]


def test_the_api_answers_422_per_item_and_403_for_a_rep(client, mike, alice, tea):
    login(client, mike)
    bad = _send(
        client,
        "post",
        "/price-lists",
        {**HEADER, "valid_to": "2025-01-01", "items": [{"product": tea.pk, "price": "-1"}]},
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"valid_to", "items.0.price"}
    login(client, alice)
    assert _send(client, "post", "/price-lists", HEADER).status_code == 403
    assert not PriceList.objects.exists()


def test_a_price_list_for_a_city_typed_short_prices_the_customers_there(mike, alice, tea):
    customer = create_customer(alice, {"name": "王伟", "city": "广州"})  # stored 广州市
    create_price_list(
        mike,
        {**HEADER, "tier": "", "name": "广州价", "city": "广州"},
        [{"product": tea.pk, "price": "99"}],
    )

    assert resolve_price(tea, customer, dt.date(2026, 6, 1))[0] == Decimal("99")
