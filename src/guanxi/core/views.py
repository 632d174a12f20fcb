"""The home page, the notifications inbox (with the navbar's unread badge) and the
notification preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanxi.core.links import local_url
from guanxi.core.notifications import (
    email_available,
    email_configured,
    mark_read,
    notifications_for,
    preferences_for,
    set_preferences,
)

NOTIFICATIONS_PAGE_SIZE = 25
# Tells the navbar badge to refresh at once instead of at its next 30-second poll.
CHANGED = "notificationsChanged"


@login_required
def home(request):
    # A dashboard comes later; until then the customer list is where work starts.
    return redirect("customers:list")


def _show(request) -> str:
    """The inbox filter: "unread" or "all" (the default)."""
    value = request.POST.get("show") or request.GET.get("show") or ""
    return "unread" if value == "unread" else "all"


def _page(request, number):
    qs = notifications_for(request.user, unread=_show(request) == "unread")
    return Paginator(qs, NOTIFICATIONS_PAGE_SIZE).get_page(number)


def _list_context(request, number) -> dict:
    show = _show(request)
    return {
        "page": _page(request, number),
        "show": show,
        # Keeps the filter on the pagination links.
        "query": "show=unread" if show == "unread" else "",
    }


@login_required
@require_GET
def notifications(request):
    context = _list_context(request, request.GET.get("page"))
    if request.htmx and request.htmx.target == "notification-list":
        return render(request, "core/partials/notification_list.html", context)
    return render(request, "core/notifications.html", {"nav": "notifications", **context})


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
        _list_context(request, request.POST.get("page")),
    )
    response["HX-Trigger"] = CHANGED
    return response


@login_required
@require_GET
def notification_open(request, pk: int):
    """Mark the notification read and follow its link (only ever to this site)."""
    notification = get_object_or_404(notifications_for(request.user), pk=pk)
    mark_read(request.user, [notification.pk])
    url = local_url(request, notification.url)
    return redirect(url) if url else redirect("notifications")


def _page_query(request) -> str:
    parts = []
    page = request.POST.get("page", "")
    if page.isdigit():
        parts.append(f"page={int(page)}")
    if _show(request) == "unread":
        parts.append("show=unread")
    return "?" + "&".join(parts) if parts else ""


@login_required
def notification_preferences(request):
    """Which events reach the user, in the app and by e-mail."""
    user = request.user
    can_email = email_available(user)
    if request.method == "POST":
        choices = {
            p["event"]: {
                "in_app": request.POST.get(f"{p['event']}.in_app") == "on",
                # An unreachable e-mail channel is shown disabled: keep what is stored.
                **({"email": request.POST.get(f"{p['event']}.email") == "on"} if can_email else {}),
            }
            for p in preferences_for(user)
        }
        try:
            set_preferences(user, choices)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your notification settings were saved."))
            return redirect("notification_preferences")
    return render(
        request,
        "core/notification_preferences.html",
        {
            "nav": "notifications",
            "preferences": preferences_for(user),
            "can_email": can_email,
            "email_configured": email_configured(),
        },
    )
