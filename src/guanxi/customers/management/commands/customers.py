"""`guanxi customers duplicates [--scan] [--limit N] [--reason R] [--user USERNAME]`: look for
duplicate customers again and list the best candidate pairs."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from guanxi.customers.duplicates import pairs_for, scan_duplicates
from guanxi.customers.import_commands import active_user, number
from guanxi.customers.models import DuplicatePair
from guanxi.customers.models_merge import DuplicateReason


class Command(BaseCommand):
    help = (
        "duplicates: list the likeliest pairs of duplicate customers, best first (--scan looks "
        "again over every live customer first, as the nightly job does)."
    )

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["duplicates"])
        parser.add_argument(
            "--scan", action="store_true", help="scan all live customers again first"
        )
        parser.add_argument("--limit", type=int, default=20, help="pairs to list (0: none)")
        parser.add_argument(
            "--reason",
            default="",
            choices=["", *DuplicateReason.values],
            help="only the pairs found for this reason",
        )
        parser.add_argument(
            "--user", default="", help="list only the pairs this user can see both sides of"
        )

    def handle(self, *args, **options):
        if options["limit"] < 0:
            raise CommandError(_("--limit must be 0 or more."))
        user = active_user(options["user"]) if options["user"] else None
        if options["scan"]:
            self._scanned(scan_duplicates())
        if user is not None:
            pairs = pairs_for(user, reason=options["reason"])
        else:
            pairs = DuplicatePair.objects.select_related("customer_a", "customer_b").order_by(
                "-score", "-id"
            )
            if options["reason"]:
                pairs = pairs.filter(reasons__contains=options["reason"])
        labels = dict(DuplicateReason.choices)
        separator = pgettext("list separator", ", ")
        for pair in pairs[: options["limit"]]:
            reasons = separator.join(
                str(labels.get(code, code)) for code in pair.reasons.split(",") if code
            )
            self.stdout.write(
                f"{pair.score:5.1f}  #{pair.customer_a_id} {pair.customer_a.name}"
                f"  ≈  #{pair.customer_b_id} {pair.customer_b.name}  ({reasons})"
            )

    def _scanned(self, result) -> None:
        labels = dict(DuplicateReason.choices)
        separator = pgettext("list separator", ", ")
        reasons = separator.join(
            f"{labels.get(k, k)}: {number(v)}" for k, v in sorted(result.by_reason.items())
        )
        self.stdout.write(
            ngettext(
                "Scanned %(n)s customer in %(seconds).2f s: %(pairs)s.",
                "Scanned %(n)s customers in %(seconds).2f s: %(pairs)s.",
                result.customers,
            )
            % {
                "n": number(result.customers),
                "seconds": result.seconds,
                "pairs": ngettext("%(n)s candidate pair", "%(n)s candidate pairs", result.pairs)
                % {"n": number(result.pairs)}
                + (f" ({reasons})" if reasons else ""),
            }
        )
        if result.names_skipped:
            self.stdout.write(
                ngettext(
                    "%(n)s customer left out of the name comparison (a name many share, or "
                    "one with too many look-alikes).",
                    "%(n)s customers left out of the name comparison (names many share, or "
                    "with too many look-alikes).",
                    result.names_skipped,
                )
                % {"n": number(result.names_skipped)}
            )
