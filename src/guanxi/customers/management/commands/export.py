"""`guanxi export customers FILE --user USERNAME [--format csv|xlsx] [--q TEXT] [--city C]
[--tag T] [--kind person|company] [--owner USERNAME]` and `guanxi export contacts FILE --user
USERNAME [--format csv|xlsx] [--q TEXT] [--primary] [--owner USERNAME]`."""

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


#: The options of one list only, by the list.
_ONLY = {"customers": ("city", "tag", "kind"), "contacts": ("primary",)}


class Command(BaseCommand):
    help = (
        "Export the customers a user may see, or the contacts of those customers, to CSV or "
        "XLSX, masked as for that user and narrowed by the list's filters; the export is "
        "written to the access log."
    )

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["customers", "contacts"])
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
        parser.add_argument("--city", default="", help="customers: only those in this city")
        parser.add_argument("--tag", default="", help="customers: only those with this tag")
        parser.add_argument(
            "--kind",
            default="",
            choices=["", "person", "company"],
            help="customers: person or company",
        )
        parser.add_argument(
            "--primary",
            action="store_true",
            help="contacts: only each customer's primary contact",
        )
        parser.add_argument(
            "--owner",
            default="",
            help="only customers (contacts: of customers) owned by this username",
        )

    def handle(self, *args, **options):
        what = exports.KINDS[options["what"]]
        for other, names in _ONLY.items():
            given = [name for name in names if options[name] and other != what.kind]
            if given:
                raise CommandError(
                    _("--%(option)s is not an option of `guanxi export %(what)s`.")
                    % {"option": given[0], "what": what.kind}
                )
        user = active_user(options["user"])
        path = Path(options["file"])
        fmt = options["format"] or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")
        params = {k: options[k] for k in ("q", *_ONLY[what.kind])}
        if options["owner"]:
            params["owner"] = user_called(options["owner"]).pk
        check_writable(path)
        filters = what.filters_from(params)
        queryset, count = exports.start_export(user, filters, fmt, via="cli", what=what)
        try:
            exports.write_file(user, queryset, fmt, path, what=what)
        except OSError as exc:  # the disk filled, the folder went: after the checks above
            raise CommandError(
                _("Writing %(path)s failed: %(error)s")
                % {"path": path, "error": exc.strerror or exc}
            ) from None
        if what is exports.CONTACTS:
            done = ngettext(
                "exported %(n)s contact to %(path)s", "exported %(n)s contacts to %(path)s", count
            )
        else:
            done = ngettext(
                "exported %(n)s customer to %(path)s",
                "exported %(n)s customers to %(path)s",
                count,
            )
        self.stdout.write(done % {"n": number(count), "path": path})
