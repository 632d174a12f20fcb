"""Reading the access log as a person may: whose entries (an admin everyone's, a manager her
team's and sub-teams'), and each entry's object named only when the reader may see it.

The log and its reads live in guanxi.core.access_log, which knows no teams nor customers (the
bottom layer); this module adds the two, for the page, the API and anything else that shows the
log to a user."""

import re
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from guanxi.accounts.models import User
from guanxi.accounts.queries import team_member_ids
from guanxi.core.access_log import LogFilter, log_entries, may_read_access_log
from guanxi.core.links import pk_url
from guanxi.core.models import AccessLog
from guanxi.customers.models import Customer
from guanxi.sales.models import Lead


def check_reader(viewer: User) -> None:
    """PermissionDenied unless ``viewer`` may read the log (``may_read_access_log``)."""
    if not may_read_access_log(viewer):
        raise PermissionDenied(_("Only administrators and managers may read the access log."))


def readable_users(viewer: User) -> list[int] | None:
    """The ids of the users whose entries ``viewer`` may read, None for everyone's; a
    PermissionDenied for who may read none."""
    check_reader(viewer)
    if viewer.is_admin:
        return None
    return list(team_member_ids(viewer).values_list("id", flat=True))


def user_choices(viewer: User) -> list[User]:
    """The users whose entries ``viewer`` may read, by username, to filter the log by (former
    colleagues too: their entries stay); a PermissionDenied for who may read none."""
    check_reader(viewer)
    users = User.objects.order_by("username").only(
        "username", "display_name", "first_name", "last_name", "is_active"
    )
    return list(users if viewer.is_admin else users.filter(pk__in=team_member_ids(viewer)))


def check_filter(viewer: User, f: LogFilter, among: list[int] | None) -> None:
    """A ValidationError on "user" when ``f`` asks for the entries of someone ``viewer`` may
    not read."""
    if f.user and among is not None and f.user not in among:
        raise ValidationError({"user": _("You may read only the entries of your team's members.")})


@dataclass
class Subject:
    """What an entry is about, as the reader may see it: a name and a link, or only its id."""

    label: str
    url: str = ""


_LINKS = {"customer": "customers:detail", "lead": "sales:lead"}
_KINDS = {"customer": Customer, "lead": Lead}


def subjects(viewer: User, entries: list[AccessLog]) -> dict[tuple[str, int], Subject]:
    """Each entry's object by (object_type, object_id): a customer's or lead's name and a link
    to it when ``viewer`` may see it now (one query per kind), else "#id" alone: the log never
    tells a reader the name of a customer she may not see."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.object_id is not None:
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
    shown: dict[tuple[str, int], Subject] = {}
    for kind, ids in wanted.items():
        names = {}
        if kind in _KINDS:
            # Alive ones: a customer in the recycle bin (or merged away) is shown by its id.
            seen = _KINDS[kind].objects.visible_to(viewer).filter(pk__in=ids)
            names = dict(seen.values_list("pk", "name"))
            url = pk_url(_LINKS[kind])
        for pk in ids:
            if pk in names:
                shown[kind, pk] = Subject(names[pk], url(pk))
            else:
                shown[kind, pk] = Subject(f"#{pk}")
    return shown


# The details written in fixed English words (customers.exports, customers.merge): their
# stored shape and how the page shows them.
_DETAILS = [
    (
        re.compile(r"(?P<rows>\d+) rows, (?P<format>csv|xlsx), (?P<filters>.*)"),
        pgettext_lazy("access log detail", "%(rows)s rows, %(format)s, %(filters)s"),
    ),
    (
        re.compile(r"merged #(?P<other>\d+) into #(?P<survivor>\d+) \(merge (?P<merge>\d+)\)"),
        pgettext_lazy(
            "access log detail", "merged #%(other)s into #%(survivor)s (merge %(merge)s)"
        ),
    ),
    (
        re.compile(r"undid merge (?P<merge>\d+): #(?P<other>\d+) restored from #(?P<survivor>\d+)"),
        pgettext_lazy(
            "access log detail", "undid merge %(merge)s: #%(other)s restored from #%(survivor)s"
        ),
    ),
]
_ALL = pgettext_lazy("access log detail: an export without filters", "all")


def shown_detail(entry: AccessLog) -> str:
    """An entry's detail as the page shows it: a reveal's field by its label in the reader's
    language ("手机", not "phone"), an export's rows and a merge in its words ("275 行，xlsx，
    city=广州市"); anything else as written. The API gives it as written."""
    model = _KINDS.get(entry.object_type)
    if entry.action == AccessLog.Action.REVEAL and model is not None:
        try:
            return capfirst(str(model._meta.get_field(entry.detail).verbose_name))
        except FieldDoesNotExist:
            pass
    for shape, text in _DETAILS:
        found = shape.fullmatch(entry.detail)
        if found:
            values = found.groupdict()
            if values.get("filters") == "all":
                values["filters"] = str(_ALL)
            return str(text) % values
    return entry.detail


def entries_for(
    viewer: User,
    f: LogFilter,
    *,
    among: list[int] | None,
    offset: int = 0,
    limit: int,
    after=None,
) -> list[AccessLog]:
    """The page of the log ``viewer`` asked for (``core.access_log.log_entries``) among the
    users whose entries she may read (``readable_users``, or the ids of ``user_choices``); a
    ValidationError on "user" for someone else's."""
    check_filter(viewer, f, among)
    return log_entries(f, among=among, offset=offset, limit=limit, after=after)


def zone_of(user: User):
    """The user's own time zone, or None for the site's."""
    try:
        return zoneinfo.ZoneInfo(user.time_zone) if user.time_zone else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
