"""The customer pages: list, card (with HTMX tabs), create/edit, recycle bin, transfers.

Views are thin: parse the request, fetch through access_customer / customers.queries (not
visible → 404, visible but read-only → 403), call a service, render. Every page that shows a
customer's data writes the view to the access log.
"""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.accounts.models import Role, Team
from guanxi.accounts.queries import is_manager_of, team_rows, teams_visible_to, users_visible_to
from guanxi.core.access_log import may_read_access_log
from guanxi.core.ids import int_or_none
from guanxi.core.links import next_url, pk_url
from guanxi.core.pagination import PeekPage, page_number
from guanxi.core.phones import display_phone
from guanxi.customers import history_reasons, queries, services
from guanxi.customers.duplicate_check import LikelyDuplicate, check_new_customer
from guanxi.customers.forms import (
    FIELD_GROUPS,
    MODEL_FIELDS,
    PERSON_ONLY,
    BulkForm,
    ContactForm,
    CustomerForm,
    ShareForm,
    TagsForm,
    TransferAllForm,
    TransferForm,
    apply_errors,
    custom_fields,
    selected_ids,
    split_tags,
)
from guanxi.customers.masking import SENSITIVE_FIELDS, masks_for, shown_value
from guanxi.customers.merge import kept_customer, merges_into, undoable_by
from guanxi.customers.models import BirthdayCalendar, Contact, Customer, Kind

TABS = ("contacts", "tags", "history", "sharing", "followers")
# Tabs of the card served by the sales app (which may import customers, not the reverse).
SALES_TABS = ("opportunities", "orders")
# The Timeline tab is served by the interactions app (which may import customers).
INTERACTIONS_TABS = ("timeline",)
# The Key account tab is served by the keyaccounts app.
KEYACCOUNT_TABS = ("keyaccount",)
SORTABLE = ("name", "city", "created", "updated")


# ---------------------------------------------------------------- helpers


def _require_writer(user) -> None:
    if not user.can_write:
        raise PermissionDenied(_("Your role is read-only."))


def _shown(user, customer, field: str, masked: bool | None = None) -> str:
    """A sensitive value as this user may see it: masked, or in full and readable."""
    if masked is None:
        masked = masks_for(user, customer)
    return shown_value(field, getattr(customer, field), masked)


def _can_edit(user, customer) -> bool:
    return user.can_write and Customer.objects.editable_by(user).filter(pk=customer.pk).exists()


def _can_transfer_all(user, owner) -> bool:
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    return owner is not None and user.role == Role.MANAGER and is_manager_of(user, owner)


# ---------------------------------------------------------------- list and bulk actions


