"""Per-customer aggregates of the purchase history, computed by the database.

The heavy scan over orders runs where the data is (SQLite, PostgreSQL) as one GROUP BY; only
the per-customer summary, one row per customer, comes back to Python for the models. The same
SQL serves both engines; only date arithmetic differs.
"""

import datetime as dt

import polars as pl
from django.db import connection

from guanxi.sales.models import PURCHASE_STATUSES, Order, OrderLine, Product


def _days_between(later: str, earlier: str) -> str:
    """SQL for the whole days from ``earlier`` to ``later`` (both DATE expressions)."""
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _param_date(value: dt.date):
    return value if connection.vendor == "postgresql" else value.isoformat()


def _statuses() -> str:
    return ", ".join(f"'{s}'" for s in PURCHASE_STATUSES)  # fixed enum values, not user input


def _frame(sql: str, params: list, schema: dict) -> pl.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=list(schema.items()), orient="row")


PURCHASE_SCHEMA = {
    "customer_id": pl.Int64, "first_purchase": pl.Date, "last_purchase": pl.Date,
    "order_count": pl.Int64, "purchase_days": pl.Int64, "revenue": pl.Float64,
    "first_day_amount": pl.Float64, "sum_gap": pl.Float64, "sum_gap_sq": pl.Float64,
    "last_gap": pl.Float64, "revenue_current": pl.Float64, "revenue_previous": pl.Float64,
}


def purchase_summary(as_of: dt.date, window_days: int = 90) -> pl.DataFrame:
    """One row per customer who bought on or before ``as_of``.

    Columns: customer_id, first_purchase, last_purchase (dates), order_count, revenue,
    frequency / recency / T / monetary_value in days under the BG/NBD conventions (a day with
    several orders counts once, its amounts summed), mean and standard deviation of the gaps
    between purchase days, the gap before the last purchase, and revenue in the current and
    the previous window of ``window_days``.
    """
    table = Order._meta.db_table
    gap = _days_between("d", "LAG(d) OVER (PARTITION BY customer_id ORDER BY d)")
    cur_from = as_of - dt.timedelta(days=window_days)
    prev_from = as_of - dt.timedelta(days=2 * window_days)
    sql = f"""
        WITH daily AS (
            SELECT customer_id, order_date AS d, SUM(total) AS amt, COUNT(*) AS n
            FROM {table}
            WHERE status IN ({_statuses()}) AND order_date <= %s
            GROUP BY customer_id, order_date
        ), days AS (
            SELECT customer_id, d, amt, n, {gap} AS gap,
                   ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY d) AS rn,
                   ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY d DESC) AS rn_desc
            FROM daily
        )
        SELECT customer_id, MIN(d), MAX(d), SUM(n), COUNT(*), SUM(amt),
               SUM(CASE WHEN rn = 1 THEN amt ELSE 0 END),
               SUM(gap), SUM(gap * gap),
               MAX(CASE WHEN rn_desc = 1 THEN gap END),
               SUM(CASE WHEN d > %s THEN amt ELSE 0 END),
               SUM(CASE WHEN d > %s AND d <= %s THEN amt ELSE 0 END)
        FROM days GROUP BY customer_id
    """  # noqa: S608 - table names and enum values only; values are parameters
    params = [_param_date(as_of), _param_date(cur_from), _param_date(prev_from),
              _param_date(cur_from)]
    # SQLite hands dates back as ISO text, PostgreSQL as dates.
    text_dates = connection.vendor != "postgresql"
    schema = {k: (pl.Utf8 if text_dates and v == pl.Date else v) for k, v in PURCHASE_SCHEMA.items()}
    frame = _frame(sql, params, schema)
    if text_dates:
        frame = frame.with_columns(pl.col("first_purchase", "last_purchase").str.to_date())
    end = pl.lit(as_of)
    repeat = (pl.col("purchase_days") - 1).cast(pl.Int64)
    mean_gap = pl.when(repeat > 0).then(pl.col("sum_gap") / repeat).otherwise(None)
    var_gap = pl.when(repeat > 1).then(
        (pl.col("sum_gap_sq") - pl.col("sum_gap") ** 2 / repeat) / (repeat - 1)
    ).otherwise(None)
    return frame.with_columns(
        frequency=repeat,
        recency=(pl.col("last_purchase") - pl.col("first_purchase")).dt.total_days().cast(pl.Float64),
        T=(end - pl.col("first_purchase")).dt.total_days().cast(pl.Float64),
        monetary_value=pl.when(repeat > 0)
        .then((pl.col("revenue") - pl.col("first_day_amount")) / repeat)
        .otherwise(0.0),
        mean_interval_days=mean_gap,
        std_interval_days=var_gap.clip(lower_bound=0).sqrt(),
        days_since_last=(end - pl.col("last_purchase")).dt.total_days().cast(pl.Float64),
    ).drop("sum_gap", "sum_gap_sq")


