"""Pages of duplicates and merge: the candidate list, the side-by-side comparison that merges,
"not a duplicate", a new scan, and undo. Thin: parse, call customers.duplicates / merge, render."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from guanxi.core.ids import int_or_none
from guanxi.core.pagination import peek_page
from guanxi.customers import duplicates, merge
from guanxi.customers.merge_display import (
    comparison_rows,
    kept_once_rows,
    not_kept_rows,
    pair_detail,
)
from guanxi.customers.models_merge import DuplicateReason
from guanxi.customers.services import StaleVersion, access_customer, record_view


@login_required
def duplicate_list(request):
    """The candidate pairs the user can see both sides of, best first, filtered by reason."""
    user = request.user
    reason = request.GET.get("reason", "")
    if reason not in DuplicateReason.values:
        reason = ""
    qs = duplicates.pairs_for(user, reason=reason)
    customer_id = int_or_none(request.GET.get("customer"))
    if customer_id:
        qs = qs.filter(customer_a_id=customer_id) | qs.filter(customer_b_id=customer_id)
    # Found without counting them (the pager says whether there is a next page): at a million
    # customers a scan stores a million pairs, whose count took an admin's page 3.2 s.
    page = peek_page(qs, request.GET.get("page"), settings.CUSTOMER_PAGE_SIZE)
    changeable = duplicates.changeable_pairs(user, page.object_list)
    for pair in page.object_list:
        pair.changeable = pair.pk in changeable
        pair.shown_detail = pair_detail(user, pair)
        pair.reason_labels = [DuplicateReason(r).label for r in pair.reasons.split(",") if r]
    return render(
        request,
        "customers/duplicates.html",
        {
            "nav": "customers",
            "page": page,
            "reason": reason,
            "reason_label": DuplicateReason(reason).label if reason else "",
            "reasons": DuplicateReason.choices,
            "customer_id": customer_id or "",
            "query": urlencode(
                {k: v for k, v in {"reason": reason, "customer": customer_id}.items() if v}
            ),
            "summary": duplicates.scan_summary(user),
            "scan": duplicates.scan_in_progress(),
            "can_scan": user.can_write,
            "can_merge": user.can_write,
        },
    )


@login_required
@require_POST
def duplicate_scan(request):
    """Look for duplicates again now (in the background; the page waits for it)."""
    duplicates.request_scan(request.user)
    return redirect("customers:duplicates")


@login_required
@require_GET
def duplicate_scan_status(request):
    """Polled by the duplicates page while a scan runs: the same notice until it is done, then
    a reload of the page (which lists what it found)."""
    scan = duplicates.scan_in_progress()
    if scan is None:
        return HttpResponseClientRefresh()
    return render(request, "customers/partials/duplicate_scan.html", {"scan": scan})


@login_required
@require_POST
def duplicate_dismiss(request):
    duplicates.dismiss_duplicate(
        request.user, request.POST.get("customer_a"), request.POST.get("customer_b")
    )
    messages.success(request, _("Marked as not a duplicate; this pair will not be proposed again."))
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("customers:duplicates")


@login_required
def merge_pick(request):
    """Compare any two customers by id (from the form on the duplicates page)."""
    first, second = int_or_none(request.GET.get("survivor")), int_or_none(request.GET.get("other"))
    if not first or not second:
        messages.error(request, _("Enter the numbers of two customers."))
        return redirect("customers:duplicates")
    return redirect("customers:merge", first, second)


@login_required
@require_http_methods(["GET", "POST"])
def merge_compare(request, survivor_id, other_id):
    """The two records side by side, a radio per field, the related rows of each; POST merges
    ``other`` into ``survivor``."""
    user = request.user
    survivor = access_customer(user, survivor_id, edit=True)
    other = access_customer(user, other_id, edit=True)
    if survivor.pk == other.pk:
        messages.error(request, _("A customer cannot be merged with itself."))
        return redirect("customers:duplicates")
    if not merge.may_merge_away(user, other) and merge.may_merge_away(user, survivor):
        messages.info(
            request,
            _(
                "%(name)s (#%(id)d) is kept: only its owner, their manager or an admin can merge "
                "it into another customer."
            )
            % {"name": other.name, "id": other.pk},
        )
        return redirect("customers:merge", other.pk, survivor.pk)
    merge.check_merge_away(user, other)
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    chosen: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        chosen = _chosen(request)
        try:
            record = merge.merge_customers(
                user,
                survivor.pk,
                other.pk,
                chosen,
                survivor_version=int_or_none(request.POST.get("survivor_version")),
                other_version=int_or_none(request.POST.get("other_version")),
                request=request,
            )
        except StaleVersion:
            general.append(
                _(
                    "One of these customers was changed by someone else meanwhile; here is the "
                    "current data. Check your choices and merge again."
                )
            )
            survivor = access_customer(user, survivor.pk, edit=True)
            other = access_customer(user, other.pk, edit=True)
            status = 409
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, messages_ in exc.message_dict.items():
                    errors.setdefault(field, []).extend(messages_)
            else:
                general.extend(exc.messages)
            status = 422
        else:
            undo = reverse("customers:merge_undo", args=[record.pk])
            messages.success(
                request,
                format_html(
                    '{} <form method="post" action="{}" class="d-inline">'
                    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                    '<button type="submit" class="btn btn-sm btn-outline-success ms-2">{}</button>'
                    "</form>",
                    _merged_message(record, survivor, other),
                    undo,
                    get_token(request),
                    _("Undo"),
                ),
            )
            return redirect("customers:detail", survivor.pk)
    record_view(user, survivor, request=request)
    record_view(user, other, request=request)
    rows = comparison_rows(user, survivor, other, chosen)
    for row in rows:
        row["errors"] = errors.pop(row["name"], [])
    for field, messages_ in errors.items():
        general.extend(f"{field}: {m}" if field != "__all__" else m for m in messages_)
    return render(
        request,
        "customers/merge.html",
        {
            "nav": "customers",
            "survivor": survivor,
            "other": other,
            "rows": rows,
            "phone_side": next((r["choice"] for r in rows if r["name"] == "phone"), ""),
            "counts": merge.related_counts(survivor, other),
            "contacts_once": kept_once_rows(user, survivor, other),
            "not_kept": not_kept_rows(user, survivor, other, chosen),
            "can_swap": merge.may_merge_away(user, survivor),
            "mono": ("phone", "phone_alt", "id_number"),  # shown in the masked values' font
            "general_errors": general,
            "keep_days": settings.RECYCLE_BIN_DAYS,
        },
        status=status,
    )


def _merged_message(record, survivor, other) -> str:
    """What the merge did, in a sentence, with the count of contacts of both kept once."""
    text = _("%(other)s (#%(other_id)d) merged into %(name)s (#%(id)d).") % {
        "other": other.name,
        "other_id": other.pk,
        "name": survivor.name,
        "id": survivor.pk,
    }
    once = merge.contacts_kept_once(record)
    if once:
        text += " " + ngettext(
            "A contact of both was kept once.",
            "%(count)d contacts of both were kept once.",
            once,
        ) % {"count": once}
    return text


def _chosen(request) -> dict[str, str]:
    """The side each field keeps, as the comparison form sent it."""
    return {
        name: request.POST.get(f"choice-{name}")
        for name in merge.merge_fields()
        if request.POST.get(f"choice-{name}")
    }


@login_required
@require_POST
def merge_not_kept(request, survivor_id, other_id):
    """The comparison form's warning of the contact details its choices keep nowhere, asked
    again (htmx) whenever a choice changes."""
    user = request.user
    survivor = access_customer(user, survivor_id, edit=True)
    other = access_customer(user, other_id, edit=True)
    merge.check_merge_away(user, other)
    rows = not_kept_rows(user, survivor, other, _chosen(request))
    return render(request, "customers/partials/merge_not_kept.html", {"not_kept": rows})


@login_required
@require_POST
def merge_undo(request, pk):
    record = merge.access_merge(request.user, pk)
    try:
        undone = merge.undo_merge(request.user, record.pk, request=request)
    except merge.UndoRefused as exc:
        messages.error(request, str(exc))
        return redirect("customers:detail", record.survivor_id)
    if undone.not_back:
        messages.warning(
            request,
            ngettext(
                "Merge undone: %(other)s is back with its records, but for %(count)d removed "
                "from %(name)s since the merge (a removed contact can be put back from the "
                "history of the customer it was removed from).",
                "Merge undone: %(other)s is back with its records, but for %(count)d removed "
                "from %(name)s since the merge (a removed contact can be put back from the "
                "history of the customer it was removed from).",
                undone.not_back,
            )
            % {"other": record.other.name, "count": undone.not_back, "name": record.survivor.name},
        )
    else:
        messages.success(
            request,
            _("Merge undone: %(other)s is back with its records.") % {"other": record.other.name},
        )
    return redirect("customers:detail", record.other_id)
