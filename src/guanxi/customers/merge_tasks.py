"""Background jobs of duplicates and merge (registered through customers.tasks)."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task
from huey.exceptions import TaskLockedException

from guanxi.customers import duplicates
from guanxi.customers.models_merge import DuplicateScan


@db_task()
def scan_duplicates_task(scan_id: int) -> None:
    """Run the scan ``request_scan`` recorded (one scan at a time: asked for while another
    runs, it is closed as answered by that one)."""
    scan = DuplicateScan.objects.filter(pk=scan_id).first()
    if scan is None:
        return
    try:
        with lock_task("duplicate-scan"):
            duplicates.scan_duplicates(scan)
    except TaskLockedException:
        DuplicateScan.objects.filter(pk=scan_id).update(
            finished_at=timezone.now(), error=duplicates.SUPERSEDED
        )


@db_periodic_task(crontab(hour="2", minute="15"))
@lock_task("duplicate-scan")
def nightly_duplicate_scan() -> None:
    """Each night, after the day's edits and imports, look for duplicates again."""
    duplicates.scan_duplicates()
