"""Backfill of the public pool's facts from the interactions and sales tables.

The customers app may not read those (it sits below them), so the pool's clocks are pushed
down as interactions are logged and opportunities won. This module, in the top layer, computes
them once from the rows that existed before: after an upgrade, or to repair.
"""

from itertools import islice

from django.db.models import Max

from guanxi.customers.pool import backfill_owned_since, set_facts
from guanxi.interactions.models import Interaction
from guanxi.sales.models import Opportunity


def backfill_pool_facts(batch: int = 2000) -> dict[str, int]:
    """Set every customer's last follow-up, last win and owned-since from the existing rows;
    later values already recorded are kept. Returns counts of rows changed."""
    followups = (
        Interaction.objects.order_by()
        .values("customer_id")
        .annotate(last=Max("occurred_at"))
        .values_list("customer_id", "last")
    )
    wins = (
        Opportunity.objects.filter(won_at__isnull=False)
        .order_by()
        .values("customer_id")
        .annotate(last=Max("won_at"))
        .values_list("customer_id", "last")
    )
    counts = {"followups": 0, "wins": 0}
    rows = iter(followups.iterator(chunk_size=batch))
    while chunk := list(islice(rows, batch)):
        counts["followups"] += set_facts((cid, at, None) for cid, at in chunk)
    rows = iter(wins.iterator(chunk_size=batch))
    while chunk := list(islice(rows, batch)):
        counts["wins"] += set_facts((cid, None, at) for cid, at in chunk)
    counts["owned_since"] = backfill_owned_since()
    return counts
