"""The analytics refresh: aggregate in SQL, fit and score with the engine, write one metrics
row per customer, a lifecycle snapshot for the month, and the association rules."""

import datetime as dt
import io
import logging
import time
import warnings

import numpy as np
import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from guanxi.analytics import aggregates, sqlite_arrow
from guanxi.analytics.engine import abc, basket, churn, credit, lifecycle, loyalty, rfm, selection
from guanxi.analytics.engine.clv import BetaGeoModel, GammaGammaModel, customer_lifetime_value
from guanxi.analytics.models import AssociationRule, CustomerMetrics, LifecycleSnapshot, RefreshRun
from guanxi.customers.models import Customer

log = logging.getLogger(__name__)

# The fewest repeat buyers for which the lifetime-value models are fitted at all.
MIN_REPEAT_BUYERS = 20


def _setting(name: str, default):
    return getattr(settings, name, default)


def refresh_metrics(as_of: dt.date | None = None) -> RefreshRun:
    """Recompute every customer's metrics as of ``as_of`` (default: today). Idempotent."""
    as_of = as_of or timezone.localdate()
    run = RefreshRun.objects.create(as_of=as_of)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    def lap(name: str, t0: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - t0, 3)
        return now

    try:
        t = time.perf_counter()
        window = _setting("ANALYTICS_WINDOW_DAYS", 90)
        # One pass over each big table; the aggregates below share the frames.
        orders = aggregates.purchase_orders(as_of)
        t = lap("sql_orders", t)
        lines = aggregates.order_lines()
        t = lap("sql_lines", t)
        buyers = aggregates.purchase_summary_from(orders, as_of, window)
        t = lap("purchases", t)
        payments = aggregates.credit_summary_from(orders, as_of)
        t = lap("credit", t)
        breadth = aggregates.purchase_breadth_from(orders, lines)
        t = lap("breadth", t)
        baskets = aggregates.basket_lines_from(
            orders, lines, as_of, _setting("ANALYTICS_BASKET_DAYS", 365)
        )
        del orders, lines  # the big frames go before the engine runs
        t = lap("basket_lines", t)
        everyone = _all_customers()
        t = lap("sql_customers", t)
        metrics, params = score(buyers, payments, breadth, everyone, as_of, window)
        t = lap("engine", t)
        _write_metrics(metrics, as_of)
        t = lap("write_metrics", t)
        _write_snapshot(metrics, as_of)
        t = lap("write_snapshot", t)
        params["rules"] = refresh_rules(as_of, baskets)
        lap("basket", t)
        run.customers = metrics.height
        run.orders = int(buyers["order_count"].sum() or 0) if buyers.height else 0
        run.params = {**params, "timings": timings}
    except Exception as exc:
        run.error = f"{type(exc).__name__}: {exc}"
        run.finished_at = timezone.now()
        run.seconds = round(time.perf_counter() - started, 3)
        run.save()
        raise
    run.finished_at = timezone.now()
    run.seconds = round(time.perf_counter() - started, 3)
    run.save()
    return run


def _all_customers() -> pl.DataFrame:
    rows = Customer.objects.alive().order_by().values_list("id", "owner_id")  # no sort needed
    frame = pl.DataFrame(
        list(rows), schema=[("customer_id", pl.Int64), ("owner_id", pl.Int64)], orient="row"
    )
    return frame


