"""Background jobs of the sales app."""

from django.utils import translation
from huey.contrib.djhuey import db_task

from guanxi.customers.models_import import ImportJob
from guanxi.sales import order_imports


@db_task()
def run_order_import(job_id: int, resume: bool = False, dry_run: bool = False) -> None:
    """Import (or only check) an order import job's file; safe to run again: it continues after
    the last committed batch."""
    job = (
        ImportJob.objects.filter(pk=job_id, kind=order_imports.KIND)
        .select_related("created_by", "owner")
        .first()
    )
    if job is None or job.status == ImportJob.Status.DONE:
        return
    try:
        with translation.override(job.language or None):
            order_imports.process(job, resume=resume, dry_run=dry_run)
    except Exception as exc:  # noqa: BLE001 - the job records why it stopped
        ImportJob.objects.filter(pk=job_id).exclude(status=ImportJob.Status.FAILED).update(
            status=ImportJob.Status.FAILED, error=str(exc)[:2000] or exc.__class__.__name__
        )


def queue_order_import(job: ImportJob, *, resume: bool = False, dry_run: bool = False) -> None:
    """Mark the job queued and hand it to the worker (a dry run too: big files take a while)."""
    job.mark_queued(fresh=dry_run or not resume)
    run_order_import(job.pk, resume=resume, dry_run=dry_run)
