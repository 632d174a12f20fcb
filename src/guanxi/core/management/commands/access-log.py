"""`guanxi access-log [--user U] [--action A] [--customer ID] [--since DATE] [--until DATE]
[--limit N] [--csv]`: print the access log, newest first."""

import csv
import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.access_log import LogFilter, log_queryset
from guanxi.core.days import day_or_none
from guanxi.core.models import AccessLog

COLUMNS = ["at", "user", "action", "object_type", "object_id", "detail", "via", "ip"]


def _day(value: str, option: str) -> dt.date:
    day = day_or_none(value)
    if day is None:
        raise CommandError(
            _("%(option)s: enter a date as YYYY-MM-DD (not '%(value)s').")
            % {"option": option, "value": value}
        )
    return day


class Command(BaseCommand):
    help = (
        "Print who viewed, revealed, exported or merged which customer, newest first. Days are "
        "in the site's time zone (TIME_ZONE), both included."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", default="", help="only this user's entries (username)")
        parser.add_argument(
            "--action",
            default="",
            choices=["", *AccessLog.Action.values],
            help="only this action's entries",
        )
        parser.add_argument("--customer", type=int, help="only the entries of this customer id")
        parser.add_argument("--since", default="", help="from this day (YYYY-MM-DD)")
        parser.add_argument("--until", default="", help="up to this day, included (YYYY-MM-DD)")
        parser.add_argument(
            "--limit", type=int, default=50, help="entries to print (default 50; 0: all)"
        )
        parser.add_argument("--csv", action="store_true", help="CSV with a header row")

    def handle(self, *args, **options) -> None:
        if options["limit"] < 0:
            raise CommandError(_("--limit must be 0 or more."))
        user_id = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(_("No user is called '%(name)s'.") % {"name": options["user"]})
            user_id = user.pk
        try:
            f = LogFilter(
                user=user_id,
                action=options["action"],
                customer=options["customer"],
                since=_day(options["since"], "--since") if options["since"] else None,
                until=_day(options["until"], "--until") if options["until"] else None,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        entries = log_queryset(f)
        if options["limit"]:
            entries = entries[: options["limit"]]
        if options["csv"]:
            self._csv(entries)
        else:
            self._text(entries)

    def _csv(self, entries) -> None:
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(COLUMNS)
        for e in entries.iterator(chunk_size=2000):
            writer.writerow(
                [
                    timezone.localtime(e.at).isoformat(),
                    e.user.username if e.user_id else "",
                    e.action,
                    e.object_type,
                    "" if e.object_id is None else e.object_id,
                    e.detail,
                    e.via,
                    e.ip or "",
                ]
            )

    def _text(self, entries) -> None:
        printed = 0
        for e in entries.iterator(chunk_size=2000):
            what = e.object_type if e.object_id is None else f"{e.object_type} #{e.object_id}"
            self.stdout.write(
                "  ".join(
                    [
                        timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
                        f"{e.user.username if e.user_id else '-':<16}",
                        f"{e.action:<8}",
                        f"{what:<18}",
                        f"{e.via:<4}",
                        f"{e.ip or '-':<15}",
                        e.detail,
                    ]
                ).rstrip()
            )
            printed += 1
        if not printed:
            self.stderr.write(_("No entries."))
