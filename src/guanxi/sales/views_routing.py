"""Pages under Sales ▸ Leads for managers and admins: the teams' assignment rules and the
public web-to-lead forms (with the snippet to embed); and the logged reveal of a lead's phone
or e-mail. A rep or analyst gets 403; another team's rule or form is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.phones import display_phone
from guanxi.sales import lead_routing, services
from guanxi.sales.forms import apply_errors
from guanxi.sales.forms_routing import AssignmentRuleForm, LeadFormSettingsForm


def _context(section: str, **extra) -> dict:
    return {"nav": "sales", "sales_nav": "leads", "routing_nav": section, **extra}


# --- assignment rules ---------------------------------------------------------------------------


@login_required
def rule_list(request):
    user = request.user
    lead_routing.require_configurer(user)
    rules = list(lead_routing.rules_for(user))
    teams = lead_routing.manageable_teams(user).order_by("name")
    without = [t for t in teams if t.pk not in {r.team_id for r in rules}]
    return render(
        request,
        "sales/lead_rules.html",
        _context("rules", rules=rules, teams_without_rule=without),
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_create(request):
    user = request.user
    lead_routing.require_configurer(user)
    teams = list(lead_routing.manageable_teams(user).order_by("name"))
    initial = {"mode": "round_robin", "active": True}
    if request.GET.get("team", "").isdigit():
        initial["team"] = int(request.GET["team"])
    form = AssignmentRuleForm(request.POST or None, teams=teams, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rule = lead_routing.save_rule(user, form.service_data())
        except ValidationError as exc:
            form.apply_service_errors(exc)
        else:
            messages.success(request, _("Rule for %(team)s saved.") % {"team": rule.team})
            return redirect("sales:lead_rules")
    status = 422 if request.method == "POST" else 200
    return render(
        request, "sales/lead_rule_form.html", _context("rules", form=form, rule=None), status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk):
    user = request.user
    rule = lead_routing.access_rule(user, pk)
    form = AssignmentRuleForm(
        request.POST or None, rule=rule, initial=AssignmentRuleForm.initial_for(rule)
    )
    if request.method == "POST" and form.is_valid():
        try:
            rule = lead_routing.save_rule(user, form.service_data(), rule_id=rule.pk)
        except ValidationError as exc:
            form.apply_service_errors(exc)
        else:
            messages.success(request, _("Rule for %(team)s saved.") % {"team": rule.team})
            return redirect("sales:lead_rules")
    status = 422 if request.method == "POST" else 200
    return render(
        request, "sales/lead_rule_form.html", _context("rules", form=form, rule=rule), status=status
    )


@login_required
@require_POST
def rule_delete(request, pk):
    rule = lead_routing.access_rule(request.user, pk)
    team = rule.team
    lead_routing.delete_rule(request.user, rule.pk)
    messages.success(request, _("Rule for %(team)s removed.") % {"team": team})
    return redirect("sales:lead_rules")


# --- web-to-lead forms ----------------------------------------------------------------------------


def _public_url(request, form) -> str:
    return request.build_absolute_uri(reverse("public_lead_form", args=[form.token]))


@login_required
def form_list(request):
    user = request.user
    lead_routing.require_configurer(user)
    forms = list(lead_routing.forms_for(user))
    for f in forms:
        f.public_url = _public_url(request, f)
    return render(request, "sales/lead_forms.html", _context("forms", forms=forms))


@login_required
@require_http_methods(["GET", "POST"])
def form_create(request):
    user = request.user
    lead_routing.require_configurer(user)
    teams = list(lead_routing.manageable_teams(user).order_by("name"))
    initial = {"source": "website", "active": True, "team": user.team_id}
    form = LeadFormSettingsForm(request.POST or None, teams=teams, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            web_form = lead_routing.save_lead_form(user, dict(form.cleaned_data))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Web form %(name)s created.") % {"name": web_form.name})
            return redirect("sales:lead_form_edit", pk=web_form.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "sales/lead_form_settings.html",
        _context("forms", form=form, web_form=None),
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def form_edit(request, pk):
    user = request.user
    web_form = lead_routing.access_form(user, pk)
    teams = list(lead_routing.manageable_teams(user).order_by("name"))
    initial = {
        "name": web_form.name,
        "team": web_form.team_id,
        "source": web_form.source,
        "thank_you": web_form.thank_you,
        "active": web_form.active,
    }
    form = LeadFormSettingsForm(request.POST or None, teams=teams, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            web_form = lead_routing.save_lead_form(user, dict(form.cleaned_data), form_id=pk)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Web form %(name)s saved.") % {"name": web_form.name})
            return redirect("sales:lead_form_edit", pk=web_form.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "sales/lead_form_settings.html",
        _context("forms", form=form, web_form=web_form, public_url=_public_url(request, web_form)),
        status=status,
    )


@login_required
@require_POST
def form_rotate(request, pk):
    web_form = lead_routing.rotate_form_token(request.user, pk)
    messages.success(
        request,
        _("New token for %(name)s: pages embedding the old address no longer work.")
        % {"name": web_form.name},
    )
    return redirect("sales:lead_form_edit", pk=web_form.pk)


# --- reveal ---------------------------------------------------------------------------------------


@login_required
@require_POST
def lead_reveal(request, pk, field):
    """Swap a masked phone or e-mail for the full value; the service logs the reveal."""
    if field not in ("phone", "email"):
        raise Http404
    value = services.reveal_lead_field(request.user, pk, field, request=request)
    shown = display_phone(value) if field == "phone" else value
    return render(request, "customers/partials/revealed.html", {"value": shown})
