"""API shapes for lead routing: the teams' assignment rules and the public web-to-lead forms."""

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import Field, StringConstraints

from guanxi.accounts.schemas import UserRef
from guanxi.sales.models import AssignmentRule, LeadForm
from guanxi.sales.schemas import SourceChoice, _choice, _Input, _text


class RouteIn(_Input):
    province: Annotated[str, StringConstraints(max_length=30)]
    city: Annotated[str, StringConstraints(max_length=30)] = ""
    member: int


class RouteOut(Schema):
    province: str
    city: str
    member: UserRef


class TeamRef(Schema):
    id: int
    name: str


RuleMode = _choice(AssignmentRule.Mode)


class AssignmentRuleIn(_Input):
    team: int
    mode: RuleMode = AssignmentRule.Mode.ROUND_ROBIN.value
    members: list[int]
    active: bool = True
    routes: list[RouteIn] = []


class AssignmentRulePatch(_Input):
    mode: RuleMode | None = None
    members: list[int] | None = None
    active: bool | None = None
    routes: list[RouteIn] | None = None


class AssignmentRuleOut(Schema):
    id: int
    team: TeamRef
    mode: str
    active: bool
    members: list[UserRef]
    routes: list[RouteOut]
    last_assigned: UserRef | None = Field(description="Whose turn it was last (round robin).")
    assigned_count: int
    updated_at: dt.datetime

    @staticmethod
    def resolve_members(obj) -> list:
        return sorted(obj.members.all(), key=lambda u: u.pk)

    @staticmethod
    def resolve_routes(obj) -> list:
        return list(obj.routes.all())


class LeadFormIn(_Input):
    name: _text(LeadForm, "name")
    team: int
    source: SourceChoice = "website"
    active: bool = True
    thank_you: _text(LeadForm, "thank_you") = ""


class LeadFormPatch(_Input):
    name: _text(LeadForm, "name") | None = None
    team: int | None = None
    source: SourceChoice | None = None
    active: bool | None = None
    thank_you: _text(LeadForm, "thank_you") | None = None


class LeadFormOut(Schema):
    id: int
    name: str
    team: TeamRef
    source: str
    active: bool
    thank_you: str
    token: str
    url: str = Field(description="Where the public form posts (and its hosted page).")
    created_at: dt.datetime

    @staticmethod
    def resolve_url(obj, context) -> str:
        from django.urls import reverse

        return context["request"].build_absolute_uri(reverse("public_lead_form", args=[obj.token]))
