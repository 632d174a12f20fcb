"""The reads behind the funnel, forecast and board, as rewritten for 100,000 deals: the same
rows and figures as before, in a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from guanxi.customers.services import create_customer, delete_customer, share_customer
from guanxi.sales.forecast import forecast
from guanxi.sales.funnel import funnel
from guanxi.sales.models import Opportunity
from guanxi.sales.queries import stage_totals, visible_opportunities
from guanxi.sales.services import create_opportunity, move_opportunity
from tests.conftest import login
from tests.sales.conftest import at


def _deal(user, customer, amount, created="2026-10-01", **fields):
    return create_opportunity(
        user, customer.pk, {"name": f"deal {amount}", "amount": amount, **fields}, at=at(created)
    )


@pytest.fixture
def book(ada, alice, bob, charlie, alices_customer, bobs_customer, charlies_customer, teams):
    """A deal each for Alice, Bob and Charlie; one on a customer Charlie shares with Alice;
    one on a customer that was deleted (in the recycle bin)."""
    shared = create_customer(charlie, {"name": "共享客户", "phone": "13600136000"})
    share_customer(charlie, shared.pk, to_user=alice)
    gone = create_customer(bob, {"name": "已删除", "phone": "13500135000"})
    deals = {
        "alice": _deal(alice, alices_customer, "100"),
        "bob": _deal(bob, bobs_customer, "200"),
        "charlie": _deal(charlie, charlies_customer, "300"),
        "shared": _deal(charlie, shared, "400"),
        "gone": _deal(bob, gone, "500"),
    }
    delete_customer(bob, gone.pk)
    return deals


@pytest.mark.parametrize("persona", ["ada", "mike", "alice", "bob", "charlie", "nina"])
def test_visible_opportunities_are_exactly_those_visible_to_each_persona(book, persona, request):
    user = request.getfixturevalue(persona)
    expected = set(Opportunity.objects.visible_to(user).values_list("pk", flat=True))
    assert set(visible_opportunities(user).values_list("pk", flat=True)) == expected


def test_visible_opportunities_leave_out_a_deleted_customers_deal(book, ada):
    assert book["gone"].pk not in set(visible_opportunities(ada).values_list("pk", flat=True))


def test_a_deactivated_user_sees_no_opportunity(book, ada, alice):
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert not visible_opportunities(alice).exists()


def test_funnel_counts_a_deal_that_went_back_at_the_furthest_stage_it_reached(
    alice, alices_customer, stages, pipeline, mike
):
    """Prospecting → Proposal → back to Qualification: now in Qualification, and it reached
    Proposal (so Qualification too, skipped on the way up)."""
    opp = _deal(alice, alices_customer, "100")
    move_opportunity(alice, opp.pk, stages["Proposal"].pk, at=at("2026-10-03"))
    move_opportunity(alice, opp.pk, stages["Qualification"].pk, at=at("2026-10-08"))
    rows = {
        r["name"]: r
        for r in funnel(mike, pipeline, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))[
            "stages"
        ]
    }
    assert rows["Qualification"]["count"] == 1
    assert rows["Proposal"]["count"] == 0
    assert [rows[n]["reached"] for n in ("Prospecting", "Qualification", "Proposal")] == [1, 1, 1]
    assert rows["Negotiation"]["reached"] == 0
    assert rows["Proposal"]["avg_days"] == 5.0


def test_funnel_does_not_count_a_lost_deal_as_reaching_the_lost_stage_or_beyond(
    alice, alices_customer, stages, pipeline, mike
):
    opp = _deal(alice, alices_customer, "100")
    move_opportunity(alice, opp.pk, stages["Negotiation"].pk, at=at("2026-10-02"))
    move_opportunity(alice, opp.pk, stages["Lost"].pk, lost_reason="预算", at=at("2026-10-04"))
    rows = {
        r["name"]: r
        for r in funnel(mike, pipeline, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))[
            "stages"
        ]
    }
    assert (rows["Negotiation"]["reached"], rows["Won"]["reached"]) == (1, 0)
    assert (rows["Lost"]["count"], rows["Lost"]["amount"]) == (1, Decimal("100.00"))
    assert rows["Lost"]["reached"] is None


def test_funnel_and_forecast_run_in_a_fixed_number_of_queries(
    alice, bob, alices_customer, bobs_customer, stages, pipeline, ada, django_assert_num_queries
):
    for i in range(10):
        user, customer = (alice, alices_customer) if i % 2 else (bob, bobs_customer)
        opp = _deal(user, customer, i + 1, expected_close_date=dt.date(2026, 12, 1))
        move_opportunity(user, opp.pk, stages["Proposal" if i else "Won"].pk, at=at("2026-10-05"))
    # the stages and one pass over the cohort
    with django_assert_num_queries(2):
        funnel(ada, pipeline, start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))
    # won, open pipeline, win rates, stage probabilities, the reps
    with django_assert_num_queries(5):
        forecast(ada, "2026-Q4", today=dt.date(2026, 11, 23))


def test_stage_totals_of_one_stage(alice, alices_customer, stages, pipeline):
    _deal(alice, alices_customer, "100")
    moved = _deal(alice, alices_customer, "250")
    move_opportunity(alice, moved.pk, stages["Proposal"].pk, at=at("2026-10-02"))
    assert stage_totals(alice, pipeline, stage=stages["Proposal"].pk) == {
        stages["Proposal"].pk: {"count": 1, "amount": Decimal("250.00")}
    }


def test_show_more_counts_its_own_column_in_a_fixed_number_of_queries(
    client, alice, alices_customer, stages, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr("guanxi.sales.views.BOARD_LIMIT", 2)
    for amount in (1, 2, 3, 4):
        _deal(alice, alices_customer, amount)
    other = _deal(alice, alices_customer, "9")
    move_opportunity(alice, other.pk, stages["Proposal"].pk, at=at("2026-10-02"))
    login(client, alice)
    url = reverse("sales:board_column", args=[stages["Prospecting"].pk])
    # session, user, the stage, the cards, the column's count, the pipeline's stages, and the
    # unread-notifications badge of the navigation context
    with django_assert_max_num_queries(7):
        response = client.get(url, {"offset": 2}, HTTP_HX_REQUEST="true")
    assert response.context["column"]["more"] == 0
    assert [c.name for c in response.context["column"]["cards"]] == ["deal 2", "deal 1"]
