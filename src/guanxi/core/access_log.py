"""The access log: every view, reveal and export of customer data is written here, and read
back newest first (the access-log page, ``GET /api/v1/access-log``, ``guanxi access-log``).

Writing is ``log_access``. Reading is ``log_entries``: a page of the entries that match a
``LogFilter``, among everyone's or among some users' (a manager's team: who may read whose
entries is decided above this module, which knows no teams). The log grows by a row per customer
view, tens of millions of rows in a large company, so every read goes through an index that
gives its rows newest first (AccessLog's Meta), and a team's entries are read member by member.
"""

import datetime as dt
import heapq
from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.models import AccessLog


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR")


def log_access(
    user,
    action: str,
    object_type: str,
    object_id=None,
    *,
    request=None,
    detail: str = "",
    via: str = "web",
) -> AccessLog:
    """Record that ``user`` did ``action`` (an AccessLog.Action: view, reveal, export, merge,
    unmerge) on an object."""
    return AccessLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail[:255],
        ip=client_ip(request),
        via=via,
    )


# --- reading ------------------------------------------------------------------------------


def may_read_access_log(user) -> bool:
    """Whether ``user`` may read the access log: an admin (everyone's entries) or a manager (her
    team's and sub-teams'). Not a rep, nor an analyst: the log is a record of colleagues' work,
    read to audit them, not customer data an analyst's reports need."""
    if not getattr(user, "is_active", False):
        return False
    return bool(getattr(user, "is_admin", False) or getattr(user, "is_manager", False))


@dataclass(frozen=True)
class LogFilter:
    """What a reader of the log asks for; every field narrows (empty: no narrowing).

    ``since`` and ``until`` are days, both included, in the reader's time zone (the active one).
    """

    user: int | None = None
    action: str = ""
    customer: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def __post_init__(self):
        if self.action and self.action not in AccessLog.Action.values:
            choices = ", ".join(AccessLog.Action.values)
            raise ValidationError(
                {"action": _("Choose one of: %(choices)s.") % {"choices": choices}}
            )
        if self.since and self.until and self.since > self.until:
            raise ValidationError({"until": _("The end date is before the start date.")})

    @property
    def narrowed(self) -> bool:
        return any((self.user, self.action, self.customer, self.since, self.until))


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _filtered(f: LogFilter) -> QuerySet[AccessLog]:
    qs = AccessLog.objects.all()
    if f.user:
        qs = qs.filter(user_id=f.user)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.customer:
        qs = qs.filter(object_type="customer", object_id=f.customer)
    if f.since:
        qs = qs.filter(at__gte=_midnight(f.since))
    if f.until:
        qs = qs.filter(at__lt=_midnight(f.until + dt.timedelta(days=1)))
    return qs


def _below(qs: QuerySet, after: tuple[dt.datetime, int] | None) -> QuerySet:
    """The entries after the position (at, id) in the log's order (newest first)."""
    if after is None:
        return qs
    at, pk = after
    return qs.filter(Q(at__lt=at) | Q(at=at, pk__lt=pk))


def log_queryset(f: LogFilter) -> QuerySet[AccessLog]:
    """Everyone's entries matching ``f``, newest first, with their users (for the command line,
    whose operator reads the database anyway)."""
    return _filtered(f).select_related("user").order_by("-at", "-id")


def log_entries(
    f: LogFilter,
    *,
    among: Collection[int] | None = None,
    offset: int = 0,
    limit: int,
    after: tuple[dt.datetime, int] | None = None,
) -> list[AccessLog]:
    """Entries ``offset`` to ``offset + limit`` matching ``f``, newest first (``at``, then id),
    after the position ``after`` (a cursor's (at, id)) when given, with their users.

    ``among``: only the entries of these users (None: everyone's). A team's entries are read
    member by member (``_members_newest``), each member's newest through an index of (user,
    [action,] at, id), so a page costs at most a page per member: read at once, SQLite (which
    keeps no statistics) sorted all of the team's entries (7 ms at 200,000 entries, and growing
    with the log: 1.8 ms member by member), and a team whose members are seldom in the log had
    a walk of the log's index find them. A customer's entries are few: they are read through
    the customer's index and tested."""
    qs = _below(_filtered(f), after)
    if among is not None and f.user and f.user not in among:
        return []
    if among is not None and not f.user:
        members = sorted(set(among))
        if not members:
            return []
        if not f.customer and len(members) > 1:
            ids = _members_newest(qs, members, offset + limit)[offset:]
            found = AccessLog.objects.select_related("user").order_by().in_bulk(ids)
            return [found[pk] for pk in ids if pk in found]
        qs = qs.filter(user_id__in=members)
    qs = qs.select_related("user").order_by("-at", "-id")
    return list(qs[offset : offset + limit])


#: Members read in one statement: SQLite allows at most 500 SELECTs in a compound one.
MEMBERS_PER_QUERY = 200
#: A user id no row has, replaced by each member's in the SQL compiled once for all of them.
_PROBE = -(2**62) - 12345


def _members_newest(qs: QuerySet, members: list[int], n: int) -> list[int]:
    """The ids of the ``n`` newest entries of ``qs`` by any of ``members``: each member's ``n``
    newest (an index range each), in one UNION ALL per MEMBERS_PER_QUERY members, merged.

    The member's query is compiled once and run with each member's id: compiling it per member
    cost more than running it."""
    one = qs.filter(user_id=_PROBE).order_by("-at", "-id").values_list("at", "id")[:n]
    sql, params = one.query.sql_with_params()
    params = tuple(params)
    slot = [i for i, p in enumerate(params) if p == _PROBE]
    assert len(slot) == 1, "the member's id must be one parameter of the query"
    q_at, q_id = connection.ops.quote_name("at"), connection.ops.quote_name("id")
    found: list[list[tuple]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(members), MEMBERS_PER_QUERY):
            chunk = members[start : start + MEMBERS_PER_QUERY]
            # Django's own SQL for the member's query, its values all parameters.
            union = " UNION ALL ".join(f"SELECT * FROM ({sql}) AS m{i}" for i in range(len(chunk)))  # noqa: S608
            args = []
            for member in chunk:
                args.extend(params[: slot[0]] + (member,) + params[slot[0] + 1 :])
            cursor.execute(
                f"SELECT {q_at}, {q_id} FROM ({union}) AS u "  # noqa: S608
                f"ORDER BY {q_at} DESC, {q_id} DESC LIMIT {n:d}",
                args,
            )
            found.append(cursor.fetchall())
    # Each chunk's rows are newest first already: merge them (raw values: SQLite's times are
    # ISO text, whose order is theirs).
    merged = heapq.merge(*found, reverse=True) if len(found) > 1 else iter(found[0])
    return [pk for _at, pk in merged][:n]
