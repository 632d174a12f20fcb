"""Simulators for the CLV tests and benchmark: BG/NBD histories, Gamma-Gamma spend, transactions.

Vectorised draws from the models' generative processes, so that 100,000 customers take
milliseconds (lifetimes' generator loops in Python).
"""

from __future__ import annotations

import numpy as np

CDNOW_BGNBD = {"r": 0.24, "alpha": 4.41, "a": 0.79, "b": 2.43}
CDNOW_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}


def bgnbd_histories(
    rng: np.random.Generator,
    n: int,
    r: float,
    alpha: float,
    a: float,
    b: float,
    T: float | np.ndarray = 39.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw (frequency, recency, T) for ``n`` customers from the BG/NBD process.

    A customer buys as a Poisson process of rate lambda ~ Gamma(r, rate alpha) and dies after
    each repeat purchase with probability p ~ Beta(a, b), so the number of purchases it can make
    is K ~ Geometric(p). With N ~ Poisson(lambda T) events in (0, T], the observed frequency is
    x = min(N, K), and the time of the x-th of N uniform events is T * Beta(x, N - x + 1).
    """
    age = np.broadcast_to(np.asarray(T, dtype=np.float64), (n,)).copy()
    rate = rng.gamma(r, 1.0 / alpha, n)
    death = rng.beta(a, b, n)
    lifetime_purchases = rng.geometric(death)
    events = rng.poisson(rate * age)
    x = np.minimum(events, lifetime_purchases)
    recency = np.where(x > 0, age * rng.beta(np.maximum(x, 1), events - x + 1), 0.0)
    return x.astype(np.float64), recency, age


def gamma_gamma_spend(
    rng: np.random.Generator, frequency: np.ndarray, p: float, q: float, v: float
) -> np.ndarray:
    """Mean spend of each customer's ``frequency`` transactions (0 where frequency is 0).

    Each customer's transactions are Gamma(p, rate nu) with nu ~ Gamma(q, rate v); the mean of
    x of them is Gamma(p x, rate nu x).
    """
    nu = rng.gamma(q, 1.0 / v, len(frequency))
    x = np.maximum(frequency, 1)
    spend = rng.gamma(p * x, 1.0 / (nu * x))
    return np.where(frequency > 0, spend, 0.0)


def transactions(
    rng: np.random.Generator, n_transactions: int, n_customers: int, days: int = 3 * 365
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A random transaction log: customer ids, second-resolution timestamps, amounts.

    Timestamps start on 2021-01-01; amounts are rounded to cents so that same-day purchases
    are summed exactly as a person would.
    """
    customer_id = rng.integers(0, n_customers, n_transactions)
    seconds = rng.integers(0, days * 86_400, n_transactions).astype("timedelta64[s]")
    date = np.datetime64("2021-01-01T00:00:00", "s") + seconds
    amount = np.round(rng.gamma(2.0, 25.0, n_transactions), 2)
    return customer_id, date, amount