def score(
    buyers: pl.DataFrame,
    payments: pl.DataFrame,
    breadth: pl.DataFrame,
    everyone: pl.DataFrame,
    as_of: dt.date,
    window: int,
) -> tuple[pl.DataFrame, dict]:
    """Run every engine model over the per-customer aggregates; one row per customer."""
    params: dict = {}
    buyers = buyers.join(everyone.select("customer_id"), on="customer_id", how="semi")
    ids = buyers["customer_id"]
    out = everyone.join(buyers, on="customer_id", how="left")

    if buyers.height:
        graded = abc.classify(ids, buyers["revenue"]).select(
            "customer_id", "abc_class", "tier", "revenue_share"
        )
        scored = rfm.score(
            ids, buyers["days_since_last"], buyers["order_count"], buyers["revenue"]
        ).select(
            "customer_id",
            pl.col("r_score").alias("rfm_r"),
            pl.col("f_score").alias("rfm_f"),
            pl.col("m_score").alias("rfm_m"),
            pl.col("segment").alias("rfm_segment"),
        )
        out = out.join(graded, on="customer_id", how="left").join(
            scored, on="customer_id", how="left"
        )
        clv, params = _lifetime_value(buyers)
        out = out.join(clv, on="customer_id", how="left")
        loyal = loyalty.classify(
            ids,
            buyers["order_count"],
            buyers["days_since_last"],
            buyers["mean_interval_days"],
            buyers["std_interval_days"],
        ).select("customer_id", "loyalty")
        out = out.join(loyal, on="customer_id", how="left")
        risk = churn.risk(
            ids,
            buyers["days_since_last"],
            buyers["mean_interval_days"],
            p_alive=clv["p_alive"] if clv["p_alive"].null_count() == 0 else None,
        ).select("customer_id", "churn_score", "churn_band")
        out = out.join(risk, on="customer_id", how="left")
    else:
        out = out.with_columns(
            *[
                pl.lit(None, dtype=d).alias(c)
                for c, d in [
                    ("abc_class", pl.Utf8),
                    ("tier", pl.Utf8),
                    ("revenue_share", pl.Float64),
                    ("rfm_r", pl.Int8),
                    ("rfm_f", pl.Int8),
                    ("rfm_m", pl.Int8),
                    ("rfm_segment", pl.Utf8),
                    ("p_alive", pl.Float64),
                    ("expected_purchases", pl.Float64),
                    ("expected_spend", pl.Float64),
                    ("predicted_clv", pl.Float64),
                    ("loyalty", pl.Utf8),
                    ("churn_score", pl.Float64),
                    ("churn_band", pl.Utf8),
                ]
            ]
        )

    stages = lifecycle.stage(
        out["customer_id"],
        out["first_purchase"],
        out["last_purchase"],
        out["revenue_current"].fill_null(0.0),
        out["revenue_previous"].fill_null(0.0),
        as_of,
        window_days=window,
        previous_gap_days=out["last_gap"],
        expected_interval_days=out["mean_interval_days"],
    ).select("customer_id", "stage")
    out = out.join(stages, on="customer_id", how="left")

    if payments.height:
        graded_credit = credit.grade(
            payments["customer_id"],
            payments["avg_days_late"],
            payments["max_days_late"],
            payments["overdue_amount"],
            payments["overdue_ratio"],
            payments["late_share"],
        ).select(
            "customer_id",
            pl.col("risk_score").alias("credit_score"),
            pl.col("grade").alias("credit_grade"),
        )
        out = out.join(graded_credit, on="customer_id", how="left").join(
            payments.select("customer_id", pl.col("overdue_amount").alias("overdue")),
            on="customer_id",
            how="left",
        )
    else:
        out = out.with_columns(
            credit_score=pl.lit(None, pl.Float64),
            credit_grade=pl.lit(None, pl.Utf8),
            overdue=pl.lit(None, pl.Float64),
        )

    out = out.join(_selection(out, breadth), on="customer_id", how="left")
    return out, params


def _lifetime_value(buyers: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """BG/NBD + Gamma-Gamma when there is enough repeat buying, else empty predictions."""
    horizon = _setting("ANALYTICS_HORIZON_DAYS", 90)
    f = buyers["frequency"].to_numpy().astype(float)
    r = buyers["recency"].to_numpy()
    T = buyers["T"].to_numpy()  # noqa: N806
    m = buyers["monetary_value"].to_numpy()
    empty = pl.DataFrame({"customer_id": buyers["customer_id"]}).with_columns(
        p_alive=pl.lit(None, pl.Float64),
        expected_purchases=pl.lit(None, pl.Float64),
        expected_spend=pl.lit(None, pl.Float64),
        predicted_clv=pl.lit(None, pl.Float64),
    )
    if int((f > 0).sum()) < MIN_REPEAT_BUYERS:
        return empty, {"clv": f"skipped: fewer than {MIN_REPEAT_BUYERS} repeat buyers"}
    try:
        # The engine warns when a fit does not converge (as lifetimes does); here the run
        # records it in its params and the log says so.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            bg = BetaGeoModel(penalizer_coef=_setting("ANALYTICS_BGNBD_PENALIZER", 0.001)).fit(
                f, r, T
            )
            repeat = f > 0
            gg = GammaGammaModel().fit(f[repeat], m[repeat])
    except (ValueError, FloatingPointError) as exc:
        log.warning("lifetime-value models not fitted: %s", exc)
        return empty, {"clv": f"not fitted: {exc}"}
    for warning in caught:
        log.warning("lifetime-value models: %s", warning.message)
    spend = gg.expected_spend(f, np.where(f > 0, m, 0.0))
    frame = pl.DataFrame(
        {
            "customer_id": buyers["customer_id"],
            "p_alive": bg.p_alive(f, r, T),
            "expected_purchases": bg.expected_purchases(horizon, f, r, T),
            "expected_spend": spend,
            "predicted_clv": customer_lifetime_value(
                bg,
                gg,
                f,
                r,
                T,
                np.where(f > 0, m, 0.0),
                horizon=_setting("ANALYTICS_CLV_MONTHS", 12),
                discount_rate=_setting("ANALYTICS_MONTHLY_DISCOUNT", 0.01),
            ),
        }
    )
    params = {
        "bgnbd": {k: float(v) for k, v in bg.params_.items()},
        "gamma_gamma": {k: float(v) for k, v in gg.params_.items()},
        "converged": {"bgnbd": bg.converged_, "gamma_gamma": gg.converged_},
        "horizon_days": horizon,
    }
    return frame, params


