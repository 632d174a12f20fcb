import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.analytics.engine.loyalty import CLASSES, classify, repurchase_rate


def one(orders, since, mean, std=None, complaints=None, nps=None, **kwargs):
    out = classify(
        [1], [orders], [since], [mean], [std],
        None if complaints is None else [complaints], None if nps is None else [nps], **kwargs,
    )  # fmt: skip
    return out.row(0, named=True)


def test_hand_worked_customers():
    out = classify(
        customer_id=["regular", "one_off_old", "irregular", "overdue_regular", "one_off_recent"],
        order_count=[6, 1, 4, 5, 1],
        days_since_last=[20, 400, 30, 50, 30],
        mean_interval_days=[30, None, 30, 30, None],
        std_interval_days=[6, None, 24, 3, None],
    )
    assert out["cv"].to_list() == pytest.approx([0.2, None, 0.8, 0.1, None], nan_ok=True)
    assert out["recency_ratio"].to_list() == pytest.approx(
        [20 / 30, 400 / 90, 1.0, 50 / 30, 30 / 90]
    )
    assert out["loyalty"].to_list() == ["loyal", "lost", "flexible", "flexible", "flexible"]
    assert out["repurchased"].to_list() == [True, False, True, True, False]


def test_three_missed_intervals_make_a_customer_lost():
    assert one(10, 90, 30, 3)["loyalty"] == "flexible"  # exactly 3 intervals: not yet lost
    assert one(10, 91, 30, 3)["loyalty"] == "lost"


def test_two_orders_are_too_few_to_be_loyal_on_regularity_alone():
    assert one(2, 10, 30, None)["loyalty"] == "flexible"


def test_repeated_complaints_demote_a_loyal_customer():
    row = one(6, 20, 30, 6, complaints=2)
    assert (row["base_class"], row["loyalty"]) == ("loyal", "flexible")
    assert one(6, 20, 30, 6, complaints=1)["loyalty"] == "loyal"


def test_detractor_nps_demotes_a_loyal_customer():
    assert one(6, 20, 30, 6, nps=6)["loyalty"] == "flexible"
    assert one(6, 20, 30, 6, nps=7)["loyalty"] == "loyal"


def test_promoter_who_repurchases_on_time_is_loyal_despite_irregular_gaps():
    row = one(4, 30, 30, 24, nps=9)
    assert (row["base_class"], row["loyalty"]) == ("flexible", "loyal")


def test_promoter_with_a_complaint_is_not_promoted():
    assert one(4, 30, 30, 24, complaints=1, nps=10)["loyalty"] == "flexible"


def test_nps_does_not_bring_back_a_lost_customer():
    assert one(6, 400, 30, 6, nps=10)["loyalty"] == "lost"


def test_default_interval_is_configurable_for_one_time_buyers():
    assert one(1, 200, None, default_interval_days=90)["loyalty"] == "flexible"
    assert one(1, 200, None, default_interval_days=60)["loyalty"] == "lost"


def test_repurchase_rate_is_the_share_of_buyers_who_bought_again():
    assert repurchase_rate([0, 1, 1, 2, 5]) == 0.5
    assert math.isnan(repurchase_rate([0, 0]))


def test_empty_input_gives_an_empty_frame_with_the_columns():
    out = classify([], [], [], [])
    assert out.columns == [
        "customer_id",
        "repurchased",
        "cv",
        "recency_ratio",
        "base_class",
        "loyalty",
    ]
    assert out.height == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"order_count": [0]}, "order_count contains 1 values below 1"),
        ({"days_since_last": [-1]}, "days_since_last contains 1 negative"),
        ({"days_since_last": [None]}, "days_since_last contains 1 missing"),
        ({"nps": [11]}, "nps contains 1 values above 10"),
        ({"complaints": [-2]}, "complaints contains 1 negative"),
        ({"std_interval_days": [1, 2]}, "std_interval_days has 2 values but customer_id has 1"),
        ({"due_ratio": 5.0}, "due_ratio \\(5.0\\) must not exceed lost_ratio"),
    ],
)
def test_invalid_input_raises_value_error_naming_the_problem(kwargs, message):
    args = {
        "customer_id": [1],
        "order_count": [3],
        "days_since_last": [5],
        "mean_interval_days": [10],
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        classify(**args)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 50),
            st.floats(0, 2000),
            st.one_of(st.none(), st.floats(0, 400)),
            st.one_of(st.none(), st.floats(0, 400)),
            st.one_of(st.none(), st.integers(0, 5)),
            st.one_of(st.none(), st.integers(0, 10)),
        ),
        max_size=40,
    )
)
def test_every_customer_gets_exactly_one_class(rows):
    cols = list(zip(*rows, strict=True)) if rows else [[]] * 6
    out = classify(list(range(len(rows))), *cols)
    assert out.height == len(rows)
    assert out["loyalty"].is_in(CLASSES).all()
    # adjustments move at most one step and never touch lost
    lost_before = out["base_class"] == "lost"
    assert (out.filter(lost_before)["loyalty"] == "lost").all()
