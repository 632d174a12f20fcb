"""Funnel and forecast against small examples worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from guanxi.sales.forecast import forecast, parse_period
from guanxi.sales.funnel import funnel
from guanxi.sales.services import create_opportunity, move_opportunity
from tests.sales.conftest import at


def _deal(user, customer, amount, created, moves=(), stages=None, **fields):
    opp = create_opportunity(
        user, customer.pk, {"name": f"deal {amount}", "amount": amount, **fields}, at=at(created)
    )
    for stage, day in moves:
        move_opportunity(
            user,
            opp.pk,
            stages[stage].pk,
            lost_reason="预算" if stage == "Lost" else None,
            at=at(day),
        )
    return opp


@pytest.fixture
def october(alice, alices_customer, stages):
    """A: P→Q (2 d)→Pr (4 d)→Won (3 d); B: P→Q (4 d)→Lost (1 d); C: stays in P;
    D: P→Pr (2 d), skipping Q; E: created in September (outside the period)."""

    def d(*args, **kw):
        return _deal(alice, alices_customer, *args, stages=stages, **kw)

    d(
        "100",
        "2026-10-01",
        [("Qualification", "2026-10-03"), ("Proposal", "2026-10-07"), ("Won", "2026-10-10")],
    )
    d("200", "2026-10-01", [("Qualification", "2026-10-05"), ("Lost", "2026-10-06")])
    d("300", "2026-10-02")
    d("400", "2026-10-02", [("Proposal", "2026-10-04")])
    d("1000", "2026-09-01")


def _by_name(result):
    return {row["name"]: row for row in result["stages"]}


def test_funnel_counts_and_amounts_per_stage_for_the_period(october, mike, pipeline):
    rows = _by_name(funnel(mike, pipeline, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31)))
    assert {n: (r["count"], r["amount"]) for n, r in rows.items()} == {
        "Prospecting": (1, Decimal("300.00")),
        "Qualification": (0, Decimal("0.00")),
        "Proposal": (1, Decimal("400.00")),
        "Negotiation": (0, Decimal("0.00")),
        "Won": (1, Decimal("100.00")),
        "Lost": (1, Decimal("200.00")),
    }


def test_funnel_counts_a_skipped_stage_as_passed(october, mike, pipeline):
    rows = _by_name(funnel(mike, pipeline, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31)))
    assert [
        rows[n]["reached"]
        for n in ("Prospecting", "Qualification", "Proposal", "Negotiation", "Won")
    ] == [4, 3, 2, 1, 1]
    assert rows["Qualification"]["reached_amount"] == Decimal("700.00")  # A + B + D


def test_funnel_conversion_between_consecutive_stages(october, mike, pipeline):
    rows = _by_name(funnel(mike, pipeline, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31)))
    assert [
        rows[n]["conversion"]
        for n in ("Prospecting", "Qualification", "Proposal", "Negotiation", "Won", "Lost")
    ] == [0.75, 0.6667, 0.5, 1.0, None, None]


def test_funnel_average_days_in_stage_from_the_log(october, mike, pipeline):
    rows = _by_name(funnel(mike, pipeline, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31)))
    assert rows["Prospecting"]["avg_days"] == 2.67  # (2 + 4 + 2) / 3
    assert rows["Qualification"]["avg_days"] == 2.5  # (4 + 1) / 2
    assert rows["Proposal"]["avg_days"] == 3.0
    assert rows["Negotiation"]["avg_days"] is None


def test_funnel_of_another_team_is_empty(october, ada, pipeline, teams):
    result = funnel(ada, pipeline, team=teams["west"].pk)
    assert result["total"] == 0 and result["win_rate"] is None


def test_funnel_shows_a_rep_nothing_of_a_colleague(october, bob, pipeline):
    assert funnel(bob, pipeline)["total"] == 0


@pytest.fixture
def q4(alice, bob, charlie, alices_customer, bobs_customer, charlies_customer, stages):
    """History (closed in the past 12 months): H1 P→Pr→Won, H2 P→Pr→Lost, H3 P→Lost,
    H4 P→Won, H5 P→Won, and W1 won in October. Win rates: Prospecting 4/6, Proposal 1/2;
    Qualification and Negotiation have no history (fall back to 25 % and 75 %)."""

    def d(user, customer, *args, **kw):
        return _deal(user, customer, *args, stages=stages, **kw)

    a, b, c = (alice, alices_customer), (bob, bobs_customer), (charlie, charlies_customer)
    d(*a, "1", "2026-03-01", [("Proposal", "2026-03-10"), ("Won", "2026-04-01")])
    d(*a, "1", "2026-03-01", [("Proposal", "2026-03-10"), ("Lost", "2026-04-01")])
    d(*b, "1", "2026-05-01", [("Lost", "2026-05-10")])
    d(*b, "1", "2026-05-01", [("Won", "2026-05-20")])
    d(*a, "1", "2026-06-01", [("Won", "2026-06-20")])
    d(*a, "1000", "2026-10-01", [("Won", "2026-10-20")])
    # The quarter's open pipeline
    d(*a, "2000", "2026-10-01", [("Proposal", "2026-10-05")], expected_close_date="2026-12-10")
    d(*a, "500", "2026-10-01", expected_close_date="2026-11-30", is_commit=True)
    d(*b, "800", "2026-10-01", [("Negotiation", "2026-10-05")], expected_close_date="2026-12-01")
    d(*b, "300", "2026-10-01", expected_close_date="2026-10-31", probability=80)
    d(*b, "10000", "2026-10-01", [("Proposal", "2026-10-05")], expected_close_date="2027-01-15")
    d(*c, "1000", "2026-10-01", [("Qualification", "2026-10-05")], expected_close_date="2026-11-11")


def _figures(row):
    return {k: row[k] for k in ("won", "pipeline", "weighted", "commit", "best_case", "historical")}


def test_forecast_per_rep(q4, ada):
    result = forecast(ada, "2026-Q4", today=dt.date(2026, 11, 15))
    reps = {r["name"]: _figures(r) for r in result["reps"]}
    assert reps["Alice"] == {
        "won": Decimal("1000.00"),
        "pipeline": Decimal("2500.00"),
        "weighted": Decimal("1050.00"),
        "commit": Decimal("1500.00"),
        "best_case": Decimal("3500.00"),
        "historical": Decimal("2333.33"),
    }
    assert reps["Bob"] == {
        "won": Decimal("0.00"),
        "pipeline": Decimal("1100.00"),
        "weighted": Decimal("840.00"),
        "commit": Decimal("1100.00"),
        "best_case": Decimal("1100.00"),
        "historical": Decimal("800.00"),
    }
    assert reps["Charlie"] == {
        "won": Decimal("0.00"),
        "pipeline": Decimal("1000.00"),
        "weighted": Decimal("250.00"),
        "commit": Decimal("0.00"),
        "best_case": Decimal("1000.00"),
        "historical": Decimal("250.00"),
    }


def test_forecast_rolls_reps_up_to_teams_and_a_total(q4, ada):
    result = forecast(ada, "2026-Q4", today=dt.date(2026, 11, 15))
    teams = {t["name"]: _figures(t) for t in result["teams"]}
    assert teams["Guangzhou"] == {
        "won": Decimal("1000.00"),
        "pipeline": Decimal("3600.00"),
        "weighted": Decimal("1890.00"),
        "commit": Decimal("2600.00"),
        "best_case": Decimal("4600.00"),
        "historical": Decimal("3133.33"),
    }
    assert _figures(result["total"]) == {
        "won": Decimal("1000.00"),
        "pipeline": Decimal("4600.00"),
        "weighted": Decimal("2140.00"),
        "commit": Decimal("2600.00"),
        "best_case": Decimal("5600.00"),
        "historical": Decimal("3383.33"),
    }


def test_forecast_historical_win_rates_per_stage(q4, ada, stages):
    rates = {
        r["stage_id"]: (r["rate"], r["sample"])
        for r in forecast(ada, "2026-Q4", today=dt.date(2026, 11, 15))["win_rates"]
    }
    assert rates[stages["Prospecting"].pk] == (0.6667, 6)
    assert rates[stages["Proposal"].pk] == (0.5, 2)
    assert stages["Negotiation"].pk not in rates


def test_forecast_for_a_team_leaves_other_teams_out(q4, mike, teams):
    result = forecast(mike, "2026-Q4", team=teams["east"].pk, today=dt.date(2026, 11, 15))
    assert {r["name"] for r in result["reps"]} == {"Alice", "Bob"}


def test_forecast_for_a_month(q4, ada):
    result = forecast(ada, "2026-10", today=dt.date(2026, 11, 15))
    assert result["total"]["won"] == Decimal("1000.00")
    assert result["total"]["pipeline"] == Decimal("300.00")  # only Bob's deal closes in October


@pytest.mark.parametrize(
    ("period", "bounds"),
    [
        ("2026-11", (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
        ("2026-Q4", (dt.date(2026, 10, 1), dt.date(2026, 12, 31))),
        ("2028-02", (dt.date(2028, 2, 1), dt.date(2028, 2, 29))),
    ],
)
def test_a_period_is_a_month_or_a_quarter(period, bounds):
    assert parse_period(period) == bounds


@pytest.mark.parametrize("period", ["2026", "2026-13", "2026-Q5", "Q4", ""])
def test_an_unparseable_period_is_refused(period):
    with pytest.raises(ValidationError):
        parse_period(period)
