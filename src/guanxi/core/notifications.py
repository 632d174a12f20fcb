"""In-app notifications: the one service every domain calls to tell people something."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from guanxi.core.models import Notification


def notify(recipients: Iterable, *, actor, verb: str, message: str, url: str = "") -> int:
    """Send one notification to each recipient except the actor; returns how many were sent."""
    actor_id = getattr(actor, "pk", None)
    rows = [
        Notification(
            recipient_id=r.pk if hasattr(r, "pk") else r,
            actor_id=actor_id,
            verb=verb,
            message=message[:500],
            url=url,
        )
        for r in {getattr(r, "pk", r) for r in recipients if r is not None}
        if r != actor_id
    ]
    if rows:
        Notification.objects.bulk_create(rows)
    return len(rows)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of the user's notifications read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    with transaction.atomic():
        return qs.update(read_at=timezone.now())


def notifications_for(user):
    """The user's notifications, newest first, with the actor joined."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )
