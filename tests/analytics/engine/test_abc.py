import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.analytics.engine.abc import CLASSES, TIERS, classify, pareto_curve

COLUMNS = [
    "customer_id", "revenue", "rank", "revenue_share", "cum_share", "abc_class", "tier",
    "visits", "visit_rank", "visit_share", "visit_cum_share", "visit_class",
]  # fmt: skip


def test_hand_worked_classes_and_tiers():
    # cumulative share before each customer: 0, .5, .7, .8, .9, .95
    out = classify(list("abcdef"), [50, 20, 10, 10, 5, 5])
    assert out["customer_id"].to_list() == list("abcdef")
    assert out["cum_share"].to_list() == pytest.approx([0.5, 0.7, 0.8, 0.9, 0.95, 1.0])
    assert out["abc_class"].to_list() == ["A", "A", "A", "B", "B", "C"]
    assert out["tier"].to_list() == ["VIP", "major", "major", "normal", "normal", "small"]


def test_customer_crossing_the_a_boundary_is_in_a_and_the_next_is_not():
    out = classify([1, 2, 3], [70, 20, 10])
    # before: 0, 0.7 (< 0.8, so the crossing customer is A), 0.9 (< 0.95, so B)
    assert out["abc_class"].to_list() == ["A", "A", "B"]


def test_customer_reaching_the_boundary_exactly_closes_the_class():
    out = classify([1, 2, 3], [80, 15, 5])
    assert out["abc_class"].to_list() == ["A", "B", "C"]


def test_equal_revenue_is_ranked_by_customer_id():
    out = classify(["z", "y", "x"], [10, 10, 10])
    assert out["customer_id"].to_list() == ["x", "y", "z"]
    assert out["rank"].to_list() == [1, 2, 3]


def test_thresholds_are_configurable():
    out = classify([1, 2, 3, 4], [40, 30, 20, 10], a=0.5, b=0.9)
    assert out["abc_class"].to_list() == ["A", "A", "B", "C"]


def test_visits_are_classified_on_their_own_ranking():
    out = classify([1, 2, 3], [80, 15, 5], visits=[1, 1, 8]).sort("customer_id")
    assert out["visit_rank"].to_list() == [2, 3, 1]
    assert out["visit_class"].to_list() == ["B", "B", "A"]
    assert out["visit_share"].to_list() == pytest.approx([0.1, 0.1, 0.8])


def test_visit_columns_are_null_without_visits():
    out = classify([1, 2], [1, 2])
    assert out.columns == COLUMNS
    assert out["visit_class"].null_count() == 2


def test_zero_total_revenue_puts_everyone_in_c_with_zero_shares():
    out = classify([1, 2], [0, 0])
    assert out["abc_class"].to_list() == ["C", "C"]
    assert out["revenue_share"].to_list() == [0.0, 0.0]
    assert out["tier"].to_list() == ["small", "small"]


def test_vip_is_limited_to_the_top_share_of_customers():
    # 4 big customers (A); ceil(0.05 * 40) = 2 of them are VIP
    out = classify(list(range(40)), [100] * 4 + [1] * 36)
    counts = dict(out["tier"].value_counts().rows())
    assert counts == {"VIP": 2, "major": 2, "normal": 15, "small": 21}


def test_empty_input_gives_an_empty_frame_with_the_columns():
    out = classify([], [])
    assert out.height == 0
    assert out.columns == COLUMNS


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"revenue": [-1, 2]}, "revenue contains 1 negative"),
        ({"revenue": [1, float("nan")]}, "revenue contains 1 missing"),
        ({"visits": [1]}, "visits has 1 values but customer_id has 2"),
        ({"a": 0.9, "b": 0.8}, "b must satisfy a < b <= 1"),
        ({"a": 1.2}, "a must be strictly between 0 and 1"),
    ],
)
def test_invalid_input_raises_value_error_naming_the_problem(kwargs, message):
    args = {"customer_id": [1, 2], "revenue": [1, 2]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        classify(**args)


def test_pareto_curve_hand_worked():
    out = pareto_curve([5, 80, 15], points=3)
    assert out["customer_share"].to_list() == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert out["revenue_share"].to_list() == pytest.approx([0, 0.8, 0.95, 1])


def test_pareto_curve_of_no_customers_is_empty():
    assert pareto_curve([]).columns == ["customer_share", "revenue_share"]
    assert pareto_curve([]).height == 0


def test_pareto_curve_rejects_zero_points():
    with pytest.raises(ValueError, match="points must be a positive integer"):
        pareto_curve([1, 2], points=0)


revenues = st.lists(st.floats(0, 1e7, allow_subnormal=False), min_size=1, max_size=80).filter(
    lambda xs: sum(xs) > 0
)


@settings(max_examples=80, deadline=None)
@given(revenues)
def test_shares_sum_to_one_and_every_customer_gets_one_class(revenue):
    out = classify(list(range(len(revenue))), revenue, visits=revenue)
    assert math.isclose(out["revenue_share"].sum(), 1.0, rel_tol=1e-9)
    assert out["cum_share"][-1] == 1.0
    assert out.height == len(revenue)
    assert out["abc_class"].is_in(CLASSES).all() and out["tier"].is_in(TIERS).all()
    assert out["abc_class"].to_list() == sorted(out["abc_class"].to_list())  # A, then B, then C
    assert (np.diff(out["cum_share"].to_numpy()) >= -1e-12).all()


@settings(max_examples=60, deadline=None)
@given(revenues, st.integers(1, 50))
def test_pareto_curve_runs_from_origin_to_one_and_never_falls(revenue, points):
    out = pareto_curve(revenue, points)
    ys = out["revenue_share"].to_numpy()
    assert out.height == points + 1
    assert ys[0] == 0 and ys[-1] == pytest.approx(1.0)
    assert (np.diff(ys) >= -1e-12).all()
