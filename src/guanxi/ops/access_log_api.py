"""``GET /api/v1/access-log``: the access log as the page shows it, for admins (everyone's
entries) and managers (their teams'), newest first, paged by cursor."""

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from guanxi.core.access_log import LogFilter
from guanxi.core.api_errors import error_responses
from guanxi.core.days import Day
from guanxi.core.ids import Id
from guanxi.core.models import AccessLog
from guanxi.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, cut_page, decode_cursor
from guanxi.ops import access_log

router = Router(tags=["access log"])

ActionChoice = Literal[tuple(AccessLog.Action.values)]
ORDER = "-at"


class AccessLogEntryOut(Schema):
    id: int
    at: dt.datetime
    user_id: int | None = Field(description="Null when the user was deleted.")
    user: str | None = Field(description="The user's display name.")
    action: str
    action_label: str
    object_type: str = Field(
        description='"customer" or "lead"; "contact" for an export of the contacts list.'
    )
    object_id: int | None = Field(description="Null for an export of a list.")
    object_name: str | None = Field(
        description="The customer's or lead's name, only when you may see it now."
    )
    detail: str
    via: str = Field(description='"web", "api" or "cli".')
    ip: str | None


def _out(entry: AccessLog, shown: dict, labels: dict) -> dict:
    subject = shown.get((entry.object_type, entry.object_id))
    return {
        "id": entry.pk,
        "at": entry.at,
        "user_id": entry.user_id,
        "user": str(entry.user) if entry.user_id else None,
        "action": entry.action,
        "action_label": labels.get(entry.action, entry.action),
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_name": subject.label if subject and subject.url else None,
        "detail": entry.detail,
        "via": entry.via,
        "ip": entry.ip,
    }


@router.get(
    "/access-log", response={200: Page[AccessLogEntryOut], **error_responses(401, 403, 422)}
)
def list_access_log(
    request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    user: Id | None = None,
    action: Query[ActionChoice | None] = None,
    customer: Id | None = None,
    since: Day | None = None,
    until: Day | None = None,
):
    """Who viewed, revealed, exported or merged which customer (or lead), newest first.

    Admins read everyone's entries, managers those of their team's and sub-teams' members;
    anyone else gets a 403. ``since`` and ``until`` are days, both included, in your time zone.
    A customer is named only when you may see it now; otherwise only its id is given."""
    viewer = request.auth
    among = access_log.readable_users(viewer)  # a 403 for who may not read the log
    # Days in the user's time zone: a token's request does not pass the middleware that sets it.
    with timezone.override(access_log.zone_of(viewer)):
        f = LogFilter(user=user, action=action or "", customer=customer, since=since, until=until)
        after = None
        if cursor:
            at, pk = decode_cursor(cursor, ORDER)
            after = (dt.datetime.fromisoformat(at), pk)
        rows = access_log.entries_for(viewer, f, among=among, limit=limit + 1, after=after)
    rows, next_cursor = cut_page(rows, ORDER, limit)
    shown = access_log.subjects(viewer, rows)
    labels = {value: str(label) for value, label in AccessLog.Action.choices}
    return {"items": [_out(e, shown, labels) for e in rows], "next_cursor": next_cursor}
