"""Background jobs of duplicates and merge (registered through customers.tasks)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from guanxi.customers import duplicates


@db_task()
@lock_task("duplicate-scan")
def scan_duplicates_task() -> None:
    """Rewrite the duplicate candidates from every live customer (one scan at a time)."""
    duplicates.scan_duplicates()


@db_periodic_task(crontab(hour="2", minute="15"))
@lock_task("duplicate-scan")
def nightly_duplicate_scan() -> None:
    """Each night, after the day's edits and imports, look for duplicates again."""
    duplicates.scan_duplicates()
