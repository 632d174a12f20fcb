import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.analytics.engine.rfm import SCHEMA_COLUMNS, SEGMENTS, quintile_scores, score

# Ten customers worked by hand: score = 1 + floor(5 * strictly_worse / 10).
RECENCY = [5, 10, 10, 40, 60, 90, 120, 200, 300, 400]
FREQUENCY = [20, 12, 12, 8, 1, 6, 3, 10, 1, 1]
MONETARY = [5000, 3000, 2800, 1500, 80, 900, 300, 2600, 50, 40]


@pytest.fixture
def ten() -> pl.DataFrame:
    return score(list(range(1, 11)), RECENCY, FREQUENCY, MONETARY)


def test_hand_worked_scores_match_the_quintile_rule(ten):
    assert ten["r_score"].to_list() == [5, 4, 4, 4, 3, 3, 2, 2, 1, 1]
    assert ten["f_score"].to_list() == [5, 4, 4, 3, 1, 3, 2, 4, 1, 1]
    assert ten["m_score"].to_list() == [5, 5, 4, 3, 2, 3, 2, 4, 1, 1]
    assert ten["fm_score"].to_list() == [5, 5, 4, 3, 2, 3, 2, 4, 1, 1]


def test_hand_worked_codes_and_segments_follow_the_grid(ten):
    assert ten["rfm_code"].to_list() == [
        "555", "445", "444", "433", "312", "333", "222", "244", "111", "111",
    ]  # fmt: skip
    assert ten["segment"].to_list() == [
        "champions", "loyal", "loyal", "potential_loyalist", "about_to_sleep",
        "need_attention", "hibernating", "at_risk", "lost", "lost",
    ]  # fmt: skip


def test_output_has_documented_columns_in_input_order(ten):
    assert tuple(ten.columns) == SCHEMA_COLUMNS
    assert ten["customer_id"].to_list() == list(range(1, 11))


def test_equal_values_get_equal_scores():
    out = score(["a", "b", "c", "d", "e"], [7, 7, 7, 1, 30], [2, 2, 2, 2, 2], [10, 10, 5, 5, 1])
    assert out["r_score"].to_list()[:3] == [2, 2, 2]
    assert out["f_score"].to_list() == [1, 1, 1, 1, 1]
    assert out["m_score"].to_list() == [4, 4, 2, 2, 1]


def test_newest_customer_with_little_spend_is_new():
    out = score([1, 2, 3, 4, 5], [1, 10, 20, 30, 40], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5])
    assert out.row(0, named=True)["segment"] == "new"


def test_old_big_spender_gone_quiet_is_cant_lose():
    out = score([1, 2, 3, 4, 5], [500, 10, 20, 30, 40], [9, 2, 3, 4, 5], [900, 2, 3, 4, 5])
    assert out.row(0, named=True)["segment"] == "cant_lose"


def test_recent_customer_with_one_small_order_is_promising_when_not_the_most_recent():
    out = score([1, 2, 3, 4, 5], [2, 1, 20, 30, 40], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5])
    assert out.row(0, named=True)["rfm_code"] == "411"
    assert out.row(0, named=True)["segment"] == "promising"


def test_empty_input_gives_an_empty_frame_with_the_columns():
    out = score([], [], [], [])
    assert out.height == 0
    assert tuple(out.columns) == SCHEMA_COLUMNS


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"recency_days": [-1, 2]}, "recency_days contains 1 negative"),
        ({"frequency": [1, float("nan")]}, "frequency contains 1 missing"),
        ({"monetary": [1, None]}, "monetary contains 1 missing"),
        ({"monetary": [1, 2, 3]}, "monetary has 3 values but customer_id has 2"),
        ({"customer_id": [1, 1]}, "customer_id contains 1 duplicate"),
        ({"frequency": ["a", "b"]}, "frequency must be numeric"),
        ({"recency_days": [1, float("inf")]}, "recency_days contains 1 infinite"),
    ],
)
def test_invalid_input_raises_value_error_naming_the_problem(kwargs, message):
    args = {"customer_id": [1, 2], "recency_days": [1, 2], "frequency": [1, 2], "monetary": [1, 2]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        score(**args)


def test_accepts_numpy_arrays_and_polars_series():
    out = score(np.arange(3), pl.Series([1, 2, 3]), np.array([3.0, 2.0, 1.0]), pl.Series([1, 1, 1]))
    assert out["r_score"].to_list() == [4, 2, 1]  # 1 + floor(5 * worse / 3)


values = st.lists(st.integers(0, 50), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(values, st.data())
def test_scores_are_in_range_and_every_customer_gets_one_segment(recency, data):
    n = len(recency)
    freq = data.draw(st.lists(st.integers(0, 20), min_size=n, max_size=n))
    money = data.draw(st.lists(st.floats(0, 1e6), min_size=n, max_size=n))
    out = score(list(range(n)), recency, freq, money)
    for col in ("r_score", "f_score", "m_score", "fm_score"):
        assert out[col].is_between(1, 5).all()
    assert out["segment"].is_in(SEGMENTS).all()
    assert out.height == n


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=1, max_size=40), st.randoms(use_true_random=False))
def test_scores_do_not_depend_on_row_order(values, rnd):
    n = len(values)
    ids = list(range(n))
    perm = ids[:]
    rnd.shuffle(perm)
    base = score(ids, values, values, values).sort("customer_id")
    shuffled = score(
        perm, [values[i] for i in perm], [values[i] for i in perm], [values[i] for i in perm]
    )
    assert base.equals(shuffled.sort("customer_id"))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1e3), min_size=1, max_size=50))
def test_a_larger_value_never_scores_lower(values):
    arr = np.array(values)
    s = quintile_scores(arr)
    order = np.argsort(arr, kind="stable")
    assert (np.diff(s[order]) >= 0).all()
