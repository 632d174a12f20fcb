"""Opportunities: the stage-change log, refusals that write nothing, who sees what."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from guanxi.sales.models import Opportunity, StageChange
from guanxi.sales.services import access_opportunity, create_opportunity, move_opportunity
from tests.sales.conftest import at


@pytest.fixture
def deal(alice, alices_customer):
    return create_opportunity(
        alice, alices_customer.pk, {"name": "茶叶年度采购", "amount": "50000"}, at=at("2026-10-01")
    )


def test_a_new_opportunity_starts_in_the_first_stage_and_logs_it(deal, stages):
    assert deal.stage == stages["Prospecting"]
    start = StageChange.objects.get(opportunity=deal)
    assert (start.from_stage, start.to_stage, start.seconds_in_from_stage) == (
        None,
        stages["Prospecting"],
        None,
    )


def test_stage_moves_are_logged_with_who_and_the_days_spent(deal, alice, stages):
    move_opportunity(alice, deal.pk, stages["Qualification"].pk, at=at("2026-10-03"))
    move_opportunity(alice, deal.pk, stages["Proposal"].pk, at=at("2026-10-08", hour=18))
    log = list(StageChange.objects.filter(opportunity=deal).order_by("at"))
    assert [(c.from_stage, c.to_stage) for c in log[1:]] == [
        (stages["Prospecting"], stages["Qualification"]),
        (stages["Qualification"], stages["Proposal"]),
    ]
    assert [c.seconds_in_from_stage for c in log[1:]] == [2 * 86400, 5 * 86400 + 6 * 3600]
    assert all(c.by == alice for c in log)


def test_winning_stamps_won_at_and_reopening_clears_it(deal, alice, stages):
    won = move_opportunity(alice, deal.pk, stages["Won"].pk, at=at("2026-10-05"))
    assert won.won_at == at("2026-10-05")
    reopened = move_opportunity(alice, deal.pk, stages["Negotiation"].pk, at=at("2026-10-06"))
    assert reopened.won_at is None


def test_lost_without_a_reason_is_refused_and_nothing_is_written(deal, alice, stages):
    with pytest.raises(ValidationError) as err:
        move_opportunity(alice, deal.pk, stages["Lost"].pk, lost_reason="  ")
    assert "lost_reason" in err.value.message_dict
    deal.refresh_from_db()
    assert deal.stage == stages["Prospecting"] and deal.lost_at is None
    assert StageChange.objects.filter(opportunity=deal).count() == 1


def test_lost_with_a_reason_keeps_the_reason_on_the_deal_and_in_the_log(deal, alice, stages):
    lost = move_opportunity(alice, deal.pk, stages["Lost"].pk, lost_reason="价格太高")
    assert lost.lost_reason == "价格太高" and lost.lost_at is not None
    assert StageChange.objects.filter(opportunity=deal).last().note == "价格太高"


def test_a_stage_of_another_pipeline_is_an_unknown_stage(deal, alice, stages):
    from guanxi.sales.models import Pipeline, Stage

    other = Pipeline.objects.create(name="Service contracts")
    foreign = Stage.objects.create(pipeline=other, name="Open", position=1, probability=10)
    with pytest.raises(ValidationError) as err:
        move_opportunity(alice, deal.pk, foreign.pk)
    assert "stage" in err.value.message_dict
    deal.refresh_from_db()
    assert deal.stage == stages["Prospecting"]


def test_a_negative_amount_is_refused_and_nothing_is_written(alice, alices_customer):
    with pytest.raises(ValidationError) as err:
        create_opportunity(alice, alices_customer.pk, {"name": "x", "amount": "-1"})
    assert "amount" in err.value.message_dict
    assert not Opportunity.objects.exists() and not StageChange.objects.exists()


def test_an_unparseable_close_date_is_refused(alice, alices_customer):
    with pytest.raises(ValidationError) as err:
        create_opportunity(
            alice, alices_customer.pk, {"name": "x", "expected_close_date": "next friday"}
        )
    assert "expected_close_date" in err.value.message_dict
    assert not Opportunity.objects.exists()


def test_the_probability_comes_from_the_stage_unless_overridden(deal, alice):
    from guanxi.sales.services import update_opportunity

    assert deal.effective_probability == 10
    assert update_opportunity(alice, deal.pk, {"probability": 40}).effective_probability == 40


def test_a_rep_sees_own_opportunities(deal, alice):
    assert access_opportunity(alice, deal.pk) == deal


def test_a_manager_sees_the_teams_opportunities(deal, mike):
    assert access_opportunity(mike, deal.pk) == deal
    assert access_opportunity(mike, deal.pk, edit=True) == deal


def test_another_rep_gets_404(deal, bob, charlie):
    for user in (bob, charlie):
        with pytest.raises(Http404):
            access_opportunity(user, deal.pk)
        assert not Opportunity.objects.visible_to(user).exists()


def test_the_analyst_reads_but_cannot_move(deal, nina, stages):
    assert access_opportunity(nina, deal.pk) == deal
    with pytest.raises(PermissionDenied):
        move_opportunity(nina, deal.pk, stages["Qualification"].pk)


def test_a_rep_cannot_open_an_opportunity_on_a_customer_they_cannot_see(charlie, alices_customer):
    with pytest.raises(Http404):
        create_opportunity(charlie, alices_customer.pk, {"name": "x", "amount": Decimal(1)})
