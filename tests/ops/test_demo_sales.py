"""The demo's sales history: deterministic, stored with the services' amounts, a consistent
stage log, and enough variety that every analytics feature has something to show."""

import datetime as dt
from collections import Counter
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from guanxi.accounts.models import User
from guanxi.analytics.models import AssociationRule, CustomerMetrics
from guanxi.customers.models import Customer
from guanxi.ops.demo import generate_customers, load_demo
from guanxi.ops.demo_sales import buyer_of, generate_sales, holidays
from guanxi.sales.models import PURCHASE_STATUSES, Lead, Opportunity, Order, Product, Stage
from guanxi.sales.services import create_order

TODAY = dt.date(2026, 11, 24)


def _plan(count=300, seed=7, today=TODAY):
    buyers = [buyer_of(c) for c in generate_customers(count, seed, today=today)]
    return generate_sales(buyers, seed, today)


def _order_keys(plan):
    return [
        (o.customer, o.order_date, o.status, o.paid_date, [(x.sku, x.quantity) for x in o.lines])
        for o in plan.orders
    ]


def test_the_same_seed_gives_the_same_sales():
    first, second = _plan(), _plan()
    assert _order_keys(first) == _order_keys(second)
    assert [o.moves for o in first.opportunities] == [o.moves for o in second.opportunities]
    assert [lead.fields for lead in first.leads] == [lead.fields for lead in second.leads]


def test_another_seed_gives_other_sales():
    assert _order_keys(_plan(seed=7)) != _order_keys(_plan(seed=8))


def test_demo_orders_cover_two_years_up_to_today_with_one_to_four_lines():
    plan = _plan()
    dates = [o.order_date for o in plan.orders]
    assert min(dates) >= TODAY - dt.timedelta(days=730)
    assert max(dates) <= TODAY
    assert {len(o.lines) for o in plan.orders} <= {1, 2, 3, 4}
    for o in plan.orders:
        assert o.paid_date is None or o.paid_date >= o.order_date
        if o.status in ("paid", "refunded"):
            assert o.paid_date is not None
        if o.status in ("confirmed", "cancelled"):
            assert o.paid_date is None


def test_demo_orders_bunch_up_before_the_holidays():
    dates = Counter(o.order_date for o in _plan(1000).orders)
    before = [h - dt.timedelta(days=d) for h in holidays(TODAY - dt.timedelta(days=700), TODAY)
              for d in range(1, 8)]  # fmt: skip
    per_day_before = sum(dates[d] for d in before) / len(before)
    per_day = sum(dates.values()) / 730
    assert per_day_before > 1.8 * per_day


def test_demo_oil_changes_come_with_a_filter_and_tyres_with_an_alignment():
    orders = [{x.sku for x in o.lines} for o in _plan(1000).orders]
    oil = [skus for skus in orders if skus & {"OIL-001", "OIL-002"}]
    tyres = [skus for skus in orders if skus & {"TYR-001", "TYR-002", "TYR-003", "TYR-004"}]
    assert sum("FLT-001" in skus for skus in oil) / len(oil) > 0.7
    assert sum("TYR-005" in skus for skus in tyres) / len(tyres) > 0.5


@pytest.mark.django_db
def test_demo_stores_the_orders_the_generator_made_for_the_seed():
    load_demo(customers=80, seed=11, today=TODAY)
    ids = list(Customer.objects.order_by("id").values_list("id", flat=True))
    plan = _plan(80, seed=11)
    expected = sorted((ids[o.customer], o.order_date, o.status, len(o.lines)) for o in plan.orders)
    stored = sorted(
        (o.customer_id, o.order_date, o.status, o.lines.count())
        for o in Order.objects.prefetch_related("lines")
    )
    assert stored == expected


@pytest.mark.django_db
def test_demo_order_totals_are_what_the_order_service_computes():
    load_demo(customers=120, seed=3, today=TODAY)
    admin = User.objects.get(username="admin")
    sample = list(Order.objects.order_by("id").prefetch_related("lines")[::15])
    assert len(sample) > 10
    for order in sample:
        lines = list(order.lines.all())
        again = create_order(
            admin,
            order.customer_id,
            [
                {
                    "product": line.product_id,
                    "quantity": line.quantity,
                    "discount_percent": line.discount_percent,
                    "tax_rate": line.tax_rate,
                }
                for line in lines
            ],
            status="confirmed",
            order_date=order.order_date,
        )
        assert (again.subtotal, again.discount_total, again.tax_total, again.total) == (
            order.subtotal,
            order.discount_total,
            order.tax_total,
            order.total,
        )
        assert [
            (x.unit_price, x.subtotal, x.discount, x.tax, x.total)
            for x in again.lines.order_by("position")
        ] == [(x.unit_price, x.subtotal, x.discount, x.tax, x.total) for x in lines]


