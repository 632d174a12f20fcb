"""`guanxi search optimize`: merge the search indexes' pending writes now (the nightly job)."""

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from guanxi.ops.search import optimize_indexes


class Command(BaseCommand):
    help = (
        "optimize: merge the customer and deal search indexes' pending writes into their main"
        " structure now, as the nightly job does (SQLite: FTS5 segments into one; PostgreSQL:"
        " the GIN pending list)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["optimize"])

    def handle(self, *args, action: str, **options) -> None:
        for name, seconds in optimize_indexes().items():
            if seconds is None:
                self.stdout.write(_("%(index)s: no search index") % {"index": name})
            else:
                self.stdout.write(
                    _("%(index)s: merged in %(seconds).2f s") % {"index": name, "seconds": seconds}
                )
