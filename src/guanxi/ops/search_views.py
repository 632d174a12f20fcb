"""The global search page and the navbar dropdown (the same view: an HTMX request from the
navbar box gets the dropdown partial)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from guanxi.ops.search import DROPDOWN_LIMIT, PAGE_LIMIT, global_search


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
        request, "ops/search.html", {"found": found, "limit": PAGE_LIMIT, "nav": "search"}
    )
