"""The opportunity pages: kanban board, moves (drag and drop posts), list, card, forms."""

from decimal import Decimal

import pytest
from django.urls import reverse

from guanxi.customers.services import create_customer
from guanxi.sales.models import Opportunity, StageChange
from guanxi.sales.services import create_opportunity, move_opportunity
from guanxi.sales.views import BOARD_LIMIT
from tests.conftest import login
from tests.sales.conftest import at

BOARD = reverse("sales:board")
LIST = reverse("sales:opportunities")
JSON = {"HTTP_ACCEPT": "application/json"}


def _move(opp):
    return reverse("sales:opportunity_move", args=[opp.pk])


@pytest.fixture
def deal(alice, alices_customer):
    return create_opportunity(
        alice, alices_customer.pk, {"name": "茶叶年度采购", "amount": "50000"}, at=at("2026-10-01")
    )


@pytest.fixture
def charlies_deal(charlie, charlies_customer):
    return create_opportunity(charlie, charlies_customer.pk, {"name": "成都大单", "amount": "9"})


def _board_names(response) -> set[str]:
    return {card.name for column in response.context["columns"] for card in column["cards"]}


def test_kanban_shows_own_opportunities_only(client, alice, deal, charlies_deal):
    response = login(client, alice).get(BOARD)
    assert response.status_code == 200
    assert _board_names(response) == {"茶叶年度采购"}
    assert "成都大单" not in response.content.decode()


def test_kanban_columns_carry_count_and_sum_per_stage(client, alice, alices_customer, stages):
    for amount in ("100", "250.50"):
        create_opportunity(alice, alices_customer.pk, {"name": f"d{amount}", "amount": amount})
    response = login(client, alice).get(BOARD)
    first = response.context["columns"][0]
    assert first["stage"] == stages["Prospecting"]
    assert (first["count"], first["amount"]) == (2, Decimal("350.50"))
    assert [c["count"] for c in response.context["columns"][1:]] == [0, 0, 0, 0, 0]


def test_kanban_shows_the_top_cards_and_a_show_more_button(
    client, alice, alices_customer, settings, monkeypatch
):
    monkeypatch.setattr("guanxi.sales.views.BOARD_LIMIT", 2)
    for amount in (1, 2, 3):
        create_opportunity(alice, alices_customer.pk, {"name": f"d{amount}", "amount": amount})
    response = login(client, alice).get(BOARD)
    first = response.context["columns"][0]
    assert [c.name for c in first["cards"]] == ["d3", "d2"]
    assert first["more"] == 1
    more = client.get(
        reverse("sales:board_column", args=[first["stage"].pk]),
        {"offset": 2},
        HTTP_HX_REQUEST="true",
    )
    assert "d1" in more.content.decode()
    assert "Show more" not in more.content.decode()


def test_kanban_query_count_does_not_grow_with_cards(
    client, alice, alices_customer, django_assert_max_num_queries
):
    for i in range(BOARD_LIMIT + 5):
        create_opportunity(alice, alices_customer.pk, {"name": f"d{i}", "amount": i})
    login(client, alice)
    # session, user, pipelines + stages, one aggregate, one query per column (6), and the
    # layout's unread badge and team name
    with django_assert_max_num_queries(13):
        response = client.get(BOARD)
    assert len(_board_names(response)) == BOARD_LIMIT


def test_dragging_a_card_logs_a_stage_change(client, alice, deal, stages):
    response = login(client, alice).post(_move(deal), {"stage": stages["Qualification"].pk}, **JSON)
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] and data["stage"] == stages["Qualification"].pk
    assert data["columns"][str(stages["Qualification"].pk)]["count"] == 1
    change = StageChange.objects.filter(opportunity=deal).latest("at")
    assert (change.from_stage, change.to_stage, change.by) == (
        stages["Prospecting"],
        stages["Qualification"],
        alice,
    )


def test_moving_to_lost_without_a_reason_is_refused_and_moves_nothing(client, alice, deal, stages):
    response = login(client, alice).post(_move(deal), {"stage": stages["Lost"].pk}, **JSON)
    assert response.status_code == 422
    assert "Say why" in response.json()["message"]
    deal.refresh_from_db()
    assert deal.stage == stages["Prospecting"]
    assert StageChange.objects.filter(opportunity=deal).count() == 1


def test_moving_to_lost_with_a_reason_records_it(client, alice, deal, stages):
    login(client, alice).post(
        _move(deal), {"stage": stages["Lost"].pk, "lost_reason": "预算不足"}, **JSON
    )
    deal.refresh_from_db()
    assert (deal.stage, deal.lost_reason) == (stages["Lost"], "预算不足")


