"""`guanxi analytics refresh [--as-of YYYY-MM-DD]`: recompute every customer's metrics."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
                raise CommandError(
                    _("--as-of '%(value)s' is not a date (YYYY-MM-DD)") % {"value": as_of}
                ) from None
        run = refresh_metrics(day)
        timings = run.params.get("timings", {})
        self.stdout.write(
            _("Refreshed %(customers)s over %(orders)s as of %(day)s in %(seconds).1f s")
            % {
                "customers": ngettext("%(n)s customer", "%(n)s customers", run.customers)
                % {"n": f"{run.customers:,}"},
                "orders": ngettext("%(n)s order", "%(n)s orders", run.orders)
                % {"n": f"{run.orders:,}"},
                "day": run.as_of,
                "seconds": run.seconds,
            }
        )
        self.stdout.write("  " + ", ".join(f"{k} {v:.2f}s" for k, v in timings.items()))
        if "bgnbd" in run.params:
            p = run.params["bgnbd"]
            self.stdout.write(
                "  BG/NBD r={r:.4g} alpha={alpha:.4g} a={a:.4g} b={b:.4g}".format(**p)
            )
            for model in unconverged(run.params):
                self.stdout.write(
                    "  "
                    + _("%(model)s fit did not converge: its estimates are uncertain")
                    % {"model": model}
                )
        elif "clv" in run.params:
            self.stdout.write("  " + _("lifetime value: %(clv)s") % {"clv": run.params["clv"]})
        rules = run.params.get("rules", {})
        count, baskets = rules.get("rules", 0), rules.get("baskets", 0)
        self.stdout.write(
            "  "
            # Translators: "12 cross-sell rules from 3,400 baskets"
            + _("%(rules)s from %(baskets)s")
            % {
                "rules": ngettext("%(n)s cross-sell rule", "%(n)s cross-sell rules", count)
                % {"n": f"{count:,}"},
                "baskets": ngettext("%(n)s basket", "%(n)s baskets", baskets)
                % {"n": f"{baskets:,}"},
            }
        )