@login_required
def customer_list(request):
    """The customer list; an HTMX request from the filter form gets only the table."""
    user = request.user
    params = {
        "q": request.GET.get("q", "").strip()[:100],
        "owner": int_or_none(request.GET.get("owner")),
        "tag": request.GET.get("tag", "").strip()[:50],
        "city": request.GET.get("city", "").strip()[:30],
        "kind": request.GET.get("kind", "") if request.GET.get("kind") in Kind.values else "",
        "sort": request.GET.get("sort", "-id"),
    }
    if params["sort"] not in queries.SORTS:
        params["sort"] = "-id"
    number, per_page = page_number(request.GET.get("page")), settings.CUSTOMER_PAGE_SIZE
    # The page's rows and one more (a search reads no more matches than that).
    found = queries.customer_rows(
        user, **params, offset=(number - 1) * per_page, limit=per_page + 1
    )
    page = PeekPage(found, number, per_page)
    # Each row as the table shows it, worked out once per page: a {% url %} or a lazy label in
    # a 25-row loop costs more than the rest of the row. A dict, which the template reads at the
    # first try (it tries a model instance as a dict first, and the miss costs 2 µs a value).
    card_url = pk_url("customers:detail")
    kind_labels = {value: str(label) for value, label in Kind.choices}
    select = _("Select %(name)s")
    rows = [
        {
            # A number in a template goes through number localisation: 10 µs a row for the id.
            "key": str(customer.pk),
            "name": customer.name,
            "company_name": customer.company_name,
            "card_url": card_url(customer.pk),
            "kind_label": kind_labels.get(customer.kind, customer.kind),
            "kind_icon": "bi-building" if customer.kind == Kind.COMPANY else "bi-person",
            "shown_phone": _shown(user, customer, "phone"),
            "city": customer.city,
            "owner": str(customer.owner) if customer.owner_id else None,
            "tags": split_tags(customer.tag_names),
            "updated_ago": naturaltime(customer.updated_at),
            # The exact time on hover, in the user's time zone (the column says "3 hours ago").
            "updated_title": timezone.localtime(customer.updated_at).strftime("%Y-%m-%d %H:%M"),
            "select_label": select % {"name": customer.name},
        }
        for customer in page.object_list
    ]
    filtered = any(params[k] for k in ("q", "owner", "tag", "city", "kind"))
    sorts = {}
    for column in SORTABLE:
        current = params["sort"].lstrip("-") == column
        descending = params["sort"].startswith("-")
        sorts[column] = {
            "next": f"-{column}" if current and not descending else column,
            "icon": ("bi-sort-down" if descending else "bi-sort-up") if current else "",
        }
    owner_filter = None
    if params["owner"]:
        owner_filter = queries.transfer_sources(user).filter(pk=params["owner"]).first()
    context = {
        "nav": "customers",
        "page": page,
        "rows": rows,
        "params": params,
        "filtered": filtered,
        "sorts": sorts,
        "can_write": user.can_write,
        "owner_filter": owner_filter,
        "can_transfer_all": owner_filter is not None and _can_transfer_all(user, owner_filter),
    }
    if request.htmx and request.htmx.target == "customer-table":
        return render(request, "customers/partials/list_table.html", context)
    owners = queries.transfer_target_rows(user)
    context.update(
        {
            "owners": owners,
            # The bulk transfer's choices name each colleague's team: one {% options %} call
            # instead of a template loop over the colleagues (15 µs each).
            "transfer_choices": [(u.pk, f"{u} · {u.team}" if u.team else str(u)) for u in owners],
            "tags": queries.tag_rows(),
            "kinds": Kind.choices,
            "teams": team_rows(user),
            "levels": services.ShareLevel.choices,
            "bulk_actions": BulkForm.ACTIONS,
        }
    )
    return render(request, "customers/list.html", context)


@login_required
@require_POST
def bulk_action(request):
    """Transfer, share or tag the selected customers; rows the user may not touch are skipped."""
    user = request.user
    _require_writer(user)
    back = next_url(request, reverse("customers:list"))
    form = BulkForm(request.POST)
    ids = selected_ids(request.POST)
    if not ids:
        messages.warning(request, _("Select at least one customer first."))
        return redirect(back)
    if not form.is_valid():
        messages.error(request, _("Choose an action and fill in what it needs."))
        return redirect(back)
    action = form.cleaned_data["action"]
    try:
        if action == "transfer":
            to_user = queries.transfer_targets(user).filter(pk=form.cleaned_data["to_user"]).first()
            if to_user is None:
                raise ValidationError(_("Choose the colleague who receives the customers."))
            count = services.transfer_customers(user, ids, to_user, form.cleaned_data["reason"])
            done = ngettext(
                "%(count)d customer transferred to %(user)s",
                "%(count)d customers transferred to %(user)s",
                count,
            )
            skipped_why = _("you may not manage them or they already belong to that person")
            done = done % {"count": count, "user": to_user}
        elif action == "share":
            share = ShareForm(
                {
                    "target": form.cleaned_data["target"],
                    "level": form.cleaned_data["level"] or "read",
                },
                users=users_visible_to(user),
                teams=teams_visible_to(user),
            )
            if not share.is_valid():
                raise ValidationError(_("Choose a colleague or a team to share with."))
            count = services.share_customers(
                user, ids, level=share.cleaned_data["level"], **share.target_kwargs()
            )
            done = ngettext("%(count)d customer shared", "%(count)d customers shared", count)
            done = done % {"count": count}
            skipped_why = _("you may not manage them")
        else:
            names = split_tags(form.cleaned_data["tags"])
            if not names:
                raise ValidationError(_("Type the tag to add."))
            count = services.tag_customers(user, ids, names)
            done = ngettext(
                "%(count)d customer tagged %(tags)s", "%(count)d customers tagged %(tags)s", count
            )
            done = done % {"count": count, "tags": ", ".join(names)}
            skipped_why = _("you may not edit them")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    skipped = len(ids) - count
    if skipped:
        more = ngettext(
            "%(count)d skipped because %(why)s", "%(count)d skipped because %(why)s", skipped
        ) % {"count": skipped, "why": skipped_why}
        messages.warning(request, f"{done}; {more}.")
    else:
        messages.success(request, f"{done}.")
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def transfer_all(request):
    """Hand every customer of one (leaving) rep to another: admins and the rep's managers."""
    user = request.user
    if not (user.is_superuser or user.role in (Role.ADMIN, Role.MANAGER)):
        raise PermissionDenied(_("Only an admin or a manager can transfer all customers."))
    form_kwargs = {
        "users": queries.transfer_targets(user),
        "from_users": queries.transfer_sources(user),
    }
    if request.method == "POST":
        form = TransferAllForm(request.POST, **form_kwargs)
        if form.is_valid():
            from_user = form.cleaned_data["from_user"]
            to_user = form.cleaned_data["to_user"]
            try:
                count = services.transfer_all(user, from_user, to_user, form.cleaned_data["reason"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d customer of %(from)s transferred to %(to)s.",
                        "%(count)d customers of %(from)s transferred to %(to)s.",
                        count,
                    )
                    % {"count": count, "from": from_user, "to": to_user},
                )
                return redirect(f"{reverse('customers:list')}?owner={to_user.pk}")
    else:
        form = TransferAllForm(
            initial={"from_user": int_or_none(request.GET.get("from_user"))}, **form_kwargs
        )
    return render(request, "customers/transfer_all.html", {"nav": "customers", "form": form})


