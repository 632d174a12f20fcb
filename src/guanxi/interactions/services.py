"""Every change to interactions, attachments, tasks and feed tokens, each taking the acting user.

Times: a naive date or time typed by a person is read in that person's time zone (their
profile, else settings.TIME_ZONE). Functions driven by the clock take ``now=`` so tests and the
job worker can pin it.
"""

import datetime as dt
import logging
import secrets
import zoneinfo
from collections.abc import Iterable
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from guanxi.accounts.models import User
from guanxi.core.days import check_moment
from guanxi.core.notifications import notify
from guanxi.customers.models import Contact, Customer
from guanxi.customers.pool import record_followup
from guanxi.customers.services import access_customer
from guanxi.interactions.models import (
    Attachment,
    Direction,
    FeedToken,
    Interaction,
    InteractionKind,
    Priority,
    Task,
    TaskStatus,
)

log = logging.getLogger(__name__)

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
INTERACTION_FIELDS = {
    "kind",
    "direction",
    "subject",
    "body",
    "occurred_at",
    "duration_minutes",
    "outcome",
}
TASK_FIELDS = {
    "title",
    "notes",
    "due_at",
    "remind_at",
    "priority",
    "recurrence_days",
    "customer",
    "assignee",
}

# One click on the customer card logs one of these (kind, direction, subject, outcome).
PRESETS = {
    "call_no_answer": (InteractionKind.CALL, Direction.OUT, _lazy("Called"), _lazy("No answer")),
    "call_done": (InteractionKind.CALL, Direction.OUT, _lazy("Called"), _lazy("Talked")),
    "wechat_sent": (InteractionKind.WECHAT, Direction.OUT, _lazy("WeChat message"), _lazy("Sent")),
    "visit_done": (InteractionKind.VISIT, Direction.OUT, _lazy("Visited"), _lazy("Met")),
}


def preset_labels() -> dict[str, str]:
    """The quick-log buttons, translated now (PRESETS is built at import time)."""
    return {
        "call_no_answer": _("Called, no answer"),
        "call_done": _("Called, talked"),
        "wechat_sent": _("WeChat sent"),
        "visit_done": _("Visited"),
    }


# --- times ---------------------------------------------------------------------------------


def user_zone(user) -> dt.tzinfo:
    """The user's time zone, or the site's when they have none (or a bad one)."""
    name = getattr(user, "time_zone", "") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


DATETIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def parse_when(value, field: str, user, *, date_only_time: dt.time) -> dt.datetime | None:
    """A moment from a datetime, a date or a string, or None for empty.

    Accepted strings: ISO 8601 with or without an offset ("2026-11-30T15:00+08:00",
    "2026-11-30 15:00") and a bare date ("2026-11-30", then at ``date_only_time``). Anything
    else is a ValidationError on ``field`` naming the format.
    """
    if value in (None, ""):
        return None
    zone = user_zone(user)
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, date_only_time)
    else:
        text = str(value).strip()
        moment = None
        try:
            if len(text) == 10:
                moment = dt.datetime.combine(dt.date.fromisoformat(text), date_only_time)
            else:
                moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is None:
            raise ValidationError(
                {field: _("Enter a date and time as YYYY-MM-DD HH:MM (or a date as YYYY-MM-DD).")}
            )
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=zone)
    return check_moment(moment, field)


