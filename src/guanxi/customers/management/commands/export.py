"""`guanxi export customers FILE --user USERNAME [--format csv|xlsx] [--q TEXT] [--city C]
[--tag T] [--kind person|company] [--owner USERNAME]`."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.customers import exports
from guanxi.customers.import_commands import active_user, number, user_called


def check_writable(path: Path) -> None:
    """CommandError unless ``path`` can be written: its folder exists and may be written in,
    and it is no folder itself (nor a file that may not be written). Checked before the
    export starts, since starting it writes the export to the access log."""
    folder = path.parent
    if path.is_dir():
        raise CommandError(_("%(path)s is a folder: give a file name.") % {"path": path})
    if not folder.is_dir():
        raise CommandError(_("There is no folder %(folder)s.") % {"folder": folder})
    writable = os.access(path, os.W_OK) if path.exists() else os.access(folder, os.W_OK)
    if not writable:
        raise CommandError(_("%(path)s cannot be written here.") % {"path": path})


class Command(BaseCommand):
    help = (
        "Export the customers a user may see (masked as for that user) to CSV or XLSX, the "
        "list's filters narrowing them; the export is written to the access log."
    )

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["customers"])
        parser.add_argument("file", help="the file to write (its folder must exist)")
        parser.add_argument(
            "--format",
            choices=exports.FORMATS,
            help="csv or xlsx (default: from the file name, else csv)",
        )
        parser.add_argument(
            "--user", required=True, help="export as this user (visibility, masking)"
        )
        parser.add_argument("--q", default="", help="search text, as in the list's search box")
        parser.add_argument("--city", default="", help="only customers in this city")
        parser.add_argument("--tag", default="", help="only customers with this tag")
        parser.add_argument(
            "--kind", default="", choices=["", "person", "company"], help="person or company"
        )
        parser.add_argument("--owner", default="", help="only customers owned by this username")

    def handle(self, *args, **options):
        user = active_user(options["user"])
        path = Path(options["file"])
        fmt = options["format"] or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")
        params = {k: options[k] for k in ("q", "city", "tag", "kind")}
        if options["owner"]:
            params["owner"] = user_called(options["owner"]).pk
        check_writable(path)
        filters = exports.filters_from(params)
        queryset, count = exports.start_export(user, filters, fmt, via="cli")
        try:
            exports.write_file(user, queryset, fmt, path)
        except OSError as exc:  # the disk filled, the folder went: after the checks above
            raise CommandError(
                _("Writing %(path)s failed: %(error)s")
                % {"path": path, "error": exc.strerror or exc}
            ) from None
        self.stdout.write(
            ngettext(
                "exported %(n)s customer to %(path)s",
                "exported %(n)s customers to %(path)s",
                count,
            )
            % {"n": number(count), "path": path}
        )
