"""Model fields shared by every domain."""

import re

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


#: A name of Chinese characters with spaces between them ("王 伟", "欧阳　娜娜"): office sheets
#: pad a two-character name to the width of three, in half- or full-width spaces.
_SPACED_HAN = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff·]+(?:[ \u3000]+[\u3400-\u4dbf\u4e00-\u9fff·]+)+"
)
_SPACES = re.compile(r"[ \u3000]+")


def closed_up(name: str) -> str:
    """``name`` without the spaces between its Chinese characters, when it is all Chinese:
    "王 伟" is 王伟, whom search, the duplicate check and the list then find as one; a Latin
    name ("Wang Wei") or a mixed one ("王 Wei") keeps one space where it had several."""
    if " " not in name and "\u3000" not in name:
        return name
    return _SPACES.sub("" if _SPACED_HAN.fullmatch(name) else " ", name)


def trim_required(instance: models.Model, name: str, errors: dict) -> None:
    """Strip ``instance.<name>`` in a model's ``clean``; spaces only are a missing value.

    An empty value is reported by the field's own check (``clean_fields``, which runs first),
    so it is not reported here again: a missing name is said once."""
    given = getattr(instance, name) or ""
    setattr(instance, name, given.strip())
    if given and not given.strip():
        errors.setdefault(name, []).append(_g("This field is required."))
