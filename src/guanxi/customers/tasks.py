"""Background jobs of the customers app."""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from guanxi.customers import contact_imports, exports, imports, pool
from guanxi.customers.models_import import ExportJob, ImportJob


@db_task()
def run_import_job(job_id: int, resume: bool = False, dry_run: bool = False) -> None:
    """Import (or only check) a job's file; safe to run again: it continues from the last
    committed batch."""
    job = ImportJob.objects.filter(pk=job_id).select_related("created_by", "owner").first()
    if job is None or job.status == ImportJob.Status.DONE:
        return
    engine = contact_imports if job.kind == contact_imports.KIND else imports
    try:
        with translation.override(job.language or None):
            engine.process(job, resume=resume, dry_run=dry_run)
    except Exception as exc:  # noqa: BLE001 - the job records why it stopped; nothing to retry blindly
        ImportJob.objects.filter(pk=job_id).exclude(status=ImportJob.Status.FAILED).update(
            status=ImportJob.Status.FAILED, error=str(exc)[:2000] or exc.__class__.__name__
        )


@db_task()
def run_export_job(job_id: int) -> None:
    """Write a large export to its file; a job already done or failed is left as it is."""
    job = ExportJob.objects.filter(pk=job_id).select_related("created_by").first()
    if job is None or job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
        return
    try:
        exports.run_job(job)
    except Exception:  # noqa: BLE001, S110 - run_job recorded the error on the job
        pass


def queue_export(job: ExportJob) -> None:
    """Hand an export job to the worker once the transaction that made it commits."""
    transaction.on_commit(lambda: run_export_job(job.pk))


def queue_import(job: ImportJob, *, resume: bool = False, dry_run: bool = False) -> None:
    """Mark the job queued and hand it to the worker (a dry run too: big files take a while)."""
    job.mark_queued(fresh=dry_run or not resume)
    run_import_job(job.pk, resume=resume, dry_run=dry_run)


@db_periodic_task(crontab(hour=str(getattr(settings, "POOL_RECYCLE_HOUR", 1)), minute="30"))
@lock_task("pool-recycle")
def recycle_pool(now=None) -> None:
    """Each night: warn owners of customers about to return to the public pool and move
    those whose warning ran out (idempotent; one run at a time)."""
    pool.recycle(now)


from guanxi.customers.merge_tasks import nightly_duplicate_scan, scan_duplicates_task  # noqa: E402,F401
