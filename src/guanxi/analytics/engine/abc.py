"""ABC (Pareto) analysis of customers by revenue and by visits, and value tiers.

Ranking
-------
Customers are ranked by revenue, highest first; equal revenue is ordered by ``customer_id``
(ascending), so ranks are unique and deterministic. ``revenue_share`` is a customer's revenue
over the total; ``cum_share`` is the running total of shares down the ranking (the last
customer's is 1). Visits are ranked and shared the same way.

ABC rule (thresholds ``a`` = 0.80 and ``b`` = 0.95 by default)
---------------------------------------------------------------
Let ``before`` be the cumulative share of all higher-ranked customers (``cum_share -
revenue_share``). Then:

    ====== ===================== ==================================================
    class  rule                  meaning
    ====== ===================== ==================================================
    A      before < a            the customers that together make up the top 80 %,
                                 *including* the customer whose revenue crosses 80 %
    B      a <= before < b       the next 15 %, including the one crossing 95 %
    C      before >= b           the rest (including customers with no revenue)
    ====== ===================== ==================================================

If total revenue is zero, shares are all zero and every customer is C.

Tiers (one line each)
---------------------
VIP: class A and among the top ``vip_share`` (5 %) of customers by rank, i.e.
``rank <= ceil(vip_share * n)``; major: the rest of A; normal: B; small: C.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from guanxi.analytics.engine._validation import (
    ArrayLike,
    customer_ids,
    fraction,
    labels,
    numeric,
)

CLASSES: tuple[str, ...] = ("A", "B", "C")
TIERS: tuple[str, ...] = ("VIP", "major", "normal", "small")

# Absorbs float rounding in running sums, so 0.1 + 0.7 counts as reaching 0.8.
_EPS = 1e-12


def _pareto(ids: pl.Series, values: np.ndarray, a: float, b: float) -> pl.DataFrame:
    """Rank, shares and ABC class of ``values``, one row per customer, in input order."""
    n = len(values)
    # Sort by value descending, then customer_id ascending.
    order = (
        pl.DataFrame({"id": ids, "v": values})
        .with_row_index("i")
        .sort(["v", "id"], descending=[True, False])["i"]
        .to_numpy()
    )
    total = float(values.sum())
    share = values / total if total > 0 else np.zeros(n)
    sorted_share = share[order]
    cum_sorted = np.cumsum(sorted_share)
    if total > 0 and n:
        cum_sorted[-1] = 1.0  # exact, whatever the rounding of the running sum
    before = np.concatenate([[0.0], cum_sorted[:-1]])
    cls_sorted = np.where(before < a - _EPS, 0, np.where(before < b - _EPS, 1, 2)).astype(np.int8)
    if total <= 0:
        cls_sorted[:] = 2
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(1, n + 1)
    cum = np.empty(n)
    cum[order] = cum_sorted
    cls = np.empty(n, dtype=np.int8)
    cls[order] = cls_sorted
    return pl.DataFrame({"rank": rank, "share": share, "cum_share": cum, "cls": cls})


def classify(
    customer_id: ArrayLike,
    revenue: ArrayLike,
    visits: ArrayLike | None = None,
    a: float = 0.80,
    b: float = 0.95,
    *,
    vip_share: float = 0.05,
) -> pl.DataFrame:
    """Classify customers A/B/C by cumulative revenue share (and by visits) and assign tiers.

    Parameters
    ----------
    customer_id : array-like
        Unique customer identifiers.
    revenue : array-like of float
        Revenue per customer in the period (>= 0).
    visits : array-like of float, optional
        Visits (or orders, calls) per customer (>= 0); adds the ``visit_*`` columns.
    a, b : float, default 0.80, 0.95
        Cumulative-share thresholds, ``0 < a < b <= 1``.
    vip_share : float, default 0.05
        Share of customers (by rank) that can be VIP; VIPs must also be class A.

    Returns
    -------
    polars.DataFrame
        One row per customer, sorted by ``rank``, with columns ``customer_id``, ``revenue``
        (Float64), ``rank`` (Int64, 1 = highest revenue), ``revenue_share``, ``cum_share``
        (Float64), ``abc_class`` ("A"/"B"/"C"), ``tier`` ("VIP"/"major"/"normal"/"small"),
        ``visits`` (Float64), ``visit_rank`` (Int64), ``visit_share``, ``visit_cum_share``
        (Float64) and ``visit_class`` (String); the visit columns are null when ``visits`` is
        not given.

    Raises
    ------
    ValueError
        On missing, negative or infinite values, duplicate ids, mismatched lengths or
        thresholds out of order.
    """
    fraction(a, "a")
    if not (a < b <= 1) or not np.isfinite(b):
        raise ValueError(f"b must satisfy a < b <= 1, got a={a!r}, b={b!r}")
    fraction(vip_share, "vip_share", open_interval=False)
    ids = customer_ids(customer_id)
    n = ids.len()
    rev = numeric(revenue, "revenue", n, min_value=0)

    by_rev = _pareto(ids, rev, a, b)
    cls = by_rev["cls"].to_numpy()
    rank = by_rev["rank"].to_numpy()
    vip_cut = math.ceil(vip_share * n)
    tier = np.where(cls == 0, np.where(rank <= vip_cut, 0, 1), cls + 1).astype(np.int8)

    out = pl.DataFrame(
        {
            "customer_id": ids,
            "revenue": rev,
            "rank": by_rev["rank"],
            "revenue_share": by_rev["share"],
            "cum_share": by_rev["cum_share"],
            "abc_class": labels(cls, CLASSES, "abc_class"),
            "tier": labels(tier, TIERS, "tier"),
        }
    )
    if visits is None:
        out = out.with_columns(
            pl.lit(None, pl.Float64).alias("visits"),
            pl.lit(None, pl.Int64).alias("visit_rank"),
            pl.lit(None, pl.Float64).alias("visit_share"),
            pl.lit(None, pl.Float64).alias("visit_cum_share"),
            pl.lit(None, pl.String).alias("visit_class"),
        )
    else:
        vis = numeric(visits, "visits", n, min_value=0)
        by_vis = _pareto(ids, vis, a, b)
        out = out.with_columns(
            pl.Series("visits", vis),
            by_vis["rank"].alias("visit_rank"),
            by_vis["share"].alias("visit_share"),
            by_vis["cum_share"].alias("visit_cum_share"),
            labels(by_vis["cls"].to_numpy(), CLASSES, "visit_class"),
        )
    return out.sort("rank")


def pareto_curve(revenue: ArrayLike, points: int = 100) -> pl.DataFrame:
    """Return the Pareto (Lorenz-style) curve of revenue concentration for charts.

    Parameters
    ----------
    revenue : array-like of float
        Revenue per customer (>= 0).
    points : int, default 100
        Number of equal steps in customer share; the curve has ``points + 1`` rows.

    Returns
    -------
    polars.DataFrame
        Columns ``customer_share`` (0, 1/points, ..., 1) and ``revenue_share``: the share of
        revenue made by the top ``customer_share`` of customers (linear between customers).
        Starts at (0, 0) and ends at (1, 1); all zeros if total revenue is zero; empty (same
        columns) if there are no customers.

    Raises
    ------
    ValueError
        On missing, negative or infinite revenue, or ``points`` < 1.
    """
    if not isinstance(points, int | np.integer) or points < 1:
        raise ValueError(f"points must be a positive integer, got {points!r}")
    rev = numeric(revenue, "revenue", min_value=0)
    n = len(rev)
    if n == 0:
        return pl.DataFrame(schema={"customer_share": pl.Float64, "revenue_share": pl.Float64})
    total = rev.sum()
    cum = np.concatenate([[0.0], np.cumsum(np.sort(rev)[::-1])])
    cum = cum / total if total > 0 else np.zeros(n + 1)
    if total > 0:
        cum[-1] = 1.0
    grid = np.linspace(0.0, 1.0, points + 1)
    return pl.DataFrame(
        {"customer_share": grid, "revenue_share": np.interp(grid, np.arange(n + 1) / n, cum)}
    )
