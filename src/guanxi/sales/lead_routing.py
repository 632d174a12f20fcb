"""Services for where new leads go: the teams' assignment rules, assign_lead(), the public
web-to-lead forms and capture_web_lead().

Like sales.services, every change takes the acting user (None for the anonymous web visitor),
validates before writing, and runs in one transaction; the assignee's notification is sent on
commit. A rule or form of a team the user does not manage is a 404; a rep or analyst asking for
these pages at all is a 403.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.accounts.models import Role, Team, TeamClosure, User
from guanxi.accounts.services import subteam_ids
from guanxi.core.notifications import notify
from guanxi.customers.models import Customer, SourceChannel
from guanxi.sales.models import AssignmentRule, Lead, LeadForm, RegionRoute, new_form_token

# ---------------------------------------------------------------------------------------------
# Who may configure


def can_configure(user) -> bool:
    """Admins and managers configure rules and web forms (managers: their teams only)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.role in (Role.ADMIN, Role.MANAGER))
    )


def require_configurer(user) -> None:
    if not can_configure(user):
        raise PermissionDenied(_("Only a manager or an admin can configure lead routing."))


def manageable_teams(user):
    """The teams whose rules and forms ``user`` may change: an admin all, a manager their team
    and every team below it."""
    if not can_configure(user):
        return Team.objects.none()
    if user.is_superuser or user.role == Role.ADMIN:
        return Team.objects.all()
    if not user.team_id:
        return Team.objects.none()
    return Team.objects.filter(pk__in=subteam_ids(user.team_id))


