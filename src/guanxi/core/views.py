"""The home page and the notifications inbox (with the navbar's unread badge)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from guanxi.core.notifications import mark_read, notifications_for

NOTIFICATIONS_PAGE_SIZE = 25
# Tells the navbar badge to refresh at once instead of at its next 30-second poll.
CHANGED = "notificationsChanged"


@login_required
def home(request):
    # A dashboard comes later; until then the customer list is where work starts.
    return redirect("customers:list")


def _page(request, number):
    return Paginator(notifications_for(request.user), NOTIFICATIONS_PAGE_SIZE).get_page(number)


@login_required
@require_GET
def notifications(request):
    return render(
        request,
        "core/notifications.html",
        {"nav": "notifications", "page": _page(request, request.GET.get("page"))},
    )


@require_GET
def notifications_badge(request):
    """The unread count, polled by the navbar; nothing for a signed-out browser."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(request, "partials/unread_badge.html")


@login_required
@require_POST
def notification_read(request, pk: int):
    notification = get_object_or_404(notifications_for(request.user), pk=pk)
    mark_read(request.user, [notification.pk])
    if not request.htmx:
        return redirect(reverse("notifications") + _page_query(request))
    notification.refresh_from_db(fields=["read_at"])
    response = render(request, "core/partials/notification_row.html", {"n": notification})
    response["HX-Trigger"] = CHANGED
    return response


@login_required
@require_POST
def notifications_read_all(request):
    mark_read(request.user)
    if not request.htmx:
        return redirect(reverse("notifications") + _page_query(request))
    response = render(
        request,
        "core/partials/notification_list.html",
        {"page": _page(request, request.POST.get("page"))},
    )
    response["HX-Trigger"] = CHANGED
    return response


@login_required
@require_GET
def notification_open(request, pk: int):
    """Mark the notification read and follow its link (only ever to this site)."""
    notification = get_object_or_404(notifications_for(request.user), pk=pk)
    mark_read(request.user, [notification.pk])
    url = notification.url
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(url)
    return redirect("notifications")


def _page_query(request) -> str:
    page = request.POST.get("page", "")
    return f"?page={int(page)}" if page.isdigit() else ""
