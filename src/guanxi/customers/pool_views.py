"""The public pool pages (客户公海): the pool list, claim, assign, release, and the team rules.

Thin as the other customer pages: parse, call customers.pool, render; not visible → 404.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.accounts.models import Role, Team
from guanxi.core.links import local_url
from guanxi.core.phones import display_phone
from guanxi.customers import pool, queries, services
from guanxi.customers.forms import apply_errors
from guanxi.customers.masking import masks_for
from guanxi.customers.models import Customer, PoolRule, SourceChannel, Tag

MAX_DAYS_FILTER = 3650


class PoolRuleForm(forms.ModelForm):
    class Meta:
        model = PoolRule
        fields = list(pool.RULE_FIELDS)
        widgets = {
            name: forms.NumberInput(attrs={"class": "form-control", "min": 0})
            for name in ("followup_days", "won_days", "warn_days", "daily_claim_cap", "max_owned")
        } | {
            "scope": forms.Select(attrs={"class": "form-select"}),
            "active": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }


class ReleaseForm(forms.Form):
    reason = forms.CharField(
        label=_lazy("Why does the customer go back to the pool?"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "autofocus": True}),
    )


def _back(request, default: str) -> str:
    return local_url(request, request.POST.get("next")) or default


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_DAYS_FILTER else None


def _is_manager(user) -> bool:
    return user.is_superuser or user.role in (Role.ADMIN, Role.MANAGER)


@login_required
def pool_list(request):
    """The pooled customers the user sees, filtered, with a Claim button on each."""
    user = request.user
    now = timezone.now()
    source = request.GET.get("source", "")
    params = {
        "q": request.GET.get("q", "").strip()[:100],
        "city": request.GET.get("city", "").strip()[:30],
        "tag": request.GET.get("tag", "").strip()[:50],
        "source": source if source in SourceChannel.values and source else "",
        "min_days": _int(request.GET.get("days")),
    }
    qs = pool.pool_for(user, now=now, **params).prefetch_related("tags")
    page = Paginator(qs, settings.CUSTOMER_PAGE_SIZE).get_page(request.GET.get("page"))
    for customer in page.object_list:
        customer.shown_phone = display_phone(customer.phone, masked=masks_for(user, customer))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "nav": "pool",
        "page": page,
        "query": query.urlencode(),
        "params": params,
        "filtered": any(params.values()),
        "can_claim": user.can_write,
        "status": pool.claim_status(user, now),
        "now": now,
    }
    if request.htmx and request.htmx.target == "pool-table":
        return render(request, "customers/partials/pool_table.html", context)
    context.update(
        {
            "tags": Tag.objects.only("name"),
            "sources": [c for c in SourceChannel.choices if c[0]],
            "returning": pool.returning_soon(user, now),
            "assignees": queries.assignable_owners(user) if _is_manager(user) else None,
            "can_configure": pool.configurable_teams(user).exists(),
        }
    )
    return render(request, "customers/pool.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pool_claim(request, pk):
    """Claim a pooled customer; a likely duplicate of one's own asks for confirmation first."""
    user = request.user
    back = _back(request, reverse("customers:pool"))
    if request.method == "GET":
        return redirect(back)
    try:
        customer = pool.claim(user, pk, confirm_duplicate=request.POST.get("confirm") == "1")
    except pool.DuplicateOwned as exc:
        candidate = Customer.objects.visible_to(user).pooled().filter(pk=pk).first()
        if candidate is None:
            raise Http404 from None
        return render(
            request,
            "customers/pool_claim_confirm.html",
            {"nav": "pool", "customer": candidate, "messages_list": exc.messages, "next": back},
            status=409,
        )
    except (pool.ClaimConflict, PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(back)
    messages.success(request, _("%(name)s is now yours.") % {"name": customer.name})
    return redirect("customers:detail", pk=customer.pk)


@login_required
@require_POST
def pool_assign(request, pk):
    """A manager or an admin hands a pooled customer to a rep."""
    user = request.user
    back = _back(request, reverse("customers:pool"))
    to_user = queries.assignable_owners(user).filter(pk=_int(request.POST.get("to_user"))).first()
    try:
        if to_user is None:
            raise ValidationError(_("Choose the rep who gets the customer."))
        customer = pool.assign(user, pk, to_user, reason=request.POST.get("reason", "")[:200])
    except (pool.ClaimConflict, PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect(back)
    messages.success(
        request, _("%(name)s now belongs to %(user)s.") % {"name": customer.name, "user": to_user}
    )
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def customer_release(request, pk):
    """Put one's customer back in the pool, with a reason."""
    user = request.user
    customer = services.access_customer(user, pk)
    if customer.owner_id is None:
        return redirect("customers:detail", pk=customer.pk)
    if not (user.can_write and services.can_manage(user, customer)):
        raise PermissionDenied(_("Only the owner, their manager or an admin can do this."))
    form = ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pool.release(user, customer.pk, form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is back in the pool.") % {"name": customer.name})
            if Customer.objects.visible_to(user).filter(pk=customer.pk).exists():
                return redirect("customers:detail", pk=customer.pk)
            return redirect("customers:pool")
    return render(
        request,
        "customers/pool_release.html",
        {"nav": "customers", "customer": customer, "form": form},
    )


# --- rules ------------------------------------------------------------------------------------


@login_required
def pool_rules(request):
    """The teams whose rule the user may set, each with its own rule or the one it inherits."""
    user = request.user
    teams = list(pool.configurable_teams(user).order_by("name"))
    if not teams:
        raise PermissionDenied(_("Only an admin or a manager can set pool rules."))
    own = {r.team_id: r for r in PoolRule.objects.filter(team__in=teams).select_related("team")}
    rows = []
    from guanxi.accounts.queries import team_tree

    order = {t.pk: (i, t.depth) for i, t in enumerate(team_tree())}
    for team in sorted(teams, key=lambda t: order.get(t.pk, (0, 0))[0]):
        rule = own.get(team.pk)
        governing = rule if rule and rule.active else pool.rule_for_team(team.pk)
        rows.append(
            {
                "team": team,
                "depth": order.get(team.pk, (0, 0))[1],
                "rule": rule,
                "governing": governing,
            }
        )
    return render(request, "customers/pool_rules.html", {"nav": "pool", "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def pool_rule_edit(request, team_id):
    user = request.user
    team = Team.objects.filter(pk=team_id).first()
    if team is None or not pool.can_configure(user, team):
        raise Http404
    rule = PoolRule.objects.filter(team=team).first()
    form = PoolRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in pool.RULE_FIELDS}
        try:
            pool.save_rule(user, team, data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Pool rule of %(team)s saved.") % {"team": team})
            return redirect("customers:pool_rules")
    return render(
        request,
        "customers/pool_rule_form.html",
        {"nav": "pool", "team": team, "rule": rule, "form": form},
    )


@login_required
@require_POST
def pool_rule_delete(request, team_id):
    user = request.user
    rule = PoolRule.objects.filter(team_id=team_id).select_related("team").first()
    if rule is None or not pool.can_configure(user, rule.team):
        raise Http404
    pool.delete_rule(user, rule.pk)
    messages.success(request, _("Pool rule of %(team)s removed.") % {"team": rule.team})
    return redirect("customers:pool_rules")
