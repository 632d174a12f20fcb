"""`guanxi pool recycle [--dry-run]` and `guanxi pool backfill`: the public customer pool."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanxi.customers.pool import recycle
from guanxi.ops.pool_facts import backfill_pool_facts


class Command(BaseCommand):
    help = (
        "recycle: warn owners and move neglected customers to the public pool by the teams' "
        "rules (what the nightly job does; --dry-run lists without writing). "
        "backfill: compute every customer's last follow-up, last win and owned-since from the "
        "existing interactions, opportunities and transfers (once after upgrading)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["recycle", "backfill"])
        parser.add_argument(
            "--dry-run", action="store_true", help="List what recycle would do; write nothing."
        )
        parser.add_argument(
            "--now", help="Run as of this time (ISO 8601, e.g. 2026-12-01T02:00+08:00)."
        )

    def handle(self, *args, action: str, dry_run: bool, now: str | None, **options) -> None:
        if action == "backfill":
            counts = backfill_pool_facts()
            self.stdout.write(
                _(
                    "Backfilled: %(followups)s last follow-ups, %(wins)s last wins, "
                    "%(owned_since)s owned-since dates."
                )
                % counts
            )
            return
        at = None
        if now:
            try:
                at = dt.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(
                    _("--now: not an ISO 8601 time: '%(value)s'") % {"value": now}
                ) from None
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
        run = recycle(at, dry_run=dry_run)
        if dry_run:
            verb = (pgettext("pool", "would warn"), pgettext("pool", "would recycle"))
        else:
            verb = (pgettext("pool", "warned"), pgettext("pool", "recycled"))
        for label, rows in ((verb[0], run.warned), (verb[1], run.recycled)):
            for cid, name, owner, due, reason in rows:
                self.stdout.write(
                    _("%(done)s: #%(id)s %(name)s (owner %(owner)s, due %(due)s): %(reason)s")
                    % {
                        "done": label,
                        "id": cid,
                        "name": name,
                        "owner": owner,
                        "due": f"{timezone.localtime(due):%Y-%m-%d}",
                        "reason": reason,
                    }
                )
        values = {"warned": len(run.warned), "recycled": len(run.recycled)}
        if dry_run:
            total = _(
                "%(warned)s would warn, %(recycled)s would recycle (dry run: nothing written)."
            )
        else:
            total = _("%(warned)s warned, %(recycled)s recycled.")
        self.stdout.write(total % values)
