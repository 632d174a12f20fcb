"""`guanxi demo`: load the demo company into an empty database and print its logins."""

import unicodedata

from django.core.management.base import BaseCommand, CommandError, CommandParser

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
    stdout.write(style.MIGRATE_HEADING(f"Demo logins (password for all: {DEMO_PASSWORD})"))
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
            raise CommandError("--customers must be 0 or more.")
        if has_users():
            if if_empty:
                self.stdout.write("The database already has users; demo data not loaded.")
                print_logins(self.stdout, self.style)
                return
            raise CommandError(
                "The database already has users. Demo data goes into an empty database "
                "(use --if-empty to skip quietly, or point GUANXI_DATA_DIR/DATABASE_URL elsewhere)."
            )
        result = load_demo(customers=customers, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the demo company: {result.customers} customers, {result.contacts} contacts, "
                f"{result.products} products, {result.orders} orders, "
                f"{result.opportunities} opportunities, {result.leads} leads "
                f"in {result.seconds:.1f} s (seed {seed})."
            )
        )
        run = refresh_analytics()
        clv = run.params.get("bgnbd")
        fitted = (
            "BG/NBD " + ", ".join(f"{k}={v:.3g}" for k, v in clv.items())
            if clv
            else run.params.get("clv", "no lifetime-value model")
        )
        fitted += "".join(f"; {model} did not converge" for model in unconverged(run.params))
        rules = run.params.get("rules", {}).get("rules", 0)
        self.stdout.write(
            f"Analytics refreshed as of {run.as_of}: {run.customers} customers, {run.orders} "
            f"purchase orders, {rules} cross-sell rules, {fitted} ({run.seconds:.1f} s)."
        )
        print_logins(self.stdout, self.style)
