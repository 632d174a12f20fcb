"""Reads over sales data, always starting from ``visible_to(user)``."""

import base64
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Max, Min, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from guanxi.customers.search import normalize_query
from guanxi.sales import search_index
from guanxi.sales.models import (
    PURCHASE_STATUSES,
    Lead,
    Opportunity,
    Order,
    Pipeline,
    PriceList,
    PriceListItem,
    Product,
    Quote,
    Stage,
    StageChange,
)
from guanxi.sales.pricing import cents


def pipelines() -> QuerySet[Pipeline]:
    """Active pipelines with their stages in order (two queries)."""
    return Pipeline.objects.filter(active=True).prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("position", "id"))
    )


def products_for(user, *, q: str = "", category: str = "", active: bool | None = True):
    """The catalogue is readable by everyone signed in."""
    qs = Product.objects.all()
    if active is not None:
        qs = qs.filter(active=active)
    if category:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(Q(sku__icontains=q) | Q(name__icontains=q))
    return qs.order_by("-id")


def price_lists_for(user, *, q: str = "", active: bool | None = None) -> QuerySet[PriceList]:
    """Price lists, readable like the catalogue by everyone signed in, newest first; ``q``
    matches the name, tier, province or city."""
    qs = PriceList.objects.annotate(item_count=Count("items"))
    if active is not None:
        qs = qs.filter(active=active)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(tier__icontains=q) | Q(province=q) | Q(city=q))
    return qs.order_by("-id")


def price_list_items(price_list: PriceList) -> QuerySet[PriceListItem]:
    """The items of a price list with their products, by SKU."""
    return price_list.items.select_related("product").order_by("product__sku", "id")


def visible_opportunities(user) -> QuerySet[Opportunity]:
    """``Opportunity.objects.visible_to(user)``: the customer check as a correlated EXISTS for
    a user who sees many customers (customers.queries.seen_customer_of). With the IN list of
    every visible customer SQLite drove the funnel and forecast from that list, even when they
    also narrowed the deals by date or stage: 1–3 s at 100,000 deals."""
    return Opportunity.objects.visible_to(user)


def opportunities_for(
    user,
    *,
    pipeline: int | None = None,
    stage: int | None = None,
    owner: int | None = None,
    customer: int | None = None,
    status: str = "",
    q: str = "",
) -> QuerySet[Opportunity]:
    """Visible opportunities, newest first; status is open, won or lost (the stage kind);
    ``q`` finds them by name or by their customer (name, pinyin, initials, phone digits,
    e-mail, company), as the global search does."""
    qs = visible_opportunities(user).select_related("customer", "owner", "stage")
    term = normalize_query((q or "").strip()[:100])
    if term:
        qs = qs.filter(search_index.matching(term))
    if pipeline:
        qs = qs.filter(pipeline_id=pipeline)
    if stage:
        qs = qs.filter(stage_id=stage)
    if owner:
        qs = qs.filter(owner_id=owner)
    if customer:
        qs = qs.filter(customer_id=customer)
    if status:
        qs = qs.filter(stage__kind=status)
    return qs.order_by("-id")


def stage_history(opportunity: Opportunity) -> QuerySet[StageChange]:
    """The moves of one (already access-checked) opportunity, oldest first."""
    return opportunity.stage_changes.select_related("from_stage", "to_stage", "by").order_by(
        "at", "id"
    )


def orders_for(
    user,
    *,
    customer: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    statuses: list[str] | None = None,
    owner: int | None = None,
) -> QuerySet[Order]:
    """Visible orders, newest order date first, optionally for one customer, a date range
    (inclusive) and a set of statuses."""
    qs = Order.objects.visible_to(user).select_related("customer", "owner")
    if customer:
        qs = qs.filter(customer_id=customer)
    if start:
        qs = qs.filter(order_date__gte=start)
    if end:
        qs = qs.filter(order_date__lte=end)
    if statuses:
        qs = qs.filter(status__in=statuses)
    if owner:
        qs = qs.filter(owner_id=owner)
    return qs.order_by("-order_date", "-id")


def quotes_for(user, *, customer: int | None = None, status: str = "") -> QuerySet[Quote]:
    qs = Quote.objects.visible_to(user).select_related("customer", "owner")
    if customer:
        qs = qs.filter(customer_id=customer)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def leads_for(user, *, status: str = "", owner: int | None = None, q: str = "") -> QuerySet[Lead]:
    qs = Lead.objects.visible_to(user).select_related("owner")
    if status:
        qs = qs.filter(status=status)
    if owner:
        qs = qs.filter(owner_id=owner)
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(company__icontains=q)
            | Q(phone__contains=q)
            | Q(email__icontains=q)
        )
    return qs.order_by("-id")


