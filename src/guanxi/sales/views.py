"""The opportunity pages: kanban board, list, card, create/edit, moves; the customer card's
sales tabs and its value so far.

Views are thin: parse, fetch through the sales querysets and access_* services (not visible →
404, visible but read-only → 403), call a service, render.
"""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.days import day_or_none
from guanxi.core.ids import int_or_none
from guanxi.core.links import next_url
from guanxi.customers import services as customer_services
from guanxi.customers.models import Customer
from guanxi.customers.views import TABS as CUSTOMER_TABS
from guanxi.sales import queries, services
from guanxi.sales.forms import OpportunityForm, apply_errors
from guanxi.sales.models import Opportunity, Pipeline, Stage
from guanxi.sales.templatetags.sales_tags import money0
from guanxi.sales.views_common import (
    PAGE_SIZE,
    customer_choices,
    owners_for,
    querystring_without,
    require_writer,
)

#: Cards a board column shows, and "show more" adds: 6 columns of 50 were a 520 KB page
#: whose template took 60 ms; the column's count and sum still cover all of its deals.
BOARD_LIMIT = 20
LIST_SORTS = {
    "-id": ("-id",),
    "amount": ("amount", "id"),
    "-amount": ("-amount", "-id"),
    "close": ("expected_close_date", "id"),
    "-close": ("-expected_close_date", "-id"),
    "name": ("name", "id"),
}
SALES_TABS = ("opportunities", "orders")


def _pipeline(pipelines: list[Pipeline], wanted) -> Pipeline:
    wanted = int_or_none(wanted)
    for p in pipelines:
        if p.pk == wanted:
            return p
    default = next((p for p in pipelines if p.is_default), None)
    if default is None and pipelines:
        default = pipelines[0]
    if default is None:
        raise Http404(_("There is no active pipeline."))
    return default


# ---------------------------------------------------------------- kanban


def _card_context(request, stages=()) -> dict:
    """What every card shares, worked out once (a board renders hundreds of cards)."""
    return {
        "opp_base": reverse("sales:opportunities"),
        "board_url": request.get_full_path()
        if request.resolver_match.url_name != "board_column"
        else reverse("sales:board"),
        "stage_label": _("Stage of"),
        "commit_label": _("commit"),
        "move_label": pgettext("stage", "Move"),
        "move_title": _("Move to the chosen stage"),
    }


