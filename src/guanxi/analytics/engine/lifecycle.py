"""Customer relationship lifecycle stages and the flows between two snapshots.

Inputs are per-customer aggregates as of a date ``as_of``, with two equal windows of
``window_days`` days: the *current* window ``(as_of - window_days, as_of]`` and the *previous*
window ``(as_of - 2 * window_days, as_of - window_days]``.

Termination threshold
---------------------
A customer's termination threshold ``T`` (days without a purchase after which the relationship
counts as ended) is ``max(window_days, interval_multiplier * expected_interval_days)`` when the
customer's usual inter-purchase interval is known, else ``termination_days`` (default
``2 * window_days``).

Stage rules (first match wins)
------------------------------
    ==== ============ ===================================================================
    #    stage        rule
    ==== ============ ===================================================================
    1    potential    no purchase yet (``first_purchase`` is null)
    2    termination  ``as_of - last_purchase > T``
    3    development  first purchase within the current window (``as_of - first_purchase
                      < window_days``): newly acquired
    4    recovery     the gap before the last purchase (``previous_gap_days``) was > T: the
                      customer came back after a termination-length silence
    5    growth       ``revenue_current > (1 + change) * revenue_previous`` (spend rising)
    6    decline      ``revenue_current < (1 - change) * revenue_previous`` (spend falling)
    7    maturity     otherwise: spend stable within +/- ``change`` (default 20 %)
    ==== ============ ===================================================================

Recovery lasts until the customer's next purchase (which makes the last gap short again) or
until termination. Choose ``window_days`` at least as long as a typical purchase interval, or
infrequent buyers will alternate between growth and decline.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from guanxi.analytics.engine._validation import (
    ArrayLike,
    customer_ids,
    day_number,
    day_numbers,
    fraction,
    labels,
    numeric,
    positive,
)

STAGES: tuple[str, ...] = (
    "potential",
    "development",
    "growth",
    "maturity",
    "decline",
    "termination",
    "recovery",
)
_P, _DEV, _GROW, _MAT, _DEC, _TERM, _REC = range(7)


def stage(
    customer_id: ArrayLike,
    first_purchase: ArrayLike,
    last_purchase: ArrayLike,
    revenue_current: ArrayLike,
    revenue_previous: ArrayLike,
    as_of: dt.date,
    *,
    window_days: float = 90,
    previous_gap_days: ArrayLike | None = None,
    expected_interval_days: ArrayLike | None = None,
    termination_days: float | None = None,
    interval_multiplier: float = 3.0,
    change: float = 0.2,
) -> pl.DataFrame:
    """Assign each customer a lifecycle stage from deterministic window rules.

    Parameters
    ----------
    customer_id : array-like
        Unique customer identifiers.
    first_purchase, last_purchase : array-like of date
        First and last purchase dates; both null for customers who never bought.
    revenue_current, revenue_previous : array-like of float
        Revenue in the current and previous window (>= 0).
    as_of : datetime.date
        The snapshot date; no purchase may be after it.
    window_days : float, default 90
        Length of each window in days.
    previous_gap_days : array-like of float, optional
        Days between the last purchase and the one before it (null with one purchase).
        Without it no customer is in recovery.
    expected_interval_days : array-like of float, optional
        The customer's usual inter-purchase interval (> 0, null if unknown).
    termination_days : float, optional
        Threshold used when the interval is unknown; default ``2 * window_days``.
    interval_multiplier : float, default 3.0
        Termination after this many usual intervals without a purchase.
    change : float, default 0.2
        Relative change in window revenue that counts as growth or decline.

    Returns
    -------
    polars.DataFrame
        One row per customer, in input order: ``customer_id``, ``stage`` (String, one of
        :data:`STAGES`), ``days_since_last`` (Float64, null for potential customers) and
        ``termination_threshold_days`` (Float64, the ``T`` used).

    Raises
    ------
    ValueError
        On negative or missing revenue, purchases after ``as_of``, a last purchase before the
        first, only one of the two dates given, duplicate ids or mismatched lengths.
    """
    window = positive(window_days, "window_days")
    term_default = (
        2 * window if termination_days is None else positive(termination_days, "termination_days")
    )
    mult = positive(interval_multiplier, "interval_multiplier")
    chg = fraction(change, "change")
    today = day_number(as_of, "as_of")

    ids = customer_ids(customer_id)
    n = ids.len()
    first = day_numbers(first_purchase, "first_purchase", n, allow_missing=True)
    last = day_numbers(last_purchase, "last_purchase", n, allow_missing=True)
    rev_cur = numeric(revenue_current, "revenue_current", n, min_value=0)
    rev_prev = numeric(revenue_previous, "revenue_previous", n, min_value=0)
    gap = (
        np.full(n, np.nan)
        if previous_gap_days is None
        else numeric(previous_gap_days, "previous_gap_days", n, min_value=0, allow_missing=True)
    )
    interval = (
        np.full(n, np.nan)
        if expected_interval_days is None
        else numeric(
            expected_interval_days,
            "expected_interval_days",
            n,
            strictly_positive=True,
            allow_missing=True,
        )
    )

    never = np.isnan(first)
    if bad := int((never != np.isnan(last)).sum()):
        raise ValueError(
            f"first_purchase and last_purchase must both be given or both be null; {bad} rows have only one"
        )
    if bad := int((last < first).sum()):
        raise ValueError(f"last_purchase is before first_purchase for {bad} customers")
    if bad := int((last > today).sum()):
        raise ValueError(f"last_purchase is after as_of for {bad} customers")

    threshold = np.where(np.isnan(interval), term_default, np.maximum(window, mult * interval))
    since_last = today - last
    since_first = today - first

    with np.errstate(invalid="ignore"):
        code = np.select(
            [
                never,
                since_last > threshold,
                since_first < window,
                gap > threshold,
                rev_cur > (1 + chg) * rev_prev,
                rev_cur < (1 - chg) * rev_prev,
            ],
            [_P, _TERM, _DEV, _REC, _GROW, _DEC],
            default=_MAT,
        ).astype(np.int8)

    return pl.DataFrame(
        {
            "customer_id": ids,
            "stage": labels(code, STAGES, "stage"),
            "days_since_last": pl.Series(since_last, dtype=pl.Float64, nan_to_null=True),
            "termination_threshold_days": threshold,
        }
    )


def transitions(before: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    """Count customers moving between lifecycle stages from one snapshot to the next.

    Parameters
    ----------
    before, after : polars.DataFrame
        Snapshots with at least ``customer_id`` and ``stage`` (e.g. two outputs of
        :func:`stage`). Customers only in ``after`` are counted as coming from
        ``"potential"`` (they were not customers yet); customers only in ``before`` (deleted
        or merged) are left out.

    Returns
    -------
    polars.DataFrame
        All 7 x 7 stage pairs (including zero counts), ordered by :data:`STAGES`, with columns
        ``from_stage``, ``to_stage`` (String) and ``customers`` (Int64). Filter
        ``customers > 0`` for Sankey links; see :func:`transition_matrix` for a grid.

    Raises
    ------
    ValueError
        If a snapshot lacks a column, has duplicate customers or an unknown stage.
    """
    frames = []
    for name, frame in (("before", before), ("after", after)):
        if not isinstance(frame, pl.DataFrame):
            raise ValueError(f"{name} must be a polars DataFrame")
        missing = {"customer_id", "stage"} - set(frame.columns)
        if missing:
            raise ValueError(f"{name} is missing columns: {sorted(missing)}")
        snap = frame.select("customer_id", pl.col("stage").cast(pl.String))
        customer_ids(snap["customer_id"])
        unknown = set(snap["stage"].unique().to_list()) - set(STAGES)
        if unknown:
            raise ValueError(f"{name} has unknown stages: {sorted(map(str, unknown))}")
        frames.append(snap)

    moved = (
        frames[1]
        .join(frames[0], on="customer_id", how="left", suffix="_before")
        .select(
            pl.col("stage_before").fill_null("potential").alias("from_stage"),
            pl.col("stage").alias("to_stage"),
        )
        .group_by("from_stage", "to_stage")
        .agg(pl.len().cast(pl.Int64).alias("customers"))
    )
    order = pl.Enum(STAGES)
    grid = pl.DataFrame({"from_stage": STAGES}).join(
        pl.DataFrame({"to_stage": STAGES}), how="cross"
    )
    return (
        grid.join(moved, on=["from_stage", "to_stage"], how="left")
        .with_columns(pl.col("customers").fill_null(0))
        .sort(pl.col("from_stage").cast(order), pl.col("to_stage").cast(order))
    )


def transition_matrix(before: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    """Return :func:`transitions` as a 7 x 7 grid.

    Returns
    -------
    polars.DataFrame
        One row per ``from_stage`` (in :data:`STAGES` order) and one Int64 column per
        destination stage, named after it.
    """
    long = transitions(before, after)
    return long.pivot(on="to_stage", index="from_stage", values="customers").select(
        "from_stage", *STAGES
    )
