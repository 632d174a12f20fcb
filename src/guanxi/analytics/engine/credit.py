"""Customer credit risk: a 0-100 risk score and a grade A-E from payment behaviour.

Inputs (per customer, usually from :func:`aggregate_invoices` or the same aggregates in SQL)
-------------------------------------------------------------------------------------------
``avg_days_late`` (mean days paid after the due date, on-time counting as 0), ``max_days_late``,
``overdue_amount`` (unpaid and past due), ``overdue_ratio`` (overdue amount / amount invoiced,
0-1) and ``late_share`` (share of invoices paid late or overdue, 0-1).

Risk score (0 = safest, 100 = riskiest): weighted sum of components, each capped to 0-1
-----------------------------------------------------------------------------------------
    ================ ====== ===========================================================
    component        weight value
    ================ ====== ===========================================================
    avg_days_late    25     ``min(avg_days_late / 60, 1)``
    max_days_late    15     ``min(max_days_late / 90, 1)``
    overdue_ratio    25     ``overdue_ratio``
    late_share       20     ``late_share``
    overdue_amount   15     ``overdue_amount / (overdue_amount + amount_scale)`` (half at
                            ``amount_scale``, default 10,000)
    ================ ====== ===========================================================

Grade table (one line each)
---------------------------
A: score < 20; B: 20 <= score < 40; C: 40 <= score < 60; D: 60 <= score < 80; E: score >= 80.
Override: ``max_days_late >= 180`` caps the grade at D (never better than D), whatever the
score. A customer with no invoices (all zeros) is A.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from guanxi.analytics.engine._validation import (
    ArrayLike,
    customer_ids,
    dates,
    day_number,
    labels,
    numeric,
    positive,
)

GRADES: tuple[str, ...] = ("A", "B", "C", "D", "E")
WEIGHTS: dict[str, float] = {
    "avg_days_late": 25.0,
    "max_days_late": 15.0,
    "overdue_ratio": 25.0,
    "late_share": 20.0,
    "overdue_amount": 15.0,
}
_CUTS = np.array([20.0, 40.0, 60.0, 80.0])
_SEVERE_DAYS = 180
_D = GRADES.index("D")


def grade(
    customer_id: ArrayLike,
    avg_days_late: ArrayLike,
    max_days_late: ArrayLike,
    overdue_amount: ArrayLike,
    overdue_ratio: ArrayLike,
    late_share: ArrayLike,
    *,
    amount_scale: float = 10_000.0,
) -> pl.DataFrame:
    """Score and grade each customer's credit risk from payment aggregates.

    Parameters
    ----------
    customer_id : array-like
        Unique customer identifiers.
    avg_days_late, max_days_late : array-like of float
        Mean and maximum days late (>= 0; on-time invoices count as 0).
    overdue_amount : array-like of float
        Amount unpaid past its due date (>= 0).
    overdue_ratio, late_share : array-like of float
        Overdue amount / invoiced amount and share of invoices late, each in [0, 1].
    amount_scale : float, default 10000
        Overdue amount that scores half of its component.

    Returns
    -------
    polars.DataFrame
        One row per customer, in input order: ``customer_id``, ``risk_score`` (Float64,
        0-100) and ``grade`` (String, "A" best to "E" worst).

    Raises
    ------
    ValueError
        On missing or negative values, ratios above 1, ``avg_days_late > max_days_late``,
        duplicate ids or mismatched lengths.
    """
    scale = positive(amount_scale, "amount_scale")
    ids = customer_ids(customer_id)
    n = ids.len()
    avg = numeric(avg_days_late, "avg_days_late", n, min_value=0)
    mx = numeric(max_days_late, "max_days_late", n, min_value=0)
    amount = numeric(overdue_amount, "overdue_amount", n, min_value=0)
    ratio = numeric(overdue_ratio, "overdue_ratio", n, min_value=0, max_value=1)
    late = numeric(late_share, "late_share", n, min_value=0, max_value=1)
    if bad := int((avg > mx + 1e-9).sum()):
        raise ValueError(f"avg_days_late exceeds max_days_late for {bad} customers")

    score = (
        WEIGHTS["avg_days_late"] * np.minimum(avg / 60.0, 1.0)
        + WEIGHTS["max_days_late"] * np.minimum(mx / 90.0, 1.0)
        + WEIGHTS["overdue_ratio"] * ratio
        + WEIGHTS["late_share"] * late
        + WEIGHTS["overdue_amount"] * amount / (amount + scale)
    )
    code = np.searchsorted(_CUTS, score, side="right")
    code = np.where(mx >= _SEVERE_DAYS, np.maximum(code, _D), code).astype(np.int8)
    return pl.DataFrame(
        {"customer_id": ids, "risk_score": score, "grade": labels(code, GRADES, "grade")}
    )


def aggregate_invoices(
    customer_id: ArrayLike,
    amount: ArrayLike,
    due_date: ArrayLike,
    paid_date: ArrayLike,
    as_of: dt.date,
) -> pl.DataFrame:
    """Summarise invoice rows into the per-customer inputs of :func:`grade`.

    Days late of an invoice: ``max(0, paid_date - due_date)`` when paid; when unpaid,
    ``max(0, as_of - due_date)`` (it is late so far). An unpaid invoice past its due date is
    overdue. Invoices due after ``as_of`` and unpaid count as on time.

    Parameters
    ----------
    customer_id : array-like
        Customer of each invoice (repeats allowed).
    amount : array-like of float
        Invoice amount (>= 0).
    due_date : array-like of date
        Due date of each invoice.
    paid_date : array-like of date
        Payment date, null while unpaid.
    as_of : datetime.date
        Date the aggregates describe.

    Returns
    -------
    polars.DataFrame
        One row per customer, sorted by ``customer_id``: ``customer_id``, ``invoices``
        (Int64), ``invoiced_amount``, ``avg_days_late``, ``max_days_late``,
        ``overdue_amount``, ``overdue_ratio`` and ``late_share`` (Float64).

    Raises
    ------
    ValueError
        On missing ids, amounts or due dates, negative amounts or mismatched lengths.
    """
    today = day_number(as_of, "as_of")
    ids = customer_ids(customer_id, unique=False)
    n = ids.len()
    amt = numeric(amount, "amount", n, min_value=0)
    due = dates(due_date, "due_date", n).cast(pl.Int32)
    paid = dates(paid_date, "paid_date", n, allow_missing=True).cast(pl.Int32)
    frame = pl.DataFrame({"customer_id": ids, "amount": amt, "due": due, "paid": paid})
    late_days = pl.max_horizontal(pl.col("paid").fill_null(today) - pl.col("due"), pl.lit(0))
    overdue = pl.col("paid").is_null() & (pl.col("due") < today)
    return (
        frame.with_columns(late_days.cast(pl.Float64).alias("late"), overdue.alias("overdue"))
        .group_by("customer_id")
        .agg(
            pl.len().cast(pl.Int64).alias("invoices"),
            pl.col("amount").sum().alias("invoiced_amount"),
            pl.col("late").mean().alias("avg_days_late"),
            pl.col("late").max().alias("max_days_late"),
            pl.col("amount").filter(pl.col("overdue")).sum().alias("overdue_amount"),
            (pl.col("late") > 0).mean().alias("late_share"),
        )
        .with_columns(
            pl.when(pl.col("invoiced_amount") > 0)
            .then(pl.col("overdue_amount") / pl.col("invoiced_amount"))
            .otherwise(0.0)
            .alias("overdue_ratio")
        )
        .select(
            "customer_id",
            "invoices",
            "invoiced_amount",
            "avg_days_late",
            "max_days_late",
            "overdue_amount",
            "overdue_ratio",
            "late_share",
        )
        .sort("customer_id")
    )
