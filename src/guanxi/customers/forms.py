"""Forms for the customer pages.

The forms only parse what the browser sent; the services validate (Customer.clean through
full_clean) and their ValidationError is mapped back onto the fields with ``apply_errors``.
"""

import re
from functools import lru_cache

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.customers.masking import SENSITIVE_FIELDS
from guanxi.customers.models import Contact, Customer, CustomField, ShareLevel
from guanxi.customers.services import EDITABLE_FIELDS

CUSTOM_PREFIX = "custom__"
MODEL_FIELDS = [f for f in EDITABLE_FIELDS if f != "custom"]
_TAG_SPLIT = re.compile(r"[,，、;；]")

# Groups of the profile card and of the form, in display order.
FIELD_GROUPS = [
    (_("Identity"), ["kind", "name", "gender", "birthday", "birthday_calendar", "id_number"]),
    (_("Contact"), ["phone", "phone_alt", "email", "wechat_id", "company_name"]),
    (_("Address & region"), ["province", "city", "district", "address"]),
    (
        _("Profile"),
        ["industry", "occupation", "income_band", "source_channel", "value_orientation", "notes"],
    ),
]
PERSON_ONLY = {"gender", "birthday", "birthday_calendar"}


def split_tags(text: str) -> list[str]:
    """ "VIP, 车主，广交会" → ["VIP", "车主", "广交会"] (ASCII and Chinese separators)."""
    return list(_split_tags(text or ""))


@lru_cache(maxsize=4096)
def _split_tags(text: str) -> tuple[str, ...]:
    # Every row of a list splits its tag names, and a company's customers share a few sets.
    return tuple(dict.fromkeys(t.strip() for t in _TAG_SPLIT.split(text) if t.strip()))


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a model/service ValidationError on the matching form fields.

    "custom.<key>" goes to the custom field input; a key the form lacks becomes a form error.
    """
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.message_dict.items():
        name = CUSTOM_PREFIX + key.split(".", 1)[1] if key.startswith("custom.") else key
        target = name if name in form.fields else None
        for message in errors:
            if target is None and key not in ("__all__",):
                label = _label(key)
                message = f"{label}: {message}" if label else message
            form.add_error(target, message)


def _label(key: str) -> str:
    try:
        return str(Customer._meta.get_field(key).verbose_name)
    except Exception:  # noqa: BLE001 - any unknown key is shown without a label
        return ""


class ServiceValidatedModelForm(forms.ModelForm):
    """A ModelForm that leaves model validation to the service (which calls full_clean).

    Its text inputs only take the text: a required one left empty, an e-mail's shape and a
    length are the model's to refuse, so one submit reports every problem at once. A check of
    the form's own would stop the submit before the service, hiding the model's errors (a bad
    phone) until the form's (a bad e-mail) were fixed. A required input keeps its mark."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self._meta.fields or ():
            field = self.fields.get(name)
            if isinstance(field, forms.CharField):  # an EmailField too
                field.validators = []
                field.validate = _checked_by_the_model

    def _post_clean(self):
        pass


def _checked_by_the_model(value) -> None:
    """A text input's ``validate``: nothing (Field.validate refuses an empty required value)."""


class CustomerForm(ServiceValidatedModelForm):
    """The create/edit form: EDITABLE_FIELDS, tags as text, custom fields from CustomField."""

    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=500, help_text=_("Separate tags with commas.")
    )

    class Meta:
        model = Customer
        fields = MODEL_FIELDS
        widgets = {
            "birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "phone_alt": forms.TextInput(attrs={"inputmode": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, custom_fields=(), owners=None, masked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.custom_fields = list(custom_fields)
        self.masked_fields: list[str] = []
        for field in self.custom_fields:
            self.fields[CUSTOM_PREFIX + field.key] = _custom_formfield(field)
            if self.instance.pk:
                self.initial[CUSTOM_PREFIX + field.key] = (self.instance.custom or {}).get(
                    field.key
                )
        if self.instance.pk:
            self.initial["tags"] = self.instance.tag_names
        if owners is not None:
            self.fields["owner"] = forms.ModelChoiceField(
                queryset=owners,
                label=_("Owner"),
                required=False,
                empty_label=_("Me"),
            )
        if masked and self.instance.pk:
            # Someone who sees these fields masked must not get them in full through the form:
            # the input starts empty and an empty input keeps the stored value.
            for name in SENSITIVE_FIELDS:
                current = getattr(self.instance, name)
                if not current:
                    continue
                self.masked_fields.append(name)
                self.initial[name] = ""
                self.fields[name].widget.attrs["placeholder"] = SENSITIVE_FIELDS[name](current)
                self.fields[name].help_text = _("Leave empty to keep the current value.")
        self.fields["kind"].widget.attrs["x-model"] = "kind"
        for bound in self.fields.values():
            widget = bound.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)

    def groups(self):
        """(title, [bound fields]) per group, then the tags and custom fields."""
        result = [
            (title, [self[n] for n in names if n in self.fields]) for title, names in FIELD_GROUPS
        ]
        extra = [self["tags"]] + [self[CUSTOM_PREFIX + f.key] for f in self.custom_fields]
        result.append((_("Tags & custom fields"), extra))
        return result

    def customer_data(self) -> dict:
        """The cleaned values as the service expects them (model fields plus ``custom``)."""
        data = {}
        for name in MODEL_FIELDS:
            value = self.cleaned_data.get(name)
            if name in self.masked_fields and not value:
                continue
            data[name] = "" if value is None and name != "birthday" else value
        custom = {}
        for field in self.custom_fields:
            value = self.cleaned_data.get(CUSTOM_PREFIX + field.key)
            if value not in (None, ""):
                custom[field.key] = value.isoformat() if hasattr(value, "isoformat") else value
        data["custom"] = custom
        return data

    def tag_list(self) -> list[str]:
        return split_tags(self.cleaned_data.get("tags", ""))


