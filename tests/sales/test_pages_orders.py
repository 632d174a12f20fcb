"""Products, orders and quotes pages: dynamic lines, status buttons, print, conversion."""

from decimal import Decimal

import pytest
from django.urls import reverse

from guanxi.sales.models import Order, OrderLine, Product, Quote
from guanxi.sales.services import create_order, create_quote, set_order_status, set_quote_status
from tests.conftest import login

ORDER_NEW = reverse("sales:order_create")


def _lines(*rows):
    data = {}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"lines-{i}-{key}"] = value
    return data


def test_an_order_is_created_with_lines_priced_by_the_price_list(
    client, alice, alices_customer, tea, cups
):
    response = login(client, alice).post(
        ORDER_NEW,
        {
            "customer": alices_customer.pk,
            "date": "2026-11-01",
            **_lines(
                {"product": tea.pk, "quantity": "2", "unit_price": "", "tax_rate": "13"},
                {"product": cups.pk, "quantity": "1", "unit_price": "50", "discount_percent": "10"},
                {"product": "", "quantity": "", "unit_price": ""},
            ),
        },
    )
    order = Order.objects.get()
    assert response.url == reverse("sales:order", args=[order.pk])
    assert [(line.product, line.unit_price) for line in order.lines.all()] == [
        (tea, Decimal("128.00")),
        (cups, Decimal("50.00")),
    ]
    assert order.total == Decimal("289.28") + Decimal("45.00")  # 256 + 13 % tax; 50 − 10 %


def test_an_order_line_with_a_negative_quantity_is_a_line_error_and_nothing_is_written(
    client, alice, alices_customer, tea
):
    response = login(client, alice).post(
        ORDER_NEW,
        {"customer": alices_customer.pk, **_lines({"product": tea.pk, "quantity": "-2"})},
    )
    assert response.status_code == 422
    assert response.context["rows"][0]["errors"]["quantity"] == [
        "The quantity must be more than zero."
    ]
    assert "The quantity must be more than zero." in response.content.decode()
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_an_order_without_lines_says_so(client, alice, alices_customer):
    response = login(client, alice).post(ORDER_NEW, {"customer": alices_customer.pk})
    assert response.status_code == 422
    assert "Add at least one line." in response.content.decode()


def test_the_price_view_gives_the_customers_price(client, alice, alices_customer, tea):
    response = login(client, alice).get(
        reverse("sales:price"), {"product": tea.pk, "customer": alices_customer.pk}
    )
    assert response.json()["price"] == "128.00"


@pytest.fixture
def draft(alice, alices_customer, tea):
    return create_order(alice, alices_customer.pk, [{"product": tea.pk, "quantity": 1}])


def _buttons(client, order) -> list[str]:
    response = client.get(reverse("sales:order", args=[order.pk]))
    return [t["status"] for t in response.context["transitions"]]


def test_status_buttons_offer_only_legal_transitions(client, alice, draft):
    login(client, alice)
    assert _buttons(client, draft) == ["confirmed", "cancelled"]
    set_order_status(alice, draft.pk, "confirmed")
    assert _buttons(client, draft) == ["paid", "shipped", "cancelled"]
    set_order_status(alice, draft.pk, "cancelled")
    assert _buttons(client, draft) == []


def test_a_status_button_moves_the_order(client, alice, draft):
    login(client, alice).post(
        reverse("sales:order_status", args=[draft.pk]), {"status": "confirmed"}
    )
    draft.refresh_from_db()
    assert draft.status == Order.Status.CONFIRMED


def test_an_illegal_status_post_is_refused_with_a_message(client, alice, draft):
    response = login(client, alice).post(
        reverse("sales:order_status", args=[draft.pk]), {"status": "refunded"}, follow=True
    )
    assert "cannot go from Draft to Refunded" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Order.Status.DRAFT


def test_the_analyst_sees_no_status_buttons(client, nina, draft):
    assert _buttons(login(client, nina), draft) == []


def test_order_list_filters_by_customer_status_and_date(
    client, alice, alices_customer, tea, django_assert_max_num_queries
):
    for day in ("2026-10-01", "2026-10-15", "2026-11-01"):
        create_order(
            alice, alices_customer.pk, [{"product": tea.pk, "quantity": 1}], order_date=day
        )
    login(client, alice)
    url = reverse("sales:orders")
    with django_assert_max_num_queries(9):
        response = client.get(
            url, {"customer": alices_customer.pk, "start": "2026-10-10", "status": "draft"}
        )
    assert [o.order_date.isoformat() for o in response.context["page"].object_list] == [
        "2026-11-01",
        "2026-10-15",
    ]