def _team(user, value, field: str = "team") -> Team:
    try:
        pk = int(value.pk if isinstance(value, Team) else value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Choose a team.")}) from None
    team = manageable_teams(user).filter(pk=pk).first()
    if team is None:
        raise ValidationError({field: _("Choose one of the teams you manage.")})
    return team


def _team_members(team: Team):
    """Active users who can own leads, in the team or a team below it."""
    return User.objects.filter(
        team_id__in=subteam_ids(team.pk),
        is_active=True,
        role__in=(Role.REP, Role.MANAGER),
    )


# ---------------------------------------------------------------------------------------------
# Assignment rules


def rules_for(user):
    """The rules of the teams the user manages, with members and routes prefetched."""
    return (
        AssignmentRule.objects.filter(team__in=manageable_teams(user))
        .select_related("team", "last_assigned")
        .prefetch_related("members", "routes__member")
        .order_by("team__name", "pk")
    )


def access_rule(user, rule_id) -> AssignmentRule:
    """The rule if the user manages its team; 403 for a role that configures nothing, 404 for
    another team's rule."""
    require_configurer(user)
    try:
        pk = int(rule_id)
    except (TypeError, ValueError):
        raise Http404 from None
    rule = rules_for(user).filter(pk=pk).first()
    if rule is None:
        raise Http404
    return rule


def _normal_region(value: str) -> str:
    """ "广东省" and "广东", "广州市" and "广州" name the same place; case and spaces do not count."""
    text = "".join((value or "").split()).lower()
    for suffix in ("省", "市"):
        if len(text) > len(suffix) + 1 and text.endswith(suffix):
            text = text[: -len(suffix)]
    return text


def _parse_members(team: Team, values) -> list[User]:
    if values is None:
        values = []
    if isinstance(values, str | int):
        values = [values]
    ids: list[int] = []
    for value in values:
        try:
            ids.append(int(value.pk if isinstance(value, User) else value))
        except (TypeError, ValueError):
            raise ValidationError({"members": _("Unknown user.")}) from None
    if not ids:
        raise ValidationError({"members": _("Choose at least one member to hand leads to.")})
    found = {u.pk: u for u in _team_members(team).filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        names = ", ".join(
            str(u) for u in User.objects.filter(pk__in=missing).order_by("username")
        ) or ", ".join(map(str, missing))
        raise ValidationError(
            {
                "members": _(
                    "%(names)s cannot take part: members must be active reps or managers of "
                    "%(team)s."
                )
                % {"names": names, "team": team}
            }
        )
    return [found[i] for i in dict.fromkeys(ids)]


def _parse_routes(team: Team, routes) -> list[RegionRoute]:
    parsed: list[RegionRoute] = []
    seen: set[tuple[str, str]] = set()
    allowed = None
    for i, route in enumerate(routes or []):
        if not isinstance(route, dict):
            raise ValidationError({f"routes.{i}": _("Give a province, a city and a member.")})
        province = str(route.get("province") or "").strip()
        city = str(route.get("city") or "").strip()
        if not province:
            raise ValidationError({f"routes.{i}.province": _("Name the province.")})
        if len(province) > 30 or len(city) > 30:
            raise ValidationError({f"routes.{i}.city": _("At most 30 characters.")})
        key = (_normal_region(province), _normal_region(city))
        if key in seen:
            raise ValidationError({f"routes.{i}.city": _("This region is listed twice.")})
        seen.add(key)
        member = route.get("member")
        try:
            member_id = int(member.pk if isinstance(member, User) else member)
        except (TypeError, ValueError):
            raise ValidationError({f"routes.{i}.member": _("Unknown user.")}) from None
        if allowed is None:
            allowed = {u.pk: u for u in _team_members(team)}
        if member_id not in allowed:
            raise ValidationError(
                {
                    f"routes.{i}.member": _(
                        "The member must be an active rep or manager of %(team)s."
                    )
                    % {"team": team}
                }
            )
        parsed.append(RegionRoute(province=province, city=city, member=allowed[member_id]))
    return parsed


RULE_FIELDS = ("team", "mode", "members", "active", "routes")


@transaction.atomic
def save_rule(user, data: dict, *, rule_id=None) -> AssignmentRule:
    """Create a team's rule, or change one (``rule_id``): mode, the members taking part, the
    region routes (a list of {province, city, member}) and whether it is active. The team of an
    existing rule does not change. A team has at most one rule."""
    unknown = set(data) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({f: _("Unknown field.") for f in sorted(unknown)})
    if rule_id is not None:
        rule = access_rule(user, rule_id)
        rule = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
        team = rule.team
    else:
        require_configurer(user)
        team = _team(user, data.get("team"))
        if AssignmentRule.objects.filter(team=team).exists():
            raise ValidationError(
                {"team": _("%(team)s already has a rule: change that one.") % {"team": team}}
            )
        rule = AssignmentRule(team=team)
    mode = data.get("mode", rule.mode)
    if mode not in AssignmentRule.Mode.values:
        raise ValidationError({"mode": _("Choose round robin or by region.")})
    members = (
        _parse_members(team, data["members"])
        if "members" in data or rule.pk is None
        else list(rule.members.all())
    )
    routes = _parse_routes(team, data["routes"]) if "routes" in data else None
    if mode == AssignmentRule.Mode.REGION and routes is None and rule.pk is None:
        routes = []
    if "active" in data:
        rule.active = bool(data["active"])
    rule.mode = mode
    rule.updated_by = user
    rule.save()
    rule.members.set(members)
    if routes is not None:
        rule.routes.all().delete()
        for route in routes:
            route.rule = rule
        RegionRoute.objects.bulk_create(routes)
    return access_rule(user, rule.pk)


@transaction.atomic
def delete_rule(user, rule_id) -> None:
    """Remove a team's rule: its new leads then stay with whoever captured them."""
    access_rule(user, rule_id).delete()


def rule_for_team(team_id: int | None) -> AssignmentRule | None:
    """The active rule that routes a team's leads: the team's own, else the nearest team above."""
    if team_id is None:
        return None
    ancestors = TeamClosure.objects.filter(descendant_id=team_id).values("ancestor_id")
    rules = {
        r.team_id: r for r in AssignmentRule.objects.filter(active=True, team_id__in=ancestors)
    }
    if not rules:
        return None
    depth = dict(
        TeamClosure.objects.filter(descendant_id=team_id, ancestor_id__in=rules).values_list(
            "ancestor_id", "depth"
        )
    )
    return rules[min(rules, key=lambda t: depth.get(t, 1 << 30))]


def _next_in_turn(member_ids: list[int], last_id: int | None) -> int:
    """The member after ``last_id`` in id order, wrapping round; the first when the cursor is
    unset or its member left the rule (so changing the members keeps the turn order fair)."""
    ordered = sorted(member_ids)
    if last_id is not None:
        for pk in ordered:
            if pk > last_id:
                return pk
    return ordered[0]


def _region_match(rule: AssignmentRule, province: str, city: str) -> User | None:
    """The member routed to the lead's city (within its province, when both are given), else
    to its whole province; None when no route matches."""
    province, city = _normal_region(province), _normal_region(city)
    best = None
    for route in rule.routes.select_related("member"):
        member = route.member
        if not member.is_active or member.role not in (Role.REP, Role.MANAGER):
            continue
        route_province, route_city = _normal_region(route.province), _normal_region(route.city)
        if route_city:
            if city and route_city == city and (not province or route_province == province):
                return member
        elif province and route_province == province and best is None:
            best = member
    return best


def assign_lead(lead: Lead, *, team_id: int | None, actor=None) -> User | None:
    """Give ``lead`` an owner by the rule of ``team_id`` (or the nearest team above that has
    one) and tell the owner; None when no active rule applies (the lead is left as it is).

    The rule row is locked (select_for_update) while its round-robin cursor moves, so leads
    arriving at the same moment take distinct turns. Call inside the creating transaction."""
    rule = rule_for_team(team_id)
    if rule is None:
        return None
    with transaction.atomic():
        rule = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
        member_ids = list(
            rule.members.filter(is_active=True, role__in=(Role.REP, Role.MANAGER)).values_list(
                "pk", flat=True
            )
        )
        owner = None
        if rule.mode == AssignmentRule.Mode.REGION:
            owner = _region_match(rule, lead.province, lead.city)
        if owner is None:
            if not member_ids:
                return None
            owner = User.objects.get(pk=_next_in_turn(member_ids, rule.last_assigned_id))
            rule.last_assigned = owner
        rule.assigned_count += 1
        rule.save(update_fields=["last_assigned", "assigned_count", "updated_at"])
        lead.owner = owner
        lead.save(update_fields=["owner", "updated_at"])
    url = reverse("sales:lead", args=[lead.pk])

    def message() -> str:  # in the owner's language
        return _("Lead %(name)s was assigned to you by the %(team)s rule.") % {
            "name": lead,
            "team": rule.team,
        }

    transaction.on_commit(
        lambda: notify([owner], actor=actor, verb="assigned", message=message, url=url)
    )
    return owner


# ---------------------------------------------------------------------------------------------
# Duplicates


def mark_duplicate(lead: Lead) -> bool:
    """Link a captured lead to the first customer and the first lead it looks like (same phone,
    same e-mail, or same name at the same company); True when anything matched."""
    from guanxi.sales.services import _customer_matches, _lead_matches

    for q in _customer_matches(lead.phone, lead.email, lead.name, lead.company).values():
        match = Customer.objects.alive().filter(q).order_by("pk").values_list("pk", flat=True)
        first = match.first()
        if first is not None:
            lead.duplicate_customer_id = first
            break
    for q in _lead_matches(lead.phone, lead.email, lead.name, lead.company).values():
        leads = Lead.objects.filter(q).exclude(status=Lead.Status.CONVERTED)
        if lead.pk:
            leads = leads.exclude(pk=lead.pk)
        first = leads.order_by("pk").values_list("pk", flat=True).first()
        if first is not None:
            lead.duplicate_of_id = first
            break
    return bool(lead.duplicate_customer_id or lead.duplicate_of_id)


def duplicate_notes(user, lead: Lead) -> list[dict]:
    """ "Possible duplicate of …" for the lead page: a link when the user may see the match,
    else only its owner, as find_duplicates does."""
    notes = []
    if lead.duplicate_of_id:
        other = Lead.objects.select_related("owner").filter(pk=lead.duplicate_of_id).first()
        if other is not None:
            if Lead.objects.visible_to(user).filter(pk=other.pk).exists():
                notes.append(
                    {
                        "text": _("Possible duplicate of lead %(name)s (#%(id)d).")
                        % {"name": other, "id": other.pk},
                        "url": reverse("sales:lead", args=[other.pk]),
                    }
                )
            else:
                notes.append(
                    {
                        "text": _("Possible duplicate of a lead owned by %(owner)s.")
                        % {"owner": other.owner or _("nobody")},
                        "url": "",
                    }
                )
    if lead.duplicate_customer_id:
        customer = (
            Customer.objects.select_related("owner").filter(pk=lead.duplicate_customer_id).first()
        )
        if customer is not None:
            if Customer.objects.visible_to(user).filter(pk=customer.pk).exists():
                notes.append(
                    {
                        "text": _("Possible duplicate of customer %(name)s (#%(id)d).")
                        % {"name": customer.name, "id": customer.pk},
                        "url": reverse("customers:detail", args=[customer.pk]),
                    }
                )
            else:
                notes.append(
                    {
                        "text": _("Possible duplicate of a customer owned by %(owner)s.")
                        % {"owner": customer.owner},
                        "url": "",
                    }
                )
    return notes


# ---------------------------------------------------------------------------------------------
# Web-to-lead forms

FORM_FIELDS = ("name", "team", "source", "active", "thank_you")


def forms_for(user):
    """The web forms of the teams the user manages, with how many leads each brought."""
    return (
        LeadForm.objects.filter(team__in=manageable_teams(user))
        .select_related("team")
        .annotate(lead_count=Count("leads"))
        .order_by("name", "pk")
    )


def access_form(user, form_id) -> LeadForm:
    require_configurer(user)
    try:
        pk = int(form_id)
    except (TypeError, ValueError):
        raise Http404 from None
    form = forms_for(user).filter(pk=pk).first()
    if form is None:
        raise Http404
    return form


@transaction.atomic
def save_lead_form(user, data: dict, *, form_id=None) -> LeadForm:
    """Create or change a web form: its name, the team whose rule assigns its leads, the source
    its leads carry, whether it takes submissions, and the thank-you message."""
    unknown = set(data) - set(FORM_FIELDS)
    if unknown:
        raise ValidationError({f: _("Unknown field.") for f in sorted(unknown)})
    if form_id is not None:
        form = access_form(user, form_id)
    else:
        require_configurer(user)
        form = LeadForm(created_by=user)
    errors: dict[str, str] = {}
    if "name" in data or form.pk is None:
        form.name = str(data.get("name") or "").strip()
        if not form.name:
            errors["name"] = _("This field is required.")
        elif len(form.name) > 100:
            errors["name"] = _("At most 100 characters.")
    if "team" in data or form.pk is None:
        try:
            form.team = _team(user, data.get("team"))
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if "source" in data:
        source = data.get("source") or ""
        if source not in SourceChannel.values:
            errors["source"] = _("Unknown source.")
        else:
            form.source = source
    if "active" in data:
        form.active = bool(data["active"])
    if "thank_you" in data:
        form.thank_you = str(data.get("thank_you") or "").strip()
        if len(form.thank_you) > 500:
            errors["thank_you"] = _("At most 500 characters.")
    if errors:
        raise ValidationError(errors)
    form.save()
    return form


@transaction.atomic
def rotate_form_token(user, form_id) -> LeadForm:
    """Give the form a new secret token: pages embedding the old one stop working (404)."""
    form = access_form(user, form_id)
    form.token = new_form_token()
    form.save(update_fields=["token", "updated_at"])
    return form


def active_form(token: str) -> LeadForm:
    """The active form with this token, else 404 (unknown, rotated and inactive alike)."""
    token = (token or "").strip()
    if not token or len(token) > 64:
        raise Http404
    form = LeadForm.objects.select_related("team").filter(token=token, active=True).first()
    if form is None:
        raise Http404
    return form


WEB_FIELDS = ("name", "company", "title", "phone", "email", "province", "city", "notes")


@transaction.atomic
def capture_web_lead(form: LeadForm, data: dict) -> Lead:
    """Store a lead posted by a visitor to a public form, with nobody signed in.

    Unknown fields are ignored (embedding pages add their own); the known ones must be text
    within their lengths, with a name and a phone or e-mail. A lead that looks like a known
    customer or lead is kept and linked to it (``duplicate_of`` / ``duplicate_customer``) so
    the rep sees "possible duplicate of …". The form's team rule then picks the owner."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for field in WEB_FIELDS:
        value = data.get(field, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors[field] = _("Enter text.")
            continue
        value = value.strip()
        limit = Lead._meta.get_field(field).max_length
        if limit and len(value) > limit:
            errors[field] = _("At most %(n)d characters.") % {"n": limit}
            continue
        values[field] = value
    if not errors and not values.get("phone") and not values.get("email"):
        errors["phone"] = _("Leave a phone number or an e-mail address.")
    if errors:
        raise ValidationError(errors)
    lead = Lead(owner=None, created_by=None, source=form.source, web_form=form, **values)
    lead.full_clean(
        exclude=["owner", "created_by", "web_form", "duplicate_of", "duplicate_customer"],
        validate_unique=False,
        validate_constraints=False,
    )
    mark_duplicate(lead)
    lead.save()
    assign_lead(lead, team_id=form.team_id, actor=None)
    return lead
