"""Forms of the interaction and task pages. They only shape input; the services validate
times, visibility and business rules, and their errors are put back on these forms."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.interactions.models import Direction, InteractionKind, Priority


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=InteractionKind.choices, initial=InteractionKind.CALL
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, initial=Direction.OUT
    )
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    occurred_at = forms.CharField(
        label=_("When"),
        required=False,
        help_text=_("YYYY-MM-DD HH:MM; empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    duration_minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.NumberInput(attrs={"min": 1})
    )
    outcome = forms.CharField(label=_("Outcome"), max_length=200, required=False)


class TaskForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("task", "Title"), max_length=200)
    due_at = forms.CharField(
        label=_("Due"),
        help_text=_("YYYY-MM-DD HH:MM, or a date for the end of that day."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    remind_at = forms.CharField(
        label=_("Remind me at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    recurrence_days = forms.CharField(
        label=_("Repeat every (days)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1}),
        help_text=_("Empty for a one-off task."),
    )
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    notes = forms.CharField(
        label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, assignees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Me"))] + [(u.pk, str(u)) for u in assignees]


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's errors on the form's fields (unknown fields go to the form)."""
    for field, messages in exc.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
