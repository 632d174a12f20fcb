"""API routes for the timeline and tasks: parse, call a service or query, shape the answer.
Visibility follows the customer's: another rep's customer, interaction or task is a 404."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from guanxi.core.api_errors import error_responses
from guanxi.core.ids import MAX_ID, Id
from guanxi.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, keyset_page
from guanxi.customers.services import access_customer
from guanxi.interactions import queries, services
from guanxi.interactions.models import Interaction, Task
from guanxi.interactions.schemas import (
    AttachmentOut,
    InteractionIn,
    InteractionOut,
    KindChoice,
    StatusChoice,
    TaskIn,
    TaskOut,
    TaskPatch,
)

router = Router(tags=["interactions"])

READ_ERRORS = error_responses(401, 404)
LIST_ERRORS = error_responses(401, 404, 422)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 422)


def _attachment(a) -> dict:
    return {
        "id": a.pk,
        "name": a.name,
        "size": a.size,
        "content_type": a.content_type,
        "url": reverse("api:get_attachment", args=[a.pk]),
        "created_at": a.created_at,
    }


def _interaction(i: Interaction) -> dict:
    return {
        "id": i.pk,
        "customer_id": i.customer_id,
        "kind": i.kind,
        "direction": i.direction,
        "subject": i.subject,
        "body": i.body,
        "occurred_at": i.occurred_at,
        "duration_minutes": i.duration_minutes,
        "outcome": i.outcome,
        "created_by": i.created_by,
        "participants": list(i.participants.all()),
        "contacts": list(i.contacts.all()),
        "attachments": [_attachment(a) for a in i.attachments.all()],
        "created_at": i.created_at,
    }


def _fresh_interaction(user, pk: int) -> Interaction:
    found = queries.interactions_for_user(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


# --- interactions --------------------------------------------------------------------------


@router.get(
    "/customers/{int:customer_id}/interactions", response={200: Page[InteractionOut], **LIST_ERRORS}
)
def list_interactions(
    request,
    customer_id: int,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    kind: Query[KindChoice | None] = None,
):
    """The customer's timeline, newest first, optionally one kind; paginated by cursor."""
    customer = access_customer(request.auth, customer_id)
    rows, next_cursor = queries.timeline_page(
        request.auth, customer, kind=kind or "", cursor=cursor, limit=limit
    )
    return {"items": [_interaction(i) for i in rows], "next_cursor": next_cursor}


@router.post(
    "/customers/{int:customer_id}/interactions", response={201: InteractionOut, **WRITE_ERRORS}
)
def create_interaction(request, customer_id: int, payload: InteractionIn, response: HttpResponse):
    """Log a call, visit, message, meeting or note on a customer you can see."""
    data = payload.model_dump(exclude={"participants", "contacts"})
    interaction = services.log_interaction(
        request.auth,
        customer_id,
        data,
        participants=payload.participants,
        contacts=payload.contacts,
    )
    response["Location"] = reverse("api:get_interaction", args=[interaction.pk])
    return Status(201, _interaction(_fresh_interaction(request.auth, interaction.pk)))


@router.get("/interactions/{int:interaction_id}", response={200: InteractionOut, **READ_ERRORS})
def get_interaction(request, interaction_id: int):
    return _interaction(_fresh_interaction(request.auth, interaction_id))


@router.post(
    "/interactions/{int:interaction_id}/attachments", response={201: AttachmentOut, **WRITE_ERRORS}
)
def upload_attachment(request, interaction_id: int, file: File[UploadedFile]):
    """Attach a file (multipart field "file"): PDF, images, Office documents or text, up to
    10 MB; the content must match the extension."""
    attachment = services.add_attachment(request.auth, interaction_id, file)
    return Status(201, _attachment(attachment))


@router.get("/attachments/{int:attachment_id}", response={200: None, **READ_ERRORS})
def get_attachment(request, attachment_id: int):
    """The file itself, for whoever can see its customer."""
    attachment = services.access_attachment(request.auth, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- tasks ---------------------------------------------------------------------------------


def _task(t: Task) -> dict:
    return {
        **{
            f: getattr(t, f)
            for f in (
                "id",
                "title",
                "notes",
                "due_at",
                "remind_at",
                "reminded_at",
                "priority",
                "status",
                "done_at",
                "recurrence_days",
                "previous_id",
                "created_at",
                "updated_at",
            )
        },
        "customer": t.customer,
        "assignee": t.assignee,
        "created_by": t.created_by,
    }


def _fresh_task(user, pk: int) -> dict:
    return _task(services.access_task(user, pk))


@router.get("/tasks", response={200: Page[TaskOut], **LIST_ERRORS})
def list_tasks(
    request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    status: Query[StatusChoice | None] = None,
    due_before: str | None = None,
    due_after: str | None = None,
    assignee: Query[str | None] = None,
    customer: Id | None = None,
):
    """Tasks you can see, by due time. ``assignee=me`` (or a user id) filters by assignee;
    ``due_before`` / ``due_after`` take ISO 8601 (a date means its start)."""
    user = request.auth
    before = services.parse_when(due_before, "due_before", user, date_only_time=dt.time())
    after = services.parse_when(due_after, "due_after", user, date_only_time=dt.time())
    assignee_id = None
    if assignee:
        if assignee == "me":
            assignee_id = user.pk
        elif assignee.isdigit() and int(assignee) <= MAX_ID:
            assignee_id = int(assignee)
        else:
            raise ValidationError({"assignee": _('Enter "me" or a user id.')})
    customer_obj = access_customer(user, customer) if customer else None
    qs = queries.tasks_for(
        user, status=status or "", due_before=before, due_after=after, customer=customer_obj
    )
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    rows, next_cursor = keyset_page(qs, "due_at", cursor=cursor, limit=limit)
    return {"items": [_task(t) for t in rows], "next_cursor": next_cursor}


@router.post("/tasks", response={201: TaskOut, **WRITE_ERRORS})
def create_task(request, payload: TaskIn, response: HttpResponse):
    """Create a task for you (or for ``assignee``, who is notified)."""
    data = payload.model_dump(exclude_unset=True)
    if data.get("assignee") is None:
        data.pop("assignee", None)
    task = services.create_task(request.auth, data)
    response["Location"] = reverse("api:get_task", args=[task.pk])
    return Status(201, _fresh_task(request.auth, task.pk))


@router.get("/tasks/{int:task_id}", response={200: TaskOut, **READ_ERRORS})
def get_task(request, task_id: int):
    return _fresh_task(request.auth, task_id)


@router.patch("/tasks/{int:task_id}", response={200: TaskOut, **WRITE_ERRORS})
def update_task(request, task_id: int, payload: TaskPatch):
    """Change some fields; a new ``remind_at`` re-arms the reminder."""
    services.update_task(request.auth, task_id, payload.model_dump(exclude_unset=True))
    return _fresh_task(request.auth, task_id)


@router.post("/tasks/{int:task_id}/complete", response={200: TaskOut, **WRITE_ERRORS})
def complete_task(request, task_id: int):
    """Mark done; a recurring task gets its next occurrence."""
    services.complete_task(request.auth, task_id)
    return _fresh_task(request.auth, task_id)


@router.post("/tasks/{int:task_id}/reopen", response={200: TaskOut, **WRITE_ERRORS})
def reopen_task(request, task_id: int):
    services.reopen_task(request.auth, task_id)
    return _fresh_task(request.auth, task_id)