def test_order_list_query_count_is_pinned(
    client, alice, alices_customer, tea, django_assert_max_num_queries
):
    for _ in range(30):
        create_order(alice, alices_customer.pk, [{"product": tea.pk, "quantity": 1}])
    login(client, alice)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("sales:orders"))
    assert len(response.context["page"].object_list) == 25


def test_order_list_pages_without_counting_every_order(client, alice, alices_customer, tea):
    for _ in range(27):
        create_order(alice, alices_customer.pk, [{"product": tea.pk, "quantity": 1}])
    login(client, alice)

    first = client.get(reverse("sales:orders")).content.decode()
    second = client.get(reverse("sales:orders"), {"page": 2}).content.decode()

    assert "Orders 1–25" in first and "page=2" in first
    assert "Orders 26–27" in second and "page=1" in second and "page=3" not in second


def test_a_short_order_list_says_how_many_orders(client, alice, alices_customer, tea):
    for _ in range(2):
        create_order(alice, alices_customer.pk, [{"product": tea.pk, "quantity": 1}])

    page = login(client, alice).get(reverse("sales:orders")).content.decode()

    assert "2 orders" in page and "page=2" not in page


@pytest.fixture
def quote(alice, alices_customer, tea, cups):
    return create_quote(
        alice,
        alices_customer.pk,
        [{"product": tea.pk, "quantity": 10, "discount_percent": 5}, {"product": cups.pk}],
        notes="含运费",
    )


def test_a_quote_is_created_from_the_form(client, alice, alices_customer, tea):
    response = login(client, alice).post(
        reverse("sales:quote_create"),
        {
            "customer": alices_customer.pk,
            "valid_until": "2027-01-31",
            **_lines({"product": tea.pk, "quantity": "3"}),
        },
    )
    quote = Quote.objects.get()
    assert response.url == reverse("sales:quote", args=[quote.pk])
    assert quote.total == Decimal("384.00")


def test_the_printable_quote_has_lines_totals_and_a_print_stylesheet(client, alice, quote):
    body = login(client, alice).get(reverse("sales:quote_print", args=[quote.pk])).content.decode()
    assert quote.number in body
    assert "@media print" in body
    assert "¥1,275.90" in body  # 1216.00 + 59.90


def test_a_quote_is_sent_accepted_and_turned_into_an_order(client, alice, quote):
    login(client, alice)
    page = client.get(reverse("sales:quote", args=[quote.pk]))
    assert [t["status"] for t in page.context["transitions"]] == ["sent", "rejected"]
    assert not page.context["can_convert"]
    client.post(reverse("sales:quote_status", args=[quote.pk]), {"status": "sent"})
    response = client.post(reverse("sales:quote_convert", args=[quote.pk]))
    order = Order.objects.get(quote=quote)
    assert response.url == reverse("sales:order", args=[order.pk])
    assert order.total == quote.total
    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED


def test_a_rejected_quote_offers_no_buttons(client, alice, quote):
    set_quote_status(alice, quote.pk, "rejected")
    page = login(client, alice).get(reverse("sales:quote", args=[quote.pk]))
    assert page.context["transitions"] == [] and not page.context["can_convert"]


def test_products_are_searched_and_managers_create_them(client, mike, alice, tea, cups):
    login(client, alice)
    found = client.get(reverse("sales:products"), {"q": "tea"}).context["page"].object_list
    assert {p.sku for p in found} == {"TEA-001", "CUP-006"}  # "Tea cups" matches too
    assert [
        p.sku
        for p in client.get(reverse("sales:products"), {"category": "ware"})
        .context["page"]
        .object_list
    ] == ["CUP-006"]
    login(client, mike).post(
        reverse("sales:product_create"),
        {"sku": "POT-1", "name": "Teapot", "list_price": "88", "currency": "CNY", "active": "on"},
    )
    assert Product.objects.get(sku="POT-1").list_price == Decimal("88.00")


def test_a_negative_list_price_is_a_field_error(client, mike):
    response = login(client, mike).post(
        reverse("sales:product_create"),
        {"sku": "BAD", "name": "Bad", "list_price": "-1", "currency": "CNY"},
    )
    assert "list_price" in response.context["form"].errors
    assert not Product.objects.filter(sku="BAD").exists()


def test_quote_and_product_lists_query_counts_are_pinned(
    client, alice, alices_customer, tea, django_assert_max_num_queries
):
    for _ in range(30):
        create_quote(alice, alices_customer.pk, [{"product": tea.pk, "quantity": 1}])
    login(client, alice)
    with django_assert_max_num_queries(7):
        quotes = client.get(reverse("sales:quotes"))
    with django_assert_max_num_queries(7):
        products = client.get(reverse("sales:products"))
    assert len(quotes.context["page"].object_list) == 25
    assert len(products.context["page"].object_list) == 1