#: The lifetime-value models by the names a run's params give them.
MODEL_NAMES = {"bgnbd": "BG/NBD", "gamma_gamma": "Gamma-Gamma"}


def unconverged(params: dict) -> list[str]:
    """The lifetime-value models of a run whose fit did not converge: their estimates (the
    expected purchases, or the expected spend per purchase, and so the lifetime value) are
    uncertain. A Gamma-Gamma fit does not converge when the customers' average spends hardly
    differ more than their single purchases do (the demo's small companies)."""
    return [MODEL_NAMES[k] for k, ok in params.get("converged", {}).items() if not ok]


def _selection(out: pl.DataFrame, breadth: pl.DataFrame) -> pl.DataFrame:
    """Attractiveness from purchases, growth, breadth and credit; ability to serve from the
    owning rep's load (a rep with fewer customers can serve each one better)."""
    bought = out.filter(pl.col("revenue").is_not_null()).join(breadth, on="customer_id", how="left")
    if bought.height == 0:
        return pl.DataFrame(
            schema={
                "customer_id": pl.Int64,
                "attractiveness": pl.Float64,
                "selection_quadrant": pl.Utf8,
            }
        )
    load = out.group_by("owner_id").agg(pl.len().alias("load"))
    # Customers in the public pool (no owner) are served by nobody yet: the pool counts as
    # one owner carrying all of them.
    bought = bought.join(load, on="owner_id", how="left", nulls_equal=True)
    result = selection.score(
        bought["customer_id"],
        bought["revenue"],
        incremental_purchases=(bought["revenue_current"] - bought["revenue_previous"])
        .clip(lower_bound=0)
        .fill_null(0),
        cross_purchase_breadth=bought["categories"].fill_null(0),
        credit_risk=bought["credit_score"].fill_null(0.0),
        ability_to_serve=(100.0 * (1.0 - bought["load"].rank("average") / (bought.height + 1))),
    )
    return result.select(
        "customer_id", "attractiveness", pl.col("quadrant").alias("selection_quadrant")
    )


METRIC_COLUMNS = [
    "customer_id",
    "computed_at",
    "as_of",
    "first_purchase",
    "last_purchase",
    "order_count",
    "revenue",
    "frequency",
    "recency",
    "T",
    "monetary_value",
    "abc_class",
    "tier",
    "revenue_share",
    "rfm_r",
    "rfm_f",
    "rfm_m",
    "rfm_segment",
    "p_alive",
    "expected_purchases",
    "expected_spend",
    "predicted_clv",
    "stage",
    "loyalty",
    "churn_score",
    "churn_band",
    "credit_grade",
    "credit_score",
    "overdue_amount",
    "attractiveness",
    "selection_quadrant",
]


def _metrics_frame(metrics: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    now = timezone.now()
    frame = metrics.sort("customer_id").with_columns(  # primary-key order: appends, not splits
        computed_at=pl.lit(now.isoformat()),
        as_of=pl.lit(as_of.isoformat()),
        first_purchase=pl.col("first_purchase").cast(pl.Utf8),
        last_purchase=pl.col("last_purchase").cast(pl.Utf8),
        order_count=pl.col("order_count").fill_null(0),
        revenue=pl.col("revenue").fill_null(0.0).round(2),
        frequency=pl.col("frequency").fill_null(0),
        recency=pl.col("recency").fill_null(0.0),
        T=pl.col("T").fill_null(0.0),
        monetary_value=pl.col("monetary_value").fill_null(0.0),
        revenue_share=pl.col("revenue_share").fill_null(0.0),
        overdue_amount=pl.col("overdue").fill_null(0.0).round(2),
        **{
            c: pl.col(c).fill_null("")
            for c in (
                "abc_class",
                "tier",
                "rfm_segment",
                "stage",
                "loyalty",
                "churn_band",
                "credit_grade",
                "selection_quadrant",
            )
        },
    )
    return frame.select(METRIC_COLUMNS)


def _write_metrics(metrics: pl.DataFrame, as_of: dt.date) -> None:
    """Replace the metrics table in one transaction (readers see the old rows until commit)."""
    table = CustomerMetrics._meta.db_table
    path = aggregates.sqlite_file()
    if path is not None:
        # Through ADBC, which binds the Arrow columns in C: twice as fast as executemany.
        sqlite_arrow.replace(path, table, _metrics_frame(metrics, as_of))
        return
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
            # Rebuilding the secondary indexes after the load (a sort each) beats updating them
            # row by row; SQLite's DDL is transactional, so readers still see the old table.
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                " AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
            indexes = cursor.fetchall()
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            _insert(cursor, table, _metrics_frame(metrics, as_of))
            for _, sql in indexes:
                cursor.execute(sql)
        else:
            # TRUNCATE is transactional in PostgreSQL and, unlike DELETE, leaves no million dead
            # rows behind; readers wait for the commit (seconds, at night) instead of seeing the
            # old rows. The secondary indexes are rebuilt once after the COPY.
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
                " AND indexname NOT IN (SELECT conname FROM pg_constraint"
                " WHERE conrelid = %s::regclass)",
                [table, table],
            )
            indexes = cursor.fetchall()
            cursor.execute(f"TRUNCATE {table}")
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            _insert(cursor, table, _metrics_frame(metrics, as_of))
            for _, sql in indexes:
                cursor.execute(sql)


