"""Tests for the BG/NBD and Gamma-Gamma models and customer lifetime value."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.special import gammaln

from guanxi.analytics.engine import _bgnbd
from guanxi.analytics.engine.clv import (
    BetaGeoModel,
    GammaGammaModel,
    NotFittedError,
    customer_lifetime_value,
)
from tests.analytics.engine.simulate import (
    CDNOW_BGNBD,
    CDNOW_GAMMA_GAMMA,
    bgnbd_histories,
    gamma_gamma_spend,
)

# A small, well-behaved history set: three frequencies, recency <= T, recency 0 without repeats.
FREQUENCY = np.array([0.0, 2.0, 5.0, 1.0])
RECENCY = np.array([0.0, 20.0, 30.0, 4.0])
AGE = np.array([40.0, 38.0, 35.0, 30.0])


def _relative_error(estimate: dict[str, float], truth: dict[str, float]) -> dict[str, float]:
    return {name: abs(estimate[name] / truth[name] - 1) for name in truth}


@functools.cache
def _cdnow_like(n: int = 5_000, seed: int = 7) -> tuple[np.ndarray, ...]:
    """Simulated CDNOW-like cohort (ages 27-39 weeks) with spend; cached, never mutated."""
    rng = np.random.default_rng(seed)
    x, recency, age = bgnbd_histories(rng, n, **CDNOW_BGNBD, T=rng.uniform(27, 39, n))
    spend = gamma_gamma_spend(rng, x, **CDNOW_GAMMA_GAMMA)
    for array in (x, recency, age, spend):
        array.setflags(write=False)
    return x, recency, age, spend


@functools.cache
def _fitted_pair() -> tuple[BetaGeoModel, GammaGammaModel]:
    x, recency, age, spend = _cdnow_like()
    return BetaGeoModel().fit(x, recency, age), GammaGammaModel().fit(x, spend)


def _lifetimes_models(bg: BetaGeoModel, gg: GammaGammaModel):
    """lifetimes fitters carrying our parameters, to compare formulas independently of fits."""
    lifetimes = pytest.importorskip("lifetimes")
    pd = pytest.importorskip("pandas")
    x, recency, age, spend = _cdnow_like()
    their_bg = lifetimes.BetaGeoFitter().fit(x[:200], recency[:200], age[:200])
    their_bg.params_ = pd.Series(bg.params_)[["r", "alpha", "a", "b"]]
    their_gg = lifetimes.GammaGammaFitter()
    their_gg.params_ = pd.Series(gg.params_)[["p", "q", "v"]]
    return their_bg, their_gg


# -- recovering known parameters ------------------------------------------------------------


@pytest.mark.slow
def test_bgnbd_recovers_the_cdnow_parameters_from_simulated_customers():
    # Given 100,000 customers simulated from the BG/NBD process with the CDNOW estimates
    rng = np.random.default_rng(2005)
    n = 100_000
    x, recency, age = bgnbd_histories(rng, n, **CDNOW_BGNBD, T=rng.uniform(27, 39, n))

    # When the model is fitted
    model = BetaGeoModel().fit(x, recency, age)

    # Then the rate parameters are within 5 % and the (less well determined) dropout ones 15 %
    error = _relative_error(model.params_, CDNOW_BGNBD)
    assert error["r"] < 0.05 and error["alpha"] < 0.05, model.params_
    assert error["a"] < 0.15 and error["b"] < 0.15, model.params_
    assert model.converged_


@pytest.mark.slow
def test_gamma_gamma_recovers_the_cdnow_parameters_from_simulated_spend():
    rng = np.random.default_rng(2005)
    n = 100_000
    x, _, _ = bgnbd_histories(rng, n, **CDNOW_BGNBD, T=rng.uniform(27, 39, n))
    spend = gamma_gamma_spend(rng, x, **CDNOW_GAMMA_GAMMA)

    model = GammaGammaModel().fit(x, spend)

    error = _relative_error(model.params_, CDNOW_GAMMA_GAMMA)
    assert error["p"] < 0.10 and error["q"] < 0.10 and error["v"] < 0.15, model.params_
    assert model.n_customers_ == int((x > 0).sum())


# -- agreement with lifetimes ---------------------------------------------------------------


def test_bgnbd_parameters_equal_lifetimes_to_three_significant_digits():
    lifetimes = pytest.importorskip("lifetimes")
    x, recency, age, _ = _cdnow_like()

    ours = BetaGeoModel().fit(x, recency, age).params_
    theirs = lifetimes.BetaGeoFitter().fit(x, recency, age).params_

    for name in ["r", "alpha", "a", "b"]:
        assert ours[name] == pytest.approx(theirs[name], rel=5e-4), name


def test_penalized_bgnbd_parameters_equal_lifetimes_with_the_same_penalizer():
    lifetimes = pytest.importorskip("lifetimes")
    x, recency, age, _ = _cdnow_like()

    ours = BetaGeoModel(penalizer_coef=0.05).fit(x, recency, age).params_
    theirs = lifetimes.BetaGeoFitter(penalizer_coef=0.05).fit(x, recency, age).params_

    for name in ["r", "alpha", "a", "b"]:
        assert ours[name] == pytest.approx(theirs[name], rel=5e-4), name


def test_gamma_gamma_parameters_equal_lifetimes_to_three_significant_digits():
    lifetimes = pytest.importorskip("lifetimes")
    x, _, _, spend = _cdnow_like()
    repeat = x > 0

    ours = GammaGammaModel().fit(x, spend).params_
    theirs = lifetimes.GammaGammaFitter().fit(x[repeat], spend[repeat]).params_

    for name in ["p", "q", "v"]:
        assert ours[name] == pytest.approx(theirs[name], rel=5e-4), name


def test_log_likelihood_is_the_total_of_lifetimes_per_customer_log_likelihood():
    lifetimes = pytest.importorskip("lifetimes")
    x, recency, age, _ = _cdnow_like()
    model = BetaGeoModel().fit(x, recency, age)
    log_params = np.log([model.params_[k] for k in ["r", "alpha", "a", "b"]])

    mean_negative = lifetimes.BetaGeoFitter._negative_log_likelihood(
        log_params, x, recency, age, np.ones_like(x), 0.0
    )

    assert model.log_likelihood_ == pytest.approx(-mean_negative * len(x), rel=1e-10)


@pytest.mark.parametrize("t", [1.0, 10.0, 52.0, 500.0])
def test_expected_purchases_equal_lifetimes(t):
    bg, gg = _fitted_pair()
    their_bg, _ = _lifetimes_models(bg, gg)
    x, recency, age, _ = _cdnow_like()

    ours = bg.expected_purchases(t, x, recency, age)
    theirs = their_bg.conditional_expected_number_of_purchases_up_to_time(t, x, recency, age)

    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def test_p_alive_equals_lifetimes():
    bg, gg = _fitted_pair()
    their_bg, _ = _lifetimes_models(bg, gg)
    x, recency, age, _ = _cdnow_like()

    np.testing.assert_allclose(
        bg.p_alive(x, recency, age),
        their_bg.conditional_probability_alive(x, recency, age),
        rtol=1e-12,
    )


def test_expected_spend_equals_lifetimes():
    bg, gg = _fitted_pair()
    _, their_gg = _lifetimes_models(bg, gg)
    x, _, _, spend = _cdnow_like()

    np.testing.assert_allclose(
        gg.expected_spend(x, spend),
        their_gg.conditional_expected_average_profit(x, spend),
        rtol=1e-12,
    )


def test_customer_lifetime_value_equals_lifetimes():
    pd = pytest.importorskip("pandas")
    bg, gg = _fitted_pair()
    their_bg, their_gg = _lifetimes_models(bg, gg)
    x, recency, age, spend = _cdnow_like()

    ours = customer_lifetime_value(
        bg, gg, x, recency, age, spend, horizon=6, discount_rate=0.02, period_days=4.345
    )
    theirs = their_gg.customer_lifetime_value(
        their_bg,
        pd.Series(x),
        pd.Series(recency),
        pd.Series(age),
        pd.Series(spend),
        time=6,
        discount_rate=0.02,
        freq="W",
    )

    np.testing.assert_allclose(ours, theirs.to_numpy(), rtol=1e-9, atol=1e-9)


# -- hand-worked examples -------------------------------------------------------------------


def _model_with(params: dict[str, float]) -> BetaGeoModel:
    model = BetaGeoModel()
    model.params_ = params
    return model


def test_p_alive_matches_a_hand_worked_example():
    # r = alpha = 1, a = 2, b = 3; x = 1, t_x = 1, T = 3:
    # 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x)) = 1 / (1 + 8/3)
    model = _model_with({"r": 1.0, "alpha": 1.0, "a": 2.0, "b": 3.0})

    assert model.p_alive(1, 1.0, 3.0) == pytest.approx([3 / 11])


def test_expected_purchases_match_a_hand_worked_example():
    # A new customer (x = t_x = T = 0) over t = 1 with r = alpha = 1, a = 2, b = 3:
    # (a+b-1)/(a-1) * (1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t)))
    # = 4 * (1 - 1/2 * 2F1(1, 3; 4; 1/2)), and 2F1(1, 3; 4; z) = 3 sum z^k / (k + 3)
    # = 3 z^-3 (-ln(1 - z) - z - z^2/2) = 24 (ln 2 - 5/8) at z = 1/2.
    model = _model_with({"r": 1.0, "alpha": 1.0, "a": 2.0, "b": 3.0})

    expected = 4 * (1 - 0.5 * 24 * (np.log(2) - 0.625))
    assert model.expected_purchases(1.0, 0, 0.0, 0.0) == pytest.approx([expected], rel=1e-12)


def test_expected_spend_matches_a_hand_worked_example():
    # p = 2, q = 3, v = 10: population mean v p / (q - 1) = 10; with x = 2 the customer's own
    # mean gets weight p x / (p x + q - 1) = 2/3.
    model = GammaGammaModel()
    model.params_ = {"p": 2.0, "q": 3.0, "v": 10.0}

    spend = model.expected_spend([0, 2], [0.0, 25.0])

    np.testing.assert_allclose(spend, [10.0, 2 / 3 * 25 + 1 / 3 * 10])


def test_undiscounted_lifetime_value_is_spend_times_purchases_over_the_horizon():
    bg, gg = _fitted_pair()

    value = customer_lifetime_value(
        bg, gg, FREQUENCY, RECENCY, AGE, [0.0, 20.0, 30.0, 12.0], horizon=5, discount_rate=0.0
    )

    expected = gg.expected_spend(FREQUENCY, [0.0, 20.0, 30.0, 12.0]) * bg.expected_purchases(
        5 * 30, FREQUENCY, RECENCY, AGE
    )
    np.testing.assert_allclose(value, expected, rtol=1e-12)


def test_expected_purchases_stay_exact_where_scipy_hyp2f1_breaks_on_whole_numbers():
    # r = alpha = 1, a = 2, b = 1, x = 99, t_x = T = 0, t = 10 needs 2F1(1, 1; 101; 10/11),
    # for which scipy returns inf; its series is sum_k k! / (101)_k z^k. With P(alive) = 99/101:
    # E = (a+b+x-1)/(a-1) * (1 - (1-z)^(a-1) 2F1) * P(alive) = 99 * (1 - 2F1 / 11).
    k = np.arange(2_000)
    series = np.exp(gammaln(k + 1) + gammaln(101) - gammaln(101 + k) + k * np.log(10 / 11)).sum()
    model = _model_with({"r": 1.0, "alpha": 1.0, "a": 2.0, "b": 1.0})

    purchases = model.expected_purchases(10.0, 99, 0.0, 0.0)

    assert purchases == pytest.approx([99 * (1 - series / 11)], rel=1e-10)


def test_customers_without_repeat_purchases_are_certainly_alive():
    bg, _ = _fitted_pair()

    assert bg.p_alive([0, 0], [0.0, 0.0], [1.0, 400.0]).tolist() == [1.0, 1.0]


def test_nothing_is_expected_over_a_zero_horizon():
    bg, _ = _fitted_pair()

    assert bg.expected_purchases(0.0, FREQUENCY, RECENCY, AGE).tolist() == [0.0] * 4


# -- fitting details ------------------------------------------------------------------------


def test_identical_customers_fit_like_one_weighted_pattern():
    x, recency, age, _ = _cdnow_like()
    single = BetaGeoModel().fit(x, recency, age)

    tripled = BetaGeoModel().fit(np.tile(x, 3), np.tile(recency, 3), np.tile(age, 3))

    for name, value in single.params_.items():
        assert tripled.params_[name] == pytest.approx(value, rel=1e-6)
    assert tripled.log_likelihood_ == pytest.approx(3 * single.log_likelihood_, rel=1e-9)
    assert tripled.n_customers_ == 3 * len(x)


def test_threaded_likelihood_equals_the_single_threaded_one():
    x, recency, age, _ = _cdnow_like()
    whole = _bgnbd.BetaGeoData.from_patterns(x, recency, age, np.ones_like(x))
    log_params = np.log([0.3, 5.0, 0.8, 2.0])

    value, gradient = _bgnbd.negative_log_likelihood_and_gradient(log_params, whole, 0.0)
    split = _bgnbd.negative_log_likelihood_and_gradient(log_params, whole.split(3), 0.0)

    assert split[0] == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(split[1], gradient, rtol=1e-10)


def test_large_prediction_batches_equal_predictions_made_in_small_batches():
    bg, _ = _fitted_pair()
    rng = np.random.default_rng(3)
    x, recency, age = bgnbd_histories(rng, 450_000, **CDNOW_BGNBD, T=rng.uniform(1, 39, 450_000))

    at_once = bg.expected_purchases(10.0, x, recency, age)
    small = [
        bg.expected_purchases(10.0, x[s], recency[s], age[s])
        for s in np.array_split(np.arange(len(x)), 9)
    ]

    np.testing.assert_array_equal(at_once, np.concatenate(small))


def test_fit_returns_the_model_itself():
    model = BetaGeoModel()

    assert model.fit(FREQUENCY, RECENCY, AGE) is model
    assert set(model.params_) == {"r", "alpha", "a", "b"}


def test_fit_accepts_polars_series_and_lists():
    pl = pytest.importorskip("polars")
    x, recency, age, _ = _cdnow_like()
    reference = BetaGeoModel().fit(x, recency, age).params_

    from_polars = BetaGeoModel().fit(pl.Series(x), pl.Series(recency), pl.Series(age)).params_
    from_lists = BetaGeoModel().fit(x.tolist(), recency.tolist(), age.tolist()).params_

    assert from_polars == pytest.approx(reference)
    assert from_lists == pytest.approx(reference)


def test_frequencies_in_the_thousands_give_finite_fits_and_predictions():
    # Given a few extremely loyal customers, one silent for a while, among ordinary ones
    x, recency, age, spend = (a.copy() for a in _cdnow_like())
    x[:6] = [1_000, 2_500, 5_000, 8_000, 10_000, 10_000]
    recency[:6] = age[:6]
    recency[5] = age[5] - 5.0
    spend[:6] = 50.0

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, divide-by-zero or invalid-value warnings
        bg = BetaGeoModel().fit(x, recency, age)
        gg = GammaGammaModel().fit(x, spend)
        purchases = bg.expected_purchases(52.0, x, recency, age)
        alive = bg.p_alive(x, recency, age)
        value = customer_lifetime_value(bg, gg, x, recency, age, spend)

    assert np.isfinite(bg.log_likelihood_) and np.isfinite(gg.log_likelihood_)
    assert np.isfinite(purchases).all() and np.isfinite(alive).all() and np.isfinite(value).all()
    # Then the active ones keep buying at their pace and the silent one is surely gone
    assert (purchases[:5] > x[:5] / age[:5] * 52 / 2).all()
    assert alive[5] < 1e-12


# -- properties -----------------------------------------------------------------------------

_params = st.fixed_dictionaries(
    {
        "r": st.floats(0.01, 20),
        "alpha": st.floats(0.01, 500),
        "a": st.floats(0.05, 20).filter(lambda a: abs(a - 1) > 1e-3),
        "b": st.floats(0.05, 20),
    }
)
_histories = st.tuples(
    st.integers(0, 5_000), st.floats(0, 1), st.floats(0, 2_000, allow_subnormal=False)
)


@settings(max_examples=200, deadline=None)
@given(_params, _histories)
def test_p_alive_is_a_probability(params, history):
    x, share, age = history
    recency = share * age if x > 0 else 0.0

    alive = _model_with(params).p_alive(x, recency, age)

    assert 0.0 <= alive[0] <= 1.0


@settings(max_examples=200, deadline=None)
@given(_params, _histories, st.floats(0, 1_000), st.floats(0, 1_000))
@example({"r": 1.0, "alpha": 1.0, "a": 2.0, "b": 1.0}, (99, 0.0, 0.0), 0.0, 10.0)
@example({"r": 3.0, "alpha": 1.0, "a": 0.25, "b": 1.0}, (1, 0.0, 0.0), 1.0, 2.4e-37)
def test_expected_purchases_never_decrease_with_the_horizon(params, history, t1, t2):
    x, share, age = history
    recency = share * age if x > 0 else 0.0
    shorter, longer = sorted([t1, t2])
    model = _model_with(params)

    near = model.expected_purchases(shorter, x, recency, age)[0]
    far = model.expected_purchases(longer, x, recency, age)[0]

    assert np.isfinite(near) and np.isfinite(far)
    assert near >= 0.0
    assert far >= near - 1e-9 * max(1.0, abs(near))


# -- invalid input --------------------------------------------------------------------------

_VALID = {"frequency": [1, 0, 3], "recency": [2.0, 0.0, 5.0], "T": [4.0, 3.0, 6.0]}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"frequency": [-1, 0, 3]}, "frequency contains negative values"),
        ({"recency": [-2.0, 0.0, 5.0]}, "recency contains negative values"),
        ({"T": [4.0, -3.0, 6.0]}, "T contains negative values"),
        ({"recency": [np.nan, 0.0, 5.0]}, "recency contains NaN"),
        ({"T": [np.inf, 3.0, 6.0]}, "T contains infinite values"),
        ({"recency": [5.0, 0.0, 5.0]}, "recency must not exceed T"),
        ({"recency": [2.0, 1.0, 5.0]}, "recency must be 0 when frequency is 0"),
        ({"frequency": [1.5, 0, 3]}, "frequency must be whole numbers"),
        ({"T": [4.0, 6.0]}, "must have the same length"),
        ({"frequency": ["a", "b", "c"]}, "frequency must be numeric"),
        ({"frequency": [], "recency": [], "T": []}, "nothing to fit"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_bgnbd_fit_refuses_invalid_histories_naming_the_problem(change, message):
    with pytest.raises(ValueError, match=message):
        BetaGeoModel().fit(**(_VALID | change))


@pytest.mark.parametrize("method", ["expected_purchases", "p_alive"])
def test_bgnbd_predictions_refuse_invalid_histories_naming_the_problem(method):
    bg, _ = _fitted_pair()
    arguments = [1.0] if method == "expected_purchases" else []

    with pytest.raises(ValueError, match="recency must not exceed T"):
        getattr(bg, method)(*arguments, [1], [9.0], [4.0])


def test_expected_purchases_refuse_a_negative_horizon():
    bg, _ = _fitted_pair()

    with pytest.raises(ValueError, match="t contains negative values"):
        bg.expected_purchases(-1.0, FREQUENCY, RECENCY, AGE)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: BetaGeoModel().p_alive(FREQUENCY, RECENCY, AGE), "BetaGeoModel is not fitted"),
        (
            lambda: BetaGeoModel().expected_purchases(1.0, FREQUENCY, RECENCY, AGE),
            "BetaGeoModel is not fitted",
        ),
        (lambda: GammaGammaModel().expected_spend([1], [2.0]), "GammaGammaModel is not fitted"),
        (
            lambda: customer_lifetime_value(
                _fitted_pair()[0], GammaGammaModel(), FREQUENCY, RECENCY, AGE, [0, 1, 1, 1]
            ),
            "GammaGammaModel is not fitted",
        ),
    ],
    ids=["p_alive", "expected_purchases", "expected_spend", "customer_lifetime_value"],
)
def test_unfitted_models_refuse_to_predict(call, message):
    with pytest.raises(NotFittedError, match=message):
        call()


@pytest.mark.parametrize(
    ("frequency", "monetary_value", "message"),
    [
        ([1, 2, 0], [5.0, 0.0, 0.0], "monetary_value must be positive for customers with"),
        ([1, 2, 0], [5.0, -1.0, 0.0], "monetary_value contains negative values"),
        ([1, 2, 0], [5.0, np.nan, 0.0], "monetary_value contains NaN"),
        ([1, 2], [5.0, 3.0, 1.0], "must have the same length"),
        ([1, 0, 0], [5.0, 0.0, 0.0], "at least 2 customers with frequency > 0"),
    ],
    ids=["zero spend", "negative spend", "NaN spend", "lengths", "too few repeaters"],
)
def test_gamma_gamma_fit_refuses_invalid_spend_naming_the_problem(
    frequency, monetary_value, message
):
    with pytest.raises(ValueError, match=message):
        GammaGammaModel().fit(frequency, monetary_value)


@pytest.mark.parametrize("model", [BetaGeoModel, GammaGammaModel])
def test_a_negative_penalizer_is_refused(model):
    arguments = (FREQUENCY, RECENCY, AGE) if model is BetaGeoModel else ([1, 2, 3], [1.0, 2.0, 3.0])

    with pytest.raises(ValueError, match="penalizer_coef must be a finite number >= 0"):
        model(penalizer_coef=-0.1).fit(*arguments)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"horizon": 0}, "horizon must be a whole number of months >= 1"),
        ({"horizon": 2.5}, "horizon must be a whole number of months >= 1"),
        ({"discount_rate": -1.0}, "discount_rate must be a finite number > -1"),
        ({"period_days": 0}, "period_days must be a finite number > 0"),
    ],
    ids=["horizon 0", "fractional horizon", "discount -1", "period 0"],
)
def test_customer_lifetime_value_refuses_invalid_options_naming_the_problem(option, message):
    bg, gg = _fitted_pair()

    with pytest.raises(ValueError, match=message):
        customer_lifetime_value(bg, gg, FREQUENCY, RECENCY, AGE, [0, 1, 1, 1], **option)
