import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.analytics.engine.selection import QUADRANTS, score


def test_total_purchases_alone_score_by_percentile():
    out = score([1, 2, 3], [100, 50, 10])
    # (average rank - 0.5) / 3 for ranks 3, 2, 1
    assert out["attractiveness"].to_list() == pytest.approx([250 / 3, 50, 50 / 3])
    assert out["incremental_score"].null_count() == 3


def test_hand_worked_weighted_score_with_every_component():
    out = score(
        customer_id=["a", "b"],
        total_purchases=[1000, 10],
        incremental_purchases=[-50, 20],
        cross_purchase_breadth=[4, 4],
        referrals=[0, 3],
        cost_to_serve=[500, 20],
        credit_risk=[10, 90],
    )
    # a: total .75, incremental .25, cross .5, referrals .25, cost .25, credit .9
    a = 0.30 * 0.75 + 0.15 * 0.25 + 0.15 * 0.5 + 0.10 * 0.25 + 0.15 * 0.25 + 0.15 * 0.9
    b = 0.30 * 0.25 + 0.15 * 0.75 + 0.15 * 0.5 + 0.10 * 0.75 + 0.15 * 0.75 + 0.15 * 0.1
    assert out["attractiveness"].to_list() == pytest.approx([100 * a, 100 * b])
    assert out["cost_to_serve_score"].to_list() == pytest.approx([25, 75])  # cheaper is better
    assert out["credit_score"].to_list() == pytest.approx([90, 10])


def test_components_not_given_are_left_out_and_weights_renormalised():
    out = score([1, 2], [10, 10], credit_risk=[0, 100])
    # total: both 0.5 (tied); credit 1 and 0; weights .30 and .15 -> / .45
    assert out["attractiveness"].to_list() == pytest.approx(
        [100 * (0.15 + 0.15) / 0.45, 100 * 0.15 / 0.45]
    )


def test_weights_can_be_overridden():
    out = score([1, 2], [10, 20], credit_risk=[0, 100], weights={"total": 0.0})
    assert out["attractiveness"].to_list() == pytest.approx([100, 0])


def test_quadrants_cross_attractiveness_with_ability_to_serve():
    out = score([1, 2, 3, 4], [100, 90, 2, 1], ability_to_serve=[80, 20, 60, 10])
    assert out["attractiveness_level"].to_list() == ["high", "high", "low", "low"]
    assert out["ability_level"].to_list() == ["high", "low", "high", "low"]
    assert out["quadrant"].to_list() == ["key", "develop", "maintain", "reduce"]


def test_matrix_columns_are_null_without_ability_to_serve():
    out = score([1], [5])
    assert out["quadrant"].to_list() == [None]


def test_empty_input_gives_an_empty_frame_with_the_columns():
    out = score([], [])
    assert out.height == 0
    assert out.columns[-5:] == [
        "attractiveness", "ability_to_serve", "attractiveness_level", "ability_level", "quadrant",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"total_purchases": [-1]}, "total_purchases contains 1 negative"),
        ({"credit_risk": [120]}, "credit_risk contains 1 values above 100"),
        ({"ability_to_serve": [None]}, "ability_to_serve contains 1 missing"),
        ({"referrals": [1, 2]}, "referrals has 2 values but customer_id has 1"),
        ({"weights": {"charm": 1.0}}, "weights has unknown components: \\['charm'\\]"),
        ({"weights": {"total": -1.0}}, "weights\\['total'\\] must be a non-negative"),
        ({"weights": {"total": 0.0}}, "must not all be zero"),
    ],
)
def test_invalid_input_raises_value_error_naming_the_problem(kwargs, message):
    args = {"customer_id": [1], "total_purchases": [5]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        score(**args)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 1e7),
            st.floats(-1e5, 1e5),
            st.integers(0, 30),
            st.floats(0, 100),
            st.floats(0, 100),
        ),
        max_size=50,
    )
)
def test_attractiveness_is_between_0_and_100_and_each_customer_has_one_quadrant(rows):
    total, incr, cross, credit, ability = (
        (list(c) for c in zip(*rows, strict=True)) if rows else ([],) * 5
    )
    out = score(
        list(range(len(rows))), total, incr, cross, credit_risk=credit, ability_to_serve=ability
    )
    assert out["attractiveness"].is_between(0, 100).all()
    assert out["quadrant"].is_in(QUADRANTS).all()
    assert out.height == len(rows)
