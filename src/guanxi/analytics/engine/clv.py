"""Customer lifetime value: BG/NBD purchase model, Gamma-Gamma spend model, discounted CLV.

The estimators follow scikit-learn's conventions: configure in ``__init__``, ``fit()`` returns
``self``, and fitted attributes end in an underscore (``params_``, ``log_likelihood_``). They
reproduce lifetimes' ``BetaGeoFitter`` and ``GammaGammaFitter`` (same objective, same penalty,
same predictions) with a log-space likelihood, an analytic gradient and customers with identical
whole-number histories grouped into one weighted row, which makes them many times faster
(benchmarks/results/clv.md).

Units: ``frequency`` is a count of repeat purchase periods, ``recency`` and ``T`` are in the
time unit of the summary they come from (days for ``summarize(..., period="D")``), and every
time-valued parameter or argument (``alpha``, ``t``) is in that same unit.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl
from scipy.optimize import minimize

from guanxi.analytics.engine import _bgnbd, _gammagamma

try:  # installed with scikit-learn; optional so that the engine works without it
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None  # type: ignore[assignment]

__all__ = [
    "BetaGeoModel",
    "GammaGammaModel",
    "NotFittedError",
    "customer_lifetime_value",
]

# lifetimes starts every fit from log-parameters of 0.1; starting at the same point means that
# on a flat likelihood both land on the same optimum.
_INITIAL_LOG_PARAM = 0.1
# Keeps exp(log-parameter) finite if the likelihood has no interior maximum.
_LOG_PARAM_BOUND = 30.0
# Largest |gradient| of the mean objective accepted when the line search stops early at a
# point it cannot improve on (L-BFGS-B's "ABNORMAL_TERMINATION_IN_LNSRCH").
_GRADIENT_TOLERANCE = 1e-5


class NotFittedError(ValueError, AttributeError):
    """Raised when a model is used for prediction before ``fit()`` (as in scikit-learn)."""


def _vector(name: str, values: Any) -> np.ndarray:
    """``values`` as a finite 1-d float64 array, or a ValueError naming ``name``."""
    if isinstance(values, pl.Series):
        if values.null_count():
            raise ValueError(f"{name} contains {values.null_count()} missing values")
        values = values.to_numpy()
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from exc
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if np.isnan(array).any():
        raise ValueError(f"{name} contains NaN values ({int(np.isnan(array).sum())})")
    if np.isinf(array).any():
        raise ValueError(f"{name} contains infinite values")
    if (array < 0).any():
        first = int(np.argmax(array < 0))
        raise ValueError(
            f"{name} contains negative values ({int((array < 0).sum())}, "
            f"first at position {first}: {array[first]})"
        )
    return array


def _same_length(**arrays: np.ndarray) -> list[np.ndarray]:
    """Broadcast length-1 arrays; refuse any other mismatch, naming the lengths."""
    lengths = {len(a) for a in arrays.values()} - {1}
    if len(lengths) > 1:
        described = ", ".join(f"{name}={len(a)}" for name, a in arrays.items())
        raise ValueError(f"{', '.join(arrays)} must have the same length, got {described}")
    return [np.asarray(a) for a in np.broadcast_arrays(*arrays.values())]


def _first_position(mask: np.ndarray) -> str:
    return f"{int(mask.sum())} customers, first at position {int(np.argmax(mask))}"


def _frequency(values: Any) -> np.ndarray:
    frequency = _vector("frequency", values)
    fractional = frequency != np.floor(frequency)
    if fractional.any():
        raise ValueError(
            "frequency must be whole numbers of repeat purchases "
            f"({_first_position(fractional)}: {frequency[np.argmax(fractional)]})"
        )
    return frequency


def _histories(frequency: Any, recency: Any, T: Any) -> tuple[np.ndarray, ...]:
    """Validated (frequency, recency, T) arrays of one length."""
    x, tx, age = _same_length(
        frequency=_frequency(frequency),
        recency=_vector("recency", recency),
        T=_vector("T", T),
    )
    too_recent = tx > age
    if too_recent.any():
        raise ValueError(
            f"recency must not exceed T (recency > T for {_first_position(too_recent)})"
        )
    recency_without_repeat = (x == 0) & (tx > 0)
    if recency_without_repeat.any():
        raise ValueError(
            "recency must be 0 when frequency is 0 (frequency 0 with recency > 0 for "
            f"{_first_position(recency_without_repeat)})"
        )
    return x, tx, age


def _spend_histories(frequency: Any, monetary_value: Any) -> tuple[np.ndarray, np.ndarray]:
    x, m = _same_length(
        frequency=_frequency(frequency), monetary_value=_vector("monetary_value", monetary_value)
    )
    unpriced = (x > 0) & (m <= 0)
    if unpriced.any():
        raise ValueError(
            "monetary_value must be positive for customers with frequency > 0 "
            f"(zero for {_first_position(unpriced)})"
        )
    return x, m


def _penalizer(value: float) -> float:
    penalizer = float(value)
    if not np.isfinite(penalizer) or penalizer < 0:
        raise ValueError(f"penalizer_coef must be a finite number >= 0, got {value!r}")
    return penalizer


def _patterns(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of ``columns`` and how many customers share each, for weighted fitting.

    Whole-number histories (what ``summarize`` produces) repeat a lot: a million customers
    observed in days have a few hundred thousand distinct (x, recency, T) rows. They are packed
    into one integer key and sorted once. Fractional histories rarely repeat, so they are used
    row by row (each with weight 1) rather than paying for a multi-column group-by.
    """
    ones = np.ones(len(columns[0]))
    if not all(np.array_equal(c, np.floor(c)) for c in columns):
        return list(columns), ones
    sizes = [int(c.max()) + 1 for c in columns]
    if float(np.prod(np.array(sizes, dtype=np.float64))) >= 2.0**62:
        return list(columns), ones
    key = np.zeros(len(ones), dtype=np.int64)
    for column, size in zip(columns, sizes, strict=True):
        key = key * size + column.astype(np.int64)
    ordered = pl.Series(key).sort().to_numpy()  # multi-threaded, deterministic
    starts = np.flatnonzero(np.diff(ordered, prepend=-1))
    counts = np.diff(np.append(starts, len(ordered))).astype(np.float64)
    unique = ordered[starts]
    decoded = []
    for size in reversed(sizes):
        unique, column = np.divmod(unique, size)
        decoded.append(column.astype(np.float64))
    return decoded[::-1], counts


