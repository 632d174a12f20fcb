"""The sales funnel (销售漏斗) of a pipeline: SQL aggregates only, a handful of queries.

The funnel is a cohort: the opportunities created in the period (dates inclusive, local time),
optionally of one team (and its sub-teams), among those the user may see. Per stage it gives
- ``count`` / ``amount``: the cohort's opportunities sitting in the stage now;
- ``reached`` / ``reached_amount``: those that got at least this far, measured by the furthest
  open or won stage each ever entered (from the stage-change log), so a skipped stage still
  counts as passed; lost stages have no "reached";
- ``conversion``: reached of the next open/won stage ÷ reached of this one (None at the end or
  when nothing reached this stage);
- ``avg_days``: the mean time spent in the stage by the moves out of it (completed stays only).
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Avg, Count, Max, OuterRef, Subquery, Sum
from django.utils import timezone

from guanxi.accounts.services import subteam_ids
from guanxi.sales.models import Pipeline, Stage, StageChange
from guanxi.sales.pricing import cents
from guanxi.sales.queries import visible_opportunities


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in the current time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def scoped_opportunities(
    user,
    *,
    pipeline: Pipeline | None = None,
    team: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
):
    qs = visible_opportunities(user)
    if pipeline is not None:
        qs = qs.filter(pipeline=pipeline)
    if team:
        qs = qs.filter(owner__team_id__in=subteam_ids(team))
    if start:
        qs = qs.filter(created_at__gte=day_start(start))
    if end:
        qs = qs.filter(created_at__lt=day_start(end + dt.timedelta(days=1)))
    return qs


def funnel(
    user,
    pipeline: Pipeline,
    *,
    team: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict:
    """Counts, amounts, conversion and days in stage for each stage of ``pipeline``."""
    stages = list(pipeline.stages.order_by("position", "id"))
    scope = scoped_opportunities(user, pipeline=pipeline, team=team, start=start, end=end)

    # One pass over the cohort: deals and amounts per (current stage, furthest stage reached),
    # the furthest being looked up per deal in the stage-change log (its index on opportunity).
    # Both the "now in the stage" and the "reached the stage" figures add up from these rows.
    furthest = (
        StageChange.objects.filter(opportunity=OuterRef("pk"))
        .exclude(to_stage__kind=Stage.Kind.LOST)
        .values("opportunity")
        .annotate(top=Max("to_stage__position"))
        .values("top")
    )
    cells = list(
        scope.annotate(furthest=Subquery(furthest))
        .values("stage_id", "furthest")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by()
    )
    current: dict[int, dict] = {}
    for cell in cells:
        row = current.setdefault(cell["stage_id"], {"n": 0, "amount": Decimal(0)})
        row["n"] += cell["n"]
        row["amount"] += Decimal(cell["amount"] or 0)

    progress = [s for s in stages if s.kind != Stage.Kind.LOST]
    reached: dict[int, tuple[int, Decimal]] = {}
    for s in progress:
        passed = [c for c in cells if c["furthest"] is not None and c["furthest"] >= s.position]
        reached[s.pk] = (
            sum(c["n"] for c in passed),
            cents(sum((Decimal(c["amount"] or 0) for c in passed), Decimal(0))),
        )

    days = {
        row["from_stage"]: row["avg"]
        for row in StageChange.objects.filter(
            opportunity__in=scope.values("pk"), from_stage__isnull=False
        )
        .values("from_stage")
        .annotate(avg=Avg("seconds_in_from_stage"))
        .order_by()
    }

    rows = []
    for s in stages:
        row = current.get(s.pk, {})
        n_reached, amount_reached = reached.get(s.pk, (None, None))
        conversion = None
        if s in progress:
            i = progress.index(s)
            if i + 1 < len(progress) and n_reached:
                conversion = reached[progress[i + 1].pk][0] / n_reached
        avg_seconds = days.get(s.pk)
        rows.append(
            {
                "stage_id": s.pk,
                "name": s.label,
                "kind": s.kind,
                "position": s.position,
                "probability": s.probability,
                "count": row.get("n", 0),
                "amount": cents(row.get("amount") or 0),
                "reached": n_reached,
                "reached_amount": amount_reached,
                "conversion": round(conversion, 4) if conversion is not None else None,
                "avg_days": round(avg_seconds / 86400, 2) if avg_seconds is not None else None,
            }
        )
    total = sum((r["count"] for r in rows), 0)
    won = sum((r["count"] for r in rows if r["kind"] == Stage.Kind.WON), 0)
    return {
        "pipeline": {"id": pipeline.pk, "name": pipeline.name},
        "team": team,
        "start": start,
        "end": end,
        "stages": rows,
        "total": total,
        "win_rate": round(won / total, 4) if total else None,
    }