# ---------------------------------------------------------------- the card


def _profile_groups(user, customer) -> list:
    masked = masks_for(user, customer)
    groups = []
    for title, names in FIELD_GROUPS:
        rows = []
        for name in names:
            if name in PERSON_ONLY and customer.kind == Kind.COMPANY:
                continue
            field = Customer._meta.get_field(name)
            value = getattr(customer, name)
            row = {"name": name, "label": field.verbose_name, "value": value, "extra": ""}
            if field.choices:
                row["value"] = getattr(customer, f"get_{name}_display")() if value else ""
            if name in SENSITIVE_FIELDS and value:
                row["value"] = _shown(user, customer, name, masked)
                row["masked"] = masked
            if name == "birthday" and value:
                if customer.birthday_calendar == BirthdayCalendar.LUNAR:
                    row["extra"] = customer.lunar_birthday
            if name == "email" and value:
                row["mailto"] = True
            rows.append(row)
        groups.append((title, rows))
    return groups


def _custom_values(customer) -> list:
    values = customer.custom or {}
    return [(f.label, values.get(f.key, "")) for f in custom_fields()]


def _detail_context(request, customer, tab: str) -> dict:
    user = request.user
    context = {
        "nav": "customers",
        "customer": customer,
        "groups": _profile_groups(user, customer),
        "custom_values": _custom_values(customer),
        "can_edit": _can_edit(user, customer),
        "can_manage": user.can_write and services.can_manage(user, customer),
        "can_reveal": user.can_reveal,
        "is_following": customer.followers.filter(pk=user.pk).exists(),
        "tags": list(customer.tags.all()),
    }
    context["tabs"] = [t for t in TABS if t != "sharing" or context["can_manage"]]
    context["tab"] = (
        tab
        if tab in context["tabs"]
        or tab in SALES_TABS
        or tab in INTERACTIONS_TABS
        or tab in KEYACCOUNT_TABS
        else "contacts"
    )
    return context


