"""`guanxi import customers FILE [--mapping M] [--owner USER] [--on-duplicate skip|update|create]
[--dry-run]`: import (or check) a CSV/XLSX file; the error report goes beside the file.

`guanxi import orders FILE …` hands over to the sales app's `import_orders` command (by name:
this layer does not import sales); `guanxi import contacts FILE …` to `import_contacts`."""

import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from guanxi.customers import imports
from guanxi.customers.import_commands import ImportErrors, acting_users, write_report
from guanxi.customers.models_import import ImportJob, OnDuplicate, SavedMapping


class Command(BaseCommand):
    help = "Import customers from a CSV or XLSX file (prints imported/updated/skipped/failed)."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["customers", "contacts", "orders"])
        parser.add_argument("file")
        parser.add_argument("--mapping", help="name of a saved column mapping (default: automatic)")
        parser.add_argument("--owner", help="username owning the new customers")
        parser.add_argument("--user", help="username acting (default: the owner, else an admin)")
        parser.add_argument("--on-duplicate", choices=OnDuplicate.values, default=OnDuplicate.SKIP)
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--resume",
            type=int,
            metavar="JOB",
            help="continue a stopped import job from its last committed batch",
        )
        parser.add_argument("--batch-size", type=int, default=imports.BATCH_SIZE)

    def handle(self, *args, **options):
        if options["what"] != "customers":
            passed = {k: options[k] for k in ("owner", "user", "dry_run", "resume") if options[k]}
            if options["what"] == "contacts":
                passed.update(
                    {k: options[k] for k in ("on_duplicate", "mapping", "batch_size") if options[k]}
                )
            call_command(
                f"import_{options['what']}",
                options["file"],
                stdout=self.stdout,
                stderr=self.stderr,
                **passed,
            )
            return
        with ImportErrors(imports.ImportFileError) as errors:
            errors.job = job = self._job(options)
            job = imports.process(
                job,
                dry_run=options["dry_run"],
                resume=bool(options["resume"]),
                batch_size=options["batch_size"],
                progress=self._progress,
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
            job = ImportJob.objects.filter(pk=options["resume"]).first()
            if job is None:
                raise CommandError(f"No import job {options['resume']}.")
            return job
        user, owner = acting_users(options)
        mapping = None
        if options["mapping"]:
            saved = SavedMapping.objects.filter(name=options["mapping"]).first()
            if saved is None:
                raise CommandError(f"No saved mapping {options['mapping']!r}.")
            mapping = saved.mapping
        return imports.new_job(
            user,
            options["file"],
            mapping=mapping,
            owner=owner,
            on_duplicate=options["on_duplicate"],
        )

    def _progress(self, job: ImportJob) -> None:
        if job.total_rows > 5 * imports.BATCH_SIZE:
            end = "\n" if job.next_row >= job.total_rows else ""
            self.stderr.write(f"\r{job.next_row}/{job.total_rows}", ending=end)
