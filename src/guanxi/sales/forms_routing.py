"""Forms for the lead-routing pages: a team's assignment rule and a web-to-lead form. They only
parse; sales.lead_routing validates, and its errors come back on the fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Role, User
from guanxi.accounts.services import subteam_ids
from guanxi.customers.models import SourceChannel
from guanxi.sales.forms import StyledForm
from guanxi.sales.models import AssignmentRule

MAX_ROUTES = 200


class AssignmentRuleForm(StyledForm):
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, choices=())
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=AssignmentRule.Mode.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Round robin hands each new lead to the next member in turn. By region sends a lead "
            "to the member named for its city, else its province, and uses round robin when "
            "nothing matches."
        ),
    )
    members = forms.TypedMultipleChoiceField(
        label=_("Members taking part"),
        coerce=int,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Active reps and managers of the team or a team below it."),
    )
    routes = forms.CharField(
        label=_("Regions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "广东, 广州, alice\n广东, , bob"}),
        help_text=_(
            "One line per region: province, city (may be empty for the whole province), "
            "user name. Only used by region mode."
        ),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, teams=(), rule=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule = rule
        if rule is not None:
            del self.fields["team"]
            team_ids = [rule.team_id]
        else:
            self.fields["team"].choices = [(t.pk, t.name) for t in teams]
            team_ids = [t.pk for t in teams]
        people = (
            User.objects.filter(
                team_id__in=subteam_ids(team_ids[0]) if rule is not None else team_ids,
                is_active=True,
                role__in=(Role.REP, Role.MANAGER),
            )
            .select_related("team")
            .order_by("team__name", "username")
        )
        self.fields["members"].choices = [(u.pk, f"{u} · {u.team}") for u in people]
        for name in ("mode", "members"):
            self.fields[name].widget.attrs.pop("class", None)

    def clean_routes(self) -> list[dict]:
        routes = []
        lines = [line for line in self.cleaned_data["routes"].splitlines() if line.strip()]
        if len(lines) > MAX_ROUTES:
            raise ValidationError(_g("At most %(n)d regions.") % {"n": MAX_ROUTES})
        usernames: dict[str, int] = {}
        for number, line in enumerate(lines, start=1):
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if len(parts) != 3:
                raise ValidationError(
                    _g("Line %(n)d: write province, city, user name.") % {"n": number}
                )
            usernames[parts[2]] = 0
            routes.append({"province": parts[0], "city": parts[1], "member": parts[2]})
        found = dict(
            User.objects.filter(username__in=list(usernames)).values_list("username", "pk")
        )
        for number, route in enumerate(routes, start=1):
            if route["member"] not in found:
                raise ValidationError(
                    _g("Line %(n)d: no user called %(name)s.")
                    % {"n": number, "name": route["member"]}
                )
            route["member"] = found[route["member"]]
        return routes

    def service_data(self) -> dict:
        data = {
            "mode": self.cleaned_data["mode"],
            "members": self.cleaned_data["members"],
            "routes": self.cleaned_data["routes"],
            "active": self.cleaned_data["active"],
        }
        if "team" in self.fields:
            data["team"] = self.cleaned_data["team"]
        return data

    def apply_service_errors(self, exc: ValidationError) -> None:
        """Service keys like "routes.2.member" become errors on the regions box, by line."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for key, messages in exc.message_dict.items():
            field, _dot, rest = key.partition(".")
            for message in messages:
                if field == "routes" and rest:
                    line = int(rest.split(".")[0]) + 1
                    message = _g("Line %(n)d: %(message)s") % {"n": line, "message": message}
                self.add_error(field if field in self.fields else None, message)

    @staticmethod
    def initial_for(rule: AssignmentRule) -> dict:
        return {
            "mode": rule.mode,
            "members": [u.pk for u in rule.members.all()],
            "active": rule.active,
            "routes": "\n".join(
                f"{r.province}, {r.city}, {r.member.username}" for r in rule.routes.all()
            ),
        }


class LeadFormSettingsForm(StyledForm):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("Shown as the title of the hosted page.")
    )
    team = forms.TypedChoiceField(
        label=_("Team"),
        coerce=int,
        choices=(),
        help_text=_("The team whose assignment rule hands out this form's leads."),
    )
    source = forms.ChoiceField(
        label=_("Source"), choices=SourceChannel.choices, required=False, initial="website"
    )
    thank_you = forms.CharField(
        label=_("Thank-you message"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown to the visitor after sending; a standard thank-you when empty."),
    )
    active = forms.BooleanField(label=_("Takes leads"), required=False, initial=True)

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.pk, t.name) for t in teams]
