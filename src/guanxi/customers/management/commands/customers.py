"""`guanxi customers duplicates [--scan] [--limit N] [--reason R] [--user USERNAME]`: look for
duplicate customers again and list the best candidate pairs."""

from django.core.management.base import BaseCommand, CommandError

from guanxi.accounts.models import User
from guanxi.customers.duplicates import pairs_for, scan_duplicates
from guanxi.customers.models import DuplicatePair
from guanxi.customers.models_merge import DuplicateReason


class Command(BaseCommand):
    help = "Find duplicate customers (--scan rescans every live customer) and list the pairs."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["duplicates"])
        parser.add_argument(
            "--scan", action="store_true", help="scan all live customers again first"
        )
        parser.add_argument("--limit", type=int, default=20, help="pairs to list (0: none)")
        parser.add_argument("--reason", default="", choices=["", *DuplicateReason.values])
        parser.add_argument(
            "--user", default="", help="list only the pairs this user can see both sides of"
        )

    def handle(self, *args, **options):
        if options["limit"] < 0:
            raise CommandError("--limit must be 0 or more.")
        if options["scan"]:
            result = scan_duplicates()
            reasons = ", ".join(f"{k} {v}" for k, v in sorted(result.by_reason.items())) or "-"
            self.stdout.write(
                f"scanned {result.customers} customers in {result.seconds:.2f} s: "
                f"{result.pairs} candidate pairs ({reasons}); "
                f"{result.names_skipped} customers left out of the name comparison "
                "(names many share, or too many look-alikes)"
            )
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"No active user {options['user']!r}.")
            pairs = pairs_for(user, reason=options["reason"])
        else:
            pairs = DuplicatePair.objects.select_related("customer_a", "customer_b").order_by(
                "-score", "-id"
            )
            if options["reason"]:
                pairs = pairs.filter(reasons__contains=options["reason"])
        for pair in pairs[: options["limit"]]:
            self.stdout.write(
                f"{pair.score:5.1f}  #{pair.customer_a_id} {pair.customer_a.name}"
                f"  ≈  #{pair.customer_b_id} {pair.customer_b.name}  ({pair.reasons})"
            )
