"""Analytics API: values, segments, Pareto and cross-sell rules under the visibility rules."""

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.analytics import queries
from guanxi.analytics.models import CustomerMetrics
from guanxi.analytics.refresh import refresh_metrics
from guanxi.customers.services import create_customer, delete_customer
from guanxi.sales.services import create_order, create_product

AS_OF = dt.date(2026, 7, 1)


@pytest.fixture
def shop(ada, alice, charlie):
    """Beer and diapers: whoever buys diapers buys beer; alice's and charlie's customers."""
    beer = create_product(ada, {"sku": "BEER", "name": "啤酒", "list_price": Decimal("8")})
    diapers = create_product(ada, {"sku": "DIAP", "name": "尿布", "list_price": Decimal("60")})
    milk = create_product(ada, {"sku": "MILK", "name": "牛奶", "list_price": Decimal("12")})
    customers = {}
    for owner, name, n in [(alice, "王芳", 6), (alice, "李强", 2), (charlie, "张敏", 4)]:
        customer = create_customer(owner, {"name": name})
        customers[name] = customer
        for i in range(n):
            lines = [
                {"product": diapers.pk, "quantity": 1, "unit_price": Decimal("60")},
                {"product": beer.pk, "quantity": 2, "unit_price": Decimal("8")},
            ]
            if i % 2:
                lines = [{"product": milk.pk, "quantity": 1, "unit_price": Decimal("12")}]
            create_order(
                owner,
                customer.pk,
                lines,
                status="confirmed",
                order_date=dt.date(2026, 1, 5) + dt.timedelta(days=20 * i),
            )
    only_diapers = create_customer(alice, {"name": "赵磊"})
    create_order(
        alice,
        only_diapers.pk,
        [{"product": diapers.pk, "quantity": 1, "unit_price": Decimal("60")}],
        status="confirmed",
        order_date=dt.date(2026, 6, 1),
    )
    customers["赵磊"] = only_diapers
    refresh_metrics(AS_OF)
    return {"customers": customers, "beer": beer, "diapers": diapers}


def test_a_rep_reads_the_value_of_own_customer(client, alice, shop):
    client.force_login(alice)
    body = client.get(f"/api/v1/analytics/customers/{shop['customers']['王芳'].pk}").json()
    assert body["order_count"] == 6
    assert body["tier"] in {"VIP", "major", "normal", "small"}
    assert body["stage"] and body["rfm_segment"]


def test_another_reps_customer_value_is_a_404(client, alice, shop):
    client.force_login(alice)
    response = client.get(f"/api/v1/analytics/customers/{shop['customers']['张敏'].pk}")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_segments_count_only_the_customers_the_user_may_see(client, alice, ada, shop):
    client.force_login(alice)
    mine = sum(
        s["customers"] for s in client.get("/api/v1/analytics/segments?by=tier").json()["segments"]
    )
    client.force_login(ada)
    everyone = sum(
        s["customers"] for s in client.get("/api/v1/analytics/segments?by=tier").json()["segments"]
    )
    assert (mine, everyone) == (3, 4)


def test_an_unknown_segment_field_is_a_clear_422(client, alice, shop):
    client.force_login(alice)
    response = client.get("/api/v1/analytics/segments?by=password")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "by"


def test_the_pareto_curve_runs_from_nothing_to_everything(client, ada, shop):
    client.force_login(ada)
    body = client.get("/api/v1/analytics/pareto?points=10").json()
    assert body["points"][0] == [0.0, 0.0] and body["points"][-1] == [1.0, 1.0]
    assert body["customers"] == 4 and 0 < body["top20_share"] <= 1


def test_basket_rules_find_that_diaper_buyers_buy_beer(client, alice, shop):
    client.force_login(alice)
    rules = client.get("/api/v1/analytics/basket/rules").json()["items"]
    rule = next(
        r for r in rules if r["antecedent_names"] == ["尿布"] and r["consequent_names"] == ["啤酒"]
    )
    assert rule["confidence"] == pytest.approx(6 / 7)  # 7 baskets with diapers, 6 with beer


def test_a_customer_who_bought_only_diapers_is_offered_beer(client, alice, shop):
    client.force_login(alice)
    body = client.get(f"/api/v1/analytics/customers/{shop['customers']['赵磊'].pk}").json()
    first = body["cross_sell"][0]
    assert (first["sku"], first["because"]) == ("BEER", ["尿布"])


def test_value_before_any_refresh_is_empty_not_an_error(client, alice, alices_customer):
    client.force_login(alice)
    body = client.get(f"/api/v1/analytics/customers/{alices_customer.pk}").json()
    assert (body["as_of"], body["order_count"], body["cross_sell"]) == (None, 0, [])


def test_the_analytics_api_needs_authentication(client, shop):
    assert client.get("/api/v1/analytics/segments").status_code == 401


def test_an_admins_figures_leave_out_a_customer_deleted_since_the_refresh(client, ada, shop):
    delete_customer(ada, shop["customers"]["张敏"].pk)
    client.force_login(ada)

    segments = client.get("/api/v1/analytics/segments?by=tier").json()["segments"]
    pareto = client.get("/api/v1/analytics/pareto").json()

    assert sum(s["customers"] for s in segments) == 3
    assert pareto["customers"] == 3


@pytest.mark.parametrize("few", [False, True], ids=["a probe per row", "the customers' list"])
def test_a_reps_pareto_curve_counts_only_her_customers(request, client, alice, shop, few):
    if few:
        request.getfixturevalue("small_reach")
    client.force_login(alice)

    assert client.get("/api/v1/analytics/pareto").json()["customers"] == 3


@pytest.mark.parametrize("few", [False, True], ids=["a probe per row", "the customers' list"])
def test_the_win_back_list_holds_only_the_reps_customers(request, alice, shop, few):
    if few:
        request.getfixturevalue("small_reach")
    CustomerMetrics.objects.update(tier="VIP", churn_band="high")

    names = {m.customer.name for m in queries.at_risk_key_customers(alice)}

    assert names == {"王芳", "李强", "赵磊"}
