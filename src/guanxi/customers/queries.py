"""Reads over customers, always starting from ``visible_to(user)``."""

from django.db.models import Q, QuerySet

from guanxi.customers.models import Customer, OwnershipTransfer
from guanxi.customers.search import normalize_query

SORTS = {
    "name": "name", "-name": "-name",
    "created": "created_at", "-created": "-created_at",
    "updated": "updated_at", "-updated": "-updated_at",
    "city": "city", "-city": "-city",
    "id": "id", "-id": "-id",
}


def customers_for(user, *, q: str = "", owner: int | None = None, tag: str = "",
                  city: str = "", kind: str = "", sort: str = "-id") -> QuerySet[Customer]:
    """The customers ``user`` may see, filtered and sorted as asked."""
    qs = Customer.objects.visible_to(user).select_related("owner")
    if q:
        qs = search(qs, q)
    if owner:
        qs = qs.filter(owner_id=owner)
    if tag:
        qs = qs.filter(tags__name=tag)
    if city:
        qs = qs.filter(city=city)
    if kind:
        qs = qs.filter(kind=kind)
    order = SORTS.get(sort, "-id")
    return qs.order_by(order, "-id" if order.startswith("-") else "id")


def search(qs: QuerySet[Customer], q: str) -> QuerySet[Customer]:
    """Match a query against the normalised search text (and exact phone / e-mail)."""
    term = normalize_query(q)
    if not term:
        return qs
    exact = Q(email=q.strip().lower()) if "@" in q else Q()
    return qs.filter(Q(search_text__contains=term) | exact) if exact else qs.filter(
        search_text__contains=term
    )


def history_for(customer: Customer, limit: int = 200) -> list[dict]:
    """The change history, newest first, as (who, when, changes: [(field, old, new)])."""
    records = list(customer.history.select_related("history_user").order_by("-history_id")[:limit + 1])
    entries = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if len(entries) >= limit:
            break
        changes = []
        if older is not None:
            delta = newer.diff_against(older, excluded_fields=["version", "custom"])
            changes = [(c.field, c.old, c.new) for c in delta.changes]
            if newer.custom != older.custom:
                changes.append(("custom", older.custom, newer.custom))
        entries.append({
            "id": newer.history_id,
            "at": newer.history_date,
            "user": newer.history_user,
            "type": {"+": "created", "~": "changed", "-": "deleted"}[newer.history_type],
            "changes": changes,
            "reason": newer.history_change_reason or "",
        })
    return entries


def transfers_for(customer: Customer):
    return OwnershipTransfer.objects.filter(customer=customer).select_related(
        "from_user", "to_user", "by"
    )
