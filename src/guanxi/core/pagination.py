"""Keyset (cursor) pagination for API lists.

A page is ``{"items": [...], "next_cursor": "..." | null}``. The cursor is opaque to the
client: a signed token holding the ordering and the sort key of the last row sent, so the next
page is ``WHERE (key, pk) > (last key, last pk)`` — an index range scan that costs the same on
page 1 and page 10,000, and never skips or repeats a row when rows are added meanwhile.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Query, Schema

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

#: The ``limit`` query parameter, 1..200: ``limit: Limit = DEFAULT_LIMIT``.
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page (1–200).")]
#: The ``cursor`` query parameter: ``cursor: Cursor = None``.
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page.")]

_SALT = "guanxi.api.cursor"

T = TypeVar("T")


class Page(Schema, Generic[T]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[T]
    next_cursor: str | None = None


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def encode_cursor(order: str, row: Model) -> str:
    field = order.lstrip("-")
    value = row.pk if field in ("pk", "id") else getattr(row, field)
    return signing.dumps({"o": order, "v": _plain(value), "k": row.pk}, salt=_SALT, compress=True)


def decode_cursor(cursor: str, order: str) -> tuple[Any, Any]:
    """The (sort value, pk) a cursor points after; a 422 on "cursor" if it is not ours."""
    try:
        data = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature:
        raise ValidationError({"cursor": _("Invalid cursor.")}) from None
    if not isinstance(data, dict) or data.get("o") != order or "k" not in data:
        raise ValidationError({"cursor": _("This cursor belongs to another ordering.")})
    return data.get("v"), data["k"]


def keyset_page(
    qs: QuerySet, order: str, *, cursor: str | None, limit: int
) -> tuple[list, str | None]:
    """One page of ``qs`` sorted by ``order`` ("name", "-created_at", …), ties broken by pk.

    ``order`` must name a non-null column. Returns (rows, next_cursor or None).
    """
    field = order.lstrip("-")
    descending = order.startswith("-")
    op = "lt" if descending else "gt"
    qs = qs.order_by(order, "-pk" if descending else "pk")
    if cursor:
        value, pk = decode_cursor(cursor, order)
        if field in ("pk", "id"):
            qs = qs.filter(**{f"pk__{op}": pk})
        else:
            qs = qs.filter(Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"pk__{op}": pk}))
    return cut_page(list(qs[: limit + 1]), order, limit)


def cut_page(rows: list, order: str, limit: int) -> tuple[list, str | None]:
    """A page read as ``limit + 1`` rows in ``order``: (its first ``limit`` rows, the cursor
    after them, or None when nothing follows)."""
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_cursor(order, rows[-1])
    return rows, None


class PeekPage:
    """One page of a list page, found without counting the list: the page's rows plus one
    more tell whether a next page exists. A list over a million rows costs a page, not a
    COUNT(*) of the million (the count is known, and shown, only when everything fits on the
    first page)."""

    def __init__(self, rows: list, number: int, per_page: int):
        self.number = number
        self.has_next = len(rows) > per_page
        self.object_list = rows[:per_page]
        self.has_previous = number > 1
        self.start_index = (number - 1) * per_page + 1 if self.object_list else 0
        self.end_index = (number - 1) * per_page + len(self.object_list)
        #: The total, when this page shows that it is all there is.
        self.count = len(self.object_list) if number == 1 and not self.has_next else None

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


#: The last page number a query string may ask for: its rows' offset stays far inside the 64-bit
#: range the databases take (a larger one was a 500); such a page is past the end of any list.
MAX_PAGE = 10**9


def page_number(value) -> int:
    """A page number from a query string: 1-based, at most MAX_PAGE; anything else is page 1."""
    try:
        return min(max(1, int(value)), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


def peek_page(qs: QuerySet, number, per_page: int) -> PeekPage:
    """Page ``number`` (1-based; anything else is page 1) of ``qs``, without a COUNT."""
    number = page_number(number)
    offset = (number - 1) * per_page
    return PeekPage(list(qs[offset : offset + per_page + 1]), number, per_page)
