import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.analytics.engine.lifecycle import STAGES, stage, transition_matrix, transitions

AS_OF = dt.date(2024, 6, 30)
D = dt.date


def one(first, last, cur=0.0, prev=0.0, **kwargs):
    """Stage of a single customer."""
    gap = kwargs.pop("gap", None)
    interval = kwargs.pop("interval", None)
    out = stage(
        [1], [first], [last], [cur], [prev], AS_OF,
        previous_gap_days=[gap], expected_interval_days=[interval], **kwargs,
    )  # fmt: skip
    return out["stage"][0]


def test_hand_worked_customers_get_one_stage_each():
    out = stage(
        customer_id=["pot", "dev", "grow", "mat", "dec", "term", "rec"],
        first_purchase=[None, D(2024, 6, 1), D(2023, 1, 1), D(2023, 1, 1), D(2023, 1, 1),
                        D(2023, 1, 1), D(2022, 1, 1)],
        last_purchase=[None, D(2024, 6, 20), D(2024, 6, 15), D(2024, 6, 15), D(2024, 6, 15),
                       D(2023, 10, 1), D(2024, 6, 10)],
        revenue_current=[0, 300, 200, 100, 50, 0, 100],
        revenue_previous=[0, 0, 100, 110, 100, 0, 0],
        as_of=AS_OF,
        previous_gap_days=[None, 19, 30, 30, 30, 40, 300],
    )  # fmt: skip
    assert out["stage"].to_list() == [
        "potential", "development", "growth", "maturity", "decline", "termination", "recovery",
    ]  # fmt: skip
    assert out["days_since_last"].to_list() == [None, 10, 15, 15, 15, 273, 20]
    assert out["termination_threshold_days"].to_list() == [180.0] * 7


def test_termination_uses_the_customers_own_interval_when_known():
    # interval 100 -> threshold max(90, 3 * 100) = 300 days: 250 days silent is not terminated
    assert one(D(2020, 1, 1), D(2023, 10, 24), interval=100) == "maturity"
    # interval 10 -> threshold max(90, 30) = 90 days: 100 days silent is terminated
    assert one(D(2020, 1, 1), D(2024, 3, 22), interval=10) == "termination"


def test_termination_threshold_never_falls_below_the_window():
    out = stage([1], [D(2020, 1, 1)], [D(2024, 6, 1)], [0], [0], AS_OF, expected_interval_days=[1])
    assert out["termination_threshold_days"][0] == 90


def test_spend_change_of_exactly_twenty_percent_is_still_maturity():
    assert one(D(2020, 1, 1), D(2024, 6, 1), cur=120, prev=100) == "maturity"
    assert one(D(2020, 1, 1), D(2024, 6, 1), cur=80, prev=100) == "maturity"
    assert one(D(2020, 1, 1), D(2024, 6, 1), cur=120.01, prev=100) == "growth"


def test_first_purchase_exactly_one_window_ago_is_no_longer_development():
    assert one(AS_OF - dt.timedelta(days=89), AS_OF, cur=10) == "development"
    assert one(AS_OF - dt.timedelta(days=90), AS_OF, cur=10) == "growth"


def test_recovery_needs_previous_gap_data():
    assert one(D(2022, 1, 1), D(2024, 6, 10), cur=100, gap=None) == "growth"


def test_transitions_count_moves_and_new_customers_come_from_potential():
    before = pl.DataFrame(
        {"customer_id": [1, 2, 3, 9], "stage": ["growth", "growth", "decline", "maturity"]}
    )
    after = pl.DataFrame({"customer_id": [1, 2, 3, 4], "stage": ["maturity", "maturity", "termination", "development"]})  # fmt: skip
    out = transitions(before, after)
    assert out.height == 49
    moves = out.filter(pl.col("customers") > 0).rows()
    assert moves == [
        ("potential", "development", 1),
        ("growth", "maturity", 2),
        ("decline", "termination", 1),
    ]
    assert out["customers"].sum() == 4  # customer 9 left the data and is not counted


def test_transition_matrix_is_seven_by_seven_in_stage_order():
    snap = pl.DataFrame({"customer_id": [1], "stage": ["growth"]})
    m = transition_matrix(snap, snap)
    assert m.columns == ["from_stage", *STAGES]
    assert m["from_stage"].to_list() == list(STAGES)
    assert m.filter(pl.col("from_stage") == "growth")["growth"][0] == 1


def test_transitions_reject_unknown_stages():
    snap = pl.DataFrame({"customer_id": [1], "stage": ["asleep"]})
    with pytest.raises(ValueError, match="before has unknown stages: \\['asleep'\\]"):
        transitions(snap, snap)


def test_empty_input_gives_an_empty_frame_with_the_columns():
    out = stage([], [], [], [], [], AS_OF)
    assert out.columns == ["customer_id", "stage", "days_since_last", "termination_threshold_days"]
    assert out.height == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"last_purchase": [D(2023, 1, 1)], "first_purchase": [D(2024, 1, 1)]},
            "last_purchase is before first_purchase",
        ),
        ({"last_purchase": [None]}, "both be given or both be null"),
        ({"last_purchase": [D(2024, 7, 1)]}, "last_purchase is after as_of"),
        ({"revenue_current": [-5]}, "revenue_current contains 1 negative"),
        ({"revenue_previous": [1, 2]}, "revenue_previous has 2 values but customer_id has 1"),
        ({"first_purchase": [20240101]}, "first_purchase must contain dates"),
        ({"window_days": 0}, "window_days must be a finite number greater than 0"),
    ],
)
def test_invalid_input_raises_value_error_naming_the_problem(kwargs, message):
    args = {
        "customer_id": [1],
        "first_purchase": [D(2024, 1, 1)],
        "last_purchase": [D(2024, 2, 1)],
        "revenue_current": [0],
        "revenue_previous": [0],
        "as_of": AS_OF,
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        stage(**args)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(0, 1500)),  # days since first purchase
            st.integers(0, 1500),  # days from first to last purchase (clipped)
            st.floats(0, 1e5),
            st.floats(0, 1e5),
            st.one_of(st.none(), st.floats(0, 800)),
            st.one_of(st.none(), st.floats(0.5, 400)),
        ),
        max_size=40,
    )
)
def test_every_customer_gets_exactly_one_known_stage(rows):
    first = [None if f is None else AS_OF - dt.timedelta(days=f) for f, *_ in rows]
    last = [None if f is None else AS_OF - dt.timedelta(days=max(f - d, 0)) for f, d, *_ in rows]
    out = stage(
        list(range(len(rows))), first, last, [r[2] for r in rows], [r[3] for r in rows], AS_OF,
        previous_gap_days=[r[4] for r in rows], expected_interval_days=[r[5] for r in rows],
    )  # fmt: skip
    assert out.height == len(rows)
    assert out["stage"].is_in(STAGES).all()
    assert out.filter(pl.col("stage") == "potential").height == sum(f is None for f in first)
