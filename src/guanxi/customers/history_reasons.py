"""Why a customer's history row was written: stored as fixed English words (an API client and
every past row read the same), shown in the reader's language by ``shown``.

A reason a person typed (a transfer's or a release's) is stored and shown as typed."""

import re

from django.utils.translation import pgettext_lazy

IMPORT = "import"
BULK_TAG = "bulk tag"
DELETED = "deleted"
RESTORED = "restored"
TRANSFER = "transfer"
#: A contact no longer primary because another was made primary (one a customer: 0030).
ONE_PRIMARY = "one primary contact"
#: Customers and contacts made by ``guanxi demo`` (ops.demo).
DEMO = "demo data"
#: Stored values put in their one form by a migration (0035's phones, 0040's cities).
PHONE_DIGITS = "phone digits normalised"
CITY_NAME = "city name normalised"

_WORDS = {
    IMPORT: pgettext_lazy("history reason", "import"),
    BULK_TAG: pgettext_lazy("history reason", "bulk tag"),
    DELETED: pgettext_lazy("history reason", "deleted"),
    RESTORED: pgettext_lazy("history reason", "restored"),
    TRANSFER: pgettext_lazy("history reason", "transfer"),
    ONE_PRIMARY: pgettext_lazy("history reason", "one primary contact"),
    DEMO: pgettext_lazy("history reason", "demo data"),
    PHONE_DIGITS: pgettext_lazy("history reason", "phone digits normalised"),
    CITY_NAME: pgettext_lazy("history reason", "city name normalised"),
}
# (the stored shape with the customer's number as (\d+), how it is shown)
_SHAPES = [
    (
        re.compile(r"merged #(\d+) into this customer"),
        pgettext_lazy("history reason", "merged #%(id)s into this customer"),
    ),
    (re.compile(r"merged into #(\d+)"), pgettext_lazy("history reason", "merged into #%(id)s")),
    (
        re.compile(r"merge with #(\d+) undone"),
        pgettext_lazy("history reason", "merge with #%(id)s undone"),
    ),
    (
        re.compile(r"merge into #(\d+) undone"),
        pgettext_lazy("history reason", "merge into #%(id)s undone"),
    ),
]


def merged_in(other_id: int) -> str:
    return f"merged #{other_id} into this customer"


def merged_into(survivor_id: int) -> str:
    return f"merged into #{survivor_id}"


def merge_undone(other_id: int) -> str:
    return f"merge with #{other_id} undone"


def merge_into_undone(survivor_id: int) -> str:
    return f"merge into #{survivor_id} undone"


def shown(reason: str) -> str:
    """``reason`` in the active language when it is one of ours, else as it was stored."""
    word = _WORDS.get(reason)
    if word is not None:
        return str(word)
    for shape, text in _SHAPES:
        found = shape.fullmatch(reason)
        if found:
            return str(text) % {"id": found.group(1)}
    return reason
