"""Forms for signing in, changing a password and the admin's users and teams pages.

The forms only parse input; the rules (lockout, password validators, cycles) live in
accounts.services, whose ValidationErrors are put back on the fields by ``apply_errors``.
"""

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Role, Team, User
from guanxi.accounts.queries import team_tree


def apply_errors(
    form: forms.Form, error: ValidationError, field_map=None, default_field=None
) -> None:
    """Attach a service's ValidationError to the form's fields (unknown fields go on top)."""
    field_map = field_map or {}
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            name = field_map.get(field, field)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(default_field, error)


class BootstrapForm(forms.Form):
    """Bootstrap 5 classes on every widget, and ``is-invalid`` on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class TeamChoiceField(forms.ModelChoiceField):
    """A team select showing the tree: sub-teams indented under their parent."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Team.objects.all())
        super().__init__(**kwargs)
        # A callable, so the tree is read when the form renders, not when this module loads.
        self.choices = self._tree_choices

    def _tree_choices(self):
        return [("", self.empty_label or "")] + [
            (t.pk, "\u2003" * t.depth + t.name) for t in team_tree()
        ]


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.username})" if str(obj) != obj.username else obj.username


class LoginForm(BootstrapForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordChangeForm(BootstrapForm):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        one, two = data.get("new_password1"), data.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


class UserCreateForm(BootstrapForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("Letters, digits and @ . + - _ only; used to sign in."),
        validators=[User.username_validator],
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}),
    )
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.REP)
    team = TeamChoiceField(label=_("Team"), required=False, empty_label=_("(no team)"))
    manager = UserChoiceField(
        label=_("Manager"),
        required=False,
        empty_label=_("(no manager)"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_username(self):
        # create_user refuses a taken name too; asking here lets one submit report everything.
        username = self.cleaned_data["username"]
        if User.objects.filter(username=username).exists():
            raise ValidationError(_("A user with that username already exists."))
        return username

    def clean(self):
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords differ."))
        elif one:
            # create_user checks again; checking here too reports every problem in one go,
            # not the username first and the password on the next try.
            candidate = User(
                username=data.get("username", ""),
                email=data.get("email", ""),
                display_name=data.get("display_name", ""),
            )
            try:
                password_validation.validate_password(one, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class UserEditForm(BootstrapForm):
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    team = TeamChoiceField(label=_("Team"), required=False, empty_label=_("(no team)"))
    manager = UserChoiceField(
        label=_("Manager"),
        required=False,
        empty_label=_("(no manager)"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Switch off a user who leaves: they can no longer sign in."),
    )

    def __init__(self, *args, user: User, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "display_name": user.display_name,
                "email": user.email,
                "role": user.role,
                "team": user.team_id,
                "manager": user.manager_id,
                "is_active": user.is_active,
            },
        )
        super().__init__(*args, **kwargs)
        # The current manager stays choosable even if since deactivated; nobody manages themself.
        self.fields["manager"].queryset = (
            (User.objects.filter(is_active=True) | User.objects.filter(pk=user.manager_id))
            .exclude(pk=user.pk)
            .order_by("username")
        )


class TeamCreateForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    parent = TeamChoiceField(label=_("Under"), required=False, empty_label=_("(top level)"))


class TeamMoveForm(BootstrapForm):
    team = TeamChoiceField(label=_("Team"), empty_label=_("Choose a team"))
    parent = TeamChoiceField(label=_("New parent"), required=False, empty_label=_("(top level)"))
