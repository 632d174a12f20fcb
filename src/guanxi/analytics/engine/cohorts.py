"""Acquisition-month cohorts and their retention.

Rules
-----
- A customer's cohort is the calendar month of their first order *in the rows given* (pass the
  whole history, or at least every customer's first order, or cohorts start too late).
- ``period`` is whole calendar months since the cohort month (0 = the acquisition month).
- A customer is *active* in a period when they have at least one row (order) in that month,
  whatever its amount; ``retention_rate = active_customers / cohort_size``.
- ``revenue`` is the sum of amounts in that month from the cohort's customers.
- Every cohort gets a row for every period from 0 to the last month in the data (or
  ``as_of``), with zeros where nobody bought, so heatmaps have no holes.

Rows may be individual orders or per-customer-month aggregates (e.g. from SQL): the result is
the same, which lets the database do the heavy scan.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from guanxi.analytics.engine._validation import (
    ArrayLike,
    customer_ids,
    dates,
    numeric,
)

SCHEMA: dict[str, pl.DataType] = {
    "cohort": pl.Date(),
    "period": pl.Int32(),
    "cohort_size": pl.Int64(),
    "active_customers": pl.Int64(),
    "retention_rate": pl.Float64(),
    "revenue": pl.Float64(),
}


def _month_index(col: pl.Expr) -> pl.Expr:
    return col.dt.year().cast(pl.Int32) * 12 + col.dt.month().cast(pl.Int32) - 1


def retention(
    customer_id: ArrayLike,
    order_date: ArrayLike,
    amount: ArrayLike,
    *,
    as_of: dt.date | None = None,
) -> pl.DataFrame:
    """Build the cohort x months-since-acquisition retention table.

    Parameters
    ----------
    customer_id : array-like
        Customer of each order (repeats allowed).
    order_date : array-like of date or datetime
        Order date (time-zone aware datetimes are taken in their own zone).
    amount : array-like of float
        Order amount (>= 0; net refunds into the order or month before calling).
    as_of : datetime.date, optional
        Extend every cohort's periods up to this month; default: the last order month. Orders
        after ``as_of`` are not allowed.

    Returns
    -------
    polars.DataFrame
        Long format sorted by ``cohort`` then ``period``: ``cohort`` (Date, first day of the
        acquisition month), ``period`` (Int32, months since), ``cohort_size``,
        ``active_customers`` (Int64), ``retention_rate`` and ``revenue`` (Float64). Empty with
        these columns when there are no orders. See :func:`to_matrix` to pivot.

    Raises
    ------
    ValueError
        On missing ids or dates, missing or negative amounts, orders after ``as_of`` or
        mismatched lengths.
    """
    ids = customer_ids(customer_id, unique=False)
    n = ids.len()
    when = dates(order_date, "order_date", n)
    amt = numeric(amount, "amount", n, min_value=0)
    if n == 0:
        return pl.DataFrame(schema=SCHEMA)

    orders = pl.DataFrame({"customer_id": ids, "month": when, "amount": amt}).with_columns(
        _month_index(pl.col("month")).alias("month")
    )
    last_month = int(orders["month"].max())  # type: ignore[arg-type]
    if as_of is not None:
        if not isinstance(as_of, dt.date):
            raise ValueError(f"as_of must be a date, got {type(as_of).__name__}")
        limit = as_of.year * 12 + as_of.month - 1
        if last_month > limit:
            raise ValueError("order_date has orders after as_of")
        last_month = limit

    per_month = orders.lazy().group_by("customer_id", "month").agg(pl.col("amount").sum())
    first = per_month.group_by("customer_id").agg(pl.col("month").min().alias("cohort"))
    activity = (
        per_month.join(first, on="customer_id")
        .with_columns((pl.col("month") - pl.col("cohort")).alias("period"))
        .group_by("cohort", "period")
        .agg(
            pl.len().cast(pl.Int64).alias("active_customers"),
            pl.col("amount").sum().alias("revenue"),
        )
        .collect()
    )
    sizes = activity.filter(pl.col("period") == 0).select(
        "cohort", pl.col("active_customers").alias("cohort_size")
    )
    grid = sizes.with_columns(
        pl.int_ranges(0, last_month - pl.col("cohort") + 1, dtype=pl.Int32).alias("period")
    ).explode("period")
    return (
        grid.join(activity, on=["cohort", "period"], how="left")
        .with_columns(
            pl.col("active_customers").fill_null(0),
            pl.col("revenue").fill_null(0.0),
        )
        .with_columns(
            (pl.col("active_customers") / pl.col("cohort_size")).alias("retention_rate"),
            pl.date(pl.col("cohort") // 12, pl.col("cohort") % 12 + 1, 1).alias("cohort"),
        )
        .select(list(SCHEMA))
        .cast(SCHEMA)  # type: ignore[arg-type]
        .sort("cohort", "period")
    )


def to_matrix(table: pl.DataFrame, value: str = "retention_rate") -> pl.DataFrame:
    """Pivot :func:`retention` output into one row per cohort and one column per period.

    Parameters
    ----------
    table : polars.DataFrame
        Output of :func:`retention`.
    value : str, default "retention_rate"
        Column to spread: ``retention_rate``, ``active_customers`` or ``revenue``.

    Returns
    -------
    polars.DataFrame
        ``cohort``, ``cohort_size`` and columns ``"0"``, ``"1"``, ... (periods); cells past the
        end of the data for a cohort are null.

    Raises
    ------
    ValueError
        If ``value`` is not one of the measure columns or ``table`` lacks columns.
    """
    if value not in ("retention_rate", "active_customers", "revenue"):
        raise ValueError(
            f"value must be retention_rate, active_customers or revenue, got {value!r}"
        )
    missing = set(SCHEMA) - set(table.columns)
    if missing:
        raise ValueError(f"table is missing columns: {sorted(missing)}")
    if table.height == 0:
        return pl.DataFrame(schema={"cohort": pl.Date, "cohort_size": pl.Int64})
    periods = [str(p) for p in range(int(table["period"].max()) + 1)]  # type: ignore[arg-type]
    wide = table.with_columns(pl.col("period").cast(pl.String)).pivot(
        on="period", index=["cohort", "cohort_size"], values=value
    )
    return wide.select("cohort", "cohort_size", *[p for p in periods if p in wide.columns]).sort(
        "cohort"
    )
