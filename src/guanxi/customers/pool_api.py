"""API routes of the public customer pool (客户公海): the pool list, claim, assign, release, the
caller's claim status and the per-team rules. Thin: shape in, call customers.pool, shape out."""

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field, StringConstraints

from guanxi.accounts.models import Team, User
from guanxi.accounts.schemas import UserRef
from guanxi.core.api_errors import django_errors, error_response, error_responses
from guanxi.core.etags import etag
from guanxi.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, keyset_page
from guanxi.customers import pool
from guanxi.customers.duplicate_check import LikelyDuplicate
from guanxi.customers.masking import listed_columns, masks_for
from guanxi.customers.models import PoolRule, SourceChannel
from guanxi.customers.models_pool import PoolScope

router = Router(tags=["pool"])
customer_router = Router(tags=["pool"])

READ_ERRORS = error_responses(401, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)

PoolOrdering = Literal[tuple(pool.POOL_SORTS)]
Source = Literal[tuple(v for v in SourceChannel.values if v)]
Days = Annotated[int, Field(ge=2, le=3650)]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class TeamRef(Schema):
    id: int
    name: str


class PoolItem(Schema):
    id: int
    kind: str
    name: str
    phone: str
    email: str
    company_name: str
    province: str
    city: str
    source_channel: str
    tags: list[str]
    masked: bool
    pooled_at: dt.datetime
    pool_reason: str
    pool_team: TeamRef | None = Field(description="Whose pool; null: the company-wide pool.")
    version: int


class ClaimIn(_Input):
    confirm_duplicate: bool = Field(
        False, description="Claim even though you own a customer with the same phone/e-mail/ID."
    )


class AssignIn(_Input):
    to_user: int
    reason: Annotated[str, StringConstraints(max_length=200)] = ""


class ReleaseIn(_Input):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class OwnershipOut(Schema):
    id: int
    owner: UserRef | None
    pooled_at: dt.datetime | None
    pool_reason: str
    version: int


class ClaimStatusOut(Schema):
    claims_today: int
    daily_cap: int | None
    owned: int
    max_owned: int | None
    rule_team: TeamRef | None


class RuleFields(_Input):
    won_days: Days | None = None
    warn_days: Annotated[int, Field(ge=1, le=365)] = 3
    daily_claim_cap: Annotated[int, Field(ge=0, le=10000)] | None = None
    max_owned: Annotated[int, Field(ge=0, le=1000000)] | None = None
    scope: Literal[tuple(PoolScope.values)] = PoolScope.TEAM
    active: bool = True


class RuleIn(RuleFields):
    team: int
    followup_days: Days


class RulePatch(_Input):
    followup_days: Days | None = None
    won_days: Days | None = None
    warn_days: Annotated[int, Field(ge=1, le=365)] | None = None
    daily_claim_cap: Annotated[int, Field(ge=0, le=10000)] | None = None
    max_owned: Annotated[int, Field(ge=0, le=1000000)] | None = None
    scope: Literal[tuple(PoolScope.values)] | None = None
    active: bool | None = None


class RuleOut(Schema):
    id: int
    team: TeamRef
    followup_days: int
    won_days: int | None
    warn_days: int
    daily_claim_cap: int | None
    max_owned: int | None
    scope: str
    active: bool
    updated_at: dt.datetime
    updated_by: UserRef | None


def _item(user, customer) -> dict:
    return {
        **listed_columns(user, customer),
        "source_channel": customer.source_channel,
        "tags": [t.name for t in customer.tags.all()],
        "masked": masks_for(user, customer),
        "pooled_at": customer.pooled_at,
        "pool_reason": customer.pool_reason,
        "pool_team": customer.pool_team,
        "version": customer.version,
    }


# --- the pool ---------------------------------------------------------------------------------


@router.get("", response={200: Page[PoolItem], **error_responses(401, 422)})
def list_pool(
    request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    q: str = "",
    city: str = "",
    tag: str = "",
    source: Query[Source | None] = None,
    min_days: Annotated[int | None, Query(ge=1, le=3650)] = None,
    ordering: Query[PoolOrdering] = "-pooled",
):
    """The pooled customers you see (your team's pools and the company-wide one), filtered by
    search text, city, tag, source channel and days in the pool, paginated by cursor."""
    qs = pool.pool_for(
        request.auth,
        q=q[:100],
        city=city[:30],
        tag=tag[:50],
        source=source or "",
        min_days=min_days,
        sort=ordering,
    ).prefetch_related("tags")
    rows, next_cursor = keyset_page(qs, pool.POOL_SORTS[ordering], cursor=cursor, limit=limit)
    return {"items": [_item(request.auth, c) for c in rows], "next_cursor": next_cursor}


