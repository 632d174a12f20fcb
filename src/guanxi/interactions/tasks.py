"""Background jobs of interactions: reminders, every minute."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from guanxi.interactions import services


@db_periodic_task(crontab())
def send_due_reminders(now=None) -> int:
    """Deliver the reminders whose time has come (idempotent: each task is reminded once)."""
    return services.send_due_reminders(now)
