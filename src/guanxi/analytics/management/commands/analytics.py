"""`guanxi analytics refresh [--as-of YYYY-MM-DD]`: recompute every customer's metrics."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from guanxi.analytics.refresh import refresh_metrics, unconverged


class Command(BaseCommand):
    help = "Analytics: `refresh` recomputes value, lifetime value, lifecycle, churn and credit."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["refresh"])
        parser.add_argument("--as-of", help="the date to compute as of (default: today)")

    def handle(self, *args, action, as_of=None, **options):
        day = None
        if as_of:
            try:
                day = dt.date.fromisoformat(as_of)
            except ValueError:
                raise CommandError(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from None
        run = refresh_metrics(day)
        timings = run.params.get("timings", {})
        self.stdout.write(
            f"Refreshed {run.customers:,} customers over {run.orders:,} orders as of {run.as_of}"
            f" in {run.seconds:.1f} s"
        )
        self.stdout.write("  " + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()))
        if "bgnbd" in run.params:
            p = run.params["bgnbd"]
            self.stdout.write(
                "  BG/NBD r={r:.4g} alpha={alpha:.4g} a={a:.4g} b={b:.4g}".format(**p)
            )
            for model in unconverged(run.params):
                self.stdout.write(f"  {model} fit did not converge: its estimates are uncertain")
        elif "clv" in run.params:
            self.stdout.write(f"  lifetime value: {run.params['clv']}")
        rules = run.params.get("rules", {})
        self.stdout.write(
            f"  {rules.get('rules', 0)} cross-sell rules from {rules.get('baskets', 0):,} baskets"
        )