CREDIT_SCHEMA = {
    "customer_id": pl.Int64, "invoices": pl.Int64, "invoiced_amount": pl.Float64,
    "avg_days_late": pl.Float64, "max_days_late": pl.Float64, "overdue_amount": pl.Float64,
    "late_invoices": pl.Int64,
}


def credit_summary(as_of: dt.date) -> pl.DataFrame:
    """Payment behaviour per customer over orders with a due date.

    An order is late by (paid date − due date) when paid after its due date, by
    (as_of − due date) while unpaid past due, else 0; overdue = unpaid past due.
    """
    table = Order._meta.db_table
    late_paid = _days_between("paid_date", "due_date")
    late_open = _days_between("%s", "due_date")
    late = (f"CASE WHEN paid_date IS NOT NULL THEN (CASE WHEN paid_date > due_date THEN {late_paid}"
            f" ELSE 0 END) WHEN due_date < %s THEN {late_open} ELSE 0 END")
    sql = f"""
        SELECT customer_id, COUNT(*), SUM(total), AVG(late), MAX(late),
               SUM(CASE WHEN paid_date IS NULL AND due_date < %s THEN total ELSE 0 END),
               SUM(CASE WHEN late > 0 THEN 1 ELSE 0 END)
        FROM (SELECT customer_id, total, paid_date, due_date, {late} AS late
              FROM {table}
              WHERE status IN ({_statuses()}) AND due_date IS NOT NULL AND order_date <= %s) o
        GROUP BY customer_id
    """  # noqa: S608 - table names and enum values only; values are parameters
    # Every placeholder in this statement is the as-of date.
    raw = _frame(sql, [_param_date(as_of)] * sql.count("%s"), CREDIT_SCHEMA)
    return raw.with_columns(
        overdue_ratio=pl.when(pl.col("invoiced_amount") > 0)
        .then(pl.col("overdue_amount") / pl.col("invoiced_amount")).otherwise(0.0)
        .clip(0.0, 1.0),
        late_share=pl.col("late_invoices") / pl.col("invoices"),
    ).drop("late_invoices")


BREADTH_SCHEMA = {"customer_id": pl.Int64, "products": pl.Int64, "categories": pl.Int64}


def purchase_breadth(as_of: dt.date) -> pl.DataFrame:
    """How many distinct products and categories each customer has bought (cross-purchase)."""
    sql = f"""
        SELECT o.customer_id, COUNT(DISTINCT l.product_id), COUNT(DISTINCT p.category)
        FROM {OrderLine._meta.db_table} l
        JOIN {Order._meta.db_table} o ON o.id = l.order_id
        JOIN {Product._meta.db_table} p ON p.id = l.product_id
        WHERE o.status IN ({_statuses()}) AND o.order_date <= %s
        GROUP BY o.customer_id
    """  # noqa: S608 - table names and enum values only; values are parameters
    return _frame(sql, [_param_date(as_of)], BREADTH_SCHEMA)


def basket_lines(as_of: dt.date, days: int) -> pl.DataFrame:
    """(basket_id, item) pairs: the products of each purchase order in the last ``days``."""
    sql = f"""
        SELECT l.order_id, l.product_id
        FROM {OrderLine._meta.db_table} l
        JOIN {Order._meta.db_table} o ON o.id = l.order_id
        WHERE o.status IN ({_statuses()}) AND o.order_date > %s AND o.order_date <= %s
    """  # noqa: S608 - table names and enum values only; values are parameters
    since = as_of - dt.timedelta(days=days)
    return _frame(sql, [_param_date(since), _param_date(as_of)],
                  {"basket_id": pl.Int64, "item": pl.Int64})