@pytest.mark.django_db
def test_demo_orders_and_products_pass_validation():
    load_demo(customers=60, seed=4, today=TODAY)
    assert Product.objects.count() >= 40
    for product in Product.objects.all():
        product.full_clean()
    for order in Order.objects.all()[:200]:
        order.full_clean()
        assert order.number == f"SO-{order.pk:06d}"


@pytest.mark.django_db
def test_demo_stage_log_matches_each_opportunity():
    load_demo(customers=300, seed=5, today=TODAY)
    opportunities = Opportunity.objects.prefetch_related("stage_changes").select_related("stage")
    assert opportunities.count() > 60
    for opp in opportunities:
        log = list(opp.stage_changes.all())
        assert log[0].from_stage_id is None
        assert log[0].at == opp.created_at
        for before, after in zip(log, log[1:], strict=False):
            assert after.from_stage_id == before.to_stage_id
            assert after.seconds_in_from_stage == int((after.at - before.at).total_seconds())
            assert after.at >= before.at
        assert log[-1].to_stage_id == opp.stage_id
        assert log[-1].at == opp.stage_entered_at
        assert opp.version == len(log)
        assert (opp.won_at == opp.stage_entered_at) == (opp.stage.kind == Stage.Kind.WON)
        if opp.stage.kind == Stage.Kind.LOST:
            assert opp.lost_reason and log[-1].note == opp.lost_reason
            assert opp.lost_at == opp.stage_entered_at
        opp.full_clean()


@pytest.mark.django_db
def test_won_demo_opportunities_have_an_order_for_the_amount_and_open_ones_a_future_close():
    load_demo(customers=300, seed=5, today=TODAY)
    kinds = Counter(Opportunity.objects.values_list("stage__kind", flat=True))
    assert kinds["won"] and kinds["lost"] and kinds["open"]
    for opp in Opportunity.objects.filter(stage__kind=Stage.Kind.WON):
        order = opp.orders.get()
        assert order.total == opp.amount
        assert order.order_date == opp.won_at.astimezone(ZoneInfo("Asia/Shanghai")).date()
    for opp in Opportunity.objects.filter(stage__kind=Stage.Kind.OPEN):
        assert opp.expected_close_date > TODAY


@pytest.mark.django_db
def test_demo_leads_are_valid_and_converted_ones_point_at_their_customer_and_opportunity():
    load_demo(customers=300, seed=5, today=TODAY)
    leads = list(Lead.objects.all())
    assert len(leads) == 30
    assert {lead.status for lead in leads} >= {"new", "contacted", "converted", "disqualified"}
    for lead in leads:
        lead.full_clean()
        if lead.status == Lead.Status.CONVERTED:
            opp = lead.converted_opportunity
            assert opp.customer_id == lead.converted_customer_id
            assert opp.lead_id == lead.pk


@pytest.mark.django_db
def test_demo_command_refreshes_the_analytics_for_every_customer():
    out = StringIO()
    call_command("demo", customers=300, seed=2026, stdout=out)
    assert "Analytics refreshed" in out.getvalue()
    assert CustomerMetrics.objects.count() == Customer.objects.count() == 300
    field = CustomerMetrics.objects.values_list

    assert len(set(field("stage", flat=True))) >= 6
    assert {"loyal", "flexible", "lost"} <= set(field("loyalty", flat=True))
    assert {"VIP", "major", "normal", "small"} <= set(field("tier", flat=True))
    assert len(set(field("rfm_segment", flat=True))) >= 8
    assert len(set(field("credit_grade", flat=True)) - {""}) >= 3
    oil, oil_filter = (Product.objects.get(sku=s).pk for s in ("OIL-001", "FLT-001"))
    assert any(
        oil in rule.antecedents and oil_filter in rule.consequents
        for rule in AssociationRule.objects.all()
    )


@pytest.mark.django_db
def test_demo_purchases_are_in_purchase_statuses_mostly():
    load_demo(customers=200, seed=9, today=TODAY)
    statuses = Counter(Order.objects.values_list("status", flat=True))
    purchases = sum(statuses[s] for s in PURCHASE_STATUSES)
    assert purchases / sum(statuses.values()) > 0.9
    assert statuses["cancelled"] and statuses["refunded"]
    assert Order.objects.filter(status="shipped", paid_date__isnull=True).exists()