def _custom_formfield(field: CustomField) -> forms.Field:
    """The input for one custom field; its value is validated by CustomField.parse later
    (required, a choice, the length included: reported with the model's other errors)."""
    common = {"label": field.label, "required": field.required}
    if field.field_type == CustomField.FieldType.NUMBER:
        formfield = forms.CharField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
    elif field.field_type == CustomField.FieldType.DATE:
        formfield = forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    elif field.field_type == CustomField.FieldType.CHOICE:
        choices = [("", "---------")] + [(str(c), str(c)) for c in field.choices]
        formfield = forms.ChoiceField(choices=choices, **common)
    else:
        formfield = forms.CharField(max_length=500, **common)
    formfield.validators = []
    formfield.validate = _checked_by_the_model
    return formfield


def custom_fields() -> list[CustomField]:
    return list(CustomField.objects.filter(active=True))


class ContactForm(ServiceValidatedModelForm):
    """A contact on the customer's card: added or edited through the services."""

    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "email", "wechat_id", "is_primary", "notes"]
        # A person's name (姓名): the model's verbose name is also a company's (名称).
        labels = {"name": capfirst(pgettext_lazy("contact", "name"))}
        help_texts = {
            "is_primary": _("A customer has one: marking this contact unmarks the other."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound in self.fields.values():
            css = (
                "form-check-input"
                if isinstance(bound.widget, forms.CheckboxInput)
                else "form-control form-control-sm"
            )
            bound.widget.attrs.setdefault("class", css)


class TagsForm(forms.Form):
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


def _user_label(user) -> str:
    return f"{user} · {user.team}" if user.team_id else str(user)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _user_label(obj)


class TransferForm(forms.Form):
    to_user = UserChoiceField(
        queryset=None, label=_("New owner"), widget=forms.Select(attrs={"class": "form-select"})
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = users


class TransferAllForm(TransferForm):
    from_user = UserChoiceField(
        queryset=None,
        label=_("From (the leaving rep)"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    field_order = ["from_user", "to_user", "reason"]

    def __init__(self, *args, from_users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_user"].queryset = from_users


class ShareForm(forms.Form):
    """Share with one user or one team: the target is "user:<id>" or "team:<id>"."""

    target = forms.ChoiceField(
        label=_("Share with"), widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )
    level = forms.ChoiceField(
        label=_("Access"),
        choices=ShareLevel.choices,
        initial=ShareLevel.READ,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args, users, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.users = {u.pk: u for u in users}
        self.teams = {t.pk: t for t in teams}
        self.fields["target"].choices = [
            ("", "---------"),
            (_("Colleagues"), [(f"user:{pk}", _user_label(u)) for pk, u in self.users.items()]),
            (_("Teams"), [(f"team:{pk}", str(t)) for pk, t in self.teams.items()]),
        ]

    def target_kwargs(self) -> dict:
        kind, _sep, pk = self.cleaned_data["target"].partition(":")
        if kind == "user":
            return {"to_user": self.users[int(pk)]}
        return {"to_team": self.teams[int(pk)]}


class BulkForm(forms.Form):
    """The bulk action on the selected rows of the list (the ids are parsed by ``selected_ids``;
    the services keep only the customers the user may edit or manage)."""

    ACTIONS = [
        ("transfer", _("Transfer to a colleague")),
        ("share", _("Share")),
        ("tag", _("Add tag")),
    ]

    action = forms.ChoiceField(choices=ACTIONS)
    to_user = forms.IntegerField(required=False)
    target = forms.CharField(required=False, max_length=30)
    level = forms.ChoiceField(choices=ShareLevel.choices, required=False)
    tags = forms.CharField(required=False, max_length=500)
    reason = forms.CharField(required=False, max_length=200)


def selected_ids(data, limit: int = 1000) -> list[int]:
    """The checked row ids, ignoring anything that is not a number."""
    return list(dict.fromkeys(int(v) for v in data.getlist("ids") if v.isdigit()))[:limit]
