"""Notifications: the one service every domain calls to tell people something.

notify() writes the in-app notification and sends the e-mail, each only where the recipient's
preferences for the event kind allow it. E-mail goes out after the transaction commits, through
Django's e-mail backend (files under var/outbox/email by default, SMTP in production).
"""

import logging
from collections.abc import Callable, Iterable
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.core.mail.message import EmailMessage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.core.hot_reads import column, fetch_one, table
from guanxi.core.models import Notification, NotificationEvent, NotificationPreference

log = logging.getLogger(__name__)

# (in-app, e-mail) for a user who has not chosen: everything in the app; reminders also by
# e-mail, as they were before preferences existed.
DEFAULT_CHANNELS: dict[str, tuple[bool, bool]] = {
    NotificationEvent.ASSIGNED: (True, False),
    NotificationEvent.SHARED: (True, False),
    NotificationEvent.CUSTOMER_CHANGED: (True, False),
    NotificationEvent.TASK_DUE: (True, True),
    NotificationEvent.OTHER: (True, False),
}

# Verbs callers used before notify() took an event, filed under the event they mean.
EVENT_OF_VERB = {
    "assigned": NotificationEvent.ASSIGNED,
    "task_assigned": NotificationEvent.ASSIGNED,
    "shared": NotificationEvent.SHARED,
    "changed": NotificationEvent.CUSTOMER_CHANGED,
    "task_due": NotificationEvent.TASK_DUE,
}

_NO_EMAIL_BACKENDS = {"django.core.mail.backends.dummy.EmailBackend"}


def event_for(event: str | None, verb: str) -> str:
    """The preference kind of a notification: the given event if known, else by verb, else
    the catch-all."""
    if event in NotificationEvent.values:
        return event
    return EVENT_OF_VERB.get(verb, NotificationEvent.OTHER)


def email_configured() -> bool:
    """Whether the site sends e-mail at all (any backend but the dummy one)."""
    return bool(settings.EMAIL_BACKEND) and settings.EMAIL_BACKEND not in _NO_EMAIL_BACKENDS


def email_available(user) -> bool:
    """Whether the e-mail channel can reach this user."""
    return email_configured() and bool(getattr(user, "email", ""))


def notify(
    recipients: Iterable,
    *,
    actor,
    verb: str,
    message: str | Callable[[], str],
    url: str = "",
    event: str | None = None,
    email_body: str = "",
) -> int:
    """Tell each recipient except the actor, on the channels they chose for ``event``.

    ``message`` is best a function giving the text: it is called in each recipient's language
    (their setting, else the site's), not the actor's; a string is written as it is.
    ``event`` is one of NotificationEvent (default: inferred from ``verb``, else "other").
    Returns how many in-app notifications were written. E-mail (subject: the message; body:
    the message and ``email_body``) is sent after the commit to those who want it and have
    an address; a failed send is logged, never raised.
    """
    kind = event_for(event, verb)
    actor_id = getattr(actor, "pk", None)
    ids = {getattr(r, "pk", r) for r in recipients if r is not None} - {actor_id}
    if not ids:
        return 0
    default_app, default_mail = DEFAULT_CHANNELS[kind]
    chosen = {
        p.user_id: (p.in_app, p.email)
        for p in NotificationPreference.objects.filter(user_id__in=ids, event=kind)
    }
    app_ids = [uid for uid in ids if chosen.get(uid, (default_app, default_mail))[0]]
    mail_ids = [uid for uid in ids if chosen.get(uid, (default_app, default_mail))[1]]
    text = _texts(message, ids)
    rows = [
        Notification(
            recipient_id=uid,
            actor_id=actor_id,
            verb=verb,
            event=kind,
            message=text[uid][:500],
            url=url,
        )
        for uid in sorted(app_ids)
    ]
    if rows:
        Notification.objects.bulk_create(rows)
    if mail_ids and email_configured():
        addresses = list(
            get_user_model()
            .objects.filter(pk__in=mail_ids, is_active=True)
            .exclude(email="")
            .order_by("pk")
            .values_list("pk", "email")
        )
        mails = [
            (address, " ".join(text[uid].split())[:150], f"{text[uid]}\n\n{email_body}".strip())
            for uid, address in addresses
        ]
        if mails:
            transaction.on_commit(lambda: _send_emails(mails))
    return len(rows)


