"""The funnel and forecast pages against small examples worked out by hand, and the customer
card's sales tabs and value so far."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from guanxi.sales.services import create_opportunity, create_order, move_opportunity
from tests.conftest import login
from tests.sales.conftest import at


@pytest.fixture
def october(alice, alices_customer, stages):
    """A 100: P→Q→Won; B 200: P→Lost; C 300 stays in Prospecting; all created in October."""

    def deal(amount, moves):
        opp = create_opportunity(
            alice, alices_customer.pk, {"name": f"d{amount}", "amount": amount}, at=at("2026-10-01")
        )
        for stage, day in moves:
            move_opportunity(
                alice, opp.pk, stages[stage].pk, "预算" if stage == "Lost" else None, at=at(day)
            )

    deal("100", [("Qualification", "2026-10-03"), ("Won", "2026-10-07")])
    deal("200", [("Lost", "2026-10-05")])
    deal("300", [])


def _funnel(client, **params):
    return client.get(
        reverse("sales:funnel"), {"start": "2026-10-01", "end": "2026-10-31", **params}
    )


def test_funnel_page_shows_counts_conversion_and_days_for_the_period(client, mike, october):
    response = _funnel(login(client, mike))
    rows = {r["name"]: r for r in response.context["result"]["stages"]}
    assert [rows[n]["count"] for n in ("Prospecting", "Qualification", "Won", "Lost")] == [
        1,
        0,
        1,
        1,
    ]
    assert [rows[n]["reached"] for n in ("Prospecting", "Qualification", "Proposal", "Won")] == [
        3,
        1,
        1,
        1,
    ]
    body = response.content.decode()
    assert "33.3%" in body  # Prospecting → Qualification: 1 of 3
    assert "3.0" in body  # (2 + 4) / 2 days in Prospecting
    assert "Win rate" in body


def test_funnel_chart_reads_its_data_from_a_json_script_block(client, mike, october):
    body = _funnel(login(client, mike), measure="amount").content.decode()
    data = json.loads(
        body.split('id="funnel-data" type="application/json">')[1].split("</script>")[0]
    )
    assert data["measure"] == "amount"
    assert [d["value"] for d in data["data"]] == [600.0, 100.0, 100.0, 100.0, 100.0]
    assert "vendor/echarts/echarts.min.js" in body


def test_funnel_of_another_team_is_empty(client, ada, october, teams):
    response = _funnel(login(client, ada), team=teams["west"].pk)
    assert response.context["result"]["total"] == 0
    assert "No opportunities in this period." in response.content.decode()


def test_funnel_shows_a_colleague_nothing(client, bob, october):
    assert _funnel(login(client, bob)).context["result"]["total"] == 0


@pytest.fixture
def this_quarter(alice, alices_customer, stages):
    """Won 500 this quarter; open 1000 in Proposal (50 %) closing today."""
    now = timezone.now()
    won = create_opportunity(
        alice, alices_customer.pk, {"name": "won", "amount": "500"}, at=now - dt.timedelta(hours=2)
    )
    move_opportunity(alice, won.pk, stages["Won"].pk, at=now - dt.timedelta(hours=1))
    open_ = create_opportunity(
        alice,
        alices_customer.pk,
        {"name": "open", "amount": "1000", "expected_close_date": timezone.localdate()},
    )
    move_opportunity(alice, open_.pk, stages["Proposal"].pk)
    today = timezone.localdate()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def test_forecast_page_shows_the_hand_computed_figures(client, mike, this_quarter):
    response = login(client, mike).get(reverse("sales:forecast"), {"period": this_quarter})
    total = response.context["result"]["total"]
    assert {k: str(total[k]) for k in ("won", "weighted", "commit", "best_case", "historical")} == {
        "won": "500.00",
        "weighted": "500.00",
        "commit": "500.00",
        "best_case": "1500.00",
        "historical": "1000.00",  # 500 + 1000 × 50 % (Proposal has no history: its probability)
    }
    body = response.content.decode()
    assert "¥1,500.00" in body and "Alice" in body and "Guangzhou" in body
    assert 'id="forecast-data"' in body


def test_forecast_page_for_a_month_and_a_bad_period(client, mike, this_quarter):
    login(client, mike)
    month = timezone.localdate().strftime("%Y-%m")
    assert client.get(reverse("sales:forecast"), {"period": month}).status_code == 200
    bad = client.get(reverse("sales:forecast"), {"period": "2026-Q9"})
    assert "Give a month as 2026-11 or a quarter as 2026-Q4." in bad.content.decode()


def test_customer_card_opens_on_the_orders_tab(client, alice, alices_customer, tea):
    create_order(alice, alices_customer.pk, [{"product": tea.pk, "quantity": 1}])
    login(client, alice)
    card = client.get(reverse("customers:detail", args=[alices_customer.pk]), {"tab": "orders"})
    assert card.context["tab"] == "orders"
    assert (
        reverse("sales:customer_tab", args=[alices_customer.pk, "orders"]) in card.content.decode()
    )
    tab = client.get(
        reverse("sales:customer_tab", args=[alices_customer.pk, "orders"]), HTTP_HX_REQUEST="true"
    )
    assert "SO-" in tab.content.decode()
    assert "Contacts" in tab.content.decode()  # the whole tab frame, so HTMX can swap it in


def test_customer_opportunities_tab_lists_the_customers_deals(client, alice, alices_customer):
    create_opportunity(alice, alices_customer.pk, {"name": "年度采购"})
    tab = login(client, alice).get(
        reverse("sales:customer_tab", args=[alices_customer.pk, "opportunities"])
    )
    assert [o.name for o in tab.context["opportunities"]] == ["年度采购"]


def test_customer_value_so_far_counts_purchases_only(client, alice, alices_customer, tea):
    for status in ("confirmed", "paid", "draft"):
        create_order(
            alice,
            alices_customer.pk,
            [{"product": tea.pk, "quantity": 1}],
            status=status,
            order_date="2026-10-01",
            paid_date="2026-10-02" if status == "paid" else None,
        )
    response = login(client, alice).get(reverse("sales:customer_value", args=[alices_customer.pk]))
    body = response.content.decode()
    assert "¥256.00" in body
    assert response.context["value"]["order_count"] == 2
    assert "2026-10-01" in body
