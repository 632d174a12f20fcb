"""BG/NBD mathematics: log-likelihood with analytic gradient, and the conditional predictions.

Kept apart from the estimator class so that the formulas can be read next to the paper:
Fader, Hardie and Lee (2005), "Counting Your Customers the Easy Way: An Alternative to the
Pareto/NBD Model", Marketing Science 24(2), 275-284, and Hardie's notes 004 and 021.

All functions take parameters in the caller's time unit and plain float64 arrays that have
already been validated.
"""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
from scipy.special import digamma, expit, gammaln, hyp2f1

__all__ = [
    "BetaGeoData",
    "conditional_expected_purchases",
    "distinct_frequencies",
    "log_likelihood",
    "negative_log_likelihood_and_gradient",
    "probability_alive",
    "weighted_sum",
]


# Below this many patterns a second thread costs more than it saves.
_ROWS_PER_THREAD = 100_000


def _threads() -> int:
    return max(1, min(4, os.cpu_count() or 1))


@functools.cache
def _executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=_threads(), thread_name_prefix="guanxi-bgnbd")


def weighted_sum(weights: np.ndarray, values: np.ndarray) -> float:
    """Weighted sum. einsum, not ``@``: a threaded BLAS dot is slower on two busy cores."""
    return float(np.einsum("i,i->", weights, values))


