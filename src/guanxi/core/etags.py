"""ETags for versioned records: the ETag is the record's version, ``"7"``.

It is a strong validator of the *record* (every write raises the version), so it can be sent
back in ``If-Match``; the JSON body may still differ between users (masked fields), which is
why responses carrying it vary on the credentials anyway. ``If-Match`` accepts ``"7"``,
``W/"7"`` (clients that weaken tags) and a bare ``7``; ``*`` matches any version.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_TAG = re.compile(r'^\s*(?:W/)?"?(\d{1,10})"?\s*$')


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None) -> int | None:
    """The version an ``If-Match`` header asks for; None when absent or ``*``."""
    if if_match is None or if_match.strip() in ("", "*"):
        return None
    match = _TAG.match(if_match)
    if match is None:
        raise ValidationError({"If-Match": _('Send the ETag you received, e.g. "3".')})
    return int(match.group(1))