def _minimize(
    objective: Callable[[np.ndarray], tuple[float, np.ndarray]], n_params: int, model: str
) -> tuple[np.ndarray, int, bool]:
    # L-BFGS-B calls BLAS on 4-element vectors; a threaded OpenBLAS turns each call into a thread
    # wake-up that costs milliseconds on a busy machine (10x slower fits), so use one thread.
    single_thread = (
        threadpool_limits(1, user_api="blas") if threadpool_limits else contextlib.nullcontext()
    )
    with single_thread:
        result = minimize(
            objective,
            x0=np.full(n_params, _INITIAL_LOG_PARAM),
            jac=True,
            method="L-BFGS-B",
            bounds=[(-_LOG_PARAM_BOUND, _LOG_PARAM_BOUND)] * n_params,
            options={"maxiter": 2000, "ftol": 1e-15, "gtol": 1e-9},
        )
    converged = bool(result.success) or float(np.max(np.abs(result.jac))) < _GRADIENT_TOLERANCE
    if not converged:
        warnings.warn(
            f"{model} fit did not converge ({result.message}); try a penalizer_coef > 0",
            RuntimeWarning,
            stacklevel=3,
        )
    return result.x, int(result.nit), converged


class BetaGeoModel:
    """BG/NBD model of repeat purchasing (Fader, Hardie and Lee, 2005).

    Each customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha) while alive, and
    after each repeat purchase drops out for good with probability p ~ Beta(a, b).

    Parameters
    ----------
    penalizer_coef : float, default 0.0
        Coefficient of an L2 penalty on the parameters, exactly as lifetimes' ``BetaGeoFitter``
        applies it (on the mean log-likelihood, with time rescaled so that the oldest customer's
        T is 1). A small value (0.001 - 0.1) helps when the data cannot pin down a and b.

    Attributes
    ----------
    params_ : dict of str to float
        Fitted ``r``, ``alpha`` (in the data's time unit), ``a`` and ``b``.
    log_likelihood_ : float
        Total log-likelihood of the fitted data at ``params_``, without the penalty.
    n_customers_ : int
        Number of customers the model was fitted on.
    n_iter_ : int
        Optimiser iterations.
    converged_ : bool
        Whether the optimiser reached a stationary point.

    Examples
    --------
    >>> model = BetaGeoModel().fit([0, 2, 5, 1], [0.0, 20.0, 30.0, 4.0], [40.0, 38.0, 35.0, 30.0])
    >>> sorted(model.params_)
    ['a', 'alpha', 'b', 'r']
    """

    params_: dict[str, float]
    log_likelihood_: float
    n_customers_: int
    n_iter_: int
    converged_: bool

    def __init__(self, penalizer_coef: float = 0.0) -> None:
        self.penalizer_coef = penalizer_coef

    def __repr__(self) -> str:
        return f"BetaGeoModel(penalizer_coef={self.penalizer_coef!r})"

    def fit(self, frequency: Any, recency: Any, T: Any) -> BetaGeoModel:
        """Estimate r, alpha, a, b by maximum likelihood.

        Parameters
        ----------
        frequency : array-like of int
            Repeat purchase periods per customer (``x``), >= 0.
        recency : array-like of float
            Time from first to last purchase (``t_x``), 0 when ``frequency`` is 0, <= ``T``.
        T : array-like of float
            Time from first purchase to the end of observation, >= 0.

        Returns
        -------
        BetaGeoModel
            ``self``, fitted.

        Raises
        ------
        ValueError
            On empty, mismatched, negative, NaN or inconsistent input (recency > T, recency > 0
            with frequency 0, fractional frequency), or a negative ``penalizer_coef``.
        """
        penalizer = _penalizer(self.penalizer_coef)
        x, tx, age = _histories(frequency, recency, T)
        if len(x) == 0:
            raise ValueError("frequency, recency and T are empty: nothing to fit")
        (x, tx, age), weights = _patterns(x, tx, age)
        data = _bgnbd.BetaGeoData.from_patterns(x, tx, age, weights)
        # Like lifetimes, optimise with time rescaled to the oldest customer so that alpha is of
        # order one; this also makes the penalty mean the same as lifetimes'.
        oldest = float(age.max())
        scale = 1.0 / oldest if oldest > 0 else 1.0
        scaled = data.scaled(scale)
        log_params, self.n_iter_, self.converged_ = _minimize(
            lambda lp: _bgnbd.negative_log_likelihood_and_gradient(lp, scaled, penalizer),
            4,
            "BG/NBD",
        )
        r, alpha, a, b = np.exp(log_params)
        alpha /= scale
        self.params_ = {"r": float(r), "alpha": float(alpha), "a": float(a), "b": float(b)}
        self.log_likelihood_ = _bgnbd.log_likelihood(np.array([r, alpha, a, b]), data)
        self.n_customers_ = int(weights.sum())
        return self

    def _fitted_params(self) -> dict[str, float]:
        if not hasattr(self, "params_"):
            raise NotFittedError("this BetaGeoModel is not fitted yet: call fit() first")
        return self.params_

    def expected_purchases(self, t: Any, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """Expected number of repeat purchases in the next ``t`` time units, given the history.

        Equation (10) of Fader, Hardie and Lee (2005); lifetimes'
        ``conditional_expected_number_of_purchases_up_to_time``.

        Parameters
        ----------
        t : float or array-like of float
            Horizon(s), >= 0, in the data's time unit; a scalar or one value per customer.
        frequency, recency, T : array-like
            Customer histories, as for :meth:`fit` (scalars broadcast).

        Returns
        -------
        numpy.ndarray
            Expected purchases per customer, non-decreasing in ``t``.
        """
        params = self._fitted_params()
        x, tx, age = _histories(frequency, recency, T)
        horizon, x, tx, age = _same_length(t=_vector("t", t), frequency=x, recency=tx, T=age)
        expected = _bgnbd.conditional_expected_purchases(params, horizon, x, tx, age)
        # A count: rounding near t = 0 can leave -1e-16, which is 0.
        return np.maximum(expected, 0.0)

    def p_alive(self, frequency: Any, recency: Any, T: Any) -> np.ndarray:
        """Probability that each customer is still active (has not dropped out).

        Hardie's note 021; lifetimes' ``conditional_probability_alive``. Customers without a
        repeat purchase are alive with probability 1 under the BG/NBD model.

        Parameters
        ----------
        frequency, recency, T : array-like
            Customer histories, as for :meth:`fit` (scalars broadcast).

        Returns
        -------
        numpy.ndarray
            Probabilities in [0, 1].
        """
        params = self._fitted_params()
        x, tx, age = _histories(frequency, recency, T)
        return _bgnbd.probability_alive(params, x, tx, age)


class GammaGammaModel:
    """Gamma-Gamma model of spend per transaction (Fader, Hardie and Lee, 2005; note 025).

    Transaction values of a customer are Gamma(p, nu) with nu ~ Gamma(q, v) across customers.
    It assumes spend is independent of purchase frequency; check that before relying on it.

    Parameters
    ----------
    penalizer_coef : float, default 0.0
        Coefficient of an L2 penalty on (p, q, v), as in lifetimes' ``GammaGammaFitter``.

    Attributes
    ----------
    params_ : dict of str to float
        Fitted ``p``, ``q`` and ``v`` (``v`` in currency units).
    log_likelihood_ : float
        Total log-likelihood at ``params_`` of the customers used (frequency > 0), no penalty.
    n_customers_ : int
        Number of customers used: those with frequency > 0.
    n_iter_ : int
        Optimiser iterations.
    converged_ : bool
        Whether the optimiser reached a stationary point.
    """

    params_: dict[str, float]
    log_likelihood_: float
    n_customers_: int
    n_iter_: int
    converged_: bool

    def __init__(self, penalizer_coef: float = 0.0) -> None:
        self.penalizer_coef = penalizer_coef

    def __repr__(self) -> str:
        return f"GammaGammaModel(penalizer_coef={self.penalizer_coef!r})"

    def fit(self, frequency: Any, monetary_value: Any) -> GammaGammaModel:
        """Estimate p, q, v by maximum likelihood on the customers with frequency > 0.

        Parameters
        ----------
        frequency : array-like of int
            Repeat purchase periods per customer.
        monetary_value : array-like of float
            Mean spend of the repeat periods; must be > 0 where ``frequency`` > 0 (customers
            with frequency 0 are ignored, whatever their value).

        Returns
        -------
        GammaGammaModel
            ``self``, fitted.

        Raises
        ------
        ValueError
            On mismatched, negative or NaN input, a non-positive spend with frequency > 0,
            fewer than two customers with frequency > 0, or a negative ``penalizer_coef``.
        """
        penalizer = _penalizer(self.penalizer_coef)
        x, m = _spend_histories(frequency, monetary_value)
        repeat = x > 0
        if repeat.sum() < 2:
            raise ValueError(
                "GammaGammaModel needs at least 2 customers with frequency > 0, "
                f"got {int(repeat.sum())}"
            )
        (x, m), weights = _patterns(x[repeat], m[repeat])
        data = _gammagamma.GammaGammaData.from_patterns(x, m, weights)
        log_params, self.n_iter_, self.converged_ = _minimize(
            lambda lp: _gammagamma.negative_log_likelihood_and_gradient(lp, data, penalizer),
            3,
            "Gamma-Gamma",
        )
        p, q, v = np.exp(log_params)
        self.params_ = {"p": float(p), "q": float(q), "v": float(v)}
        self.log_likelihood_ = _gammagamma.log_likelihood(np.array([p, q, v]), data)
        self.n_customers_ = int(weights.sum())
        return self

    def expected_spend(self, frequency: Any, monetary_value: Any) -> np.ndarray:
        """Expected mean spend per future transaction, given each customer's history.

        Equation (5) of note 025; lifetimes' ``conditional_expected_average_profit``: a weighted
        mean of the population mean v p / (q - 1) and the customer's own ``monetary_value``,
        with weight p x / (p x + q - 1) on the latter. Customers with frequency 0 get the
        population mean (meaningful only when q > 1).

        Parameters
        ----------
        frequency, monetary_value : array-like
            As for :meth:`fit` (scalars broadcast).

        Returns
        -------
        numpy.ndarray
            Expected spend per transaction, in the currency of ``monetary_value``.
        """
        if not hasattr(self, "params_"):
            raise NotFittedError("this GammaGammaModel is not fitted yet: call fit() first")
        x, m = _spend_histories(frequency, monetary_value)
        p, q, v = self.params_["p"], self.params_["q"], self.params_["v"]
        own_weight = p * x / (p * x + q - 1)
        population_mean = v * p / (q - 1)
        return (1 - own_weight) * population_mean + own_weight * m


def customer_lifetime_value(
    bg: BetaGeoModel,
    gg: GammaGammaModel,
    frequency: Any,
    recency: Any,
    T: Any,
    monetary_value: Any,
    horizon: int = 12,
    discount_rate: float = 0.01,
    period_days: float = 30,
) -> np.ndarray:
    """Discounted expected spend of each customer over the next ``horizon`` months.

    lifetimes' ``customer_lifetime_value``: for each month i = 1..horizon, the expected purchases
    in that month (the BG/NBD cumulative expectation at ``i * period_days`` minus that at
    ``(i - 1) * period_days``) times the Gamma-Gamma expected spend, discounted by
    ``(1 + discount_rate) ** i``, summed over the months.

    Parameters
    ----------
    bg : BetaGeoModel
        Fitted purchase model.
    gg : GammaGammaModel
        Fitted spend model.
    frequency, recency, T, monetary_value : array-like
        Customer summaries, as produced by :func:`guanxi.analytics.engine.summary.summarize`.
    horizon : int, default 12
        Number of months (discounting steps) to sum over.
    discount_rate : float, default 0.01
        Discount rate per month (0.01 is about 12.7 % a year).
    period_days : float, default 30
        Length of one month in the time unit of ``recency`` and ``T``: 30 for daily summaries
        (lifetimes' ``freq="D"``), 4.345 for weekly ones (``"W"``), 1 for monthly ones.

    Returns
    -------
    numpy.ndarray
        CLV per customer, in the currency of ``monetary_value``.

    Raises
    ------
    ValueError
        If a model is not fitted (``NotFittedError``), the histories are invalid, or
        ``horizon`` < 1, ``discount_rate`` <= -1 or ``period_days`` <= 0.
    """
    if isinstance(horizon, bool) or int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be a whole number of months >= 1, got {horizon!r}")
    if not np.isfinite(discount_rate) or discount_rate <= -1:
        raise ValueError(f"discount_rate must be a finite number > -1, got {discount_rate!r}")
    if not np.isfinite(period_days) or period_days <= 0:
        raise ValueError(f"period_days must be a finite number > 0, got {period_days!r}")
    x, tx, age = _histories(frequency, recency, T)
    x, tx, age, m = _same_length(
        frequency=x, recency=tx, T=age, monetary_value=_vector("monetary_value", monetary_value)
    )
    spend = gg.expected_spend(x, m)
    value = np.zeros(len(x))
    purchased_before = np.zeros(len(x))
    for month in range(1, int(horizon) + 1):
        purchased = bg.expected_purchases(month * period_days, x, tx, age)
        value += spend * (purchased - purchased_before) / (1 + discount_rate) ** month
        purchased_before = purchased
    return value
