"""Days read from a request: ``Day`` for a date in the API, ``day_or_none`` for a page's query
string, ``check_moment`` for a moment; all between EARLIEST and LATEST.

0001-01-01 and 9999-12-31 are valid dates, but a filter turns a day into a moment in the user's
time zone (its midnight, or the next one) and the database driver turns that into UTC, past
the range of Python's dates: ``?due_before=0001-01-01`` or ``?to=9999-12-31`` was a 500. No day
a CRM keeps is that far out; such a day is refused naming the field (API, forms) or ignored,
as a word in its place is (a page's filter).
"""

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pydantic import Field

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)

#: A date in an API query or body: ``start: Day | None = None``; outside the range, a 422
#: naming the field.
Day = Annotated[dt.date, Field(ge=EARLIEST, le=LATEST)]


def day_or_none(value) -> dt.date | None:
    """The day a query-string value holds as YYYY-MM-DD, or None when it holds none (not a
    date, or outside EARLIEST..LATEST: a filter then falls away)."""
    try:
        day = dt.date.fromisoformat((value or "").strip())
    except (TypeError, ValueError):
        return None
    return day if EARLIEST <= day <= LATEST else None


def check_moment(moment: dt.datetime, field: str) -> dt.datetime:
    """``moment`` when its day is inside EARLIEST..LATEST, else a ValidationError on ``field``."""
    if not EARLIEST <= moment.date() <= LATEST:
        raise ValidationError(
            {
                field: _("Enter a date from %(first)s to %(last)s.")
                % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()}
            }
        )
    return moment
