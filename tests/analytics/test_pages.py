"""Analytics pages: the overview and the value panel of the customer card."""

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.analytics.refresh import refresh_metrics
from guanxi.customers.services import create_customer
from guanxi.sales.services import create_order, create_product


@pytest.fixture
def bought(ada, alice):
    product = create_product(ada, {"sku": "TYRE", "name": "轮胎", "list_price": Decimal("500")})
    customer = create_customer(alice, {"name": "陈静"})
    for month in (1, 3, 5):
        create_order(
            alice,
            customer.pk,
            [{"product": product.pk, "quantity": 4, "unit_price": Decimal("500")}],
            status="confirmed",
            order_date=dt.date(2026, month, 10),
        )
    refresh_metrics(dt.date(2026, 7, 1))
    return customer


def test_the_overview_shows_segments_and_the_pareto_share(client, alice, bought):
    client.force_login(alice)
    page = client.get("/analytics/")
    assert page.status_code == 200
    assert "Pareto" in page.content.decode()
    assert page.context["segments"][0]["customers"] == 1


def test_the_overview_before_any_refresh_says_so(client, alice):
    client.force_login(alice)
    assert "Not computed yet" in client.get("/analytics/").content.decode()


def test_the_value_panel_shows_the_customers_tier_and_history(client, alice, bought):
    client.force_login(alice)
    html = client.get(f"/analytics/customers/{bought.pk}/panel/").content.decode()
    assert "¥6,000.00" in html and "3 orders" in html


def test_another_reps_value_panel_is_a_404(client, charlie, bought):
    client.force_login(charlie)
    assert client.get(f"/analytics/customers/{bought.pk}/panel/").status_code == 404


def test_only_an_admin_may_start_a_refresh(client, alice, ada, bought):
    client.force_login(alice)
    assert client.post("/analytics/refresh/").status_code == 403
    client.force_login(ada)
    assert client.post("/analytics/refresh/").status_code == 302


def test_the_overview_lists_segments_in_chinese(client, alice, bought):
    client.force_login(alice)
    client.cookies["django_language"] = "zh-hans"
    page = client.get("/analytics/?by=stage")
    assert page.status_code == 200
    assert 'lang="zh-hans"' in page.content.decode()


def test_the_value_panel_names_the_products_behind_a_suggestion(client, alice, ada, bought):
    from guanxi.analytics.models import AssociationRule
    from guanxi.sales.models import Product

    tyre = Product.objects.get(sku="TYRE")
    alignment = create_product(
        ada, {"sku": "ALIGN", "name": "四轮定位", "list_price": Decimal("200")}
    )
    AssociationRule.objects.create(
        antecedents=[tyre.pk],
        consequents=[alignment.pk],
        support=0.3,
        confidence=0.7,
        lift=2.0,
        leverage=0.1,
        conviction=2.0,
        computed_at=bought.created_at,
    )
    client.force_login(alice)
    html = client.get(f"/analytics/customers/{bought.pk}/panel/").content.decode()
    assert "四轮定位" in html and "70% of those who bought 轮胎 bought it too" in html
