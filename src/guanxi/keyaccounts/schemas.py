"""API shapes for key-account plans. Inputs refuse unknown fields; the services check values
(so the page and the API give the same messages)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

from guanxi.accounts.schemas import UserRef
from guanxi.keyaccounts.models import Attitude, DecisionRole, GoalStatus

RoleChoice = Literal[tuple(DecisionRole.values)]
AttitudeChoice = Literal[tuple(Attitude.values)]
GoalStatusChoice = Literal[tuple(GoalStatus.values)]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class PlanIn(_Input):
    strategy: Annotated[str, StringConstraints(max_length=5000)] = ""
    review_every_days: int | None = Field(
        None, description="Review the plan every N days (1–365): a recurring task for the owner."
    )


class PlanPatch(_Input):
    strategy: Annotated[str, StringConstraints(max_length=5000)] | None = None
    review_every_days: int | None = None


class GoalIn(_Input):
    title: Annotated[str, StringConstraints(max_length=200)] = ""
    target_value: Decimal | None = Field(None, description="e.g. annual revenue in CNY")
    due_date: dt.date | None = None
    status: GoalStatusChoice = GoalStatus.OPEN.value


class GoalPatch(_Input):
    title: Annotated[str, StringConstraints(max_length=200)] | None = None
    target_value: Decimal | None = None
    due_date: dt.date | None = None
    status: GoalStatusChoice | None = None


class GoalOut(Schema):
    id: int
    title: str
    target_value: Decimal | None
    due_date: dt.date | None
    status: str


class RelationshipIn(_Input):
    contact: int = Field(description="Id of one of the customer's contacts.")
    role: RoleChoice
    influence: int = Field(3, description="1 (little) to 5 (decisive).")
    attitude: AttitudeChoice = Attitude.NEUTRAL.value
    owner: int | None = Field(None, description="Id of the colleague who keeps the relationship.")
    notes: Annotated[str, StringConstraints(max_length=1000)] = ""


class RelationshipPatch(_Input):
    contact: int | None = None
    role: RoleChoice | None = None
    influence: int | None = None
    attitude: AttitudeChoice | None = None
    owner: int | None = None
    notes: Annotated[str, StringConstraints(max_length=1000)] | None = None


class ContactRef(Schema):
    id: int
    name: str
    title: str


class RelationshipOut(Schema):
    id: int
    contact: ContactRef
    role: str
    influence: int
    attitude: str
    owner: UserRef | None
    notes: str


class ReviewOut(Schema):
    task_id: int
    due_at: dt.datetime
    status: str
    recurrence_days: int | None


class PlanOut(Schema):
    id: int
    customer_id: int
    strategy: str
    review_every_days: int | None
    review: ReviewOut | None
    goals: list[GoalOut]
    relationships: list[RelationshipOut]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class PlanSummaryOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    review_every_days: int | None
    goals: int
    relationships: int
    updated_at: dt.datetime