def _stage_options(stages, current) -> str:
    """The <option>s of a card's stage select, the same for every card of a column."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((s.pk, mark_safe(" selected") if s.pk == current.pk else "", s.label) for s in stages),
    )


def _columns_json(totals: dict, stages) -> dict:
    return {
        str(s.pk): {
            "count": totals.get(s.pk, {}).get("count", 0),
            "amount": money0(totals.get(s.pk, {}).get("amount", 0)),
        }
        for s in stages
    }


@login_required
def board(request):
    """The kanban board of one pipeline: a column per stage with its count and sum (one
    aggregate), and the top cards of each column (one query per column)."""
    user = request.user
    pipelines = list(queries.pipelines())
    pipeline = _pipeline(pipelines, request.GET.get("pipeline"))
    owner = int_or_none(request.GET.get("owner"))
    sort = request.GET.get("sort") if request.GET.get("sort") in queries.BOARD_SORTS else "amount"
    stages = list(pipeline.stages.all())
    totals = queries.stage_totals(user, pipeline, owner=owner)
    columns = []
    for stage in stages:
        total = totals.get(stage.pk, {"count": 0, "amount": 0})
        cards = queries.stage_cards(
            user, pipeline, stage.pk, owner=owner, sort=sort, limit=BOARD_LIMIT
        )
        columns.append(
            {
                "stage": stage,
                "count": total["count"],
                "amount": total["amount"],
                "cards": cards,
                "more": total["count"] - len(cards),
                "next_offset": len(cards),
                "options": _stage_options(stages, stage),
            }
        )
    return render(
        request,
        "sales/board.html",
        {
            "nav": "sales",
            "sales_nav": "board",
            "pipelines": pipelines,
            "pipeline": pipeline,
            "stages": stages,
            "columns": columns,
            "owners": owners_for(user),
            "owner": owner,
            "sort": sort,
            "sorts": [
                ("amount", _("Largest amount")),
                ("close", _("Closing soonest")),
                ("newest", _("Newest")),
            ],
            "can_write": user.can_write,
            "empty": not any(c["count"] for c in columns),
            **_card_context(request, stages),
        },
    )


@login_required
def board_column(request, stage_id):
    """More cards of one column ("show more"), as an HTMX partial."""
    user = request.user
    stage = Stage.objects.select_related("pipeline").filter(pk=stage_id).first()
    if stage is None:
        raise Http404
    owner = int_or_none(request.GET.get("owner"))
    sort = request.GET.get("sort") if request.GET.get("sort") in queries.BOARD_SORTS else "amount"
    offset = max(int_or_none(request.GET.get("offset")) or 0, 0)
    cards = queries.stage_cards(
        user, stage.pipeline, stage.pk, owner=owner, sort=sort, offset=offset, limit=BOARD_LIMIT
    )
    total = queries.stage_totals(user, stage.pipeline, owner=owner, stage=stage.pk).get(
        stage.pk, {"count": 0}
    )
    shown = offset + len(cards)
    stages = list(stage.pipeline.stages.all())
    return render(
        request,
        "sales/partials/board_more.html",
        {
            "column": {
                "stage": stage,
                "cards": cards,
                "more": max(total["count"] - shown, 0),
                "next_offset": shown,
                "options": _stage_options(stages, stage),
            },
            "owner": owner,
            "sort": sort,
            "can_write": user.can_write,
            **_card_context(request, stages),
        },
    )


@login_required
@require_POST
def opportunity_move(request, pk):
    """Move an opportunity to another stage (drag and drop or the card's stage select).

    A fetch asking for JSON gets {ok, message, columns}; a plain form post is redirected back
    with a message."""
    user = request.user
    opp = services.access_opportunity(user, pk)
    require_writer(user)
    wants_json = "application/json" in request.headers.get("Accept", "")
    back = next_url(request, reverse("sales:opportunity", args=[opp.pk]))
    stage_id = request.POST.get("stage")
    try:
        moved = services.move_opportunity(
            user,
            opp.pk,
            stage_id,
            request.POST.get("lost_reason", ""),
            expected_version=int_or_none(request.POST.get("version")),
        )
    except services.StaleVersion as exc:
        message = str(exc)
        if wants_json:
            return JsonResponse({"ok": False, "message": message}, status=409)
        messages.error(request, message)
        return redirect(back)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        if wants_json:
            return JsonResponse(
                {"ok": False, "message": message, "errors": exc.message_dict}, status=422
            )
        messages.error(request, message)
        return redirect(back)
    text = _("%(name)s moved to %(stage)s.") % {"name": moved.name, "stage": moved.stage.label}
    if wants_json:
        stages = list(moved.pipeline.stages.all())
        owner = int_or_none(request.POST.get("board_owner"))
        totals = queries.stage_totals(user, moved.pipeline, owner=owner)
        return JsonResponse(
            {
                "ok": True,
                "message": text,
                "stage": moved.stage_id,
                "version": moved.version,
                "columns": _columns_json(totals, stages),
            }
        )
    messages.success(request, text)
    return redirect(back)


# ---------------------------------------------------------------- list


@login_required
def opportunity_list(request):
    user = request.user
    pipelines = list(queries.pipelines())
    params = {
        "q": request.GET.get("q", "").strip()[:100],
        "pipeline": int_or_none(request.GET.get("pipeline")),
        "stage": int_or_none(request.GET.get("stage")),
        "owner": int_or_none(request.GET.get("owner")),
        "customer": int_or_none(request.GET.get("customer")),
        "status": request.GET.get("status", "")
        if request.GET.get("status") in Stage.Kind.values
        else "",
        "close": (request.GET.get("close") or "").strip()[:7],
        "sort": request.GET.get("sort") if request.GET.get("sort") in LIST_SORTS else "-id",
    }
    qs = queries.opportunities_for(
        user,
        pipeline=params["pipeline"],
        stage=params["stage"],
        owner=params["owner"],
        customer=params["customer"],
        status=params["status"],
        q=params["q"],
    )
    close_start = day_or_none(f"{params['close']}-01") if params["close"] else None
    if close_start:
        next_month = (close_start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        qs = qs.filter(expected_close_date__gte=close_start, expected_close_date__lt=next_month)
    elif params["close"]:
        params["close"] = ""
    qs = qs.order_by(*LIST_SORTS[params["sort"]])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    filtered = any(
        params[k] for k in ("q", "pipeline", "stage", "owner", "customer", "status", "close")
    )
    context = {
        "nav": "sales",
        "sales_nav": "opportunities",
        "page": page,
        "params": params,
        "filtered": filtered,
        "query": querystring_without(request, "page"),
        "pipelines": pipelines,
        "owners": owners_for(user),
        "kinds": Stage.Kind.choices,
        "sorts": [
            ("-id", _("Newest")),
            ("-amount", _("Largest amount")),
            ("amount", _("Smallest amount")),
            ("close", _("Closing soonest")),
            ("-close", _("Closing latest")),
            ("name", _("Name")),
        ],
        "can_write": user.can_write,
    }
    if request.htmx and request.htmx.target == "opportunity-table":
        return render(request, "sales/partials/opportunity_table.html", context)
    return render(request, "sales/opportunity_list.html", context)


# ---------------------------------------------------------------- card


def _history_rows(opp: Opportunity) -> list[dict]:
    """Each stage the opportunity entered, when, by whom, and how long it stayed."""
    changes = list(queries.stage_history(opp))
    rows = []
    for i, change in enumerate(changes):
        if i + 1 < len(changes):
            seconds = changes[i + 1].seconds_in_from_stage
            current = False
        else:
            seconds = int((timezone.now() - opp.stage_entered_at).total_seconds())
            current = True
        rows.append({"change": change, "seconds": seconds, "current": current})
    return rows


@login_required
def opportunity_detail(request, pk):
    user = request.user
    opp = services.access_opportunity(user, pk)
    stages = list(opp.pipeline.stages.all())
    can_edit = user.can_write and Opportunity.objects.editable_by(user).filter(pk=opp.pk).exists()
    return render(
        request,
        "sales/opportunity_detail.html",
        {
            "nav": "sales",
            "sales_nav": "opportunities",
            "opp": opp,
            "stages": stages,
            "history": _history_rows(opp),
            "quotes": list(queries.quotes_for(user).filter(opportunity=opp)[:50]),
            "orders": list(queries.orders_for(user).filter(opportunity=opp)[:50]),
            "can_edit": can_edit,
        },
    )


# ---------------------------------------------------------------- create and edit


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_create(request):
    user = request.user
    require_writer(user)
    pipelines = list(queries.pipelines())
    selected = request.POST.get("customer") or request.GET.get("customer")
    initial = {"customer": int_or_none(selected)}
    default = _pipeline(pipelines, request.GET.get("pipeline"))
    initial["pipeline"] = default.pk
    form = OpportunityForm(
        request.POST or None,
        initial=initial,
        pipelines=pipelines,
        owners=owners_for(user),
        customers=customer_choices(user, selected),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            opp = services.create_opportunity(
                user,
                data["customer"],
                form.service_data(),
                pipeline=data["pipeline"],
                stage=data.get("stage") or None,
                owner=data.get("owner") or None,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Opportunity %(name)s created.") % {"name": opp.name})
            return redirect("sales:opportunity", pk=opp.pk)
    return render(
        request,
        "sales/opportunity_form.html",
        {"nav": "sales", "sales_nav": "opportunities", "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_edit(request, pk):
    user = request.user
    opp = services.access_opportunity(user, pk, edit=True)
    require_writer(user)
    initial = {
        name: getattr(opp, name) for name in OpportunityForm.SERVICE_FIELDS if hasattr(opp, name)
    }
    initial["owner"] = opp.owner_id
    form = OpportunityForm(
        request.POST or None, initial=initial, owners=owners_for(user), editing=True
    )
    version = opp.version
    status = 200
    if request.method == "POST":
        version = int_or_none(request.POST.get("version")) or opp.version
        if form.is_valid():
            try:
                services.update_opportunity(
                    user,
                    opp.pk,
                    form.service_data(),
                    expected_version=version,
                    owner=form.cleaned_data.get("owner") or None,
                )
            except services.StaleVersion as exc:
                form.add_error(None, str(exc))
                version = exc.current_version
                status = 409
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Opportunity %(name)s saved.") % {"name": opp.name})
                return redirect("sales:opportunity", pk=opp.pk)
    return render(
        request,
        "sales/opportunity_form.html",
        {
            "nav": "sales",
            "sales_nav": "opportunities",
            "form": form,
            "opp": opp,
            "version": version,
        },
        status=status,
    )


@login_required
def customer_options(request):
    """<option>s of customers the user may edit matching ?q= (for the customer selects)."""
    choices = customer_choices(
        request.user, request.GET.get("customer"), request.GET.get("customer_q", "")
    )
    return render(
        request,
        "sales/partials/customer_options.html",
        {"choices": choices, "selected": int_or_none(request.GET.get("customer"))},
    )


# ---------------------------------------------------------------- customer card


@login_required
def customer_value_panel(request, pk):
    """The customer's value so far from its purchases (an HTMX partial of the card)."""
    customer = customer_services.access_customer(request.user, pk)
    return render(
        request,
        "sales/partials/customer_value.html",
        {"customer": customer, "value": queries.customer_value(customer)},
    )


@login_required
def customer_tab(request, pk, tab):
    """The Opportunities and Orders tabs of the customer card (in the card's tab frame)."""
    if tab not in SALES_TABS:
        raise Http404
    user = request.user
    customer = customer_services.access_customer(user, pk)
    customer_services.record_view(user, customer, request=request)
    can_manage = user.can_write and customer_services.can_manage(user, customer)
    can_edit = user.can_write and Customer.objects.editable_by(user).filter(pk=customer.pk).exists()
    context = {
        "customer": customer,
        "tab": tab,
        "tabs": [t for t in CUSTOMER_TABS if t != "sharing" or can_manage],
        "sales_tab_loaded": True,
        "can_edit": can_edit,
        "limit": settings.CUSTOMER_PAGE_SIZE,
    }
    if tab == "opportunities":
        context["opportunities"] = list(
            queries.opportunities_for(user, customer=customer.pk).select_related("pipeline")[
                : settings.CUSTOMER_PAGE_SIZE
            ]
        )
    else:
        context["orders"] = list(
            queries.orders_for(user, customer=customer.pk)[: settings.CUSTOMER_PAGE_SIZE]
        )
    return render(request, "customers/partials/tab.html", context)