def _insert(cursor, table: str, frame: pl.DataFrame) -> None:
    """Bulk-insert ``frame`` (columns named as the table's; text never null): COPY of CSV made
    by Polars on PostgreSQL, ``executemany`` of column-wise built tuples on SQLite."""
    columns = ", ".join(connection.ops.quote_name(c) for c in frame.columns)
    if connection.vendor == "postgresql":
        buf = io.BytesIO()
        # Strings are quoted, so "" is an empty string; a null is unquoted empty: NULL.
        frame.write_csv(buf, include_header=False, quote_style="non_numeric")
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buf.getbuffer())
        return
    placeholders = ", ".join(["%s"] * frame.width)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    for chunk in frame.iter_slices(100_000):
        cursor.executemany(sql, zip(*(chunk[c].to_list() for c in chunk.columns), strict=True))


def _write_snapshot(metrics: pl.DataFrame, as_of: dt.date) -> None:
    """Keep one lifecycle snapshot per month: the newest refresh of the month replaces it.

    The rows are copied inside the database from the metrics just written, so a million
    stages never travel through Python a second time.
    """
    month_start = as_of.replace(day=1)
    snapshot = LifecycleSnapshot._meta.db_table
    source = CustomerMetrics._meta.db_table
    day = as_of if connection.vendor == "postgresql" else as_of.isoformat()
    with transaction.atomic(), connection.cursor() as cursor:
        LifecycleSnapshot.objects.filter(as_of__gte=month_start, as_of__lte=as_of).delete()
        cursor.execute(
            f"INSERT INTO {snapshot} (as_of, customer_id, stage) "  # noqa: S608 - table names
            f"SELECT %s, customer_id, stage FROM {source} ORDER BY customer_id",
            [day],
        )


def refresh_rules(as_of: dt.date, lines: pl.DataFrame | None = None) -> dict:
    """Mine cross-sell rules from the last year's purchase baskets (``lines`` as from
    :func:`aggregates.basket_lines`, loaded when not given)."""
    if lines is None:
        lines = aggregates.basket_lines(as_of, _setting("ANALYTICS_BASKET_DAYS", 365))
    min_support = _setting("ANALYTICS_BASKET_MIN_SUPPORT", 0.005)
    min_confidence = _setting("ANALYTICS_BASKET_MIN_CONFIDENCE", 0.2)
    now = timezone.now()
    rules = (
        basket.association_rules(
            lines, min_support, min_confidence, max_len=_setting("ANALYTICS_BASKET_MAX_LEN", 3)
        )
        if lines.height
        else None
    )
    with transaction.atomic():
        AssociationRule.objects.all().delete()
        if rules is not None and rules.height:
            AssociationRule.objects.bulk_create(
                [
                    AssociationRule(
                        antecedents=list(r["antecedents"]),
                        consequents=list(r["consequents"]),
                        support=r["support"],
                        confidence=r["confidence"],
                        lift=r["lift"],
                        leverage=r["leverage"],
                        conviction=None if not np.isfinite(r["conviction"]) else r["conviction"],
                        computed_at=now,
                    )
                    for r in rules.head(5000).iter_rows(named=True)
                ],
                batch_size=1000,
            )
    return {
        "baskets": int(lines["basket_id"].n_unique()) if lines.height else 0,
        "rules": 0 if rules is None else rules.height,
        "min_support": min_support,
        "min_confidence": min_confidence,
    }