def customer_value(customer) -> dict:
    """The customer's value so far, from confirmed, paid and shipped orders: total spend (in the
    default currency; other currencies listed apart), order count, first and last purchase."""
    rows = (
        Order.objects.filter(customer=customer, status__in=PURCHASE_STATUSES)
        .values("currency")
        .annotate(
            spend=Sum("total"), orders=Count("id"), first=Min("order_date"), last=Max("order_date")
        )
    )
    default = settings.DEFAULT_CURRENCY
    value = {
        "currency": default,
        "total_spend": Decimal("0.00"),
        "order_count": 0,
        "first_purchase": None,
        "last_purchase": None,
        "other_currencies": {},
    }
    for row in rows:
        value["order_count"] += row["orders"]
        if row["currency"] == default:
            value["total_spend"] = cents(row["spend"])
        else:
            value["other_currencies"][row["currency"]] = cents(row["spend"])
        if value["first_purchase"] is None or row["first"] < value["first_purchase"]:
            value["first_purchase"] = row["first"]
        if value["last_purchase"] is None or row["last"] > value["last_purchase"]:
            value["last_purchase"] = row["last"]
    return value


# ---------------------------------------------------------------------------------------------
# Keyset (cursor) pagination: stable under inserts, one indexed range scan per page.


def _encode(parts: list[str]) -> str:
    return base64.urlsafe_b64encode("|".join(parts).encode()).decode().rstrip("=")


def _decode(cursor: str) -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.urlsafe_b64decode(padded.encode()).decode().split("|")
    except (ValueError, UnicodeDecodeError):
        raise ValidationError({"cursor": _("This cursor is not valid.")}) from None


def page_by_id(qs: QuerySet, cursor: str = "", limit: int = 50) -> tuple[list, str | None]:
    """One page of a queryset ordered by -id, and the cursor of the next page (or None)."""
    if cursor:
        parts = _decode(cursor)
        try:
            qs = qs.filter(pk__lt=int(parts[0]))
        except (ValueError, IndexError):
            raise ValidationError({"cursor": _("This cursor is not valid.")}) from None
    rows = list(qs.order_by("-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (_encode([str(rows[-1].pk)]) if more and rows else None)


def page_orders(qs: QuerySet[Order], cursor: str = "", limit: int = 50) -> tuple[list, str | None]:
    """One page of orders by (order date, id) descending, and the next cursor (or None)."""
    if cursor:
        parts = _decode(cursor)
        try:
            day, pk = dt.date.fromisoformat(parts[0]), int(parts[1])
        except (ValueError, IndexError):
            raise ValidationError({"cursor": _("This cursor is not valid.")}) from None
        qs = qs.filter(Q(order_date__lt=day) | Q(order_date=day, pk__lt=pk))
    rows = list(qs.order_by("-order_date", "-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = _encode([rows[-1].order_date.isoformat(), str(rows[-1].pk)]) if more and rows else None
    return rows, nxt


# ---------------------------------------------------------------------------------------------
# The kanban board: one aggregate for every column's count and sum, then the top cards of each
# column through the (pipeline, stage) index, so the board stays fast with 100,000 deals.

BOARD_SORTS = {
    "amount": ("-amount", "-id"),
    "close": (F("expected_close_date").asc(nulls_last=True), "id"),
    "newest": ("-id",),
}


def _board_scope(user, pipeline, owner: int | None = None) -> QuerySet[Opportunity]:
    qs = visible_opportunities(user).filter(pipeline=pipeline)
    if owner:
        qs = qs.filter(owner_id=owner)
    return qs


def stage_totals(
    user, pipeline, *, owner: int | None = None, stage: int | None = None
) -> dict[int, dict]:
    """{stage id: {"count", "amount"}} of the visible opportunities of ``pipeline`` (one query),
    or of its one ``stage``."""
    qs = _board_scope(user, pipeline, owner)
    if stage is not None:
        qs = qs.filter(stage_id=stage)
    rows = qs.values("stage_id").annotate(count=Count("id"), amount=Sum("amount")).order_by()
    return {r["stage_id"]: {"count": r["count"], "amount": cents(r["amount"] or 0)} for r in rows}


def stage_cards(
    user,
    pipeline,
    stage_id: int,
    *,
    owner: int | None = None,
    sort: str = "amount",
    offset: int = 0,
    limit: int = 50,
) -> list[Opportunity]:
    """One column's cards: ``limit`` visible opportunities of a stage from ``offset``."""
    order = BOARD_SORTS.get(sort, BOARD_SORTS["amount"])
    qs = (
        _board_scope(user, pipeline, owner)
        .filter(stage_id=stage_id)
        .select_related("customer", "owner")
        .only(
            "id",
            "name",
            "amount",
            "currency",
            "expected_close_date",
            "stage_id",
            "pipeline_id",
            "probability",
            "is_commit",
            "version",
            "customer__id",
            "customer__name",
            "owner__id",
            "owner__username",
            "owner__display_name",
            "owner__first_name",
            "owner__last_name",
        )
        .order_by(*order)
    )
    return list(qs[offset : offset + limit])
