"""`guanxi export customers FILE [--format csv|xlsx] [--q ...] --user USERNAME`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from guanxi.accounts.models import User
from guanxi.customers import exports


class Command(BaseCommand):
    help = "Export the customers a user may see (masked as for that user) to CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["customers"])
        parser.add_argument("file")
        parser.add_argument(
            "--format",
            choices=exports.FORMATS,
            help="csv or xlsx (default: from the file name, else csv)",
        )
        parser.add_argument(
            "--user", required=True, help="export as this user (visibility, masking)"
        )
        parser.add_argument("--q", default="", help="search text, as in the list's search box")
        parser.add_argument("--city", default="")
        parser.add_argument("--tag", default="")
        parser.add_argument("--kind", default="", choices=["", "person", "company"])
        parser.add_argument("--owner", default="", help="only customers owned by this username")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}.")
        path = Path(options["file"])
        fmt = options["format"] or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")
        params = {k: options[k] for k in ("q", "city", "tag", "kind")}
        if options["owner"]:
            owner = User.objects.filter(username=options["owner"]).first()
            if owner is None:
                raise CommandError(f"No user {options['owner']!r}.")
            params["owner"] = owner.pk
        filters = exports.filters_from(params)
        queryset, count = exports.start_export(user, filters, fmt, via="cli")
        exports.write_file(user, queryset, fmt, path)
        self.stdout.write(f"exported {count} customers to {path}")
