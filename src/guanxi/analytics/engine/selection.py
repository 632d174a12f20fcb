"""Customer selection: attractiveness (0-100) against the company's ability to serve.

Components (each turned into a 0-1 score)
-----------------------------------------
Relative components are scored by *percentile rank* among the customers given, so skewed money
amounts do not let one whale flatten everyone else: ``(average rank - 0.5) / n``, where rank 1
is the worst value; ties share their average rank; a single customer scores 0.5.

    ================= ====== =========================================================
    component         weight score
    ================= ====== =========================================================
    total             0.30   percentile of total purchases (revenue to date)
    incremental       0.15   percentile of incremental purchases (growth, may be < 0)
    cross             0.15   percentile of cross-purchase breadth (distinct categories)
    referrals         0.10   percentile of referrals made (intangible value)
    cost_to_serve     0.15   percentile of cost to serve, reversed (cheaper is better)
    credit            0.15   ``1 - credit_risk / 100`` (absolute, from credit.grade)
    ================= ====== =========================================================

``attractiveness = 100 * sum(weight * score) / sum(weights of the components given)``;
components passed as ``None`` are left out and the rest re-weighted. Weights can be overridden.

Matrix (one line each; high means ``>= 50`` by default on both 0-100 axes)
--------------------------------------------------------------------------
key: high attractiveness, high ability to serve (invest, keep close);
develop: high attractiveness, low ability (build the capability to serve them);
maintain: low attractiveness, high ability (serve efficiently as is);
reduce: low attractiveness, low ability (lower cost to serve or let go).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

from guanxi.analytics.engine._validation import (
    ArrayLike,
    customer_ids,
    labels,
    numeric,
)

WEIGHTS: dict[str, float] = {
    "total": 0.30,
    "incremental": 0.15,
    "cross": 0.15,
    "referrals": 0.10,
    "cost_to_serve": 0.15,
    "credit": 0.15,
}
QUADRANTS: tuple[str, ...] = ("key", "develop", "maintain", "reduce")
LEVELS: tuple[str, ...] = ("high", "low")


def percentile_score(values: np.ndarray, *, higher_is_better: bool = True) -> np.ndarray:
    """Return ``(average rank - 0.5) / n`` in (0, 1); rank 1 is the worst value."""
    if len(values) == 0:
        return np.zeros(0)
    key = values if higher_is_better else -values
    ranks = pl.Series(key).rank("average").to_numpy()
    return (ranks - 0.5) / len(values)


def score(
    customer_id: ArrayLike,
    total_purchases: ArrayLike,
    incremental_purchases: ArrayLike | None = None,
    cross_purchase_breadth: ArrayLike | None = None,
    referrals: ArrayLike | None = None,
    cost_to_serve: ArrayLike | None = None,
    credit_risk: ArrayLike | None = None,
    ability_to_serve: ArrayLike | None = None,
    *,
    weights: Mapping[str, float] | None = None,
    attractiveness_cut: float = 50.0,
    ability_cut: float = 50.0,
) -> pl.DataFrame:
    """Score customer attractiveness 0-100 and place customers in the selection matrix.

    Parameters
    ----------
    customer_id : array-like
        Unique customer identifiers.
    total_purchases : array-like of float
        Revenue to date (>= 0).
    incremental_purchases : array-like of float, optional
        Growth in purchases, e.g. this year minus last year (may be negative).
    cross_purchase_breadth : array-like of float, optional
        Distinct product categories bought (>= 0).
    referrals : array-like of float, optional
        Customers referred (>= 0).
    cost_to_serve : array-like of float, optional
        Cost of serving the customer (>= 0): visits, support, discounts, logistics.
    credit_risk : array-like of float, optional
        Credit ``risk_score`` 0-100 from :func:`guanxi.analytics.engine.credit.grade`.
    ability_to_serve : array-like of float, optional
        The company's ability to serve the customer, 0-100 (coverage, fit, capacity); without
        it the matrix columns are null.
    weights : mapping, optional
        Overrides for :data:`WEIGHTS` (non-negative; keys must be known).
    attractiveness_cut, ability_cut : float, default 50
        Scores at or above these are "high".

    Returns
    -------
    polars.DataFrame
        One row per customer, in input order: ``customer_id``, one Float64 column
        ``<component>_score`` (0-100, null if the component was not given) for each of
        total, incremental, cross, referrals, cost_to_serve, credit, then
        ``attractiveness`` (Float64, 0-100), ``ability_to_serve`` (Float64),
        ``attractiveness_level`` and ``ability_level`` ("high"/"low"), and ``quadrant``
        ("key"/"develop"/"maintain"/"reduce"); the last three are null without
        ``ability_to_serve``.

    Raises
    ------
    ValueError
        On missing or out-of-range values, unknown or negative weights, all weights zero,
        duplicate ids or mismatched lengths.
    """
    w = dict(WEIGHTS)
    if weights is not None:
        unknown = set(weights) - set(WEIGHTS)
        if unknown:
            raise ValueError(f"weights has unknown components: {sorted(unknown)}")
        for key, value in weights.items():
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"weights[{key!r}] must be a non-negative number, got {value!r}")
        w.update(weights)
    for name, cut in (("attractiveness_cut", attractiveness_cut), ("ability_cut", ability_cut)):
        if not np.isfinite(cut) or not 0 <= cut <= 100:
            raise ValueError(f"{name} must be between 0 and 100, got {cut!r}")

    ids = customer_ids(customer_id)
    n = ids.len()
    scores: dict[str, np.ndarray | None] = {
        "total": percentile_score(numeric(total_purchases, "total_purchases", n, min_value=0))
    }
    optional = (
        ("incremental", incremental_purchases, "incremental_purchases", None, True),
        ("cross", cross_purchase_breadth, "cross_purchase_breadth", 0, True),
        ("referrals", referrals, "referrals", 0, True),
        ("cost_to_serve", cost_to_serve, "cost_to_serve", 0, False),
    )
    for key, values, name, lowest, higher_is_better in optional:
        scores[key] = (
            None
            if values is None
            else percentile_score(
                numeric(values, name, n, min_value=lowest), higher_is_better=higher_is_better
            )
        )
    scores["credit"] = (
        None
        if credit_risk is None
        else 1 - numeric(credit_risk, "credit_risk", n, min_value=0, max_value=100) / 100
    )

    used = {k: w[k] for k, v in scores.items() if v is not None}
    total_weight = sum(used.values())
    if total_weight <= 0:
        raise ValueError("weights of the components given must not all be zero")
    attractiveness = (
        100
        * sum((used[k] * s for k, s in scores.items() if s is not None), np.zeros(n))
        / total_weight
    )

    columns: dict[str, pl.Series | np.ndarray] = {"customer_id": ids}
    for key in WEIGHTS:
        s = scores[key]
        columns[f"{key}_score"] = (
            pl.Series(f"{key}_score", [None] * n, dtype=pl.Float64) if s is None else 100 * s
        )
    columns["attractiveness"] = attractiveness
    out = pl.DataFrame(columns)

    if ability_to_serve is None:
        return out.with_columns(
            pl.lit(None, pl.Float64).alias("ability_to_serve"),
            pl.lit(None, pl.String).alias("attractiveness_level"),
            pl.lit(None, pl.String).alias("ability_level"),
            pl.lit(None, pl.String).alias("quadrant"),
        )
    ability = numeric(ability_to_serve, "ability_to_serve", n, min_value=0, max_value=100)
    attr_low = (attractiveness < attractiveness_cut).astype(np.int8)
    abil_low = (ability < ability_cut).astype(np.int8)
    return out.with_columns(
        pl.Series("ability_to_serve", ability),
        labels(attr_low, LEVELS, "attractiveness_level"),
        labels(abil_low, LEVELS, "ability_level"),
        labels(2 * attr_low + abil_low, QUADRANTS, "quadrant"),
    )
