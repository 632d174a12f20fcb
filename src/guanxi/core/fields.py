"""Model fields shared by every domain."""

from django.core.validators import MaxLengthValidator
from django.db import models


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
