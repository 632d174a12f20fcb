"""API routes for the signed-in user's notifications and their notification preferences."""

import datetime as dt
from typing import Literal

from django.http import Http404
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from guanxi.core.api_errors import error_responses
from guanxi.core.models import NotificationEvent
from guanxi.core.notifications import (
    email_available,
    mark_read,
    notifications_for,
    preferences_for,
    set_preferences,
)
from guanxi.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, keyset_page

router = Router(tags=["notifications"])

EventChoice = Literal[tuple(NotificationEvent.values)]


class NotificationOut(Schema):
    id: int
    verb: str
    event: str
    message: str
    url: str
    actor_id: int | None
    read_at: dt.datetime | None
    created_at: dt.datetime


class PreferenceOut(Schema):
    event: str
    label: str
    in_app: bool
    email: bool


class PreferencesOut(Schema):
    email_available: bool = Field(
        description="Whether e-mail can reach you (the site sends e-mail and you have an address)."
    )
    preferences: list[PreferenceOut]


class PreferenceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    event: EventChoice
    in_app: bool | None = None
    email: bool | None = None


class PreferencesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    preferences: list[PreferenceIn] = Field(
        description="The event kinds to change; kinds left out (and channels left null) keep "
        "their setting."
    )


class ReadOut(Schema):
    marked: int


def _preferences(user) -> dict:
    return {"email_available": email_available(user), "preferences": preferences_for(user)}


@router.get("/notifications", response={200: Page[NotificationOut], **error_responses(401, 422)})
def list_notifications(
    request, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT, unread: bool = False
):
    """Your notifications, newest first (``unread=true``: only the unread ones)."""
    rows, next_cursor = keyset_page(
        notifications_for(request.auth, unread=unread), "-created_at", cursor=cursor, limit=limit
    )
    return {"items": rows, "next_cursor": next_cursor}


@router.post(
    "/notifications/{int:notification_id}/read",
    response={200: NotificationOut, **error_responses(401, 404)},
)
def read_notification(request, notification_id: int):
    """Mark one of your notifications read."""
    found = notifications_for(request.auth).filter(pk=notification_id).first()
    if found is None:
        raise Http404
    mark_read(request.auth, [found.pk])
    found.refresh_from_db(fields=["read_at"])
    return found


@router.post("/notifications/read-all", response={200: ReadOut, **error_responses(401)})
def read_all_notifications(request):
    """Mark all your notifications read; answers how many were unread."""
    return {"marked": mark_read(request.auth)}


@router.get("/notifications/preferences", response={200: PreferencesOut, **error_responses(401)})
def get_preferences(request):
    """For each event kind, whether it reaches you in the app and by e-mail."""
    return _preferences(request.auth)


@router.put(
    "/notifications/preferences", response={200: PreferencesOut, **error_responses(401, 422)}
)
def put_preferences(request, payload: PreferencesIn):
    """Switch channels per event kind, e.g.
    ``{"preferences": [{"event": "shared", "in_app": false, "email": true}]}``."""
    choices: dict[str, dict] = {}
    for item in payload.preferences:
        channels = {
            channel: value
            for channel, value in (("in_app", item.in_app), ("email", item.email))
            if value is not None
        }
        choices.setdefault(item.event, {}).update(channels)
    set_preferences(request.auth, choices)
    return _preferences(request.auth)