def distinct_frequencies(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct whole-number frequencies and each row's index into them, in linear time."""
    if len(x) == 0 or x.max() > 4 * len(x) + 1_000_000:
        values, inverse = np.unique(x, return_inverse=True)
        return values, inverse
    present = np.bincount(x.astype(np.int64)) > 0
    position = np.cumsum(present) - 1
    return np.flatnonzero(present).astype(np.float64), position[x.astype(np.int64)]


@dataclass(frozen=True)
class BetaGeoData:
    """Customer histories grouped into distinct patterns, with their counts as weights.

    Terms that depend on the frequency alone are summed over the distinct frequencies
    (``x_values``, ``x_weights``); the terms mixing recency and T are summed over the patterns,
    split into those without repeat purchases (``T0``) and those with (``x1``, ``recency1``,
    ``T1``), since only the latter can have died after their last purchase.
    """

    x_values: np.ndarray
    x_weights: np.ndarray
    T0: np.ndarray
    w0: np.ndarray
    x1: np.ndarray
    recency1: np.ndarray
    T1: np.ndarray
    w1: np.ndarray
    total_weight: float
    # The same rows cut into pieces evaluated on several threads (numpy releases the GIL).
    parts: tuple[BetaGeoData, ...] = ()

    @classmethod
    def from_patterns(
        cls, x: np.ndarray, recency: np.ndarray, T: np.ndarray, weights: np.ndarray
    ) -> BetaGeoData:
        """Build from distinct (x, recency, T) patterns and how many customers share each."""
        x_values, inverse = distinct_frequencies(x)
        x_weights = np.bincount(inverse, weights=weights, minlength=len(x_values))
        repeat = x > 0
        data = cls(
            x_values=x_values,
            x_weights=x_weights,
            T0=T[~repeat],
            w0=weights[~repeat],
            x1=x[repeat],
            recency1=recency[repeat],
            T1=T[repeat],
            w1=weights[repeat],
            total_weight=float(weights.sum()),
        )
        return data.split(_threads() if len(x) >= _ROWS_PER_THREAD else 1)

    def split(self, n_parts: int) -> BetaGeoData:
        """This data with its rows also cut into ``n_parts`` pieces for threaded evaluation.

        The frequency-only terms and the total weight stay with the first piece, so the pieces'
        log-likelihoods add up to the whole.
        """
        if n_parts < 2:
            return self
        none = np.empty(0)
        cuts0 = np.array_split(np.arange(len(self.T0)), n_parts)
        cuts1 = np.array_split(np.arange(len(self.T1)), n_parts)
        parts = tuple(
            BetaGeoData(
                self.x_values if i == 0 else none,
                self.x_weights if i == 0 else none,
                self.T0[c0],
                self.w0[c0],
                self.x1[c1],
                self.recency1[c1],
                self.T1[c1],
                self.w1[c1],
                self.total_weight if i == 0 else 0.0,
            )
            for i, (c0, c1) in enumerate(zip(cuts0, cuts1, strict=True))
        )
        return replace(self, parts=parts)

    def scaled(self, scale: float) -> BetaGeoData:
        """The same data with time multiplied by ``scale``."""
        return replace(
            self,
            T0=self.T0 * scale,
            recency1=self.recency1 * scale,
            T1=self.T1 * scale,
            parts=tuple(part.scaled(scale) for part in self.parts),
        )


def _log_likelihood_parts(
    params: np.ndarray, data: BetaGeoData, with_gradient: bool
) -> tuple[float, np.ndarray]:
    if data.parts:
        results = list(
            _executor().map(
                lambda part: _log_likelihood_parts(params, part, with_gradient), data.parts
            )
        )
        ll = sum(result[0] for result in results)
        grad = np.sum([result[1] for result in results], axis=0)
        return ll, grad
    r, alpha, a, b = params
    xs, wx = data.x_values, data.x_weights
    # Frequency-only terms: ln Gamma(r+x)/Gamma(r) alpha^r + ln B(a, b+x)/B(a, b).
    ll = weighted_sum(
        wx,
        (
            gammaln(r + xs)
            - gammaln(r)
            + r * np.log(alpha)
            + gammaln(a + b)
            + gammaln(b + xs)
            - gammaln(b)
            - gammaln(a + b + xs)
        ),
    )
    # Customers with no repeat purchase cannot have died: the survival term alone.
    log_age0 = np.log(alpha + data.T0)
    ll -= r * weighted_sum(data.w0, log_age0)
    # Customers with repeat purchases: alive now (A3) or died just after the last purchase (A4).
    # ln(e^A3 + e^A4) = A3 + softplus(A4 - A3); the log-odds of having died, A4 - A3, keeps the
    # transcendental work to one exp and one log1p per pattern.
    x1 = data.x1
    log_age1 = np.log(alpha + data.T1)
    log_rec1 = np.log(alpha + data.recency1)
    r_x1 = r + x1
    log_odds_dead = np.log(a / (b + x1 - 1)) + r_x1 * (log_age1 - log_rec1)
    damped = np.exp(-np.abs(log_odds_dead))
    softplus = np.maximum(log_odds_dead, 0.0) + np.log1p(damped)
    w1 = data.w1
    ll += weighted_sum(w1, (softplus - r_x1 * log_age1))
    if not with_gradient:
        return ll, np.zeros(4)

    share_dead = np.where(log_odds_dead >= 0, 1.0, damped) / (1.0 + damped)
    share_alive = 1.0 - share_dead
    d_r = weighted_sum(wx, (digamma(r + xs) - digamma(r) + np.log(alpha)))
    d_r -= weighted_sum(data.w0, log_age0)
    d_r -= weighted_sum(w1, (log_age1 - share_dead * (log_age1 - log_rec1)))
    d_alpha = r * data.total_weight / alpha
    d_alpha -= r * weighted_sum(data.w0, (1.0 / (alpha + data.T0)))
    d_alpha -= weighted_sum(
        (w1 * r_x1), (share_alive / (alpha + data.T1) + share_dead / (alpha + data.recency1))
    )
    common_ab = digamma(a + b) - digamma(a + b + xs)
    dead_weight = w1 * share_dead
    d_a = weighted_sum(wx, common_ab) + float(dead_weight.sum()) / a
    d_b = weighted_sum(wx, (common_ab + digamma(b + xs) - digamma(b)))
    d_b -= weighted_sum(dead_weight, (1.0 / (b + x1 - 1)))
    return ll, np.array([d_r, d_alpha, d_a, d_b])


def log_likelihood(params: np.ndarray, data: BetaGeoData) -> float:
    """Total BG/NBD log-likelihood of ``data`` at ``params`` = (r, alpha, a, b)."""
    return _log_likelihood_parts(params, data, with_gradient=False)[0]


def negative_log_likelihood_and_gradient(
    log_params: np.ndarray, data: BetaGeoData, penalizer_coef: float
) -> tuple[float, np.ndarray]:
    """Mean negative log-likelihood plus L2 penalty, and its gradient in log-parameters.

    This is lifetimes' objective (mean over customers, penalty on the parameters themselves),
    so the same penalizer gives the same estimate.
    """
    params = np.exp(log_params)
    ll, grad = _log_likelihood_parts(params, data, with_gradient=True)
    objective = -ll / data.total_weight + penalizer_coef * weighted_sum(params, params)
    gradient = -grad * params / data.total_weight + 2.0 * penalizer_coef * params**2
    return objective, gradient


def probability_alive(
    params: dict[str, float], x: np.ndarray, recency: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """P(alive | x, recency, T), Hardie's note 021, evaluated as a logistic to avoid overflow."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    repeat = x > 0
    # b + x - 1 is only used where x > 0; the maximum keeps the unused branch finite.
    log_odds_dead = np.log(a / (b + np.maximum(x, 1) - 1)) + (r + x) * np.log(
        (alpha + T) / (alpha + recency)
    )
    return np.where(repeat, expit(-log_odds_dead), 1.0)


def conditional_expected_purchases(
    params: dict[str, float], t: np.ndarray, x: np.ndarray, recency: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """E[purchases in (T, T + t] | x, recency, T] for equal-length arrays, on several threads."""
    arrays = np.broadcast_arrays(t, x, recency, T)
    n_parts = _threads() if arrays[0].size >= 2 * _ROWS_PER_THREAD else 1
    if n_parts < 2:
        return _expected_purchases(params, *arrays)
    pieces = [np.array_split(a, n_parts) for a in arrays]
    results = _executor().map(
        lambda i: _expected_purchases(params, *(p[i] for p in pieces)), range(n_parts)
    )
    return np.concatenate(list(results))


def _expected_purchases(
    params: dict[str, float], t: np.ndarray, x: np.ndarray, recency: np.ndarray, T: np.ndarray
) -> np.ndarray:
    """E[purchases in (T, T + t] | x, recency, T], equation (10) of Fader, Hardie and Lee (2005).

    The paper's 2F1(r+x, b+x; a+b+x-1; z) overflows for large x; Euler's transformation
    2F1(A, B; C; z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z) turns it, together with the
    ((alpha+T)/(alpha+T+t))^(r+x) factor, into (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z),
    whose parameters no longer grow with x, so the series is tame at any frequency.
    The 1 / (1 + ...) denominator of the paper is P(alive).
    """
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    c = a + b + x - 1
    log_one_minus_z = -np.log1p(t / (alpha + T))
    z = -np.expm1(log_one_minus_z)
    hyp = np.asarray(hyp2f1(a + b - 1 - r, a - 1, c, z), dtype=np.float64)
    broken = ~np.isfinite(hyp)
    if broken.any():
        # scipy's hyp2f1 returns inf/nan in some whole-number cases (e.g. 2F1(1, 1; 101; 0.9),
        # whose series sums to 1.0092); the function is smooth in c, so nudging c by one part in
        # 10^12 gives the value to ~1e-13.
        c_b, z_b = np.broadcast_arrays(c, z)
        hyp = np.array(np.broadcast_to(hyp, c_b.shape))
        broken = ~np.isfinite(hyp)
        hyp[broken] = hyp2f1(a + b - 1 - r, a - 1, c_b[broken] * (1 + 1e-12), z_b[broken])
    remaining = 1.0 - np.exp((a - 1) * log_one_minus_z) * hyp
    return c / (a - 1) * remaining * probability_alive(params, x, recency, T)
