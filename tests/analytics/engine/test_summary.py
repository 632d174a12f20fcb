"""Tests for the per-customer RFM summary (frequency, recency, T, monetary value)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guanxi.analytics.engine.summary import summarize
from tests.analytics.engine.simulate import transactions

D = dt.date


def _rows(frame: pl.DataFrame) -> list[tuple]:
    return frame.rows()


def test_hand_worked_example_gives_repeat_periods_recency_age_and_repeat_mean():
    # Given customer "a" buying on days 1, 1 (twice), 5 and 8 and customer "b" once on day 3
    ids = ["a", "a", "a", "a", "b"]
    dates = [D(2024, 1, 1), D(2024, 1, 1), D(2024, 1, 5), D(2024, 1, 8), D(2024, 1, 3)]
    amounts = [10.0, 5.0, 20.0, 40.0, 7.0]

    # When summarised up to 10 January
    result = summarize(ids, dates, amounts, observation_end=D(2024, 1, 10))

    # Then "a" has 2 repeat days, 7 days between first and last, 9 days of age, mean 30;
    # "b" has no repeat purchase, so recency and monetary value are 0
    assert _rows(result) == [("a", 2, 7, 9, 30.0), ("b", 0, 0, 7, 0.0)]
    assert result.columns == ["customer_id", "frequency", "recency", "T", "monetary_value"]


def test_several_purchases_on_one_day_count_once_with_amounts_summed():
    dates = [D(2024, 1, 1), D(2024, 1, 2), D(2024, 1, 2), D(2024, 1, 2)]

    result = summarize([1, 1, 1, 1], dates, [1.0, 2.0, 3.0, 4.0], D(2024, 1, 2))

    assert _rows(result) == [(1, 1, 1, 1, 9.0)]


def test_transactions_after_observation_end_are_dropped_but_later_that_day_kept():
    dates = [
        dt.datetime(2024, 1, 1, 9),
        dt.datetime(2024, 1, 3, 23, 59),  # same day as the end: observed
        dt.datetime(2024, 1, 4, 0, 1),  # next day: dropped
    ]

    result = summarize([7, 7, 7], dates, [1.0, 2.0, 100.0], dt.datetime(2024, 1, 3, 12))

    assert _rows(result) == [(7, 1, 2, 2, 2.0)]


def test_customers_with_only_later_transactions_are_left_out():
    result = summarize([1, 2], [D(2024, 1, 1), D(2024, 2, 1)], [1.0, 1.0], D(2024, 1, 15))

    assert result["customer_id"].to_list() == [1]


def test_no_observed_transactions_give_an_empty_frame_with_the_summary_columns():
    result = summarize([1], [D(2024, 2, 1)], [1.0], D(2024, 1, 15))

    assert result.height == 0
    assert result.columns == ["customer_id", "frequency", "recency", "T", "monetary_value"]


def test_weeks_run_monday_to_sunday_like_pandas_weekly_periods():
    # 2024-01-07 is a Sunday and 2024-01-08 a Monday.
    dates = [D(2024, 1, 1), D(2024, 1, 7), D(2024, 1, 8)]

    result = summarize(["x"] * 3, dates, [1.0, 2.0, 4.0], D(2024, 1, 21), period="W")

    assert _rows(result) == [("x", 1, 1, 2, 4.0)]


def test_monthly_period_counts_calendar_months():
    dates = [D(2023, 12, 31), D(2024, 1, 1), D(2024, 1, 31), D(2024, 3, 15)]

    result = summarize([1] * 4, dates, [1.0, 2.0, 3.0, 4.0], D(2024, 4, 1), period="M")

    assert _rows(result) == [(1, 2, 3, 4, 4.5)]


def test_customers_are_sorted_and_keep_their_id_type():
    result = summarize(["b", "a", "c"], [D(2024, 1, 1)] * 3, [1.0] * 3, D(2024, 1, 1))

    assert result["customer_id"].to_list() == ["a", "b", "c"]
    assert result["customer_id"].dtype == pl.String


def test_sparse_integer_ids_are_summarised_like_any_other():
    ids = [10**15, 3, 10**15]

    result = summarize(ids, [D(2024, 1, 1), D(2024, 1, 1), D(2024, 1, 2)], [1.0] * 3, D(2024, 1, 2))

    assert _rows(result) == [(3, 0, 0, 1, 0.0), (10**15, 1, 1, 1, 1.0)]


def test_numpy_polars_and_list_inputs_give_the_same_summary():
    ids = [1, 1, 2]
    dates = [D(2024, 1, 1), D(2024, 1, 4), D(2024, 1, 2)]
    amounts = [1.0, 2.0, 3.0]
    end = D(2024, 1, 5)

    from_lists = summarize(ids, dates, amounts, end)
    from_numpy = summarize(
        np.array(ids),
        np.array(dates, dtype="datetime64[s]"),
        np.array(amounts),
        np.datetime64("2024-01-05"),
    )
    from_polars = summarize(pl.Series(ids), pl.Series(dates), pl.Series(amounts), "2024-01-05")

    assert from_lists.equals(from_numpy)
    assert from_lists.equals(from_polars)


def test_time_zone_aware_datetimes_are_bucketed_by_their_local_date():
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    # 01:00 in Shanghai is still the previous day in UTC.
    dates = [
        dt.datetime(2024, 1, 1, 12, tzinfo=shanghai),
        dt.datetime(2024, 1, 2, 1, tzinfo=shanghai),
    ]

    result = summarize([1, 1], dates, [1.0, 2.0], dt.datetime(2024, 1, 2, 20, tzinfo=shanghai))

    assert _rows(result) == [(1, 1, 1, 1, 2.0)]


@pytest.mark.parametrize("period", ["D", "W"])
def test_summary_equals_lifetimes_on_random_transactions(period):
    lifetimes_utils = pytest.importorskip("lifetimes.utils")
    pd = pytest.importorskip("pandas")
    # Given 30,000 transactions of 2,000 customers over three years, many on the same day
    rng = np.random.default_rng(20240601)
    ids, dates, amounts = transactions(rng, 30_000, 2_000)
    dates = dates.astype("datetime64[D]") + (dates - dates.astype("datetime64[D]")) // 4
    end = np.datetime64("2023-06-30T15:00:00")  # later transactions must be dropped

    ours = summarize(ids, dates, amounts, end, period=period)
    theirs = lifetimes_utils.summary_data_from_transaction_data(
        pd.DataFrame({"id": ids, "date": dates, "amount": amounts}),
        "id",
        "date",
        monetary_value_col="amount",
        observation_period_end=pd.Timestamp(end),
        freq=period,
    )

    assert ours["customer_id"].to_list() == theirs.index.to_list()
    for column in ["frequency", "recency", "T", "monetary_value"]:
        np.testing.assert_allclose(ours[column].to_numpy(), theirs[column].to_numpy(), rtol=1e-12)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 5), st.dates(D(2023, 1, 1), D(2023, 12, 31)), st.floats(0.01, 1e4)
        ),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from(["D", "W", "M"]),
)
def test_repeat_periods_never_exceed_recency_and_recency_never_exceeds_age(rows, period):
    ids, dates, amounts = zip(*rows, strict=True)

    result = summarize(list(ids), list(dates), list(amounts), D(2023, 12, 31), period=period)

    assert (result["frequency"] <= result["recency"]).all()
    assert (result["recency"] <= result["T"]).all()
    assert ((result["frequency"] > 0) | (result["monetary_value"] == 0)).all()


@pytest.mark.parametrize("period", ["D", "W", "M"])
@pytest.mark.parametrize("unit", ["s", "ms", "ns", "h", "D"])
def test_numpy_datetimes_give_the_summary_of_the_same_dates_as_a_polars_column(period, unit):
    rng = np.random.default_rng(11)
    ids = rng.integers(0, 40, 2_000)
    # Both sides of 1970 and of midnight: the casts to days, weeks and months must floor.
    stamps = np.datetime64("1969-06-01T00:00:00", "s") + rng.integers(
        0, 400 * 86_400, 2_000
    ).astype("timedelta64[s]")
    values = stamps.astype(f"datetime64[{unit}]")
    amounts = np.round(rng.gamma(2.0, 25.0, 2_000), 2)
    end = dt.date(1970, 5, 1)

    from_numpy = summarize(ids, values, amounts, end, period=period)
    from_polars = summarize(ids, pl.Series(values.astype("datetime64[ms]")), amounts, end, period)

    assert from_numpy.equals(from_polars)


def test_missing_numpy_datetimes_are_refused_with_their_count():
    dates = np.array(["2024-01-01", "NaT", "NaT"], dtype="datetime64[s]")

    with pytest.raises(ValueError, match="date contains 2 missing values"):
        summarize([1, 2, 3], dates, [1.0, 2.0, 3.0], D(2024, 1, 3))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"customer_id": [1, 2]}, "same length"),
        ({"customer_id": [1, None, 3]}, "customer_id contains 1 missing values"),
        ({"date": ["2024-01-01"] * 3}, "date must hold dates or datetimes"),
        ({"date": [D(2024, 1, 1), None, D(2024, 1, 2)]}, "date contains 1 missing values"),
        ({"amount": [1.0, float("nan"), 1.0]}, "amount contains NaN"),
        ({"amount": ["1", "2", "3"]}, "amount must be numeric"),
        ({"observation_end": "not a date"}, "observation_end must be a date"),
        ({"observation_end": None}, "observation_end must be a date"),
        ({"period": "Q"}, "period must be one of"),
        ({"customer_id": np.ones((3, 1))}, "customer_id must be one-dimensional"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_invalid_input_is_refused_with_a_message_naming_the_problem(kwargs, message):
    arguments = {
        "customer_id": [1, 2, 3],
        "date": [D(2024, 1, 1), D(2024, 1, 2), D(2024, 1, 3)],
        "amount": [1.0, 2.0, 3.0],
        "observation_end": D(2024, 1, 3),
    } | kwargs

    with pytest.raises(ValueError, match=message):
        summarize(**arguments)
