"""The analytics refresh: SQL aggregates equal the engine's, and every customer gets a row."""

import datetime as dt
import random
import warnings
from decimal import Decimal

import numpy as np
import polars as pl
import pytest

from guanxi.analytics import aggregates, refresh
from guanxi.analytics.engine.summary import summarize
from guanxi.analytics.models import CustomerMetrics, LifecycleSnapshot, RefreshRun
from guanxi.analytics.refresh import refresh_metrics
from guanxi.customers.services import create_customer
from guanxi.sales.services import create_order, create_product
from tests.analytics.engine.simulate import bgnbd_histories

AS_OF = dt.date(2026, 7, 1)


@pytest.fixture
def product(ada):
    return create_product(
        ada, {"sku": "OIL-5W30", "name": "机油 5W-30", "list_price": Decimal("100")}
    )


def buy(user, customer, product, day, total, **extra):
    return create_order(
        user,
        customer.pk,
        [{"product": product.pk, "quantity": 1, "unit_price": Decimal(total)}],
        status=extra.pop("status", "confirmed"),
        order_date=day,
        **extra,
    )


@pytest.fixture
def history(alice, product):
    """王芳 bought four times on three days; 李强 once; 张敏 never."""
    wang = create_customer(alice, {"name": "王芳"})
    li = create_customer(alice, {"name": "李强"})
    zhang = create_customer(alice, {"name": "张敏"})
    buy(
        alice,
        wang,
        product,
        dt.date(2026, 1, 1),
        100,
        due_date=dt.date(2026, 2, 1),
        paid_date=dt.date(2026, 2, 11),
        status="paid",
    )
    buy(alice, wang, product, dt.date(2026, 1, 1), 50)
    buy(alice, wang, product, dt.date(2026, 3, 1), 200)
    buy(alice, wang, product, dt.date(2026, 6, 1), 300, due_date=dt.date(2026, 6, 15))
    buy(alice, li, product, dt.date(2026, 5, 1), 80)
    buy(alice, li, product, dt.date(2026, 8, 1), 999)  # after the as-of date: ignored
    buy(alice, li, product, dt.date(2026, 4, 1), 70, status="draft")  # not a purchase
    return {"wang": wang, "li": li, "zhang": zhang}


def test_the_sql_summary_follows_the_bgnbd_conventions(history):
    row = aggregates.purchase_summary(AS_OF).filter(pl.col("customer_id") == history["wang"].pk)
    got = row.select("order_count", "revenue", "frequency", "recency", "T", "monetary_value").row(0)
    assert got == (4, 650.0, 2, 151.0, 181.0, 250.0)


def test_a_single_purchase_has_frequency_zero_and_no_monetary_value(history):
    row = aggregates.purchase_summary(AS_OF).filter(pl.col("customer_id") == history["li"].pk)
    assert row.select("frequency", "recency", "T", "monetary_value", "revenue").row(0) == (
        0,
        0.0,
        61.0,
        0.0,
        80.0,
    )


def test_the_sql_summary_equals_the_engine_summary_on_random_orders(alice, product):
    rng = random.Random(7)
    ids, dates, amounts = [], [], []
    for i in range(15):
        customer = create_customer(alice, {"name": f"客户{i}"})
        for _ in range(rng.randint(1, 5)):
            day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 540))
            amount = rng.randint(1, 500)
            buy(alice, customer, product, day, amount)
            ids.append(customer.pk)
            dates.append(day)
            amounts.append(float(amount))
    expected = summarize(ids, dates, amounts, observation_end=AS_OF).sort("customer_id")
    got = aggregates.purchase_summary(AS_OF).sort("customer_id").select(expected.columns)
    kept = expected.filter(pl.col("customer_id").is_in(got["customer_id"].implode()))
    assert got["customer_id"].to_list() == kept["customer_id"].to_list()
    for column in ("frequency", "recency", "T", "monetary_value"):
        assert got[column].cast(pl.Float64).to_list() == pytest.approx(
            kept[column].cast(pl.Float64).to_list()
        ), column


