"""`guanxi import contacts FILE [--mapping M] [--user USER] [--on-duplicate skip|update|create]
[--dry-run] [--resume JOB]`: import (or check) contacts of existing customers from CSV/XLSX; each
row names its customer by ID, phone or name (+ employer). The error report goes beside the file."""

import sys

from django.core.management.base import BaseCommand, CommandError

from guanxi.customers import contact_imports, imports
from guanxi.customers.import_commands import ImportErrors, acting_users, write_report
from guanxi.customers.models_import import ImportJob, OnDuplicate, SavedMapping


class Command(BaseCommand):
    help = "Import contacts of existing customers (prints imported/updated/skipped/failed)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--mapping", help="name of a saved column mapping (default: automatic)")
        parser.add_argument("--owner", help="act as this user (as --user)")
        parser.add_argument("--user", help="username acting (default: an admin)")
        parser.add_argument("--on-duplicate", choices=OnDuplicate.values, default=OnDuplicate.SKIP)
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--resume", type=int, metavar="JOB", help="continue a stopped job")
        parser.add_argument("--batch-size", type=int, default=imports.BATCH_SIZE)

    def handle(self, *args, **options):
        with ImportErrors(imports.ImportFileError) as errors:
            errors.job = job = self._job(options)
            job = contact_imports.process(
                job,
                dry_run=options["dry_run"],
                resume=bool(options["resume"]),
                batch_size=options["batch_size"],
            )
        verb = "would import" if options["dry_run"] else "imported"
        self.stdout.write(
            f"{verb} {job.imported}, updated {job.updated}, skipped {job.skipped}, "
            f"failed {job.failed}  (job {job.pk})"
        )
        write_report(self.stdout, job)
        if not job.imported and not job.updated:
            sys.exit(1)

    def _job(self, options) -> ImportJob:
        if options["resume"]:
            job = ImportJob.objects.filter(pk=options["resume"], kind=contact_imports.KIND).first()
            if job is None:
                raise CommandError(f"No contacts import job {options['resume']}.")
            return job
        user, _owner = acting_users(options)  # contacts belong to their customer: no owner
        mapping = None
        if options["mapping"]:
            saved = SavedMapping.objects.filter(name=options["mapping"]).first()
            if saved is None:
                raise CommandError(f"No saved mapping {options['mapping']!r}.")
            mapping = saved.mapping
        return contact_imports.new_job(
            user, options["file"], mapping=mapping, on_duplicate=options["on_duplicate"]
        )
