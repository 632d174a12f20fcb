"""Model fields shared by every domain."""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext as _g


class BoundedTextField(models.TextField):
    """A TextField that enforces its ``max_length`` (Django's TextField only passes it to the
    form widget, so a service or import could otherwise store text of any length)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(MaxLengthValidator(self.max_length))

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        kwargs.pop("validators", None)  # added by __init__ from max_length
        return name, "guanxi.core.fields.BoundedTextField", args, kwargs


def trim_required(instance: models.Model, name: str, errors: dict) -> None:
    """Strip ``instance.<name>`` in a model's ``clean``; spaces only are a missing value.

    An empty value is reported by the field's own check (``clean_fields``, which runs first),
    so it is not reported here again: a missing name is said once."""
    given = getattr(instance, name) or ""
    setattr(instance, name, given.strip())
    if given and not given.strip():
        errors.setdefault(name, []).append(_g("This field is required."))
