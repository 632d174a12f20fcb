"""Background jobs of the ops layer (those that span the domains)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from guanxi.ops.search import optimize_indexes


@db_periodic_task(crontab(hour="3", minute="0"))
@lock_task("search-index-optimize")
def optimize_search_indexes() -> None:
    """Each night, after the day's imports and the duplicate scan: merge the customer and deal
    search indexes' pending writes (a few seconds at a million customers)."""
    optimize_indexes()
