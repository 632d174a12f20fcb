"""The funnel and forecast pages: filters, a table, and an ECharts chart fed by json_script."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.queries import teams_visible_to
from guanxi.core.days import day_or_none
from guanxi.core.ids import int_or_none
from guanxi.sales import queries
from guanxi.sales.forecast import forecast, months_before
from guanxi.sales.funnel import funnel
from guanxi.sales.views import _pipeline


def _team(user, value):
    team_id = int_or_none(value)
    if team_id and teams_visible_to(user).filter(pk=team_id).exists():
        return team_id
    return None


@login_required
def funnel_page(request):
    user = request.user
    pipelines = list(queries.pipelines())
    pipeline = _pipeline(pipelines, request.GET.get("pipeline"))
    team = _team(user, request.GET.get("team"))
    start = day_or_none(request.GET.get("start"))
    end = day_or_none(request.GET.get("end"))
    measure = "amount" if request.GET.get("measure") == "amount" else "count"
    errors = []
    if start and end and end < start:
        errors.append(_("The end date is before the start date."))
        start = end = None
    result = funnel(user, pipeline, team=team, start=start, end=end)
    progress = [r for r in result["stages"] if r["kind"] != "lost"]
    chart = {
        "measure": measure,
        "series": _("Amount") if measure == "amount" else _("Opportunities"),
        "data": [
            {
                "name": r["name"],
                "value": float(r["reached_amount"] or 0) if measure == "amount" else r["reached"],
            }
            for r in progress
        ],
    }
    return render(
        request,
        "sales/funnel.html",
        {
            "nav": "sales",
            "sales_nav": "funnel",
            "pipelines": pipelines,
            "pipeline": pipeline,
            "teams": teams_visible_to(user),
            "team": team,
            "start": start,
            "end": end,
            "measure": measure,
            "result": result,
            "chart": chart,
            "errors": errors,
        },
    )


def _period_choices(today: dt.date) -> list[tuple[str, str]]:
    quarter = (today.month - 1) // 3 + 1
    choices = []
    for offset in (-2, -1, 0, 1, 2):
        index = today.year * 4 + quarter - 1 + offset
        year, q = divmod(index, 4)
        choices.append((f"{year}-Q{q + 1}", _("%(year)d Q%(q)d") % {"year": year, "q": q + 1}))
    for offset in range(-6, 7):
        day = months_before(today.replace(day=1), -offset)
        choices.append((f"{day:%Y-%m}", f"{day:%Y-%m}"))
    return choices


@login_required
def forecast_page(request):
    user = request.user
    today = timezone.localdate()
    default = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    period = (request.GET.get("period") or default).strip()
    team = _team(user, request.GET.get("team"))
    history = int_or_none(request.GET.get("history")) or 12
    history = min(max(history, 1), 60)
    errors = []
    try:
        result = forecast(user, period, team=team, history_months=history)
    except ValidationError as exc:
        errors = exc.messages
        period = default
        result = forecast(user, period, team=team, history_months=history)
    keys = [
        ("won", _("Won")),
        ("weighted", _("Weighted")),
        ("commit", _("Commit")),
        ("best_case", _("Best case")),
        ("historical", _("Historical rate")),
    ]
    chart = {
        "reps": [r["name"] for r in result["reps"]],
        "series": [
            {"name": str(label), "data": [float(r[key]) for r in result["reps"]]}
            for key, label in keys
        ],
    }
    periods = _period_choices(today)
    if period not in dict(periods):
        periods.insert(0, (period, period))
    return render(
        request,
        "sales/forecast.html",
        {
            "nav": "sales",
            "sales_nav": "forecast",
            "period": period,
            "periods": periods,
            "teams": teams_visible_to(user),
            "team": team,
            "history": history,
            "result": result,
            "keys": keys,
            "chart": chart,
            "errors": errors,
            "reps_by_team": {
                t["team_id"]: [r for r in result["reps"] if r["team_id"] == t["team_id"]]
                for t in result["teams"]
            },
        },
    )
