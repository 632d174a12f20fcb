"""WeChat IDs (微信号): checked as the models' ``clean()`` and the import's quick check take them.

WeChat's own rule for a new ID is 6-20 characters starting with a letter, but IDs set under
older rules, and phone numbers or QQ numbers used as IDs, differ: what is refused is only what
no WeChat ID ever held (a space, punctuation, Chinese) and a length none ever had.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_CHARACTERS = re.compile(r"[A-Za-z0-9_-]*")
MIN_LENGTH, MAX_LENGTH = 5, 30


def normalize_wechat_id(raw: str) -> str:
    """``raw`` without surrounding spaces, or ValidationError when it is not a WeChat ID:
    letters a-z / A-Z, digits, "_" and "-" only, 5 to 30 of them. Empty stays empty."""
    value = (raw or "").strip()
    if not value:
        return ""
    if not _CHARACTERS.fullmatch(value):
        raise ValidationError(_("A WeChat ID has only Latin letters, digits, _ and -."))
    if not MIN_LENGTH <= len(value) <= MAX_LENGTH:
        raise ValidationError(
            _("A WeChat ID has %(min)d to %(max)d characters.")
            % {"min": MIN_LENGTH, "max": MAX_LENGTH}
        )
    return value
