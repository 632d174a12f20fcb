"""`guanxi demo`: load the demo company into an empty database and print its logins."""

import unicodedata

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from guanxi.accounts.models import Role
from guanxi.analytics.refresh import unconverged
from guanxi.ops.demo import DEFAULT_SEED, demo_logins, has_users, load_demo, refresh_analytics
from guanxi.ops.demo_data import DEMO_PASSWORD


def _pad(text: str, width: int) -> str:
    """Left-justify by display width: a Chinese character takes two columns."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - shown, 0)


def print_logins(stdout, style) -> None:
    """The demo users with their role, team and the shared password."""
    users = demo_logins()
    if not users:
        return
    labels = dict(Role.choices)
    stdout.write(
        style.MIGRATE_HEADING(
            _("Demo logins (password for all: %(password)s)") % {"password": DEMO_PASSWORD}
        )
    )
    for user in users:
        team = user.team.name if user.team else ""
        role = str(labels.get(user.role, user.role))
        stdout.write(
            f"  {_pad(user.username, 11)} {_pad(role, 20)} {_pad(user.display_name, 6)} {team}"
        )


class Command(BaseCommand):
    help = (
        "Load a demo company (teams, users, customers, products, orders, opportunities, "
        "leads) into an empty database and compute its analytics."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--customers", type=int, default=300, help="How many customers to create (default 300)."
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="Random seed; the same seed gives the same data.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (but print the demo logins) when users exist.",
        )

    def handle(self, *args, customers: int, seed: int, if_empty: bool, **options) -> None:
        if customers < 0:
            raise CommandError(_("--customers must be 0 or more."))
        if has_users():
            if if_empty:
                self.stdout.write(_("The database already has users; demo data not loaded."))
                print_logins(self.stdout, self.style)
                return
            raise CommandError(
                _(
                    "The database already has users. Demo data goes into an empty database "
                    "(use --if-empty to skip quietly, or point GUANXI_DATA_DIR/DATABASE_URL "
                    "elsewhere)."
                )
            )
        result = load_demo(customers=customers, seed=seed)
        loaded = _listed(
            ngettext("%(n)s customer", "%(n)s customers", result.customers),
            result.customers,
            ngettext("%(n)s contact", "%(n)s contacts", result.contacts),
            result.contacts,
            ngettext("%(n)s product", "%(n)s products", result.products),
            result.products,
            ngettext("%(n)s order", "%(n)s orders", result.orders),
            result.orders,
            ngettext("%(n)s opportunity", "%(n)s opportunities", result.opportunities),
            result.opportunities,
            ngettext("%(n)s lead", "%(n)s leads", result.leads),
            result.leads,
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Loaded the demo company: %(loaded)s in %(seconds).1f s (seed %(seed)s).")
                % {"loaded": loaded, "seconds": result.seconds, "seed": seed}
            )
        )
        run = refresh_analytics()
        clv = run.params.get("bgnbd")
        if clv:
            fitted = "BG/NBD " + ", ".join(f"{k}={v:.3g}" for k, v in clv.items())
        elif run.params.get("clv"):
            fitted = str(run.params["clv"])
        else:
            fitted = _("no lifetime-value model")
        fitted += "".join(
            "; " + _("%(model)s did not converge") % {"model": model}
            for model in unconverged(run.params)
        )
        rules = run.params.get("rules", {}).get("rules", 0)
        counted = _listed(
            ngettext("%(n)s customer", "%(n)s customers", run.customers),
            run.customers,
            ngettext("%(n)s purchase order", "%(n)s purchase orders", run.orders),
            run.orders,
            ngettext("%(n)s cross-sell rule", "%(n)s cross-sell rules", rules),
            rules,
        )
        self.stdout.write(
            _("Analytics refreshed as of %(day)s: %(counted)s, %(fitted)s (%(seconds).1f s).")
            % {"day": run.as_of, "counted": counted, "fitted": fitted, "seconds": run.seconds}
        )
        print_logins(self.stdout, self.style)


def _listed(*texts_and_counts) -> str:
    """("%(n)s customer(s)", 40, "%(n)s contact(s)", 12, …) as "40 customers, 12 contacts, …"
    in the active language (its own list separator)."""
    pairs = zip(texts_and_counts[::2], texts_and_counts[1::2], strict=True)
    separator = pgettext("list separator", ", ")
    return separator.join(text % {"n": f"{n:,}"} for text, n in pairs)