def _tab_context(request, customer, tab: str, base: dict | None = None) -> dict:
    """What one tab needs; ``base`` carries the flags already worked out for the card."""
    user = request.user
    ctx = dict(base or {})
    ctx.setdefault("customer", customer)
    if "can_edit" not in ctx:
        ctx["can_edit"] = _can_edit(user, customer)
    if "can_manage" not in ctx:
        ctx["can_manage"] = user.can_write and services.can_manage(user, customer)
    ctx["tab"] = tab
    ctx["tabs"] = [t for t in TABS if t != "sharing" or ctx["can_manage"]]
    if tab == "contacts":
        masked = masks_for(user, customer)
        contacts = list(customer.contacts.all())
        for contact in contacts:
            contact.shown_phone = display_phone(contact.phone, masked=masked)
        ctx["contacts"] = contacts
        ctx.setdefault("contact_form", ContactForm(prefix="contact"))
    elif tab == "tags":
        ctx["tags"] = list(customer.tags.all())
        ctx.setdefault("tags_form", TagsForm(initial={"tags": customer.tag_names}))
    elif tab == "history":
        ctx["entries"] = _history(user, customer)
        ctx["transfers"] = list(queries.transfers_for(customer))
        if may_read_access_log(user):  # who viewed, revealed, exported or merged it
            ctx["access_log_url"] = f"{reverse('access_log')}?customer={customer.pk}"
    elif tab == "sharing":
        if not ctx["can_manage"]:
            raise PermissionDenied(_("Only the owner, their manager or an admin can share."))
        ctx["shares"] = list(customer.shares.select_related("user", "team").order_by("pk"))
        ctx.setdefault(
            "share_form", ShareForm(users=users_visible_to(user), teams=teams_visible_to(user))
        )
    elif tab == "followers":
        ctx["followers"] = list(customer.followers.select_related("team"))
        ctx["is_following"] = any(f.pk == user.pk for f in ctx["followers"])
    return ctx


def _render_tab(request, customer, tab: str, *, status: int = 200, **extra):
    """An HTMX request gets the tab alone; a plain one the whole card on that tab."""
    if request.htmx:
        ctx = _tab_context(request, customer, tab, extra)
        return render(request, "customers/partials/tab.html", ctx, status=status)
    ctx = _detail_context(request, customer, tab)
    ctx.update(_tab_context(request, customer, tab, {**ctx, **extra}))
    return render(request, "customers/detail.html", ctx, status=status)


def _history(user, customer) -> list[dict]:
    """history_for with verbose field names, choice labels, owner names and masked values."""
    entries = queries.history_for(customer)
    masked = masks_for(user, customer)
    definitions = {f.key: f.label for f in custom_fields()}
    owner_ids = {
        v
        for e in entries
        for f, old, new in e["changes"]
        if f in ("owner", "deleted_by")
        for v in (old, new)
        if v
    }
    names = {u.pk: str(u) for u in users_visible_to(user).filter(pk__in=owner_ids)}
    for entry in entries:
        rows = []
        model = Contact if entry["contact"] else Customer
        for field, old, new in entry["changes"]:
            if field == "custom":
                old, new = old or {}, new or {}
                for key in sorted(set(old) | set(new)):
                    if old.get(key) != new.get(key):
                        rows.append((definitions.get(key, key), old.get(key, ""), new.get(key, "")))
                continue
            rows.append(
                (
                    _history_label(field, model),
                    _history_value(field, old, masked, names, model),
                    _history_value(field, new, masked, names, model),
                )
            )
        entry["rows"] = rows
        entry["reason"] = history_reasons.shown(entry["reason"])
    removed = {e["contact"]["id"] for e in entries if e["contact"] and e["type"] == "deleted"}
    back = services.restorable_contacts(user, customer, removed) if removed else set()
    for entry in entries:
        entry["restorable"] = (
            entry["type"] == "deleted" and entry["contact"] and entry["contact"]["id"] in back
        )
    return entries


def _history_label(field: str, model=Customer) -> str:
    try:
        return str(model._meta.get_field(field).verbose_name)
    except Exception:  # noqa: BLE001 - a field no longer on the model keeps its name
        return field


def _history_value(field: str, value, masked: bool, names: dict, model=Customer) -> str:
    if value in (None, ""):
        return ""
    if field in SENSITIVE_FIELDS:
        return shown_value(field, value, masked)
    if field in ("owner", "deleted_by"):
        return names.get(value, f"#{value}")
    if field == "pool_team":  # whose public pool (team names are not sensitive)
        return str(Team.objects.filter(pk=value).first() or f"#{value}")
    if isinstance(value, dt.datetime):  # as the entry's own time: local, to the minute
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, dt.date):
        return date_format(value, "Y-m-d")
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    try:
        model_field = model._meta.get_field(field)
    except Exception:  # noqa: BLE001
        return str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


