"""Background jobs of the analytics app."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from guanxi.analytics.refresh import refresh_metrics


@db_periodic_task(crontab(hour=str(settings.ANALYTICS_REFRESH_HOUR), minute="15"))
@lock_task("analytics-refresh")
def nightly_refresh():
    """Recompute every customer's metrics each night (one run at a time)."""
    refresh_metrics()


@db_task()
@lock_task("analytics-refresh")
def refresh_now():
    """A refresh asked for from the page, run by the job worker."""
    refresh_metrics()
