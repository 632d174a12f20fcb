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

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from guanxi.accounts.services import subteam_ids
from guanxi.sales.models import Pipeline, Stage
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

    # One query over the cohort joined to its stage changes, grouped per deal: the furthest
    # open/won stage it entered, and the seconds it spent in each stage it left; then, over the
    # deals, conditional counts and sums for "now in the stage", "reached the stage" and the
    # days in stage. A join, not a correlated subquery per deal: PostgreSQL prices the latter
    # so high that it JIT-compiles the query, which costs seconds.
    progress = [s for s in stages if s.kind != Stage.Kind.LOST]
    per_deal = {
        "furthest": Max(
            "stage_changes__to_stage__position",
            filter=~Q(stage_changes__to_stage__kind=Stage.Kind.LOST),
        )
    }
    for s in stages:
        left = Q(stage_changes__from_stage=s.pk)
        per_deal[f"secs{s.pk}"] = Sum("stage_changes__seconds_in_from_stage", filter=left)
        per_deal[f"stays{s.pk}"] = Count("stage_changes__seconds_in_from_stage", filter=left)
    aggregates = {}
    for s in stages:
        aggregates[f"c{s.pk}"] = Count("id", filter=Q(stage_id=s.pk))
        aggregates[f"m{s.pk}"] = Sum("amount", filter=Q(stage_id=s.pk))
        aggregates[f"s{s.pk}"] = Sum(f"secs{s.pk}")
        aggregates[f"k{s.pk}"] = Sum(f"stays{s.pk}")
    for s in progress:
        aggregates[f"n{s.pk}"] = Count("id", filter=Q(furthest__gte=s.position))
        aggregates[f"a{s.pk}"] = Sum("amount", filter=Q(furthest__gte=s.position))
    totals = scope.annotate(**per_deal).order_by().aggregate(**aggregates) if stages else {}
    current = {s.pk: {"n": totals[f"c{s.pk}"] or 0, "amount": totals[f"m{s.pk}"]} for s in stages}
    reached = {s.pk: (totals[f"n{s.pk}"] or 0, cents(totals[f"a{s.pk}"] or 0)) for s in progress}
    days = {s.pk: totals[f"s{s.pk}"] / totals[f"k{s.pk}"] for s in stages if totals[f"k{s.pk}"]}

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
