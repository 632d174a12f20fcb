"""Whole numbers read from a request: ``int_or_none`` for a page's query string or form, ``Id``
for an id in the API.

Ids and counters are 64-bit in both databases. Django answers a primary-key lookup past that
range with no rows, but a foreign key's filter (``owner_id=…``), an OFFSET or raw SQL hands the
number to the database driver, which refuses it (SQLite's: "Python int too large to convert to
SQLite INTEGER"; PostgreSQL: "bigint out of range"): ``?owner=99999999999999999999999`` was a 500.
"""

from typing import Annotated

from pydantic import Field

#: The largest id either database stores (a signed 64-bit integer).
MAX_ID = 2**63 - 1

#: An id in an API query or body, 1..MAX_ID: ``owner: Id | None = None``. Past the range it is
#: a 422 naming the parameter, as a word in its place is.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def int_or_none(value) -> int | None:
    """The whole number a query-string or form value holds, or None when it holds none: not a
    number, or past the 64-bit range (a filter then falls away, as it does for "abc")."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -MAX_ID <= number <= MAX_ID else None
