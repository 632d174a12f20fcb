import datetime as dt
import zoneinfo

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.analytics.engine.cohorts import SCHEMA, retention, to_matrix

D = dt.date


@pytest.fixture
def table() -> pl.DataFrame:
    # customers 1 and 2 join in January, 3 in February; 1 returns in February, 3 in March
    return retention(
        customer_id=[1, 1, 2, 3, 3, 1],
        order_date=[
            D(2024, 1, 5),
            D(2024, 2, 1),
            D(2024, 1, 20),
            D(2024, 2, 3),
            D(2024, 3, 9),
            D(2024, 1, 6),
        ],
        amount=[10, 20, 5, 7, 8, 1],
    )


def test_hand_worked_cohort_table(table):
    assert table.rows() == [
        (D(2024, 1, 1), 0, 2, 2, 1.0, 16.0),
        (D(2024, 1, 1), 1, 2, 1, 0.5, 20.0),
        (D(2024, 1, 1), 2, 2, 0, 0.0, 0.0),
        (D(2024, 2, 1), 0, 1, 1, 1.0, 7.0),
        (D(2024, 2, 1), 1, 1, 1, 1.0, 8.0),
    ]
    assert table.schema == pl.Schema(SCHEMA)


def test_matrix_has_one_row_per_cohort_and_one_column_per_period(table):
    m = to_matrix(table)
    assert m.columns == ["cohort", "cohort_size", "0", "1", "2"]
    assert m.rows() == [(D(2024, 1, 1), 2, 1.0, 0.5, 0.0), (D(2024, 2, 1), 1, 1.0, 1.0, None)]
    assert to_matrix(table, "revenue")["0"].to_list() == [16.0, 7.0]


def test_as_of_extends_every_cohort_to_that_month(table):
    out = retention([1], [D(2024, 1, 5)], [3], as_of=D(2024, 4, 30))
    assert out["period"].to_list() == [0, 1, 2, 3]


def test_orders_after_as_of_are_rejected():
    with pytest.raises(ValueError, match="orders after as_of"):
        retention([1], [D(2024, 5, 1)], [3], as_of=D(2024, 4, 30))


def test_aware_datetimes_are_bucketed_by_their_local_date():
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    # 2024-02-01 00:30 in Shanghai is still January in UTC; the local month counts
    out = retention(
        [1, 1],
        [
            dt.datetime(2024, 1, 10, tzinfo=shanghai),
            dt.datetime(2024, 2, 1, 0, 30, tzinfo=shanghai),
        ],
        [1, 1],
    )
    assert out["active_customers"].to_list() == [1, 1]


def test_empty_input_gives_an_empty_frame_with_the_columns():
    out = retention([], [], [])
    assert out.schema == pl.Schema(SCHEMA)
    assert to_matrix(out).columns == ["cohort", "cohort_size"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"amount": [-1]}, "amount contains 1 negative"),
        ({"order_date": [None]}, "order_date contains 1 missing"),
        ({"customer_id": [None]}, "customer_id contains 1 missing"),
        ({"amount": [1, 2]}, "amount has 2 values but customer_id has 1"),
        ({"order_date": ["2024-01-01"]}, "order_date must contain dates"),
    ],
)
def test_invalid_input_raises_value_error_naming_the_problem(kwargs, message):
    args = {"customer_id": [1], "order_date": [D(2024, 1, 1)], "amount": [1]}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        retention(**args)


def test_matrix_rejects_an_unknown_measure(table):
    with pytest.raises(ValueError, match="value must be"):
        to_matrix(table, "profit")


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 15), st.integers(0, 700), st.floats(0, 1e4)),
        min_size=1,
        max_size=60,
    )
)
def test_retention_is_a_rate_and_cohorts_partition_the_customers(rows):
    ids, days, amounts = zip(*rows, strict=True)
    out = retention(list(ids), [D(2023, 1, 1) + dt.timedelta(days=d) for d in days], list(amounts))
    assert out["retention_rate"].is_between(0, 1).all()
    period0 = out.filter(pl.col("period") == 0)
    assert (period0["retention_rate"] == 1).all()
    assert period0["cohort_size"].sum() == len(set(ids))
    assert out["revenue"].sum() == pytest.approx(sum(amounts))
