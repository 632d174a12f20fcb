"""`guanxi token USERNAME`: print a new API token for a user."""

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from guanxi.accounts.services import issue_token
from guanxi.customers.import_commands import active_user


class Command(BaseCommand):
    help = "Print a new API token for USERNAME (shown once; only its digest is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="A label for the token (default 'cli').")

    def handle(self, *args, username: str, name: str, **options) -> None:
        user = active_user(username)
        # Only the token on stdout, so `TOKEN=$(guanxi token ada)` works.
        self.stdout.write(issue_token(user, name=name))
        self.stderr.write(
            _(
                "Keep it safe: it is shown only this once. Use it as 'Authorization: Bearer <token>'."
            )
        )