@login_required
def customer_detail(request, pk):
    try:
        customer = services.access_customer(request.user, pk)
    except Http404:
        kept = kept_customer(request.user, pk)
        if kept is None:
            raise
        messages.info(
            request,
            _("Customer #%(old)d was merged into this one; its records are here.") % {"old": pk},
        )
        return redirect("customers:detail", kept)
    services.record_view(request.user, customer, request=request)
    context = _detail_context(request, customer, request.GET.get("tab", "contacts"))
    context.update(_tab_context(request, customer, context["tab"], context))
    return render(request, "customers/detail.html", context)


@login_required
def customer_tab(request, pk, tab):
    if tab not in TABS:
        raise Http404
    customer = services.access_customer(request.user, pk)
    services.record_view(request.user, customer, request=request)
    return _render_tab(request, customer, tab)


@login_required
@require_POST
def reveal(request, pk, field):
    """Swap a masked value for the full one; the reveal is logged by the service."""
    if field not in SENSITIVE_FIELDS:
        raise Http404
    value = services.reveal_field(request.user, pk, field, request=request)
    shown = shown_value(field, value, masked=False)
    return render(request, "customers/partials/revealed.html", {"value": shown})


# ---------------------------------------------------------------- create and edit


@login_required
@require_http_methods(["GET", "POST"])
def customer_create(request):
    user = request.user
    _require_writer(user)
    owners = (
        queries.assignable_owners(user)
        if (user.is_superuser or user.role in (Role.ADMIN, Role.MANAGER))
        else None
    )
    definitions = custom_fields()
    form = CustomerForm(request.POST or None, custom_fields=definitions, owners=owners)
    duplicates = None
    if request.method == "POST" and form.is_valid():
        try:
            check_new_customer(
                user,
                form.customer_data(),
                allow_duplicate=request.POST.get("allow_duplicate") == "1",
            )
            customer = services.create_customer(
                user,
                form.customer_data(),
                owner=form.cleaned_data.get("owner"),
                tags=form.tag_list(),
            )
        except LikelyDuplicate as exc:  # 查重: shown above the form with "create anyway"
            duplicates = exc.messages
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Customer %(name)s created.") % {"name": customer.name})
            return redirect("customers:detail", pk=customer.pk)
    return render(
        request,
        "customers/form.html",
        {"nav": "customers", "form": form, "person_only": PERSON_ONLY, "duplicates": duplicates},
    )


@login_required
@require_http_methods(["GET", "POST"])
def customer_edit(request, pk):
    user = request.user
    customer = services.access_customer(user, pk, edit=True)
    _require_writer(user)
    masked = masks_for(user, customer)
    definitions = custom_fields()
    form = CustomerForm(
        request.POST or None, instance=customer, custom_fields=definitions, masked=masked
    )
    version = customer.version
    conflict = []
    status = 200
    if request.method == "POST":
        version = int_or_none(request.POST.get("version")) or customer.version
        if form.is_valid():
            try:
                services.update_customer(
                    user,
                    customer.pk,
                    form.customer_data(),
                    expected_version=version,
                    tags=form.tag_list(),
                )
            except services.StaleVersion as exc:
                current = services.access_customer(user, pk)
                form.add_error(
                    None,
                    _(
                        "This customer was changed by someone else meanwhile; here is the current "
                        "data. Your values are still in the form: check them and save again."
                    ),
                )
                conflict = _conflicts(user, current, form)
                version = exc.current_version
                status = 409
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Customer %(name)s saved.") % {"name": customer.name})
                return redirect("customers:detail", pk=customer.pk)
    else:
        services.record_view(user, customer, request=request)
    return render(
        request,
        "customers/form.html",
        {
            "nav": "customers",
            "form": form,
            "customer": customer,
            "version": version,
            "conflict": conflict,
            "person_only": PERSON_ONLY,
        },
        status=status,
    )


