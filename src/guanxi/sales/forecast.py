"""The sales forecast for a month ("2026-11") or a quarter ("2026-Q4"), per rep with team roll-up.

For the opportunities the user may see (optionally of one team and its sub-teams), in the
default currency:
- ``won``: amount won during the period (won_at inside it);
- ``pipeline``: amount of open opportunities expected to close in the period;
- ``weighted``: Σ amount × probability (the override, else the stage's) of that pipeline;
- ``commit``: won + open amounts with probability ≥ 75 % or flagged commit;
- ``best_case``: won + the whole open pipeline;
- ``historical``: won + Σ open amount × the historical win rate of its stage, the rate being the
  share won among the opportunities that were in that stage and closed (won or lost) in the past
  ``history_months`` months; a stage without such history falls back to its probability.
All sums are SQL aggregates grouped by (rep, stage); Python only adds up the small result.
"""

import calendar
import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.accounts.services import subteam_ids
from guanxi.sales.funnel import day_start
from guanxi.sales.models import Stage, StageChange
from guanxi.sales.pricing import cents
from guanxi.sales.queries import visible_opportunities

COMMIT_PROBABILITY = 75
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")


def parse_period(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of "YYYY-MM" or "YYYY-Qn"; ValidationError otherwise."""
    text = (period or "").strip()
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12 and year >= 1900:
            return dt.date(year, month, 1), dt.date(
                year, month, calendar.monthrange(year, month)[1]
            )
    elif m := _QUARTER.match(text):
        year, quarter = int(m[1]), int(m[2])
        if year >= 1900:
            first = 3 * quarter - 2
            return dt.date(year, first, 1), dt.date(
                year, first + 2, calendar.monthrange(year, first + 2)[1]
            )
    raise ValidationError({"period": _("Give a month as 2026-11 or a quarter as 2026-Q4.")})


def months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _scope(user, team: int | None):
    qs = visible_opportunities(user).filter(currency=settings.DEFAULT_CURRENCY)
    if team:
        qs = qs.filter(owner__team_id__in=subteam_ids(team))
    return qs


def win_rates(
    user, *, team: int | None = None, history_months: int = 12, today: dt.date | None = None
) -> dict[int, tuple[float, int]]:
    """{stage id: (win rate, number of closed opportunities that were in it)} over the past
    ``history_months`` months."""
    today = today or timezone.localdate()
    since, until = (
        day_start(months_before(today, history_months)),
        day_start(today + dt.timedelta(days=1)),
    )
    closed = _scope(user, team).filter(
        Q(won_at__gte=since, won_at__lt=until) | Q(lost_at__gte=since, lost_at__lt=until)
    )
    rows = (
        StageChange.objects.filter(opportunity__in=closed.values("pk"))
        .values("to_stage")
        .annotate(
            total=Count("opportunity", distinct=True),
            won=Count("opportunity", distinct=True, filter=Q(opportunity__won_at__isnull=False)),
        )
        .order_by()
    )
    return {r["to_stage"]: (r["won"] / r["total"], r["total"]) for r in rows if r["total"]}


def forecast(
    user,
    period: str,
    *,
    team: int | None = None,
    history_months: int = 12,
    today: dt.date | None = None,
) -> dict:
    """The period's forecast per rep, per team and in total (see the module docstring)."""
    start, end = parse_period(period)
    scope = _scope(user, team)
    after_end = day_start(end + dt.timedelta(days=1))

    won = dict(
        scope.filter(stage__kind=Stage.Kind.WON, won_at__gte=day_start(start), won_at__lt=after_end)
        .values("owner")
        .annotate(s=Sum("amount"))
        .order_by()
        .values_list("owner", "s")
    )

    probability = Coalesce("probability", "stage__probability")
    money = DecimalField(max_digits=20, decimal_places=2)
    is_commit = (
        Q(is_commit=True)
        | Q(probability__gte=COMMIT_PROBABILITY)
        | Q(probability__isnull=True, stage__probability__gte=COMMIT_PROBABILITY)
    )
    open_rows = list(
        scope.filter(
            stage__kind=Stage.Kind.OPEN,
            expected_close_date__gte=start,
            expected_close_date__lte=end,
        )
        .values("owner", "stage")
        .annotate(
            open_amount=Sum("amount"),
            weighted=Sum(ExpressionWrapper(F("amount") * probability, output_field=money)),
            commit=Sum("amount", filter=is_commit),
        )
        .order_by()
    )

    rates = win_rates(user, team=team, history_months=history_months, today=today)
    stage_probability = dict(
        Stage.objects.filter(pk__in={r["stage"] for r in open_rows}).values_list(
            "pk", "probability"
        )
    )

    zero = Decimal("0.00")
    per_rep: dict[int, dict] = defaultdict(
        lambda: {
            "won": zero,
            "pipeline": zero,
            "weighted": zero,
            "open_commit": zero,
            "expected": zero,
        }
    )
    for owner, amount in won.items():
        per_rep[owner]["won"] = amount or zero
    for r in open_rows:
        rep = per_rep[r["owner"]]
        amount = r["open_amount"] or zero
        rate = rates.get(r["stage"], (stage_probability.get(r["stage"], 0) / 100, 0))[0]
        rep["pipeline"] += amount
        rep["weighted"] += (r["weighted"] or zero) / 100
        rep["open_commit"] += r["commit"] or zero
        rep["expected"] += amount * Decimal(str(rate))

    users = {u.pk: u for u in User.objects.filter(pk__in=per_rep).select_related("team")}

    def figures(d: dict) -> dict:
        return {
            "won": cents(d["won"]),
            "pipeline": cents(d["pipeline"]),
            "weighted": cents(d["weighted"]),
            "commit": cents(d["won"] + d["open_commit"]),
            "best_case": cents(d["won"] + d["pipeline"]),
            "historical": cents(d["won"] + d["expected"]),
        }

    reps, teams = [], {}
    totals = defaultdict(lambda: zero)
    for owner_id in sorted(per_rep, key=lambda pk: str(users[pk])):
        user_obj, d = users[owner_id], per_rep[owner_id]
        reps.append(
            {"owner_id": owner_id, "name": str(user_obj), "team_id": user_obj.team_id, **figures(d)}
        )
        key = user_obj.team_id
        team_row = teams.setdefault(
            key,
            {
                "team_id": key,
                "name": str(user_obj.team) if user_obj.team else "",
                "sums": defaultdict(lambda: zero),
            },
        )
        for k, v in d.items():
            team_row["sums"][k] += v
            totals[k] += v
    return {
        "period": period,
        "start": start,
        "end": end,
        "currency": settings.DEFAULT_CURRENCY,
        "history_months": history_months,
        "win_rates": [
            {"stage_id": pk, "rate": round(rate, 4), "sample": n}
            for pk, (rate, n) in sorted(rates.items())
        ],
        "reps": reps,
        "teams": [
            {"team_id": t["team_id"], "name": t["name"], **figures(t["sums"])}
            for t in sorted(teams.values(), key=lambda t: t["name"])
        ],
        "total": figures(totals),
    }
