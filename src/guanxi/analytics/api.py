"""API routes for analytics: a customer's value, segments, the Pareto curve and cross-sell
rules. Everything per customer goes through the customers the user may see."""

from typing import Literal

from django.utils.translation import gettext as _
from ninja import Query, Router

from guanxi.analytics import queries
from guanxi.analytics.models import AssociationRule, CustomerMetrics
from guanxi.analytics.schemas import (
    CustomerValueOut,
    ParetoOut,
    RulesOut,
    SegmentsOut,
)
from guanxi.core.api_errors import error_responses
from guanxi.customers.services import access_customer

router = Router(tags=["analytics"])

SegmentField = Literal[
    "tier",
    "abc_class",
    "rfm_segment",
    "stage",
    "loyalty",
    "churn_band",
    "credit_grade",
    "selection_quadrant",
]


def _as_of():
    run = queries.last_run()
    return run.as_of if run else None


@router.get("/customers/{customer_id}", response={200: CustomerValueOut, **error_responses(404)})
def customer_value(request, customer_id: int):
    """A customer's value: tier, RFM, lifetime value, p_alive, stage, loyalty, churn, credit,
    cross-sell suggestions. Before the first refresh the metrics are empty."""
    customer = access_customer(request.auth, customer_id)
    row = CustomerMetrics.objects.filter(customer=customer).first()
    data = {"customer_id": customer.pk, "as_of": None, "computed_at": None}
    if row is not None:
        data.update(
            {
                f.attname: getattr(row, f.attname)
                for f in CustomerMetrics._meta.fields
                if f.attname != "customer_id"
            }
        )
        data["revenue"] = float(row.revenue)
        data["overdue_amount"] = float(row.overdue_amount)
    data["cross_sell"] = [
        {
            "product_id": s["product"].pk,
            "sku": s["product"].sku,
            "name": s["product"].name,
            "because": [p.name for p in s["because"]],
            "confidence": s["confidence"],
            "lift": s["lift"],
        }
        for s in queries.cross_sell(customer)
    ]
    return data


@router.get("/segments", response={200: SegmentsOut, **error_responses(422)})
def segments(request, by: Query[SegmentField] = "tier"):
    """Customers and revenue per tier, ABC class, RFM segment, stage, loyalty, churn band…"""
    return {"by": by, "as_of": _as_of(), "segments": queries.segments(request.auth, by)}


@router.get("/pareto", response={200: ParetoOut, **error_responses(422)})
def pareto(request, points: Query[int] = 50):
    """The Pareto curve (share of customers → share of revenue) over visible customers."""
    if not 2 <= points <= 500:
        from django.core.exceptions import ValidationError

        raise ValidationError({"points": _("Between 2 and 500.")})
    data = queries.pareto(request.auth, points)
    return {"as_of": _as_of(), **data}


@router.get("/basket/rules", response={200: RulesOut, **error_responses(422)})
def basket_rules(request, limit: Query[int] = 100, min_lift: Query[float] = 0.0):
    """Cross-sell rules mined from order baskets (product ids and names), best lift first."""
    if not 1 <= limit <= 1000:
        from django.core.exceptions import ValidationError

        raise ValidationError({"limit": _("Between 1 and 1000.")})
    from guanxi.sales.models import Product

    rules = queries.rules(limit, min_lift)
    ids = {i for r in rules for i in (*r.antecedents, *r.consequents)}
    names = dict(Product.objects.filter(pk__in=ids).values_list("pk", "name"))
    first = AssociationRule.objects.values_list("computed_at", flat=True).first()
    return {
        "computed_at": first,
        "items": [
            {
                "antecedents": r.antecedents,
                "consequents": r.consequents,
                "antecedent_names": [names.get(i, str(i)) for i in r.antecedents],
                "consequent_names": [names.get(i, str(i)) for i in r.consequents],
                "support": r.support,
                "confidence": r.confidence,
                "lift": r.lift,
                "leverage": r.leverage,
                "conviction": r.conviction,
            }
            for r in rules
        ],
    }
