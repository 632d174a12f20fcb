"""`guanxi import orders FILE [--owner USER] [--user USER] [--dry-run] [--resume JOB]`: import
(or check) historical orders from a CSV/XLSX file; the error report goes beside the file. Exits
non-zero when no order was imported (or would be, in a dry run)."""

import sys

from django.core.management.base import BaseCommand, CommandError

from guanxi.customers.import_commands import ImportErrors, acting_users, write_report
from guanxi.customers.models_import import ImportJob
from guanxi.sales import order_imports
from guanxi.sales.order_import_columns import ignored_columns


class Command(BaseCommand):
    help = "Import historical orders from a CSV or XLSX file (prints imported/failed)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--owner", help="username owning the imported orders")
        parser.add_argument(
            "--user",
            help="username acting: only customers they may edit are accepted "
            "(default: the owner, else the first admin)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--resume", type=int, metavar="JOB", help="continue a stopped order import job"
        )
        parser.add_argument("--batch-size", type=int, default=order_imports.BATCH_LINES)

    def handle(self, *args, **options):
        with ImportErrors(order_imports.OrderImportError) as errors:
            errors.job = job = self._job(options)
            outcome = order_imports.process(
                job,
                dry_run=options["dry_run"],
                resume=bool(options["resume"]),
                batch_lines=options["batch_size"],
                progress=self._progress,
            )
        verb = "would import" if options["dry_run"] else "imported"
        self.stdout.write(
            f"{verb} {outcome.orders} orders ({outcome.lines} lines), failed {outcome.failed} "
            f"orders ({outcome.failed_lines} lines)  (job {job.pk})"
        )
        write_report(self.stdout, job, ignored_columns(job))
        if not outcome.orders:
            sys.exit(1)

    def _job(self, options) -> ImportJob:
        if options["resume"]:
            job = ImportJob.objects.filter(pk=options["resume"], kind=order_imports.KIND).first()
            if job is None:
                raise CommandError(f"No order import job {options['resume']}.")
            return job
        user, owner = acting_users(options)
        return order_imports.new_job(user, options["file"], owner=owner)

    def _progress(self, job: ImportJob) -> None:
        if job.total_rows > 5 * order_imports.BATCH_LINES:
            end = "\n" if job.next_row >= job.total_rows else ""
            self.stderr.write(f"\r{job.next_row}/{job.total_rows}", ending=end)
