"""Customer loyalty: loyal / flexible / lost from repurchase regularity, complaints and NPS.

Inputs are per-customer aggregates over the customer's purchase history: the number of orders,
the mean and standard deviation of the gaps between consecutive orders, and the days since the
last order; optionally the number of complaints and the latest NPS answer (0-10).

Derived measures
----------------
- ``usual_interval``: ``mean_interval_days`` when known (two or more orders), else
  ``default_interval_days`` (default 90; pass the population median interval for your business).
- ``recency_ratio = days_since_last / usual_interval``: how many usual intervals have passed.
- ``cv = std_interval_days / mean_interval_days``: the coefficient of variation of the gaps
  (regularity; null with fewer than three orders or a zero mean).
- ``repurchased``: ``order_count >= 2``. :func:`repurchase_rate` is the share of buyers who
  repurchased.

Base rule (first match wins)
----------------------------
    ========= ==========================================================================
    class     rule
    ========= ==========================================================================
    lost      ``recency_ratio > lost_ratio`` (default 3): several usual intervals missed
    loyal     ``order_count >= min_orders`` (3) and ``cv <= max_cv`` (0.5) and
              ``recency_ratio <= due_ratio`` (1.5): buys regularly and is not overdue
    flexible  otherwise (buys, but irregularly, rarely, or is somewhat overdue)
    ========= ==========================================================================

Adjustments (applied to the base class; "lost" never changes, behaviour decides it)
-----------------------------------------------------------------------------------
- loyal -> flexible when ``complaints >= complaint_limit`` (default 2) or NPS <= 6 (detractor).
- flexible -> loyal when NPS >= 9 (promoter), no complaints, ``order_count >= 2`` and
  ``recency_ratio <= due_ratio``: a promoter who repurchases on time is loyal even if irregular.
Missing complaints count as zero; a missing NPS makes no adjustment.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from guanxi.analytics.engine._validation import (
    ArrayLike,
    customer_ids,
    labels,
    numeric,
    positive,
)

CLASSES: tuple[str, ...] = ("loyal", "flexible", "lost")
_LOYAL, _FLEX, _LOST = range(3)


def classify(
    customer_id: ArrayLike,
    order_count: ArrayLike,
    days_since_last: ArrayLike,
    mean_interval_days: ArrayLike,
    std_interval_days: ArrayLike | None = None,
    complaints: ArrayLike | None = None,
    nps: ArrayLike | None = None,
    *,
    default_interval_days: float = 90,
    lost_ratio: float = 3.0,
    due_ratio: float = 1.5,
    max_cv: float = 0.5,
    min_orders: int = 3,
    complaint_limit: int = 2,
) -> pl.DataFrame:
    """Classify customers who have bought at least once as loyal, flexible or lost.

    Parameters
    ----------
    customer_id : array-like
        Unique customer identifiers.
    order_count : array-like of int
        Number of orders (>= 1; customers who never bought have no loyalty class).
    days_since_last : array-like of float
        Days since the last order (>= 0).
    mean_interval_days : array-like of float
        Mean gap between consecutive orders (>= 0; null with a single order).
    std_interval_days : array-like of float, optional
        Standard deviation of those gaps (>= 0; null with fewer than three orders).
    complaints : array-like of int, optional
        Complaints (tickets of kind complaint) per customer (>= 0).
    nps : array-like of float, optional
        Latest "would you recommend us" answer, 0-10 (null if never asked).
    default_interval_days, lost_ratio, due_ratio, max_cv, min_orders, complaint_limit
        Rule parameters; see the module docstring.

    Returns
    -------
    polars.DataFrame
        One row per customer, in input order: ``customer_id``, ``repurchased`` (Boolean),
        ``cv`` (Float64, null when not computable), ``recency_ratio`` (Float64),
        ``base_class`` and ``loyalty`` (String, "loyal" / "flexible" / "lost": before and after
        the complaint / NPS adjustment).

    Raises
    ------
    ValueError
        On negative or missing required values, NPS outside 0-10, order counts below 1,
        duplicate ids or mismatched lengths.
    """
    default_interval = positive(default_interval_days, "default_interval_days")
    lost_r = positive(lost_ratio, "lost_ratio")
    due_r = positive(due_ratio, "due_ratio")
    if due_r > lost_r:
        raise ValueError(f"due_ratio ({due_r}) must not exceed lost_ratio ({lost_r})")
    cv_max = positive(max_cv, "max_cv")
    ids = customer_ids(customer_id)
    n = ids.len()
    orders = numeric(order_count, "order_count", n, min_value=1)
    since = numeric(days_since_last, "days_since_last", n, min_value=0)
    mean_gap = numeric(mean_interval_days, "mean_interval_days", n, min_value=0, allow_missing=True)
    std_gap = (
        np.full(n, np.nan)
        if std_interval_days is None
        else numeric(std_interval_days, "std_interval_days", n, min_value=0, allow_missing=True)
    )
    compl = (
        np.zeros(n)
        if complaints is None
        else np.nan_to_num(numeric(complaints, "complaints", n, min_value=0, allow_missing=True))
    )
    score = (
        np.full(n, np.nan)
        if nps is None
        else numeric(nps, "nps", n, min_value=0, max_value=10, allow_missing=True)
    )

    usual = np.where(np.isnan(mean_gap) | (mean_gap <= 0), default_interval, mean_gap)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        ratio = since / usual  # inf for a tiny usual gap: lost, as it should be
        cv = np.where(mean_gap > 0, std_gap / mean_gap, np.nan)
        base = np.select(
            [ratio > lost_r, (orders >= min_orders) & (cv <= cv_max) & (ratio <= due_r)],
            [_LOST, _LOYAL],
            default=_FLEX,
        ).astype(np.int8)
        demote = (base == _LOYAL) & ((compl >= complaint_limit) | (score <= 6))
        promote = (base == _FLEX) & (score >= 9) & (compl == 0) & (orders >= 2) & (ratio <= due_r)
    final = np.where(demote, _FLEX, np.where(promote, _LOYAL, base)).astype(np.int8)

    return pl.DataFrame(
        {
            "customer_id": ids,
            "repurchased": orders >= 2,
            "cv": pl.Series(cv, dtype=pl.Float64, nan_to_null=True),
            "recency_ratio": ratio,
            "base_class": labels(base, CLASSES, "base_class"),
            "loyalty": labels(final, CLASSES, "loyalty"),
        }
    )


def repurchase_rate(order_count: ArrayLike) -> float:
    """Share of buyers (customers with at least one order) who ordered again.

    Customers with zero orders are ignored; ``nan`` when there are no buyers.

    Raises
    ------
    ValueError
        On missing or negative counts.
    """
    orders = numeric(order_count, "order_count", min_value=0)
    buyers = orders >= 1
    return float((orders >= 2).sum() / buyers.sum()) if buyers.any() else float("nan")
