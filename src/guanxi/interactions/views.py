"""Pages of the timeline, tasks, "my day" and the calendar feed: parse, call, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanxi.accounts.queries import users_visible_to
from guanxi.core.links import next_url
from guanxi.customers import services as customer_services
from guanxi.customers.views import TABS as CUSTOMER_TABS
from guanxi.interactions import queries, services
from guanxi.interactions.feeds import tasks_calendar
from guanxi.interactions.forms import AttachmentForm, InteractionForm, TaskForm, apply_errors
from guanxi.interactions.models import InteractionKind

TIMELINE_PAGE = 20


# --- timeline ------------------------------------------------------------------------------


def _timeline_context(request, customer, *, form=None) -> dict:
    user = request.user
    kind = request.GET.get("kind", "")
    kind = kind if kind in InteractionKind.values else ""
    items, next_cursor = queries.timeline_page(user, customer, kind=kind, limit=TIMELINE_PAGE)
    can_manage = user.can_write and customer_services.can_manage(user, customer)
    return {
        "customer": customer,
        "tab": "timeline",
        "tabs": [t for t in CUSTOMER_TABS if t != "sharing" or can_manage],
        "timeline_loaded": True,
        "items": items,
        "next_cursor": next_cursor,
        "kind": kind,
        "kinds": InteractionKind.choices,
        "presets": services.preset_labels(),
        "form": form or InteractionForm(),
        "can_log": user.can_write,
        "open_tasks": list(
            queries.tasks_for(user, status="open", customer=customer).order_by("due_at", "pk")[:10]
        ),
    }


@login_required
@require_GET
def customer_tab(request, pk):
    """The Timeline tab of the customer card, in the card's tab frame."""
    customer = customer_services.access_customer(request.user, pk)
    customer_services.record_view(request.user, customer, request=request)
    return render(request, "customers/partials/tab.html", _timeline_context(request, customer))


@login_required
@require_GET
def timeline_items(request, pk):
    """The next page of the timeline (infinite scroll), or the first page of a kind filter."""
    customer = customer_services.access_customer(request.user, pk)
    kind = request.GET.get("kind", "")
    kind = kind if kind in InteractionKind.values else ""
    try:
        items, next_cursor = queries.timeline_page(
            request.user,
            customer,
            kind=kind,
            cursor=request.GET.get("cursor") or None,
            limit=TIMELINE_PAGE,
        )
    except ValidationError:
        raise Http404 from None
    return render(
        request,
        "interactions/partials/timeline_items.html",
        {
            "customer": customer,
            "items": items,
            "next_cursor": next_cursor,
            "kind": kind,
        },
    )


@login_required
@require_POST
def log(request, pk):
    """Log an interaction from the quick-log form or one of its preset buttons."""
    customer = customer_services.access_customer(request.user, pk)
    form = InteractionForm(request.POST)
    try:
        if request.POST.get("preset"):
            services.log_preset(request.user, customer.pk, request.POST["preset"])
            form = None
        elif form.is_valid():
            services.log_interaction(request.user, customer.pk, form.cleaned_data)
            form = None
    except ValidationError as exc:
        form = form or InteractionForm()
        apply_errors(form, exc)
    except PermissionDenied as exc:
        form = InteractionForm(request.POST)
        form.add_error(None, str(exc))
    ok = form is None
    if not request.htmx:
        if ok:
            messages.success(request, _("Logged."))
        else:
            messages.error(request, " ".join(str(e) for e in form.errors.values()))
        return redirect(reverse("customers:detail", args=[customer.pk]) + "?tab=timeline")
    context = _timeline_context(request, customer, form=form if not ok else None)
    context["logged"] = ok
    return render(request, "customers/partials/tab.html", context)


@login_required
@require_GET
def interaction_detail(request, pk):
    interaction = services.access_interaction(request.user, pk)
    return render(
        request,
        "interactions/detail.html",
        {
            "interaction": interaction,
            "customer": interaction.customer,
            "attachments": list(interaction.attachments.all()),
            "contacts": list(interaction.contacts.all()),
            "participants": list(interaction.participants.all()),
            "form": AttachmentForm(),
            "max_mb": services.MAX_ATTACHMENT_BYTES // (1024 * 1024),
            "nav": "customers",
        },
    )


