"""RFM scoring: recency, frequency and monetary quintile scores and named segments.

Scores
------
Each of R, F and M is a score from 1 (worst) to 5 (best), computed within the customers given:

    score = 1 + floor(5 * (number of customers strictly worse) / n)

"Worse" means more days since the last purchase for R, and a smaller value for F and M. This is
quintile scoring with *minimum ranks*: customers with equal values get the same score (the score
of the lowest position their group occupies), so the result never depends on row order or on
customer ids, and the same input always gives the same scores. When many customers share a value
(e.g. half bought once) some scores may be unused, as with any quantile scheme on tied data.

``fm_score`` is the rounded-half-up average of F and M: ``(F + M + 1) // 2``.

Segments (rows R, columns FM, first matching cell)
--------------------------------------------------
The widely used RFM segmentation grid on R and the F/M average:

    ======  ==========  ==================  ==================  ==========  ==========
    R \\ FM  1           2                   3                   4           5
    ======  ==========  ==================  ==================  ==========  ==========
    5       new         potential_loyalist  potential_loyalist  champions   champions
    4       promising   potential_loyalist  potential_loyalist  loyal       loyal
    3       about_to_sleep  about_to_sleep  need_attention      loyal       loyal
    2       hibernating hibernating         at_risk             at_risk     cant_lose
    1       lost        hibernating         at_risk             at_risk     cant_lose
    ======  ==========  ==================  ==================  ==========  ==========

In one line each: champions R5 FM4-5; loyal R3-4 FM4-5; potential_loyalist R4-5 FM2-3;
new R5 FM1; promising R4 FM1; need_attention R3 FM3; about_to_sleep R3 FM1-2;
at_risk R1-2 FM3-4; cant_lose R1-2 FM5; hibernating R1-2 FM1-2 except R1 FM1; lost R1 FM1.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from guanxi.analytics.engine._validation import ArrayLike, customer_ids, labels, numeric

SEGMENTS: tuple[str, ...] = (
    "champions",
    "loyal",
    "potential_loyalist",
    "new",
    "promising",
    "need_attention",
    "about_to_sleep",
    "at_risk",
    "cant_lose",
    "hibernating",
    "lost",
)

# _GRID[r - 1][fm - 1]; rows are R = 1..5.
_GRID: tuple[tuple[str, ...], ...] = (
    ("lost", "hibernating", "at_risk", "at_risk", "cant_lose"),
    ("hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"),
    ("about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"),
    ("promising", "potential_loyalist", "potential_loyalist", "loyal", "loyal"),
    ("new", "potential_loyalist", "potential_loyalist", "champions", "champions"),
)
_GRID_CODES = np.array([[SEGMENTS.index(s) for s in row] for row in _GRID], dtype=np.int8)

SCHEMA_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "recency_days",
    "frequency",
    "monetary",
    "r_score",
    "f_score",
    "m_score",
    "fm_score",
    "rfm_code",
    "segment",
)


def quintile_scores(values: np.ndarray, *, higher_is_better: bool = True) -> np.ndarray:
    """Score values 1-5 by minimum-rank quintiles (equal values get equal scores).

    Parameters
    ----------
    values : numpy.ndarray
        One value per customer, without missing values.
    higher_is_better : bool, default True
        Whether a larger value earns a higher score.

    Returns
    -------
    numpy.ndarray
        int8 scores ``1 + floor(5 * strictly_worse / n)``.
    """
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int8)
    key = values if higher_is_better else -values
    # Minimum rank - 1 = number of customers strictly worse (ties share the lowest position).
    worse = pl.Series(key).rank("min").cast(pl.Int64).to_numpy() - 1
    return (1 + (5 * worse) // n).astype(np.int8)


def score(
    customer_id: ArrayLike,
    recency_days: ArrayLike,
    frequency: ArrayLike,
    monetary: ArrayLike,
) -> pl.DataFrame:
    """Score customers on recency, frequency and monetary value and name their segment.

    Parameters
    ----------
    customer_id : array-like
        Unique customer identifiers.
    recency_days : array-like of float
        Days since each customer's last purchase (>= 0; fewer days score higher).
    frequency : array-like of float
        Number of purchases (orders) in the period (>= 0).
    monetary : array-like of float
        Revenue (or average order value) in the period (>= 0).

    Returns
    -------
    polars.DataFrame
        One row per customer, in input order, with columns ``customer_id``, ``recency_days``,
        ``frequency``, ``monetary`` (Float64), ``r_score``, ``f_score``, ``m_score``,
        ``fm_score`` (Int8, 1-5), ``rfm_code`` (String such as ``"545"``) and ``segment``
        (String, one of :data:`SEGMENTS`; see the module docstring for the grid).

    Raises
    ------
    ValueError
        On missing, negative or infinite values, duplicate ids or mismatched lengths.

    Examples
    --------
    >>> out = score([1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [5, 4, 3, 2, 1], [50, 40, 30, 20, 10])
    >>> out["rfm_code"].to_list()
    ['555', '444', '333', '222', '111']
    >>> out["segment"].to_list()
    ['champions', 'loyal', 'need_attention', 'hibernating', 'lost']
    """
    ids = customer_ids(customer_id)
    n = ids.len()
    r_val = numeric(recency_days, "recency_days", n, min_value=0)
    f_val = numeric(frequency, "frequency", n, min_value=0)
    m_val = numeric(monetary, "monetary", n, min_value=0)

    r = quintile_scores(r_val, higher_is_better=False)
    f = quintile_scores(f_val)
    m = quintile_scores(m_val)
    fm = ((f.astype(np.int16) + m + 1) // 2).astype(np.int8)
    code = r.astype(np.int16) * 100 + f.astype(np.int16) * 10 + m
    seg_codes = _GRID_CODES[r - 1, fm - 1] if n else np.zeros(0, dtype=np.int8)

    return pl.DataFrame(
        {
            "customer_id": ids,
            "recency_days": r_val,
            "frequency": f_val,
            "monetary": m_val,
            "r_score": r,
            "f_score": f,
            "m_score": m,
            "fm_score": fm,
            "rfm_code": pl.Series(code, dtype=pl.Int16).cast(pl.String),
            "segment": labels(seg_codes, SEGMENTS, "segment"),
        }
    )
