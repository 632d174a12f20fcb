"""Churn risk per customer: a rule-based score, and an optional supervised model.

Rule-based score (:func:`risk`)
-------------------------------
- ``recency_ratio = recency_days / interval``, where ``interval`` is the customer's own mean
  inter-purchase interval, or ``default_interval_days`` when unknown (one order). When
  ``default_interval_days`` is not given, the median of the known intervals is used.
- ``recency_risk = ratio**2 / (ratio**2 + half_risk_ratio**2)``: 0 just after a purchase, 0.2 at
  one usual interval, 0.5 at ``half_risk_ratio`` (default 2) intervals, 0.8 at four.
- ``churn_score = w * (1 - p_alive) + (1 - w) * recency_risk`` with ``w = p_alive_weight``
  (default 0.5) when a probability-alive (e.g. BG/NBD) is given for the customer; otherwise
  ``churn_score = recency_risk``.
- Bands: low if ``churn_score < 0.3``; medium if ``< 0.6``; high otherwise (configurable).

Supervised model (:func:`fit_supervised`)
-----------------------------------------
When churn labels exist for past snapshots, a scikit-learn ``HistGradientBoostingClassifier``
is fitted on per-customer features. Rows are split by time: the latest ``holdout_share`` of
snapshot times is held out, the model is trained on the earlier rows and its ROC AUC on the
holdout is reported as ``auc_``; the model is then refitted on all rows for scoring.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import polars as pl

from guanxi.analytics.engine._validation import (
    ArrayLike,
    check_length,
    customer_ids,
    fraction,
    numeric,
    positive,
)
from guanxi.analytics.engine._validation import labels as code_labels

BANDS: tuple[str, ...] = ("low", "medium", "high")


def risk(
    customer_id: ArrayLike,
    recency_days: ArrayLike,
    mean_interval_days: ArrayLike,
    p_alive: ArrayLike | None = None,
    *,
    p_alive_weight: float = 0.5,
    default_interval_days: float | None = None,
    half_risk_ratio: float = 2.0,
    bands: tuple[float, float] = (0.3, 0.6),
) -> pl.DataFrame:
    """Score each customer's churn risk from 0 (safe) to 1 (gone) and band it.

    Parameters
    ----------
    customer_id : array-like
        Unique customer identifiers.
    recency_days : array-like of float
        Days since the last purchase (>= 0).
    mean_interval_days : array-like of float
        The customer's mean inter-purchase interval (> 0; null with a single purchase).
    p_alive : array-like of float, optional
        Probability the customer is still active (0-1, e.g. from BG/NBD); null entries fall
        back to the recency score alone.
    p_alive_weight : float, default 0.5
        Weight of ``1 - p_alive`` in the blend, in [0, 1].
    default_interval_days : float, optional
        Interval for customers without one; default: median of the known intervals.
    half_risk_ratio : float, default 2.0
        Recency ratio at which the recency risk is 0.5.
    bands : (float, float), default (0.3, 0.6)
        Lower bounds of the medium and high bands.

    Returns
    -------
    polars.DataFrame
        One row per customer, in input order: ``customer_id``, ``recency_ratio``,
        ``recency_risk``, ``churn_score`` (Float64, 0-1) and ``churn_band`` (String: "low",
        "medium", "high").

    Raises
    ------
    ValueError
        On negative or missing recency, non-positive intervals, p_alive outside [0, 1], no
        interval known for anyone and no default, duplicate ids or mismatched lengths.
    """
    w = fraction(p_alive_weight, "p_alive_weight", open_interval=False)
    half = positive(half_risk_ratio, "half_risk_ratio")
    lo, hi = bands
    if not (0 < lo < hi < 1):
        raise ValueError(f"bands must satisfy 0 < medium < high < 1, got {bands!r}")
    ids = customer_ids(customer_id)
    n = ids.len()
    recency = numeric(recency_days, "recency_days", n, min_value=0)
    interval = numeric(
        mean_interval_days, "mean_interval_days", n, strictly_positive=True, allow_missing=True
    )
    alive = (
        np.full(n, np.nan)
        if p_alive is None
        else numeric(p_alive, "p_alive", n, min_value=0, max_value=1, allow_missing=True)
    )
    unknown = np.isnan(interval)
    if unknown.any():
        if default_interval_days is not None:
            fallback = positive(default_interval_days, "default_interval_days")
        elif (~unknown).any():
            fallback = float(np.median(interval[~unknown]))
        else:
            raise ValueError(
                "mean_interval_days is missing for every customer; pass default_interval_days"
            )
        interval = np.where(unknown, fallback, interval)

    ratio = recency / interval
    recency_risk = ratio**2 / (ratio**2 + half**2)
    score = np.where(np.isnan(alive), recency_risk, w * (1 - alive) + (1 - w) * recency_risk)
    band = np.searchsorted(np.array([lo, hi]), score, side="right").astype(np.int8)
    return pl.DataFrame(
        {
            "customer_id": ids,
            "recency_ratio": ratio,
            "recency_risk": recency_risk,
            "churn_score": score,
            "churn_band": code_labels(band, BANDS, "churn_band"),
        }
    )


def _feature_matrix(
    features: pl.DataFrame | np.ndarray, names: list[str] | None
) -> tuple[np.ndarray, list[str]]:
    if isinstance(features, pl.DataFrame):
        frame = features.drop("customer_id", strict=False)
        if names is not None:
            missing = set(names) - set(frame.columns)
            if missing:
                raise ValueError(f"features is missing columns: {sorted(missing)}")
            frame = frame.select(names)
        bad = [c for c, t in frame.schema.items() if not (t.is_numeric() or t == pl.Boolean)]
        if bad:
            raise ValueError(f"features must be numeric; non-numeric columns: {bad}")
        x = frame.cast(pl.Float64).to_numpy()
        cols = frame.columns
    else:
        try:
            x = np.asarray(features, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"features must be numeric: {exc}") from exc
        if x.ndim != 2:
            raise ValueError("features must be two-dimensional (rows x features)")
        cols = names if names is not None else [f"x{i}" for i in range(x.shape[1])]
        if x.shape[1] != len(cols):
            raise ValueError(
                f"features has {x.shape[1]} columns but the model was fitted on {len(cols)}"
            )
    if x.shape[1] == 0:
        raise ValueError("features has no feature columns")
    if np.isinf(x).any():
        raise ValueError("features contains infinite values")
    return x, list(cols)


def _times(times: ArrayLike, n: int) -> np.ndarray:
    s = times if isinstance(times, pl.Series) else pl.Series("times", times, strict=False)
    if s.dtype == pl.Date or isinstance(s.dtype, pl.Datetime):
        s = s.to_physical()
    return numeric(s, "times", n)


class SupervisedChurnModel:
    """Gradient-boosted churn classifier with a time-split holdout AUC.

    Parameters
    ----------
    holdout_share : float, default 0.2
        Share of the latest snapshot rows held out to measure AUC.
    random_state : int, default 0
        Seed for the classifier (results are deterministic).
    n_threads : int, optional
        Cap on OpenMP threads while fitting and predicting (via threadpoolctl); default: all
        cores. Set 1 in busy worker processes, where oversubscribed OpenMP slows a small fit
        by orders of magnitude.
    **params
        Passed to ``sklearn.ensemble.HistGradientBoostingClassifier``.

    Attributes
    ----------
    auc_ : float
        ROC AUC on the time-split holdout.
    holdout_from_ : float
        Earliest time in the holdout (day number for dates).
    n_train_, n_holdout_ : int
        Rows used to train the evaluated model and to measure it.
    feature_names_ : list of str
        Feature columns, in order.
    model_ : HistGradientBoostingClassifier
        The classifier refitted on all rows.
    """

    def __init__(
        self,
        holdout_share: float = 0.2,
        random_state: int = 0,
        n_threads: int | None = None,
        **params: Any,
    ) -> None:
        self.holdout_share = holdout_share
        self.random_state = random_state
        self.n_threads = n_threads
        self.params = params

    def _threads(self) -> Any:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=self.n_threads, user_api="openmp")

    def _classifier(self) -> Any:
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(random_state=self.random_state, **self.params)

    def fit(self, features: pl.DataFrame | np.ndarray, labels: ArrayLike, times: ArrayLike) -> Self:
        """Fit on labelled snapshots and measure AUC on the latest ones.

        Parameters
        ----------
        features : polars.DataFrame or 2-D array
            Numeric features per row (a ``customer_id`` column is ignored); NaN allowed.
        labels : array-like of {0, 1}
            1 if the customer churned after the snapshot.
        times : array-like of date, datetime or float
            Snapshot time of each row, used for the time split.

        Returns
        -------
        SupervisedChurnModel
            ``self``, fitted.

        Raises
        ------
        ValueError
            On empty input, non-binary labels, mismatched lengths, times without two
            distinct values or a train / holdout part missing a class.
        """
        from sklearn.metrics import roc_auc_score

        share = fraction(self.holdout_share, "holdout_share")
        x, names = _feature_matrix(features, None)
        n = x.shape[0]
        if n == 0:
            raise ValueError("features is empty; a supervised model needs labelled rows")
        y = numeric(labels, "labels", n)
        if not np.isin(y, (0, 1)).all():
            raise ValueError("labels must be 0 or 1")
        t = _times(times, n)

        cutoff = np.sort(t)[min(n - 1, int(np.floor(n * (1 - share))))]
        holdout = t >= cutoff
        if holdout.all():
            raise ValueError("times must have at least two distinct values for a time split")
        for part, mask in (("training", ~holdout), ("holdout", holdout)):
            if np.unique(y[mask]).size < 2:
                raise ValueError(f"the {part} part of the time split has only one class of labels")

        with self._threads():
            evaluated = self._classifier().fit(x[~holdout], y[~holdout])
            proba = evaluated.predict_proba(x[holdout])[:, 1]
            self.model_ = self._classifier().fit(x, y)
        self.auc_ = float(roc_auc_score(y[holdout], proba))
        self.holdout_from_ = float(cutoff)
        self.n_train_ = int((~holdout).sum())
        self.n_holdout_ = int(holdout.sum())
        self.feature_names_ = names
        return self

    def predict_proba(self, features: pl.DataFrame | np.ndarray) -> np.ndarray:
        """Return the churn probability (0-1) of each row, as a 1-D array."""
        if not hasattr(self, "model_"):
            raise ValueError("the model is not fitted; call fit() first")
        x, _ = _feature_matrix(features, self.feature_names_)
        if x.shape[0] == 0:
            return np.zeros(0)
        with self._threads():
            return self.model_.predict_proba(x)[:, 1]

    def score_customers(
        self, customer_id: ArrayLike, features: pl.DataFrame | np.ndarray
    ) -> pl.DataFrame:
        """Return ``customer_id`` and ``churn_probability`` (Float64) for each row of features."""
        ids = customer_ids(customer_id)
        proba = self.predict_proba(features)
        check_length(proba, "features", ids.len())
        return pl.DataFrame({"customer_id": ids, "churn_probability": proba})


def fit_supervised(
    features: pl.DataFrame | np.ndarray,
    labels: ArrayLike,
    times: ArrayLike,
    *,
    holdout_share: float = 0.2,
    random_state: int = 0,
    n_threads: int | None = None,
    **params: Any,
) -> SupervisedChurnModel:
    """Fit a :class:`SupervisedChurnModel` (see its ``fit``) and return it; AUC in ``auc_``."""
    model = SupervisedChurnModel(holdout_share, random_state, n_threads, **params)
    return model.fit(features, labels, times)