def _conflicts(user, current, form) -> list[tuple[str, str, str]]:
    """(label, current value, your value) for every field where the two differ."""
    masked = masks_for(user, current)
    rows = []
    for name in MODEL_FIELDS:
        mine = form.cleaned_data.get(name)
        theirs = getattr(current, name)
        if name in form.masked_fields and not mine:
            continue
        if (mine or "") == (theirs or "") or str(mine or "") == str(theirs or ""):
            continue
        field = Customer._meta.get_field(name)
        if name in SENSITIVE_FIELDS:
            theirs = _shown(user, current, name, masked)
        elif field.choices:
            theirs = getattr(current, f"get_{name}_display")()
            mine = str(dict(field.flatchoices).get(mine, mine))
        rows.append((field.verbose_name, theirs or "", mine or ""))
    if split_tags(current.tag_names) != form.tag_list():
        rows.append((_("Tags"), current.tag_names, ", ".join(form.tag_list())))
    return rows


# ---------------------------------------------------------------- owner, delete, restore


@login_required
@require_http_methods(["GET", "POST"])
def customer_transfer(request, pk):
    user = request.user
    customer = services.access_customer(user, pk)
    _require_writer(user)
    if not services.can_manage(user, customer):
        raise PermissionDenied(_("Only the owner, their manager or an admin can do this."))
    form = TransferForm(
        request.POST or None, users=queries.transfer_targets(user).exclude(pk=customer.owner_id)
    )
    if request.method == "POST" and form.is_valid():
        to_user = form.cleaned_data["to_user"]
        try:
            services.transfer_customer(user, customer.pk, to_user, form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s now belongs to %(user)s.") % {"name": customer.name, "user": to_user},
            )
            return redirect("customers:detail", pk=customer.pk)
    return render(
        request, "customers/transfer.html", {"nav": "customers", "customer": customer, "form": form}
    )


@login_required
@require_POST
def customer_delete(request, pk):
    customer = services.delete_customer(request.user, pk)
    undo = reverse("customers:restore", args=[customer.pk])
    messages.success(
        request,
        format_html(
            '{} <button type="button" class="btn btn-sm btn-outline-success ms-2" hx-post="{}" '
            'hx-vals=\'{{"next": "{}"}}\'>{}</button>',
            _("%(name)s moved to the recycle bin.") % {"name": customer.name},
            undo,
            reverse("customers:detail", args=[customer.pk]),
            _("Undo"),
        ),
    )
    return redirect("customers:list")


@login_required
@require_POST
def customer_restore(request, pk):
    try:
        customer = services.restore_customer(request.user, pk)
    except ValidationError as exc:  # e.g. merged into another: undo the merge instead
        messages.error(request, " ".join(exc.messages))
        return redirect("customers:recycle_bin")
    messages.success(request, _("%(name)s restored.") % {"name": customer.name})
    target = next_url(request, reverse("customers:recycle_bin"))
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