@router.get("/status", response={200: ClaimStatusOut, **error_responses(401)})
def claim_status(request):
    """Your claims today and customers owned, against your team's caps."""
    status = pool.claim_status(request.auth)
    rule = status.pop("rule")
    return {**status, "rule_team": rule.team if rule else None}


@router.post("/{int:customer_id}/claim", response={200: OwnershipOut, **WRITE_ERRORS})
def claim(request, customer_id: int, response: HttpResponse, payload: ClaimIn | None = None):
    """Claim a pooled customer. 403 past your daily claim cap or most owned customers; 409
    when someone claimed it first, or when you own a customer with the same phone, e-mail or
    ID number (send ``confirm_duplicate: true`` to claim anyway)."""
    customer = pool.claim(
        request.auth,
        customer_id,
        confirm_duplicate=bool(payload and payload.confirm_duplicate),
    )
    response["ETag"] = etag(customer.version)
    return customer


@router.post("/{int:customer_id}/assign", response={200: OwnershipOut, **WRITE_ERRORS})
def assign(request, customer_id: int, payload: AssignIn, response: HttpResponse):
    """Hand a pooled customer to a rep of your team (managers of the pool's team, admins)."""
    to_user = User.objects.filter(pk=payload.to_user, is_active=True).first()
    if to_user is None:
        raise ValidationError({"to_user": _("Unknown user.")})
    customer = pool.assign(request.auth, customer_id, to_user, reason=payload.reason)
    response["ETag"] = etag(customer.version)
    return customer


@customer_router.post("/{int:customer_id}/release", response={200: OwnershipOut, **WRITE_ERRORS})
def release(request, customer_id: int, payload: ReleaseIn, response: HttpResponse):
    """Put your customer back in the public pool, with a reason (its owner, their manager or
    an admin)."""
    customer = pool.release(request.auth, customer_id, payload.reason)
    response["ETag"] = etag(customer.version)
    return customer


# --- rules ------------------------------------------------------------------------------------


@router.get("/rules", response={200: list[RuleOut], **error_responses(401)})
def list_rules(request):
    """The rules you may read: those you may set, and those governing your team."""
    return list(pool.rules_for(request.auth).order_by("team__name"))


@router.post("/rules", response={201: RuleOut, **WRITE_ERRORS})
def create_rule(request, payload: RuleIn):
    """Set a team's rule (one per team; its manager or an admin). 409 if it has one already:
    change it with PATCH."""
    team = Team.objects.filter(pk=payload.team).first()
    if team is None or not pool.can_configure(request.auth, team):
        raise ValidationError({"team": _("Unknown team, or not one you manage.")})
    if PoolRule.objects.filter(team=team).exists():
        raise pool.ClaimConflict(_("This team has a pool rule already; change it instead."))
    rule = pool.save_rule(request.auth, team, payload.model_dump(exclude={"team"}))
    return Status(201, rule)


@router.get("/rules/{int:rule_id}", response={200: RuleOut, **READ_ERRORS})
def get_rule(request, rule_id: int):
    return pool.access_rule(request.auth, rule_id)


@router.patch("/rules/{int:rule_id}", response={200: RuleOut, **WRITE_ERRORS})
def update_rule(request, rule_id: int, payload: RulePatch):
    """Change some fields of a rule; ``won_days``, ``daily_claim_cap`` and ``max_owned`` may be
    set to null (no such limit)."""
    rule = pool.access_rule(request.auth, rule_id)
    changes = payload.model_dump(exclude_unset=True)
    for name in ("followup_days", "warn_days", "scope", "active"):
        if name in changes and changes[name] is None:
            raise ValidationError({name: _("This field cannot be null.")})
    return pool.save_rule(request.auth, rule.team, changes)


@router.delete("/rules/{int:rule_id}", response={204: None, **WRITE_ERRORS})
def delete_rule(request, rule_id: int):
    pool.delete_rule(request.auth, rule_id)
    return Status(204, None)


def install_errors(api) -> None:
    """409 for a claim that lost the race, and for a likely duplicate on claim or on create
    (with the matches as field errors)."""

    def on_conflict(request, exc):
        return error_response(api, request, 409, str(exc))

    def on_duplicate(request, exc):
        detail = _(
            "You already own a customer with the same details; "
            "send confirm_duplicate: true to claim this one anyway."
        )
        return error_response(api, request, 409, detail, django_errors(exc))

    def on_new_duplicate(request, exc):
        detail = _(
            "A customer with the same details exists; "
            "send allow_duplicate: true to create this one anyway."
        )
        return error_response(api, request, 409, detail, django_errors(exc))

    api.add_exception_handler(pool.ClaimConflict, on_conflict)
    api.add_exception_handler(pool.DuplicateOwned, on_duplicate)
    api.add_exception_handler(LikelyDuplicate, on_new_duplicate)
