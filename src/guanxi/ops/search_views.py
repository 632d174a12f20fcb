"""The global search page and the navbar dropdown (the same view: an HTMX request from the
navbar box gets the dropdown partial)."""

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from guanxi.customers.models import Kind
from guanxi.ops.search import DROPDOWN_LIMIT, PAGE_LIMIT, SearchResults, global_search


@login_required
def search(request):
    q = request.GET.get("q", "").strip()[:100]
    if request.htmx and request.GET.get("dropdown"):
        found = global_search(request.user, q, limit=DROPDOWN_LIMIT)
        return render(
            request, "ops/partials/search_dropdown.html", {"found": found, "limit": DROPDOWN_LIMIT}
        )
    found = global_search(request.user, q, limit=PAGE_LIMIT)
    return render(
        request,
        "ops/search.html",
        {"found": _as_shown(found), "limit": PAGE_LIMIT, "nav": "search"},
    )


def _as_shown(found: SearchResults) -> SearchResults:
    """The results with each row as the page's tables show it: a dict, which a template reads
    at the first try (it tries a model instance as a dict first, and the misses of 150 rows
    cost a fifth of the page)."""
    return replace(
        found,
        customers=[
            {
                "name": c.name,
                "url": c.url,
                "is_company": c.kind == Kind.COMPANY,
                "company_name": c.company_name,
                "phone_display": c.phone_display,
                "city": c.city,
                "owner": str(c.owner) if c.owner_id else None,
            }
            for c in found.customers
        ],
        contacts=[
            {
                "name": c.name,
                "title": c.title,
                "phone_display": c.phone_display,
                "email": c.email,  # what an e-mail search matched (never masked)
                "url": c.url,
                "customer_name": c.customer.name,
            }
            for c in found.contacts
        ],
        opportunities=[
            {
                "name": o.name,
                "url": o.url,
                "stage_name": o.stage.name,
                "amount": o.amount,
                "currency": o.currency,
                "customer_name": o.customer.name,
                "customer_url": o.customer_url,
            }
            for o in found.opportunities
        ],
    )