def _positive_int(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number.")}) from None
    if number < 1:
        raise ValidationError({field: _("Must be at least %(limit)s.") % {"limit": 1}})
    return number


def _unknown(data: dict, allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({f: _("Unknown field.") for f in sorted(unknown)})


def _require_writer(user) -> None:
    if not user.can_write:
        raise PermissionDenied(_("Your role is read-only."))


# --- interactions --------------------------------------------------------------------------


def access_interaction(user, interaction_id) -> Interaction:
    """An interaction whose customer the user can see; anything else is a 404."""
    try:
        pk = int(interaction_id)
    except (TypeError, ValueError):
        raise Http404 from None
    found = (
        Interaction.objects.visible_to(user)
        .select_related("customer", "created_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


@transaction.atomic
def log_interaction(
    user,
    customer_id,
    data: dict,
    *,
    participants: Iterable[int] = (),
    contacts: Iterable[int] = (),
    now: dt.datetime | None = None,
) -> Interaction:
    """Record a call, visit, message or note on a customer the user can see.

    Anyone who can see the customer and may write can log (a colleague with read access
    still talks to the customer). ``occurred_at`` defaults to now and may not be in the future.
    """
    customer = access_customer(user, customer_id)
    _require_writer(user)
    _unknown(data, INTERACTION_FIELDS)
    now = now or timezone.now()
    fields = dict(data)
    fields["occurred_at"] = (
        parse_when(fields.get("occurred_at"), "occurred_at", user, date_only_time=dt.time(9)) or now
    )
    errors: dict[str, list[str]] = {}
    if fields["occurred_at"] > now + dt.timedelta(minutes=5):
        errors["occurred_at"] = [_("An interaction cannot be in the future; add a task instead.")]
    try:
        fields["duration_minutes"] = _positive_int(
            fields.get("duration_minutes"), "duration_minutes"
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    interaction = Interaction(customer=customer, created_by=user, **fields)
    try:
        interaction.full_clean(exclude=["customer", "created_by"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    contact_ids = {int(c) for c in contacts}
    found_contacts = list(Contact.objects.filter(customer=customer, pk__in=contact_ids))
    if len(found_contacts) != len(contact_ids):
        errors["contacts"] = [_("Choose contacts of this customer.")]
    user_ids = {int(u) for u in participants}
    found_users = list(User.objects.filter(is_active=True, pk__in=user_ids))
    if len(found_users) != len(user_ids):
        errors["participants"] = [_("Unknown user.")]
    if errors:
        raise ValidationError(errors)
    interaction.save()
    record_followup(customer.pk, interaction.occurred_at)  # the pool's clock (customers.pool)
    if found_contacts:
        interaction.contacts.set(found_contacts)
    if found_users:
        interaction.participants.set(found_users)
    return interaction


def log_preset(user, customer_id, preset: str, *, now: dt.datetime | None = None) -> Interaction:
    """One-click logging ("called, no answer")."""
    if preset not in PRESETS:
        raise ValidationError({"preset": _("Unknown quick log.")})
    kind, direction, subject, outcome = PRESETS[preset]
    return log_interaction(
        user,
        customer_id,
        {"kind": kind, "direction": direction, "subject": str(subject), "outcome": str(outcome)},
        now=now,
    )


# Allowed extensions and the leading bytes their content must start with (None: any text).
_PDF = (b"%PDF-",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # legacy .doc/.xls/.ppt
_ZIP = (b"PK\x03\x04",)  # .docx/.xlsx/.pptx
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "pdf": ("application/pdf", _PDF),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", (b"RIFF",)),
    "doc": ("application/msword", _OLE),
    "xls": ("application/vnd.ms-excel", _OLE),
    "ppt": ("application/vnd.ms-powerpoint", _OLE),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    "txt": ("text/plain", None),
    "csv": ("text/csv", None),
}


def _check_upload(upload) -> tuple[str, str]:
    """(clean file name, content type) of an acceptable upload, else a ValidationError on
    "file": too big, an extension not on the list, or content that is not what it claims."""
    name = PurePath(str(upload.name or "")).name.strip()[:200] or "file"
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(mb)s MB.")
                % {"mb": MAX_ATTACHMENT_BYTES // (1024 * 1024)}
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if ext not in ALLOWED_TYPES:
        raise ValidationError(
            {
                "file": _("Files of this type are not allowed. Allowed: %(types)s.")
                % {"types": ", ".join(sorted(ALLOWED_TYPES))}
            }
        )
    content_type, magic = ALLOWED_TYPES[ext]
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if magic is None:
        ok = b"\x00" not in head
        if ok:
            try:
                head.decode("utf-8")
            except UnicodeDecodeError as exc:
                # A multi-byte character cut at the end of the sample is fine.
                ok = exc.start >= len(head) - 3
    else:
        ok = any(head.startswith(m) for m in magic)
        if ext == "webp":
            ok = ok and head[8:12] == b"WEBP"
    if not ok:
        raise ValidationError({"file": _("The file's content does not match its extension.")})
    return name, content_type


@transaction.atomic
def add_attachment(user, interaction_id, upload) -> Attachment:
    """Attach an uploaded file to an interaction the user can see (checked size and type)."""
    interaction = access_interaction(user, interaction_id)
    _require_writer(user)
    name, content_type = _check_upload(upload)
    attachment = Attachment(
        interaction=interaction,
        name=name,
        size=upload.size,
        content_type=content_type,
        uploaded_by=user,
    )
    # The stored name is random: the original name is only metadata, never a path.
    ext = name.rsplit(".", 1)[-1].lower()
    attachment.file.save(f"{secrets.token_hex(16)}.{ext}", upload, save=False)
    path = attachment.file.name
    try:
        attachment.save()
    except Exception:
        attachment.file.storage.delete(path)
        raise
    return attachment


def access_attachment(user, attachment_id) -> Attachment:
    try:
        pk = int(attachment_id)
    except (TypeError, ValueError):
        raise Http404 from None
    found = (
        Attachment.objects.filter(
            pk=pk, interaction__in=Interaction.objects.visible_to(user).values("pk")
        )
        .select_related("interaction")
        .first()
    )
    if found is None:
        raise Http404
    return found


# --- tasks ---------------------------------------------------------------------------------


def access_task(user, task_id, *, edit: bool = False) -> Task:
    """A task the user can see (404 otherwise); with ``edit``, one they may change (403)."""
    try:
        pk = int(task_id)
    except (TypeError, ValueError):
        raise Http404 from None
    task = (
        Task.objects.visible_to(user)
        .select_related("customer", "assignee", "created_by")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    if edit and not can_edit_task(user, task):
        raise PermissionDenied(_("You may view this task but not change it."))
    return task


def can_edit_task(user, task: Task) -> bool:
    """The assignee, the creator, an admin, or the assignee's manager may change a task."""
    if not user.can_write:
        return False
    if user.is_admin or user.pk in (task.assignee_id, task.created_by_id):
        return True
    from guanxi.accounts.queries import is_manager_of

    return is_manager_of(user, task.assignee)


def _resolve_task_fields(user, data: dict, task: Task | None) -> dict:
    """Typed values for the given task fields, with every problem keyed by field."""
    errors: dict[str, list[str]] = {}
    out: dict = {}
    for field in ("due_at", "remind_at"):
        if field in data:
            try:
                out[field] = parse_when(
                    data[field],
                    field,
                    user,
                    date_only_time=dt.time(23, 59) if field == "due_at" else dt.time(9),
                )
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if "recurrence_days" in data:
        try:
            out["recurrence_days"] = _positive_int(data["recurrence_days"], "recurrence_days")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    for field in ("title", "notes"):
        if field in data:
            out[field] = (data[field] or "").strip()
    if "priority" in data:
        if data["priority"] not in Priority.values:
            errors["priority"] = [
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(Priority.values)}
            ]
        else:
            out["priority"] = data["priority"]
    if "customer" in data:
        value = data["customer"]
        if value in (None, ""):
            out["customer"] = None
        else:
            try:
                out["customer"] = access_customer(user, getattr(value, "pk", value))
            except Http404:
                errors["customer"] = [_("Unknown customer.")]
    if "assignee" in data:
        value = data["assignee"]
        found = (
            User.objects.filter(is_active=True, pk=getattr(value, "pk", value)).first()
            if value not in (None, "")
            else None
        )
        if found is None:
            errors["assignee"] = [_("Unknown user.")]
        else:
            out["assignee"] = found
    if errors:
        raise ValidationError(errors)
    return out


def _check_task(user, task: Task) -> None:
    errors: dict[str, list[str]] = {}
    try:
        task.full_clean(exclude=["customer", "assignee", "created_by", "previous"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if task.remind_at and task.due_at and task.remind_at > task.due_at:
        errors.setdefault("remind_at", []).append(_("The reminder must be before the due time."))
    if (
        task.assignee_id
        and task.customer_id
        and not Customer.objects.visible_to(task.assignee).filter(pk=task.customer_id).exists()
    ):
        errors.setdefault("assignee", []).append(
            _("%(user)s cannot see this customer; share it first.") % {"user": task.assignee}
        )
    if errors:
        raise ValidationError(errors)


def _task_url(task: Task) -> str:
    return reverse("interactions:my_day") + f"#task-{task.pk}"


def _notify_assigned(user, task: Task) -> None:
    if task.assignee_id != user.pk:
        notify(
            [task.assignee],
            actor=user,
            verb="task_assigned",
            message=lambda: (
                _("%(user)s assigned you a task: %(title)s") % {"user": user, "title": task.title}
            ),
            url=_task_url(task),
        )


@transaction.atomic
def create_task(user, data: dict) -> Task:
    """Create a task (for the user unless ``assignee`` is given); the assignee is notified."""
    _require_writer(user)
    _unknown(data, TASK_FIELDS)
    values = _resolve_task_fields(user, data, None)
    values.setdefault("assignee", user)
    task = Task(created_by=user, **values)
    _check_task(user, task)
    task.save()
    _notify_assigned(user, task)
    return task


@transaction.atomic
def update_task(user, task_id, changes: dict) -> Task:
    """Change some fields of a task; a new reminder time re-arms the reminder."""
    task = access_task(user, task_id, edit=True)
    _unknown(changes, TASK_FIELDS)
    values = _resolve_task_fields(user, changes, task)
    old_assignee = task.assignee_id
    for field, value in values.items():
        setattr(task, field, value)
    if "remind_at" in values:
        task.reminded_at = None
    _check_task(user, task)
    task.save()
    if task.assignee_id != old_assignee:
        _notify_assigned(user, task)
    return task


@transaction.atomic
def complete_task(user, task_id, *, now: dt.datetime | None = None) -> Task:
    """Mark a task done; a recurring one gets its next occurrence ``recurrence_days`` later.

    Completing a done task changes nothing, and an occurrence is followed by at most one next
    occurrence, so a double click or a reopen-and-complete never duplicates the series.
    """
    task = access_task(user, task_id, edit=True)
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if locked.status == TaskStatus.DONE:
        return task
    now = now or timezone.now()
    task.status, task.done_at = TaskStatus.DONE, now
    task.save(update_fields=["status", "done_at", "updated_at"])
    if task.recurrence_days and not Task.objects.filter(previous=task).exists():
        step = dt.timedelta(days=task.recurrence_days)
        Task.objects.create(
            customer=task.customer,
            title=task.title,
            notes=task.notes,
            due_at=task.due_at + step,
            remind_at=task.remind_at + step if task.remind_at else None,
            assignee=task.assignee,
            created_by=task.created_by,
            priority=task.priority,
            recurrence_days=task.recurrence_days,
            previous=task,
        )
    return task


@transaction.atomic
def reopen_task(user, task_id) -> Task:
    """Back to open (the next occurrence of a recurring task, if made, stays)."""
    task = access_task(user, task_id, edit=True)
    if task.status == TaskStatus.OPEN:
        return task
    task.status, task.done_at = TaskStatus.OPEN, None
    task.save(update_fields=["status", "done_at", "updated_at"])
    return task


# --- reminders -----------------------------------------------------------------------------


def send_due_reminders(now: dt.datetime | None = None, *, batch: int = 500) -> int:
    """Remind the assignee of every open task whose reminder time has come; returns how many.

    Each task is claimed by setting ``reminded_at`` in the same transaction as its in-app
    notification, so a retry or a second worker never reminds twice. The e-mail (where the
    assignee's notification preferences ask for it) goes after the commit; a failed e-mail is
    logged, not retried (the in-app notice is there).
    """
    now = now or timezone.now()
    sent = 0
    while True:
        due = list(
            Task.objects.filter(
                status=TaskStatus.OPEN, reminded_at__isnull=True, remind_at__lte=now
            )
            .select_related("assignee", "customer")
            .order_by("remind_at", "pk")[:batch]
        )
        for task in due:
            sent += _remind(task, now)
        # Claimed rows drop out of the filter, so a full batch means there may be more.
        if len(due) < batch:
            return sent


def _remind(task: Task, now: dt.datetime) -> int:
    with transaction.atomic():
        claimed = Task.objects.filter(
            pk=task.pk, reminded_at__isnull=True, status=TaskStatus.OPEN
        ).update(reminded_at=now)
        if not claimed:
            return 0
        # In the assignee's language, not the worker's.
        with translation.override(task.assignee.language or settings.LANGUAGE_CODE):
            message = _reminder_text(task)
        # E-mail too where the assignee's preferences ask for it (sent after the commit).
        notify(
            [task.assignee],
            actor=None,
            verb="task_due",
            event="task_due",
            message=message,
            url=_task_url(task),
            email_body=task.notes,
        )
    return 1


def _reminder_text(task: Task) -> str:
    local_due = timezone.localtime(task.due_at, user_zone(task.assignee))
    text = _("Reminder: %(title)s, due %(due)s") % {
        "title": task.title,
        "due": local_due.strftime("%Y-%m-%d %H:%M"),
    }
    if task.customer_id:
        text += f" ({task.customer.name})"
    return text


# --- calendar feed -------------------------------------------------------------------------


def feed_token_for(user) -> FeedToken:
    """The user's feed token, made on first use."""
    token, _created = FeedToken.objects.get_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    return token


@transaction.atomic
def regenerate_feed_token(user) -> FeedToken:
    """A new secret; the old link stops working at once."""
    token = feed_token_for(user)
    token.token = secrets.token_urlsafe(32)
    token.created_at = timezone.now()
    token.save(update_fields=["token", "created_at"])
    return token


def user_for_feed_token(token: str):
    """The active user whose feed this token opens, or None."""
    if not token or len(token) > 64:
        return None
    found = FeedToken.objects.select_related("user").filter(token=token).first()
    if found is None or not found.user.is_active:
        return None
    return found.user
