"""`guanxi import contacts FILE [--mapping NAME|FILE.json] [--user USER]
[--on-duplicate skip|update|create] [--dry-run] [--resume JOB]`: import (or check) contacts of
existing customers from CSV/XLSX; each row names its customer by ID, phone or name (+ employer).
The error report goes beside the file."""

import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from guanxi.customers import contact_imports, import_tables, imports
from guanxi.customers.import_commands import (
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


class Command(BaseCommand):
    help = (
        "Import contacts of existing customers from a CSV or XLSX file; each row names its "
        "customer by customer_id, customer_phone or customer_name (+ customer_company). Prints "
        "the job's number, then imported/updated/skipped/failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument(
            "--mapping",
            metavar="NAME|FILE.json",
            help="a mapping saved in the web app, by name, or a JSON file "
            '{"column header": "field"} with the fields name, title, phone, email, wechat_id, '
            "is_primary, notes, customer_id, customer_phone, customer_name, customer_company "
            "(default: from the headers)",
        )
        parser.add_argument("--owner", help="act as this user (as --user)")
        parser.add_argument("--user", help="username acting (default: the first admin)")
        parser.add_argument(
            "--on-duplicate",
            choices=OnDuplicate.values,
            default=OnDuplicate.SKIP,
            help="a contact the customer already has (same phone, else name): skip (default), "
            "update it or add another",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--resume",
            type=int,
            metavar="JOB",
            help="continue job JOB, stopped by an error or Ctrl-C (the same FILE)",
        )
        parser.add_argument("--batch-size", type=int, default=imports.BATCH_SIZE)

    def handle(self, *args, **options):
        errors = ImportErrors(
            import_tables.ImportFileError,
            what="contacts",
            file=options["file"],
            dry_run=options["dry_run"],
        )
        with errors:
            errors.job = job = self._job(options)
            announce(self.stdout, job, resume=bool(options["resume"]), dry_run=options["dry_run"])
            job = contact_imports.process(
                job,
                dry_run=options["dry_run"],
                resume=bool(options["resume"]),
                batch_size=options["batch_size"],
                progress=Progress(self.stderr, 5 * imports.BATCH_SIZE),
            )
        write_counts(self.stdout, job, dry_run=options["dry_run"])
        write_report(self.stdout, job)
        if not job.imported and not job.updated:
            sys.exit(1)

    def _job(self, options) -> ImportJob:
        if options["resume"]:
            return resumable_job(
                options,
                contact_imports.KIND,
                _("There is no contacts import job %(job)s."),
                owner_is_user=True,
            )
        user, _owner = acting_users(options)  # contacts belong to their customer: no owner
        mapping, mapping_file = mapping_option(
            options["mapping"], lambda: list(contact_imports.ALIASES)
        )
        return new_job_with_mapping(
            lambda mapping: contact_imports.new_job(
                user,
                file_option(options),
                mapping=mapping,
                on_duplicate=options["on_duplicate"] or OnDuplicate.SKIP,
            ),
            mapping,
            mapping_file,
        )