def test_the_stage_select_without_javascript_redirects_back_with_a_message(
    client, alice, deal, stages
):
    response = login(client, alice).post(
        _move(deal), {"stage": stages["Proposal"].pk, "next": BOARD}, follow=True
    )
    assert response.redirect_chain[-1][0] == BOARD
    assert "moved to Proposal" in response.content.decode()


def test_a_move_from_a_stale_card_is_refused(client, alice, deal, stages):
    move_opportunity(alice, deal.pk, stages["Qualification"].pk)
    response = login(client, alice).post(
        _move(deal), {"stage": stages["Proposal"].pk, "version": 0}, **JSON
    )
    assert response.status_code == 409
    deal.refresh_from_db()
    assert deal.stage == stages["Qualification"]


def test_list_filters_by_stage_and_close_month(client, alice, alices_customer, stages):
    a = create_opportunity(
        alice, alices_customer.pk, {"name": "Nov", "expected_close_date": "2026-11-15"}
    )
    create_opportunity(
        alice, alices_customer.pk, {"name": "Dec", "expected_close_date": "2026-12-01"}
    )
    move_opportunity(alice, a.pk, stages["Proposal"].pk)
    login(client, alice)
    names = lambda r: [o.name for o in r.context["page"].object_list]  # noqa: E731
    assert names(client.get(LIST, {"close": "2026-11"})) == ["Nov"]
    assert names(client.get(LIST, {"stage": stages["Proposal"].pk})) == ["Nov"]
    assert names(client.get(LIST, {"sort": "close"})) == ["Nov", "Dec"]


def test_list_query_count_is_pinned(client, alice, alices_customer, django_assert_max_num_queries):
    for i in range(30):
        create_opportunity(alice, alices_customer.pk, {"name": f"d{i}", "amount": i})
    login(client, alice)
    with django_assert_max_num_queries(9):
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 25


def test_list_is_paginated_and_shows_only_visible_rows(client, alice, deal, charlies_deal):
    response = login(client, alice).get(LIST)
    assert [o.name for o in response.context["page"].object_list] == ["茶叶年度采购"]


def test_the_card_shows_the_stage_history_with_durations(client, alice, deal, stages):
    move_opportunity(alice, deal.pk, stages["Qualification"].pk, at=at("2026-10-03"))
    response = login(client, alice).get(reverse("sales:opportunity", args=[deal.pk]))
    history = response.context["history"]
    assert [row["change"].to_stage for row in history] == [
        stages["Prospecting"],
        stages["Qualification"],
    ]
    assert history[0]["seconds"] == 2 * 86400
    assert history[-1]["current"]
    assert "2 d" in response.content.decode()


def test_creating_an_opportunity_from_the_form(client, alice, alices_customer, pipeline):
    response = login(client, alice).post(
        reverse("sales:opportunity_create"),
        {
            "customer": alices_customer.pk,
            "name": "新项目",
            "amount": "1200.50",
            "pipeline": pipeline.pk,
            "expected_close_date": "2026-12-31",
        },
    )
    opp = Opportunity.objects.get(name="新项目")
    assert response.url == reverse("sales:opportunity", args=[opp.pk])
    assert (opp.amount, opp.owner) == (Decimal("1200.50"), alice)


def test_a_negative_amount_is_a_field_error_and_nothing_is_written(
    client, alice, alices_customer, pipeline
):
    response = login(client, alice).post(
        reverse("sales:opportunity_create"),
        {"customer": alices_customer.pk, "name": "坏", "amount": "-5", "pipeline": pipeline.pk},
    )
    assert response.status_code == 200
    assert "amount" in response.context["form"].errors
    assert not Opportunity.objects.filter(name="坏").exists()


def test_a_rep_cannot_open_an_opportunity_on_another_reps_customer(
    client, alice, charlies_customer, pipeline
):
    response = login(client, alice).post(
        reverse("sales:opportunity_create"),
        {"customer": charlies_customer.pk, "name": "偷", "amount": "5", "pipeline": pipeline.pk},
    )
    assert response.status_code == 404
    assert not Opportunity.objects.filter(name="偷").exists()


def test_editing_keeps_the_version_check(client, alice, deal):
    url = reverse("sales:opportunity_edit", args=[deal.pk])
    response = login(client, alice).post(
        url, {"name": "改名", "amount": "1", "version": deal.version}
    )
    assert response.status_code == 302
    stale = client.post(url, {"name": "再改", "amount": "1", "version": deal.version})
    assert stale.status_code == 409
    deal.refresh_from_db()
    assert deal.name == "改名"


def test_customer_picker_searches_only_editable_customers(client, alice, alices_customer, charlie):
    create_customer(charlie, {"name": "王伟强"})
    response = login(client, alice).get(reverse("sales:customer_options"), {"customer_q": "王伟"})
    assert [name for _pk, name in response.context["choices"]] == ["王伟"]