@login_required
@require_POST
def customer_purge(request, pk):
    customer = services.access_customer(request.user, pk, include_deleted=True)
    name = customer.name
    try:
        services.purge_customer(request.user, pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s deleted for good.") % {"name": name})
    return redirect("customers:recycle_bin")


@login_required
def recycle_bin(request):
    user = request.user
    qs = (
        queries.in_recycle_bin(user, editable=True)
        .select_related("owner", "deleted_by")
        .order_by("-deleted_at", "-id")
    )
    page = Paginator(qs, settings.CUSTOMER_PAGE_SIZE).get_page(request.GET.get("page"))
    manageable = queries.manageable_ids(user, [c.pk for c in page.object_list])
    for customer in page.object_list:
        customer.manageable = customer.pk in manageable
    merged = merges_into(c.pk for c in page.object_list)
    undoable = undoable_by(user, merged.values())
    for customer in page.object_list:
        customer.merge = merged.get(customer.pk)
        customer.merge_undoable = customer.merge is not None and customer.merge.pk in undoable
    return render(
        request,
        "customers/recycle_bin.html",
        {
            "nav": "recycle",
            "page": page,
            "can_purge": user.is_admin,
            "keep_days": settings.RECYCLE_BIN_DAYS,
        },
    )


# ---------------------------------------------------------------- tabs that write


@login_required
@require_POST
def follow(request, pk):
    following = request.POST.get("follow", "1") == "1"
    customer = services.follow_customer(request.user, pk, follow=following)
    if request.htmx:
        return _render_tab(request, customer, "followers")
    return redirect(f"{reverse('customers:detail', args=[customer.pk])}?tab=followers")


def _after_tab_write(request, customer, tab: str):
    if request.htmx:
        return _render_tab(request, customer, tab)
    return redirect(f"{reverse('customers:detail', args=[customer.pk])}?tab={tab}")


@login_required
@require_POST
def contact_add(request, pk):
    customer = services.access_customer(request.user, pk, edit=True)
    _require_writer(request.user)
    form = ContactForm(request.POST, prefix="contact")
    if form.is_valid():
        try:
            services.add_contact(request.user, customer, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _after_tab_write(request, customer, "contacts")
    return _render_tab(request, customer, "contacts", contact_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, pk, contact_id):
    customer = services.access_customer(request.user, pk, edit=True)
    _require_writer(request.user)
    contact = customer.contacts.filter(pk=contact_id).first()
    if contact is None:
        if request.method != "POST":
            raise Http404
        # removed while this form was open: say so rather than fail without a word
        gone = _("This contact was removed in the meantime: nothing was saved.")
        return _render_tab(request, customer, "contacts", tab_error=gone)
    form = ContactForm(request.POST or None, instance=contact, prefix="contact")
    if request.method == "POST" and form.is_valid():
        try:
            services.update_contact(
                request.user,
                customer.pk,
                contact.pk,
                form.cleaned_data,
                seen=_seen(request.POST.get("contact-seen")),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _after_tab_write(request, customer, "contacts")
    seen = request.POST.get("contact-seen") or contact.updated_at.isoformat()  # kept on errors
    return _render_tab(
        request, customer, "contacts", contact_form=form, editing=contact, contact_seen=seen
    )


def _seen(value: str | None) -> dt.datetime | None:
    """The ``updated_at`` a form was opened with (its hidden ``seen`` field), if readable."""
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@require_POST
def contact_remove(request, pk, contact_id):
    customer = services.access_customer(request.user, pk, edit=True)
    _require_writer(request.user)
    removal = services.remove_contact(request.user, customer.pk, contact_id)
    if request.htmx:  # the tab offers to put it back
        return _render_tab(request, customer, "contacts", removed=removal)
    messages.success(
        request,
        format_html(
            '{} <form class="d-inline" method="post" action="{}">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button class="btn btn-sm btn-outline-success ms-2">{}</button></form>',
            _("Contact %(name)s removed.") % {"name": removal.values["name"]},
            reverse("customers:contact_restore", args=[customer.pk, contact_id]),
            get_token(request),
            _("Undo"),
        ),
    )
    return _after_tab_write(request, customer, "contacts")


@login_required
@require_POST
def contact_restore(request, pk, contact_id):
    customer = services.access_customer(request.user, pk, edit=True)
    _require_writer(request.user)
    try:
        services.restore_contact(request.user, customer.pk, contact_id)
    except ValidationError as exc:
        if request.htmx:
            return _render_tab(request, customer, "contacts", tab_error=" ".join(exc.messages))
        messages.error(request, " ".join(exc.messages))
    return _after_tab_write(request, customer, "contacts")


@login_required
@require_POST
def tags_update(request, pk):
    customer = services.access_customer(request.user, pk, edit=True)
    _require_writer(request.user)
    form = TagsForm(request.POST)
    if form.is_valid():
        try:
            customer = services.set_tags(
                request.user, customer.pk, split_tags(form.cleaned_data["tags"])
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _after_tab_write(request, customer, "tags")
    return _render_tab(request, customer, "tags", tags_form=form)


@login_required
@require_POST
def share_add(request, pk):
    user = request.user
    customer = services.access_customer(user, pk)
    _require_writer(user)
    form = ShareForm(request.POST, users=users_visible_to(user), teams=teams_visible_to(user))
    if form.is_valid():
        try:
            services.share_customer(
                user, customer.pk, level=form.cleaned_data["level"], **form.target_kwargs()
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("target", message)
        else:
            return _after_tab_write(request, customer, "sharing")
    elif not services.can_manage(user, customer):
        raise PermissionDenied
    return _render_tab(request, customer, "sharing", share_form=form)


@login_required
@require_POST
def share_remove(request, pk, share_id):
    user = request.user
    customer = services.access_customer(user, pk)
    _require_writer(user)
    services.unshare_customer(user, customer.pk, share_id)
    return _after_tab_write(request, customer, "sharing")
