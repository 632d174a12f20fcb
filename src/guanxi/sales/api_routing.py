"""API routes for lead routing: /leads/rules (the teams' assignment rules), /leads/forms (the
public web-to-lead forms) and /leads/{id}/reveal. Managers see and change their teams' rules
and forms, admins all; a rep or analyst gets 403, another team's rule or form is a 404."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from guanxi.core.api_errors import error_responses
from guanxi.sales import lead_routing, services
from guanxi.sales.schemas_routing import (
    AssignmentRuleIn,
    AssignmentRuleOut,
    AssignmentRulePatch,
    LeadFormIn,
    LeadFormOut,
    LeadFormPatch,
)

router = Router(tags=["sales"])

READ_ERRORS = error_responses(401, 403, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 422)


def _rule_data(payload, *, exclude_unset: bool) -> dict:
    data = payload.model_dump(exclude_unset=exclude_unset)
    if data.get("routes") is not None:
        data["routes"] = [dict(r) for r in data["routes"]]
    return {k: v for k, v in data.items() if v is not None or k == "routes"}


@router.get("/leads/rules", response={200: list[AssignmentRuleOut], **READ_ERRORS})
def list_rules(request):
    """The assignment rules of the teams you manage (admin: every team)."""
    lead_routing.require_configurer(request.auth)
    return list(lead_routing.rules_for(request.auth))


@router.post("/leads/rules", response={201: AssignmentRuleOut, **WRITE_ERRORS})
def create_rule(request, payload: AssignmentRuleIn):
    """Give a team its rule: ``round_robin`` hands new unowned leads to ``members`` in turn;
    ``region`` sends them by the lead's province/city through ``routes`` and falls back to
    round robin. A team has one rule."""
    rule = lead_routing.save_rule(request.auth, _rule_data(payload, exclude_unset=False))
    return Status(201, rule)


@router.get("/leads/rules/{int:rule_id}", response={200: AssignmentRuleOut, **READ_ERRORS})
def get_rule(request, rule_id: int):
    return lead_routing.access_rule(request.auth, rule_id)


@router.patch("/leads/rules/{int:rule_id}", response={200: AssignmentRuleOut, **WRITE_ERRORS})
def update_rule(request, rule_id: int, payload: AssignmentRulePatch):
    """Change the mode, members, routes (sent routes replace all) or switch the rule off."""
    data = _rule_data(payload, exclude_unset=True)
    if "routes" in data and data["routes"] is None:
        del data["routes"]
    return lead_routing.save_rule(request.auth, data, rule_id=rule_id)


@router.delete("/leads/rules/{int:rule_id}", response={204: None, **WRITE_ERRORS})
def delete_rule(request, rule_id: int):
    lead_routing.delete_rule(request.auth, rule_id)
    return Status(204, None)


@router.get("/leads/forms", response={200: list[LeadFormOut], **READ_ERRORS})
def list_forms(request):
    """The web-to-lead forms of the teams you manage, with their public URLs."""
    lead_routing.require_configurer(request.auth)
    return list(lead_routing.forms_for(request.auth))


@router.post("/leads/forms", response={201: LeadFormOut, **WRITE_ERRORS})
def create_form(request, payload: LeadFormIn):
    form = lead_routing.save_lead_form(request.auth, payload.model_dump())
    return Status(201, form)


@router.patch("/leads/forms/{int:form_id}", response={200: LeadFormOut, **WRITE_ERRORS})
def update_form(request, form_id: int, payload: LeadFormPatch):
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return lead_routing.save_lead_form(request.auth, data, form_id=form_id)


@router.post("/leads/forms/{int:form_id}/rotate", response={200: LeadFormOut, **WRITE_ERRORS})
def rotate_form(request, form_id: int):
    """A new secret token: pages that embed the old URL get 404 from now on."""
    return lead_routing.rotate_form_token(request.auth, form_id)


class LeadRevealIn(Schema):
    field: str


class LeadRevealOut(Schema):
    field: str
    value: str


@router.post(
    "/leads/{int:lead_id}/reveal",
    response={200: LeadRevealOut, **error_responses(400, 401, 403, 404, 422)},
)
def reveal_lead(request, lead_id: int, payload: LeadRevealIn):
    """The full phone or e-mail of a lead shown masked to you; every reveal is logged."""
    if payload.field not in ("phone", "email"):
        raise ValidationError({"field": _("Only the phone and e-mail are masked.")})
    value = services.reveal_lead_field(
        request.auth, lead_id, payload.field, request=request, via="api"
    )
    return {"field": payload.field, "value": value}