def test_payment_behaviour_counts_late_payments_and_open_overdue_amounts(history):
    row = aggregates.credit_summary(AS_OF).filter(pl.col("customer_id") == history["wang"].pk)
    got = row.select("invoices", "avg_days_late", "max_days_late", "overdue_amount").row(0)
    assert got == (2, 13.0, 16.0, 300.0)  # 10 days late paid, 16 days overdue and open


def test_refresh_writes_one_row_per_customer_including_those_who_never_bought(history):
    run = refresh_metrics(AS_OF)
    assert run.error == "" and run.customers == 3
    assert CustomerMetrics.objects.count() == 3
    never = CustomerMetrics.objects.get(customer=history["zhang"])
    assert (never.stage, never.order_count, never.abc_class) == ("potential", 0, "")


def test_refresh_grades_value_with_abc_and_rfm(history):
    refresh_metrics(AS_OF)
    wang = CustomerMetrics.objects.get(customer=history["wang"])
    li = CustomerMetrics.objects.get(customer=history["li"])
    # 王芳 brings 650 of 730 (89%) and so closes A; 李强 starts at 89% < 95%: B.
    assert (wang.abc_class, li.abc_class) == ("A", "B")
    assert wang.revenue == Decimal("650.00")
    assert wang.rfm_segment and wang.rfm_r is not None


def test_refresh_keeps_one_lifecycle_snapshot_per_month(history):
    refresh_metrics(AS_OF)
    refresh_metrics(AS_OF + dt.timedelta(days=3))
    assert LifecycleSnapshot.objects.values("as_of").distinct().count() == 1
    assert LifecycleSnapshot.objects.count() == 3


def test_refresh_is_idempotent(history):
    refresh_metrics(AS_OF)
    first = list(CustomerMetrics.objects.order_by("pk").values_list("revenue", "stage", "tier"))
    refresh_metrics(AS_OF)
    assert (
        list(CustomerMetrics.objects.order_by("pk").values_list("revenue", "stage", "tier"))
        == first
    )
    assert RefreshRun.objects.count() == 2


def test_refresh_on_an_empty_database_writes_nothing_and_fails_nothing(db):
    run = refresh_metrics(AS_OF)
    assert (run.customers, run.error) == (0, "")


def test_purging_a_customer_removes_its_metrics_and_snapshots(history, alice, ada):
    from guanxi.customers.services import delete_customer, purge_customer

    refresh_metrics(AS_OF)
    zhang = history["zhang"]
    delete_customer(alice, zhang.pk)
    purge_customer(ada, zhang.pk)
    assert not CustomerMetrics.objects.filter(customer_id=zhang.pk).exists()
    assert not LifecycleSnapshot.objects.filter(customer_id=zhang.pk).exists()


def _buyers_spending_alike(n: int = 300) -> pl.DataFrame:
    """Repeat buyers who all spend the same per purchase: a Gamma-Gamma fit cannot converge
    (no spread in spend for it to explain)."""
    rng = np.random.default_rng(3)
    x, recency, age = bgnbd_histories(
        rng, n, r=0.24, alpha=4.41, a=0.79, b=2.43, T=rng.uniform(27, 39, n)
    )
    return pl.DataFrame(
        {
            "customer_id": np.arange(1, n + 1),
            "frequency": x,
            "recency": recency,
            "T": age,
            "monetary_value": np.where(x > 0, 100.0, 0.0),
        }
    )


def test_a_fit_that_does_not_converge_is_recorded_and_logged_not_warned(caplog):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning reaching the caller fails the test
        _frame, params = refresh._lifetime_value(_buyers_spending_alike())
    assert params["converged"] == {"bgnbd": True, "gamma_gamma": False}
    assert refresh.unconverged(params) == ["Gamma-Gamma"]
    assert "Gamma-Gamma fit did not converge" in caplog.text
