import datetime as dt

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.analytics.engine.churn import BANDS, fit_supervised, risk


def test_recency_risk_follows_the_documented_curve():
    out = risk([1, 2, 3, 4], [0, 30, 60, 120], [30, 30, 30, 30])
    assert out["recency_ratio"].to_list() == [0, 1, 2, 4]
    assert out["recency_risk"].to_list() == pytest.approx([0, 0.2, 0.5, 0.8])
    assert out["churn_band"].to_list() == ["low", "low", "medium", "high"]


def test_p_alive_is_blended_with_recency_when_given():
    out = risk([1, 2], [60, 60], [30, 30], p_alive=[0.1, None])
    # 0.5 * (1 - 0.1) + 0.5 * 0.5 = 0.7; the missing p_alive uses recency alone
    assert out["churn_score"].to_list() == pytest.approx([0.7, 0.5])


def test_p_alive_weight_is_configurable():
    out = risk([1], [60], [30], p_alive=[0.0], p_alive_weight=1.0)
    assert out["churn_score"][0] == 1.0


def test_missing_interval_falls_back_to_the_median_of_known_intervals():
    out = risk([1, 2, 3, 4], [40, 0, 0, 0], [None, 10, 20, 40])
    assert out["recency_ratio"][0] == 2.0


def test_missing_interval_uses_the_default_when_given():
    out = risk([1], [45], [None], default_interval_days=90)
    assert out["recency_ratio"][0] == 0.5


def test_no_interval_anywhere_and_no_default_is_an_error():
    with pytest.raises(ValueError, match="pass default_interval_days"):
        risk([1, 2], [1, 2], [None, None])


def test_empty_input_gives_an_empty_frame_with_the_columns():
    out = risk([], [], [])
    assert out.columns == [
        "customer_id",
        "recency_ratio",
        "recency_risk",
        "churn_score",
        "churn_band",
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"recency_days": [-1]}, "recency_days contains 1 negative"),
        ({"mean_interval_days": [0]}, "mean_interval_days must be greater than 0"),
        ({"p_alive": [1.5]}, "p_alive contains 1 values above 1"),
        ({"p_alive": [0.5, 0.5]}, "p_alive has 2 values but customer_id has 1"),
        ({"bands": (0.7, 0.3)}, "bands must satisfy"),
    ],
)
def test_invalid_input_raises_value_error_naming_the_problem(kwargs, message):
    args = {"customer_id": [1], "recency_days": [5], "mean_interval_days": [10]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        risk(**args)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 1e4),
            st.floats(0.1, 1e3),
            st.one_of(st.none(), st.floats(0, 1)),
        ),
        min_size=1,
        max_size=50,
    )
)
def test_scores_are_between_zero_and_one_and_rise_with_recency(rows):
    rec, interval, alive = (list(c) for c in zip(*rows, strict=True))
    out = risk(list(range(len(rows))), rec, interval, alive)
    assert out["churn_score"].is_between(0, 1).all()
    assert out["churn_band"].is_in(BANDS).all()
    later = risk(list(range(len(rows))), [r + 10 for r in rec], interval, alive)
    assert (later["churn_score"] >= out["churn_score"] - 1e-12).all()


def simulated_history(n=2000, seed=7):
    rng = np.random.default_rng(seed)
    recency = rng.exponential(60, n)
    orders = rng.poisson(4, n) + 1
    spend = rng.gamma(2, 200, n)
    noise = rng.normal(size=n)
    logit = 0.03 * (recency - 60) - 0.5 * (orders - 4) + 0.3 * noise
    labels = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    start = dt.date(2023, 1, 1)
    times = [start + dt.timedelta(days=30 * int(k)) for k in rng.integers(0, 12, n)]
    features = pl.DataFrame(
        {"customer_id": np.arange(n), "recency": recency, "orders": orders, "spend": spend}
    )
    return features, labels, times


def test_supervised_model_learns_a_signal_and_reports_holdout_auc():
    features, labels, times = simulated_history()
    model = fit_supervised(features, labels, times, max_iter=30, max_leaf_nodes=8, n_threads=1)
    assert model.auc_ > 0.7
    assert model.feature_names_ == ["recency", "orders", "spend"]
    assert 0 < model.n_holdout_ < model.n_train_


def test_supervised_holdout_is_the_latest_snapshots():
    features, labels, times = simulated_history(n=800)
    model = fit_supervised(features, labels, times, max_iter=10, max_leaf_nodes=4, n_threads=1)
    latest = max(times)
    assert model.holdout_from_ <= (latest - dt.date(1970, 1, 1)).days
    day_numbers = np.array([(t - dt.date(1970, 1, 1)).days for t in times])
    assert (day_numbers >= model.holdout_from_).sum() == model.n_holdout_


def test_supervised_model_scores_customers_with_probabilities():
    features, labels, times = simulated_history(n=800)
    model = fit_supervised(features, labels, times, max_iter=10, max_leaf_nodes=4, n_threads=1)
    scored = model.score_customers(features["customer_id"], features)
    assert scored.columns == ["customer_id", "churn_probability"]
    assert scored["churn_probability"].is_between(0, 1).all()


def test_supervised_model_rejects_non_binary_labels():
    features, labels, times = simulated_history(n=200)
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        fit_supervised(features, labels * 2, times, n_threads=1)


def test_supervised_model_needs_two_distinct_times():
    features, labels, _ = simulated_history(n=200)
    with pytest.raises(ValueError, match="at least two distinct values"):
        fit_supervised(features, labels, [dt.date(2024, 1, 1)] * 200, n_threads=1)


def test_supervised_model_rejects_empty_features():
    with pytest.raises(ValueError, match="features is empty"):
        fit_supervised(pl.DataFrame({"x": []}, schema={"x": pl.Float64}), [], [])
