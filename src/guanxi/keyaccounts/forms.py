"""Forms of the key-account pages. They only shape input: every value is checked by the
services, whose errors are put back on these forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guanxi.keyaccounts.models import MAX_REVIEW_DAYS, Attitude, DecisionRole, GoalStatus


class PlanForm(forms.Form):
    strategy = forms.CharField(
        label=_("Strategy"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("How we grow this account: what they need, how we win, who we must convince."),
    )
    review_every_days = forms.CharField(
        label=_("Review every (days)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_REVIEW_DAYS}),
        help_text=_("A recurring review task for the owner; empty for no reviews."),
    )


class GoalForm(forms.Form):
    title = forms.CharField(label=_("Goal"), max_length=200, required=False)
    target_value = forms.CharField(
        label=_("Target value"), required=False, widget=forms.NumberInput(attrs={"step": "0.01"})
    )
    due_date = forms.CharField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices)


class RelationshipForm(forms.Form):
    contact = forms.ChoiceField(label=_("Contact"))
    role = forms.ChoiceField(label=_("Role in the decision"), choices=DecisionRole.choices)
    influence = forms.ChoiceField(
        label=_("Influence"),
        choices=[(i, f"{i}") for i in range(1, 6)],
        initial=3,
        help_text=_("1: little say, 5: decides."),
    )
    attitude = forms.ChoiceField(
        label=_("Attitude"), choices=Attitude.choices, initial=Attitude.NEUTRAL
    )
    owner = forms.ChoiceField(label=_("Relationship owner"), required=False)
    notes = forms.CharField(
        label=_("Notes"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, contacts=(), owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [("", "—")] + [
            (c.pk, f"{c.name} · {c.title}" if c.title else c.name) for c in contacts
        ]
        self.fields["owner"].choices = [("", "—")] + [(u.pk, str(u)) for u in owners]
