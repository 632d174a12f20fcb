"""The lead pages: list, capture (with the duplicate warning), card, status, conversion."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.ids import int_or_none
from guanxi.core.phones import display_phone
from guanxi.sales import lead_routing, queries, services
from guanxi.sales.forms import LeadConvertForm, LeadForm, LeadStatusForm, apply_errors
from guanxi.sales.masking import lead_masks_for, masked_lead_value
from guanxi.sales.models import Lead
from guanxi.sales.views_common import (
    PAGE_SIZE,
    customer_choices,
    owners_for,
    querystring_without,
    require_writer,
)


def _show_masked(user, leads) -> None:
    """Give each lead the phone and e-mail this user may see (masked by role)."""
    for lead in leads:
        lead.masked = lead_masks_for(user, lead)
        lead.shown_phone = display_phone(lead.phone, masked=lead.masked)
        lead.shown_email = masked_lead_value(user, lead, "email", masked=lead.masked)


def _lead_form(user, data=None) -> LeadForm:
    form = LeadForm(data, owners=owners_for(user))
    if "owner" in form.fields and lead_routing.can_configure(user):
        choices = list(form.fields["owner"].choices)
        choices[0] = ("", _("By the assignment rule, else me"))
        form.fields["owner"].choices = choices
    return form


@login_required
def lead_list(request):
    user = request.user
    params = {
        "status": request.GET.get("status", "")
        if request.GET.get("status") in Lead.Status.values
        else "",
        "owner": int_or_none(request.GET.get("owner")),
        "q": request.GET.get("q", "").strip()[:100],
    }
    qs = queries.leads_for(user, **params)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    _show_masked(user, page.object_list)
    context = {
        "nav": "sales",
        "sales_nav": "leads",
        "page": page,
        "params": params,
        "filtered": any(params.values()),
        "query": querystring_without(request, "page"),
        "statuses": Lead.Status.choices,
        "owners": owners_for(user),
        "can_write": user.can_write,
        "can_configure": lead_routing.can_configure(user),
        "can_reveal": user.can_reveal,
    }
    if request.htmx and request.htmx.target == "lead-table":
        return render(request, "sales/partials/lead_table.html", context)
    return render(request, "sales/lead_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def lead_create(request):
    """Capture a lead; a likely duplicate is shown with its matches, and the user may create
    it anyway (the form comes back with allow_duplicate set)."""
    user = request.user
    require_writer(user)
    form = _lead_form(user, request.POST or None)
    duplicates = None
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.create_lead(
                user,
                form.service_data(),
                owner=form.cleaned_data.get("owner") or None,
                allow_duplicate=form.cleaned_data.get("allow_duplicate", False),
            )
        except services.DuplicateFound as exc:
            duplicates = exc.message_dict
            data = request.POST.copy()
            data["allow_duplicate"] = "1"
            form = _lead_form(user, data)
            form.is_valid()
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Lead %(name)s captured.") % {"name": lead.name})
            return redirect("sales:lead", pk=lead.pk)
    return render(
        request,
        "sales/lead_form.html",
        {"nav": "sales", "sales_nav": "leads", "form": form, "duplicates": duplicates},
    )


def _lead_context(request, lead, **extra) -> dict:
    user = request.user
    editable = user.can_write and Lead.objects.editable_by(user).filter(pk=lead.pk).exists()
    _show_masked(user, [lead])
    context = {
        "nav": "sales",
        "sales_nav": "leads",
        "lead": lead,
        "can_edit": editable and lead.status != Lead.Status.CONVERTED,
        "status_form": LeadStatusForm(initial={"status": lead.status}),
        "can_reveal": user.can_reveal,
        "duplicate_of": lead_routing.duplicate_notes(user, lead),
        "duplicates": services.find_duplicates(
            user,
            phone=lead.phone,
            email=lead.email,
            name=lead.name,
            company=lead.company,
            exclude_lead=lead.pk,
        )
        if lead.status != Lead.Status.CONVERTED
        else {},
    }
    if context["can_edit"] and lead.status != Lead.Status.DISQUALIFIED:
        context["convert_form"] = LeadConvertForm(
            initial={"name": lead.company or lead.name}, customers=customer_choices(user)
        )
    context.update(extra)
    return context


@login_required
def lead_detail(request, pk):
    lead = services.access_lead(request.user, pk)
    return render(request, "sales/lead_detail.html", _lead_context(request, lead))


@login_required
@require_POST
def lead_status(request, pk):
    user = request.user
    lead = services.access_lead(user, pk)
    require_writer(user)
    form = LeadStatusForm(request.POST)
    if form.is_valid():
        try:
            lead = services.set_lead_status(
                user, lead.pk, form.cleaned_data["status"], form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            errors = exc.message_dict
            if "disqualified_reason" in errors:
                form.add_error("reason", errors.pop("disqualified_reason"))
            for messages_ in errors.values():
                for message in messages_:
                    form.add_error(None, message)
        else:
            messages.success(
                request,
                _("%(name)s is now %(status)s.")
                % {"name": lead.name, "status": lead.get_status_display()},
            )
            return redirect("sales:lead", pk=lead.pk)
    return render(
        request,
        "sales/lead_detail.html",
        _lead_context(request, lead, status_form=form),
        status=422,
    )


@login_required
@require_POST
def lead_convert(request, pk):
    """Convert into a customer (matching, new or chosen) plus an opportunity, then open it."""
    user = request.user
    lead = services.access_lead(user, pk)
    require_writer(user)
    form = LeadConvertForm(
        request.POST, customers=customer_choices(user, request.POST.get("customer"))
    )
    if form.is_valid():
        target = form.cleaned_data["target"]
        try:
            customer, opp = services.convert_lead(
                user,
                lead.pk,
                customer_id=form.cleaned_data["customer"] if target == "existing" else None,
                new_customer=target == "new",
                opportunity=form.opportunity_data(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Lead converted: customer %(customer)s and opportunity %(opp)s.")
                % {"customer": customer.name, "opp": opp.name},
            )
            return redirect("sales:opportunity", pk=opp.pk)
    return render(
        request,
        "sales/lead_detail.html",
        _lead_context(request, lead, convert_form=form),
        status=422,
    )