@login_required
@require_POST
def attachment_upload(request, pk):
    interaction = services.access_interaction(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(request.user, interaction.pk, form.cleaned_data["file"])
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    if form.errors:
        return render(
            request,
            "interactions/detail.html",
            {
                "interaction": interaction,
                "customer": interaction.customer,
                "attachments": list(interaction.attachments.all()),
                "contacts": list(interaction.contacts.all()),
                "participants": list(interaction.participants.all()),
                "form": form,
                "max_mb": services.MAX_ATTACHMENT_BYTES // (1024 * 1024),
                "nav": "customers",
            },
            status=422,
        )
    messages.success(request, _("File attached."))
    return redirect("interactions:detail", pk=interaction.pk)


@login_required
@require_GET
def attachment_download(request, pk):
    """Files are only ever served here, after the visibility check — never from MEDIA_URL."""
    attachment = services.access_attachment(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = attachment.content_type.startswith("image/") or attachment.content_type == (
        "application/pdf"
    )
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


# --- tasks ---------------------------------------------------------------------------------


@login_required
@require_GET
def my_day_page(request):
    day = queries.my_day(request.user)
    return render(request, "interactions/my_day.html", {"day": day, "nav": "my_day"})


def _task_form_page(request, form, *, task=None, customer=None, status=200):
    return render(
        request,
        "interactions/task_form.html",
        {
            "form": form,
            "task": task,
            "customer": customer,
            "nav": "my_day",
            "next": next_url(request, ""),
        },
        status=status,
    )


def _assignees(user):
    return users_visible_to(user).exclude(role="analyst").order_by("username")


@login_required
def task_new(request):
    """A new task, optionally about a customer (?customer=<id>)."""
    user = request.user
    customer_id = request.POST.get("customer") or request.GET.get("customer") or None
    customer = customer_services.access_customer(user, customer_id) if customer_id else None
    if request.method != "POST":
        return _task_form_page(request, TaskForm(assignees=_assignees(user)), customer=customer)
    form = TaskForm(request.POST, assignees=_assignees(user))
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "assignee"}
        data["assignee"] = form.cleaned_data["assignee"] or user.pk
        data["customer"] = customer.pk if customer else None
        try:
            services.create_task(user, data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    if form.errors:
        return _task_form_page(request, form, customer=customer, status=422)
    messages.success(request, _("Task added."))
    default = (
        reverse("customers:detail", args=[customer.pk]) + "?tab=timeline"
        if customer
        else reverse("interactions:my_day")
    )
    return redirect(next_url(request, default))


def _local_input(value, user) -> str:
    if value is None:
        return ""
    from django.utils import timezone

    return timezone.localtime(value, services.user_zone(user)).strftime("%Y-%m-%dT%H:%M")


@login_required
def task_edit(request, pk):
    user = request.user
    task = services.access_task(user, pk, edit=True)
    if request.method != "POST":
        form = TaskForm(
            assignees=_assignees(user),
            initial={
                "title": task.title,
                "notes": task.notes,
                "priority": task.priority,
                "due_at": _local_input(task.due_at, user),
                "remind_at": _local_input(task.remind_at, user),
                "recurrence_days": task.recurrence_days or "",
                "assignee": task.assignee_id if task.assignee_id != user.pk else "",
            },
        )
        return _task_form_page(request, form, task=task, customer=task.customer)
    form = TaskForm(request.POST, assignees=_assignees(user))
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "assignee"}
        data["assignee"] = form.cleaned_data["assignee"] or user.pk
        try:
            services.update_task(user, task.pk, data)
        except ValidationError as exc:
            apply_errors(form, exc)
    if form.errors:
        return _task_form_page(request, form, task=task, customer=task.customer, status=422)
    messages.success(request, _("Task saved."))
    return redirect(next_url(request, reverse("interactions:my_day")))


def _task_row(request, task):
    task = services.access_task(request.user, task.pk)
    return render(request, "interactions/partials/task_row.html", {"task": task})


@login_required
@require_POST
def task_complete(request, pk):
    task = services.complete_task(request.user, pk)
    if request.htmx:
        return _task_row(request, task)
    return redirect(next_url(request, reverse("interactions:my_day")))


@login_required
@require_POST
def task_reopen(request, pk):
    task = services.reopen_task(request.user, pk)
    if request.htmx:
        return _task_row(request, task)
    return redirect(next_url(request, reverse("interactions:my_day")))


# --- calendar feed -------------------------------------------------------------------------


@login_required
def feed_settings(request):
    """Show the secret feed link; POST makes a new one (the old stops working)."""
    if request.method == "POST":
        services.regenerate_feed_token(request.user)
        messages.success(request, _("A new link was made; the old one no longer works."))
        return redirect("interactions:feed_settings")
    token = services.feed_token_for(request.user)
    url = request.build_absolute_uri(reverse("interactions:feed", args=[token.token]))
    return render(request, "interactions/feed_settings.html", {"feed_url": url, "nav": "my_day"})


@require_GET
def feed(request, token):
    """The calendar itself: no session, the secret in the URL is the key."""
    user = services.user_for_feed_token(token)
    if user is None:
        raise Http404
    body = tasks_calendar(user, queries.open_tasks_for_feed(user))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
