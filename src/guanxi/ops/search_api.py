"""GET /api/v1/search: customers, contacts and opportunities matching one query, each group
under its own visibility rule and capped (see guanxi.ops.search)."""

from decimal import Decimal
from typing import Annotated

from ninja import Query, Router, Schema

from guanxi.core.api_errors import error_responses
from guanxi.ops.search import global_search

router = Router(tags=["search"])


class CustomerHit(Schema):
    id: int
    kind: str
    name: str
    phone: str
    email: str
    company_name: str
    city: str
    url: str


class ContactHit(Schema):
    id: int
    name: str
    title: str
    phone: str
    email: str
    customer_id: int
    customer_name: str
    url: str


class OpportunityHit(Schema):
    id: int
    name: str
    amount: Decimal
    currency: str
    stage: str
    customer_id: int
    customer_name: str
    url: str


class SearchOut(Schema):
    q: str
    customers: list[CustomerHit]
    contacts: list[ContactHit]
    opportunities: list[OpportunityHit]


@router.get("/search", response={200: SearchOut, **error_responses(401, 422)})
def search(
    request,
    q: Annotated[str, Query(max_length=100, description="Name, pinyin, initials, phone, e-mail.")],
    limit: Annotated[int, Query(ge=1, le=50, description="Rows per group (1–50).")] = 10,
):
    """Customers (an exact phone or e-mail match first), contacts and opportunities you may
    see that match ``q``; phones masked as on the records."""
    found = global_search(request.auth, q, limit=limit)
    return {
        "q": found.q,
        "customers": [
            {
                "id": c.pk,
                "kind": c.kind,
                "name": c.name,
                "phone": c.shown_phone,
                "email": c.email,
                "company_name": c.company_name,
                "city": c.city,
                "url": c.url,
            }
            for c in found.customers
        ],
        "contacts": [
            {
                "id": c.pk,
                "name": c.name,
                "title": c.title,
                "phone": c.shown_phone,
                "email": c.email,
                "customer_id": c.customer_id,
                "customer_name": c.customer.name,
                "url": c.url,
            }
            for c in found.contacts
        ],
        "opportunities": [
            {
                "id": o.pk,
                "name": o.name,
                "amount": o.amount,
                "currency": o.currency,
                "stage": o.stage.name,
                "customer_id": o.customer_id,
                "customer_name": o.customer.name,
                "url": o.url,
            }
            for o in found.opportunities
        ],
    }
