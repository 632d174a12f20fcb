"""Reads over interactions and tasks, always from ``visible_to(user)``."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from guanxi.core.pagination import keyset_page
from guanxi.interactions.models import Attachment, Interaction, Task, TaskStatus
from guanxi.interactions.services import user_zone

TIMELINE_ORDER = "-occurred_at"


def interactions_for_user(user) -> QuerySet[Interaction]:
    """The interactions the user may see with everything a timeline row shows, joined."""
    return (
        Interaction.objects.visible_to(user)
        .select_related("created_by")
        .prefetch_related(
            "contacts",
            "participants",
            Prefetch("attachments", queryset=Attachment.objects.order_by("pk")),
        )
    )


def interactions_for(user, customer) -> QuerySet[Interaction]:
    """A visible customer's interactions, joined for the timeline."""
    return interactions_for_user(user).filter(customer=customer)


def timeline_page(
    user, customer, *, kind: str = "", cursor: str | None = None, limit: int = 20
) -> tuple[list[Interaction], str | None]:
    """One keyset page of the customer's timeline, newest first, optionally of one kind."""
    qs = interactions_for(user, customer)
    if kind:
        qs = qs.filter(kind=kind)
    return keyset_page(qs, TIMELINE_ORDER, cursor=cursor, limit=limit)


def tasks_for(
    user,
    *,
    status: str = "",
    due_before: dt.datetime | None = None,
    due_after: dt.datetime | None = None,
    assignee=None,
    customer=None,
) -> QuerySet[Task]:
    """The tasks the user may see, filtered."""
    qs = Task.objects.visible_to(user).select_related("customer", "assignee", "created_by")
    if status:
        qs = qs.filter(status=status)
    if due_before is not None:
        qs = qs.filter(due_at__lt=due_before)
    if due_after is not None:
        qs = qs.filter(due_at__gte=due_after)
    if assignee is not None:
        qs = qs.filter(assignee=assignee)
    if customer is not None:
        qs = qs.filter(customer=customer)
    return qs


@dataclass
class MyDay:
    today: dt.date
    overdue: list[Task]
    due_today: list[Task]
    upcoming: list[Task]
    done_today: list[Task]


def day_bounds(user, now: dt.datetime | None = None) -> tuple[dt.date, dt.datetime, dt.datetime]:
    """The user's local date and the aware start and end of that day."""
    zone = user_zone(user)
    local = timezone.localtime(now or timezone.now(), zone)
    start = dt.datetime.combine(local.date(), dt.time(), tzinfo=zone)
    end = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return local.date(), start, end


def my_day(
    user, *, now: dt.datetime | None = None, upcoming_days: int = 7, limit: int = 100
) -> MyDay:
    """The user's open tasks as overdue / today / the next week, by their own time zone,
    and what they finished today. Four small indexed queries."""
    today, start, end = day_bounds(user, now)
    mine = Task.objects.filter(assignee=user).select_related("customer").order_by("due_at", "pk")
    open_ = mine.filter(status=TaskStatus.OPEN)
    return MyDay(
        today=today,
        overdue=list(open_.filter(due_at__lt=start)[:limit]),
        due_today=list(open_.filter(due_at__gte=start, due_at__lt=end)[:limit]),
        upcoming=list(
            open_.filter(due_at__gte=end, due_at__lt=end + dt.timedelta(days=upcoming_days))[:limit]
        ),
        done_today=list(
            mine.filter(status=TaskStatus.DONE, done_at__gte=start, done_at__lt=end).order_by(
                "-done_at"
            )[:limit]
        ),
    )


def open_tasks_for_feed(user, limit: int = 1000) -> list[Task]:
    return list(
        Task.objects.filter(assignee=user, status=TaskStatus.OPEN)
        .select_related("customer")
        .order_by("due_at", "pk")[:limit]
    )
