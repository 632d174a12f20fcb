"""`guanxi import customers|contacts|orders FILE [options]`: import (or check) a CSV/XLSX file;
the error report goes beside the file.

`guanxi import orders FILE …` hands over to the sales app's `import_orders` command (by name:
this layer does not import sales); `guanxi import contacts FILE …` to `import_contacts`."""

import sys

from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from guanxi.customers import import_columns, import_mapping, import_tables, imports
from guanxi.customers.import_commands import (
    HelpFormatter,
    ImportErrors,
    Progress,
    acting_users,
    announce,
    file_option,
    mapping_option,
    new_job_with_mapping,
    resumable_job,
    write_counts,
    write_report,
)
from guanxi.customers.models_import import ImportJob, OnDuplicate

EPILOG = """\
customers: one row per customer; the columns are matched by their Chinese or
  English headers (姓名/name, 手机/mobile, 邮箱/e-mail, 城市/city, 标签/tags,
  负责人/owner, ID …), or by --mapping.
contacts: one row per contact of an existing customer, named by its
  customer_id (客户ID), customer_phone (客户手机) or customer_name (客户,
  + customer_company); the contact's fields: name, title, phone, email,
  wechat_id, is_primary, notes.
{orders}
--mapping: the name of a mapping saved in the web app, or a JSON file
  {{"column header": "field"}} (customers and contacts); a column it leaves out
  is not imported.
The job's number is printed when it starts; a job stopped by an error or by
  Ctrl-C continues with `guanxi import WHAT FILE --resume JOB` (the same FILE).
Exit status: 0 when something was imported, 1 when nothing was, 130 when
  stopped by Ctrl-C."""


class Command(BaseCommand):
    help = (
        "Import customers, contacts of existing customers, or historical orders from a CSV or "
        "XLSX file (prints the job's number, then imported/updated/skipped/failed; the error "
        "report goes beside FILE)."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(
            prog_name, subcommand, epilog=EPILOG.format(orders=_orders_help()), **kwargs
        )
        parser.formatter_class = HelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["customers", "contacts", "orders"])
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument(
            "--mapping",
            metavar="NAME|FILE.json",
            help="a mapping saved in the web app, by name, or a JSON file "
            '{"column header": "field"} (customers, contacts; default: from the headers)',
        )
        parser.add_argument(
            "--owner",
            help="username owning the new customers or orders (contacts: as --user)",
        )
        parser.add_argument(
            "--user",
            help="username acting: only what they may change is changed "
            "(default: the owner, else the first admin)",
        )
        parser.add_argument(
            "--on-duplicate",
            choices=OnDuplicate.values,
            help="a row matching an existing customer or contact: skip (default), update it, "
            "or create another (not for orders)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--resume",
            type=int,
            metavar="JOB",
            help="continue job JOB, stopped by an error or Ctrl-C, after its last written batch "
            "(the same FILE)",
        )
        parser.add_argument(
            "--batch-size", type=int, help="rows per transaction (default: the importer's)"
        )

    def handle(self, *args, **options):
        if options["what"] != "customers":
            self._hand_over(options)
            return
        errors = ImportErrors(
            import_tables.ImportFileError,
            what="customers",
            file=options["file"],
            dry_run=options["dry_run"],
        )
        with errors:
            errors.job = job = self._job(options)
            announce(self.stdout, job, resume=bool(options["resume"]), dry_run=options["dry_run"])
            job = imports.process(
                job,
                dry_run=options["dry_run"],
                resume=bool(options["resume"]),
                batch_size=options["batch_size"] or imports.BATCH_SIZE,
                progress=Progress(self.stderr, 5 * imports.BATCH_SIZE),
            )
        write_counts(self.stdout, job, dry_run=options["dry_run"])
        write_report(self.stdout, job)
        if not job.imported and not job.updated:
            sys.exit(1)

    def _hand_over(self, options) -> None:
        what = options["what"]
        if what == "orders" and options["mapping"]:
            raise CommandError(
                _(
                    "import orders takes no --mapping: an order file's columns are found by "
                    "their headers (`guanxi import_orders --help` lists them)."
                )
            )
        if what == "orders" and options["on_duplicate"]:
            raise CommandError(
                _(
                    "import orders takes no --on-duplicate: an order whose number was imported "
                    "already is an error of its rows."
                )
            )
        names = ("owner", "user", "dry_run", "resume", "batch_size", "mapping", "on_duplicate")
        passed = {k: options[k] for k in names if options[k]}
        call_command(
            f"import_{what}", options["file"], stdout=self.stdout, stderr=self.stderr, **passed
        )

    def _job(self, options) -> ImportJob:
        if options["resume"]:
            return resumable_job(
                options, import_columns.CUSTOMERS, _("There is no customer import job %(job)s.")
            )
        user, owner = acting_users(options)
        mapping, mapping_file = mapping_option(
            options["mapping"], lambda: [value for value, _label in import_mapping.target_choices()]
        )
        return new_job_with_mapping(
            lambda mapping: imports.new_job(
                user,
                file_option(options),
                mapping=mapping,
                owner=owner,
                on_duplicate=options["on_duplicate"] or OnDuplicate.SKIP,
            ),
            mapping,
            mapping_file,
        )


def _orders_help() -> str:
    """The order file's columns, as the sales app's `import_orders` lists them (found by
    name: this layer does not import sales)."""
    app = get_commands().get("import_orders")
    if app is None:
        return ""
    return getattr(load_command_class(app, "import_orders"), "COLUMNS_HELP", "")
