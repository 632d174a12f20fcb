import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.analytics.engine.credit import GRADES, aggregate_invoices, grade

D = dt.date


def test_hand_worked_scores_and_grades():
    out = grade(
        customer_id=["clean", "mid", "bad", "one_old_default"],
        avg_days_late=[0, 30, 60, 5],
        max_days_late=[0, 45, 200, 180],
        overdue_amount=[0, 10_000, 1e9, 0],
        overdue_ratio=[0, 0.2, 1, 0],
        late_share=[0, 0.5, 1, 0],
    )
    # mid: 25 * 0.5 + 15 * 0.5 + 25 * 0.2 + 20 * 0.5 + 15 * 0.5 = 42.5
    # one_old_default: 25 * 5 / 60 + 15 * 1 = 17.08 (A by score, capped at D: 180+ days late)
    assert out["risk_score"].to_list() == pytest.approx([0, 42.5, 100, 17.0833], abs=1e-3)
    assert out["grade"].to_list() == ["A", "C", "E", "D"]


@pytest.mark.parametrize(
    ("avg", "mx", "ratio", "late", "expected"),
    [
        (0, 0, 0.79, 0, "A"),  # 19.75
        (0, 0, 0.8, 0, "B"),  # 20
        (0, 0, 0.8, 0.99, "B"),  # 39.8
        (0, 0, 0.8, 1, "C"),  # 40
        (60, 60, 1, 0, "D"),  # 25 + 10 + 25 = 60
        (60, 90, 1, 0.75, "E"),  # 25 + 15 + 25 + 15 = 80
    ],
)
def test_each_grade_starts_at_its_lower_bound(avg, mx, ratio, late, expected):
    assert grade([1], [avg], [mx], [0], [ratio], [late])["grade"][0] == expected


def test_invoices_are_aggregated_per_customer():
    out = aggregate_invoices(
        customer_id=[1, 1, 2, 3],
        amount=[100, 50, 10, 20],
        due_date=[D(2024, 1, 1), D(2024, 2, 1), D(2024, 1, 1), D(2024, 4, 1)],
        paid_date=[D(2024, 1, 11), None, None, None],
        as_of=D(2024, 3, 1),
    )
    assert out.rows(named=True) == [
        {"customer_id": 1, "invoices": 2, "invoiced_amount": 150.0, "avg_days_late": 19.5,
         "max_days_late": 29.0, "overdue_amount": 50.0, "overdue_ratio": 1 / 3, "late_share": 1.0},
        {"customer_id": 2, "invoices": 1, "invoiced_amount": 10.0, "avg_days_late": 60.0,
         "max_days_late": 60.0, "overdue_amount": 10.0, "overdue_ratio": 1.0, "late_share": 1.0},
        {"customer_id": 3, "invoices": 1, "invoiced_amount": 20.0, "avg_days_late": 0.0,
         "max_days_late": 0.0, "overdue_amount": 0.0, "overdue_ratio": 0.0, "late_share": 0.0},
    ]  # fmt: skip


def test_aggregates_feed_straight_into_grade():
    agg = aggregate_invoices(
        [1, 2], [100, 100], [D(2024, 1, 1)] * 2, [D(2024, 1, 1), None], D(2024, 6, 1)
    )
    out = grade(agg["customer_id"], agg["avg_days_late"], agg["max_days_late"],
                agg["overdue_amount"], agg["overdue_ratio"], agg["late_share"])  # fmt: skip
    assert out["grade"].to_list() == ["A", "E"]


def test_empty_input_gives_empty_frames_with_the_columns():
    assert grade([], [], [], [], [], []).columns == ["customer_id", "risk_score", "grade"]
    agg = aggregate_invoices([], [], [], [], D(2024, 1, 1))
    assert agg.height == 0 and "overdue_ratio" in agg.columns


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"overdue_ratio": [1.5]}, "overdue_ratio contains 1 values above 1"),
        ({"late_share": [-0.1]}, "late_share contains 1 negative"),
        ({"avg_days_late": [10], "max_days_late": [5]}, "avg_days_late exceeds max_days_late"),
        ({"overdue_amount": [float("nan")]}, "overdue_amount contains 1 missing"),
        ({"max_days_late": [1, 2]}, "max_days_late has 2 values but customer_id has 1"),
    ],
)
def test_invalid_input_raises_value_error_naming_the_problem(kwargs, message):
    args = {
        "customer_id": [1], "avg_days_late": [0], "max_days_late": [0],
        "overdue_amount": [0], "overdue_ratio": [0], "late_share": [0],
    }  # fmt: skip
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        grade(**args)


def test_invoice_without_due_date_is_rejected():
    with pytest.raises(ValueError, match="due_date contains 1 missing"):
        aggregate_invoices([1], [10], [None], [None], D(2024, 1, 1))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 400),
            st.floats(0, 400),
            st.floats(0, 1e8),
            st.floats(0, 1),
            st.floats(0, 1),
        ),
        max_size=40,
    )
)
def test_scores_are_between_0_and_100_and_every_customer_gets_one_grade(rows):
    rows = [(min(a, m), max(a, m), amt, r, s) for a, m, amt, r, s in rows]
    cols = list(zip(*rows, strict=True)) if rows else [[]] * 5
    out = grade(list(range(len(rows))), *cols)
    assert out["risk_score"].is_between(0, 100).all()
    assert out["grade"].is_in(GRADES).all()
    assert out.height == len(rows)
