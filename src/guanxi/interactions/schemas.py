"""API shapes for interactions and tasks. Inputs refuse unknown fields; times are strings the
services parse (so a bad format gets the same message on the page and in the API)."""

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

from guanxi.accounts.schemas import UserRef
from guanxi.interactions.models import Direction, InteractionKind, Priority, TaskStatus

KindChoice = Literal[tuple(InteractionKind.values)]
DirectionChoice = Literal[tuple(Direction.values)]
PriorityChoice = Literal[tuple(Priority.values)]
StatusChoice = Literal[tuple(TaskStatus.values)]
When = Annotated[str, StringConstraints(max_length=40)]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class InteractionIn(_Input):
    kind: KindChoice
    direction: DirectionChoice = Direction.OUT.value
    subject: Annotated[str, StringConstraints(max_length=200)] = ""
    body: Annotated[str, StringConstraints(max_length=5000)] = ""
    occurred_at: When | None = Field(
        None, description="ISO 8601; without an offset, in your time zone. Default: now."
    )
    duration_minutes: int | None = Field(None, ge=1, le=100000)
    outcome: Annotated[str, StringConstraints(max_length=200)] = ""
    participants: list[int] = Field([], description="Ids of colleagues who took part.")
    contacts: list[int] = Field([], description="Ids of the customer's contacts involved.")


class ContactRef(Schema):
    id: int
    name: str


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    url: str
    created_at: dt.datetime


class InteractionOut(Schema):
    id: int
    customer_id: int
    kind: str
    direction: str
    subject: str
    body: str
    occurred_at: dt.datetime
    duration_minutes: int | None
    outcome: str
    created_by: UserRef | None
    participants: list[UserRef]
    contacts: list[ContactRef]
    attachments: list[AttachmentOut]
    created_at: dt.datetime


class TaskFields(_Input):
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    notes: Annotated[str, StringConstraints(max_length=5000)] = ""
    due_at: When = Field(description="ISO 8601, or a date for the end of that day.")
    remind_at: When | None = None
    priority: PriorityChoice = Priority.NORMAL.value
    recurrence_days: int | None = Field(None, ge=1, le=3650)
    customer: int | None = None
    assignee: int | None = Field(None, description="Default: you.")


class TaskIn(TaskFields):
    pass


class TaskPatch(_Input):
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)] = None
    notes: Annotated[str, StringConstraints(max_length=5000)] = None
    due_at: When = None
    remind_at: When | None = None
    priority: PriorityChoice = None
    recurrence_days: int | None = Field(None, ge=1, le=3650)
    customer: int | None = None
    assignee: int = None


class CustomerRef(Schema):
    id: int
    name: str


class TaskOut(Schema):
    id: int
    title: str
    notes: str
    due_at: dt.datetime
    remind_at: dt.datetime | None
    reminded_at: dt.datetime | None
    priority: str
    status: str
    done_at: dt.datetime | None
    recurrence_days: int | None
    customer: CustomerRef | None
    assignee: UserRef
    created_by: UserRef | None
    previous_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
