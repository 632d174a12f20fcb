"""Gamma-Gamma spend model mathematics: log-likelihood with analytic gradient.

Fader, Hardie and Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis",
Journal of Marketing Research 42(4), 415-430, and Hardie's note 025. Inputs are float64 arrays
of customers with at least one repeat purchase, already validated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import digamma, gammaln

from guanxi.analytics.engine._bgnbd import distinct_frequencies, weighted_sum

__all__ = ["GammaGammaData", "log_likelihood", "negative_log_likelihood_and_gradient"]


@dataclass(frozen=True)
class GammaGammaData:
    """Distinct (x, m) patterns with counts, plus the sums that do not depend on the parameters.

    The likelihood is linear in p for the (p x - 1) ln m + p x ln x part, so those sums are
    computed once; the Gamma-function terms depend on x alone and are summed per distinct x.
    """

    x: np.ndarray
    m: np.ndarray
    w: np.ndarray
    x_values: np.ndarray
    x_weights: np.ndarray
    sum_w_x_log_m: float
    sum_w_log_m: float
    sum_w_x_log_x: float
    total_weight: float

    @classmethod
    def from_patterns(cls, x: np.ndarray, m: np.ndarray, weights: np.ndarray) -> GammaGammaData:
        """Build from distinct (x, m) patterns and how many customers share each."""
        x_values, inverse = distinct_frequencies(x)
        log_m = np.log(m)
        return cls(
            x=x,
            m=m,
            w=weights,
            x_values=x_values,
            x_weights=np.bincount(inverse, weights=weights, minlength=len(x_values)),
            sum_w_x_log_m=weighted_sum(weights, (x * log_m)),
            sum_w_log_m=weighted_sum(weights, log_m),
            sum_w_x_log_x=weighted_sum(weights, (x * np.log(x))),
            total_weight=float(weights.sum()),
        )


def _log_likelihood_parts(
    params: np.ndarray, data: GammaGammaData, with_gradient: bool
) -> tuple[float, np.ndarray]:
    p, q, v = params
    xs, wx, total = data.x_values, data.x_weights, data.total_weight
    log_spend = np.log(data.x * data.m + v)
    shape = p * data.x + q
    ll = weighted_sum(wx, (gammaln(p * xs + q) - gammaln(p * xs))) - total * gammaln(q)
    ll += total * q * np.log(v)
    ll += p * (data.sum_w_x_log_m + data.sum_w_x_log_x) - data.sum_w_log_m
    ll -= weighted_sum(data.w, (shape * log_spend))
    if not with_gradient:
        return ll, np.empty(0)
    d_p = weighted_sum(wx, (xs * (digamma(p * xs + q) - digamma(p * xs))))
    d_p += data.sum_w_x_log_m + data.sum_w_x_log_x - weighted_sum(data.w, (data.x * log_spend))
    d_q = weighted_sum(wx, digamma(p * xs + q)) - total * digamma(q) + total * np.log(v)
    d_q -= weighted_sum(data.w, log_spend)
    d_v = total * q / v - weighted_sum(data.w, (shape / (data.x * data.m + v)))
    return ll, np.array([d_p, d_q, d_v])


def log_likelihood(params: np.ndarray, data: GammaGammaData) -> float:
    """Total Gamma-Gamma log-likelihood of ``data`` at ``params`` = (p, q, v)."""
    return _log_likelihood_parts(params, data, with_gradient=False)[0]


def negative_log_likelihood_and_gradient(
    log_params: np.ndarray, data: GammaGammaData, penalizer_coef: float
) -> tuple[float, np.ndarray]:
    """lifetimes' objective (mean negative log-likelihood plus L2 penalty), gradient in logs."""
    params = np.exp(log_params)
    ll, grad = _log_likelihood_parts(params, data, with_gradient=True)
    objective = -ll / data.total_weight + penalizer_coef * weighted_sum(params, params)
    gradient = -grad * params / data.total_weight + 2.0 * penalizer_coef * params**2
    return objective, gradient