def _texts(message: str | Callable[[], str], ids: set[int]) -> dict[int, str]:
    """{recipient: the message in their language}: ``message()`` called once per language."""
    if not callable(message):
        return dict.fromkeys(ids, message)
    languages = dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "language"))
    by_language: dict[str, str] = {}
    texts = {}
    for uid in ids:
        language = languages.get(uid) or settings.LANGUAGE_CODE
        if language not in by_language:
            with translation.override(language):
                by_language[language] = str(message())
        texts[uid] = by_language[language]
    return texts


def _send_emails(mails: list[tuple[str, str, str]]) -> None:
    """One message per recipient (address, subject, body: nobody sees another's address),
    over one connection."""
    try:
        connection = get_connection()
        connection.send_messages(
            [EmailMessage(subject, body, None, [address]) for address, subject, body in mails]
        )
    except Exception:  # an unreachable mail server must not undo or stop the caller's work
        log.exception("Could not e-mail a notification to %d recipient(s)", len(mails))


# --- preferences ---------------------------------------------------------------------------


def preferences_for(user) -> list[dict]:
    """Every event kind with the user's channels (their choice, else the default)."""
    chosen = {
        p.event: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=user)
    }
    return [
        {
            "event": value,
            "label": str(label),
            "in_app": chosen.get(value, DEFAULT_CHANNELS[value])[0],
            "email": chosen.get(value, DEFAULT_CHANNELS[value])[1],
        }
        for value, label in NotificationEvent.choices
    ]


@transaction.atomic
def set_preferences(user, choices: dict[str, dict]) -> list[dict]:
    """Save the user's channels: ``{"shared": {"in_app": True, "email": False}, ...}``.

    Kinds not given keep their setting; a kind given with one channel keeps the other. E-mail
    cannot be switched on while it cannot reach the user (no address, or none configured).
    """
    errors: dict[str, list[str]] = {}
    current = {p["event"]: p for p in preferences_for(user)}
    for event, channels in choices.items():
        if event not in current:
            errors[event] = [_("Unknown event.")]
            continue
        if not isinstance(channels, dict) or set(channels) - {"in_app", "email"}:
            errors[event] = [_('Give "in_app" and/or "email", each true or false.')]
            continue
        for channel, value in channels.items():
            if not isinstance(value, bool):
                errors[f"{event}.{channel}"] = [_("Enter true or false.")]
        if channels.get("email") is True and not email_available(user):
            errors[f"{event}.email"] = [
                _("E-mail cannot reach you: your account has no e-mail address.")
                if email_configured()
                else _("This site does not send e-mail.")
            ]
    if errors:
        raise ValidationError(errors)
    for event, channels in choices.items():
        in_app = channels.get("in_app", current[event]["in_app"])
        email = channels.get("email", current[event]["email"])
        NotificationPreference.objects.update_or_create(
            user=user, event=event, defaults={"in_app": in_app, "email": email}
        )
    return preferences_for(user)


# --- the inbox -----------------------------------------------------------------------------


@cache
def _unread_sql(vendor: str) -> str:
    return (
        f"SELECT COUNT(*) FROM {table(Notification)} "  # noqa: S608 - quoted model names
        f"WHERE {column(Notification, 'recipient')} = %s AND {column(Notification, 'read_at')} IS NULL"
    )


def unread_count(user) -> int:
    """The user's unread notifications (every page's bell shows it: SQL built once)."""
    return fetch_one(_unread_sql(connections[DEFAULT_DB_ALIAS].vendor), [user.pk])[0]


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of the user's notifications read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    with transaction.atomic():
        return qs.update(read_at=timezone.now())


def notifications_for(user, *, unread: bool = False):
    """The user's notifications (only the unread ones with ``unread``), newest first, with
    the actor joined."""
    qs = Notification.objects.filter(recipient=user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.select_related("actor").order_by("-created_at", "-pk")
