"""The contacts list (联系人): the people at every customer the user sees, searched and
filtered, newest first, paged without counting them; and its export (CSV / XLSX).

Thin: parse, read through customers.contact_queries, render; the export goes through the
customer export's machinery (import_views.export_response, customers.exports).
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from guanxi.core.links import pk_url
from guanxi.core.pagination import PeekPage, page_number
from guanxi.customers import contact_exports, contact_queries, exports, import_views, queries
from guanxi.customers.masking import masks_for, shown_value


@login_required
def contact_list(request):
    """The contacts list; an HTMX request from the filter form gets only the table."""
    user = request.user
    params = contact_exports.filters_from(request.GET)
    number, per_page = page_number(request.GET.get("page")), settings.CUSTOMER_PAGE_SIZE
    # The page's rows and one more, which tells whether a next page exists.
    found = contact_queries.contact_rows(
        user, **params, offset=(number - 1) * per_page, limit=per_page + 1
    )
    page = PeekPage(found, number, per_page)
    context = {
        "nav": "contacts",
        "page": page,
        "rows": _rows(user, page.object_list),
        "params": params,
        "filtered": any(params.values()),
    }
    if request.htmx and request.htmx.target == "contact-table":
        return render(request, "customers/partials/contact_table.html", context)
    context.update({"owners": queries.transfer_target_rows(user), "can_write": user.can_write})
    return render(request, "customers/contacts.html", context)


def _rows(user, contacts) -> list[dict]:
    """Each contact as the table shows it, worked out once per page (a dict: a template reads
    it at the first try; a {% url %} or a date filter in a 25-row loop costs more than the
    row): its phone masked exactly where its customer's are, its customer's card opened on
    the contacts tab."""
    card = pk_url("customers:detail")
    rows = []
    for contact in contacts:
        added = timezone.localtime(contact.created_at)
        rows.append(
            {
                "name": contact.name,
                "title": contact.title,
                "customer_name": contact.customer.name,
                "card_url": f"{card(contact.customer_id)}?tab=contacts",
                "shown_phone": shown_value(
                    "phone", contact.phone, masks_for(user, contact.customer)
                ),
                "email": contact.email,
                "wechat_id": contact.wechat_id,
                "is_primary": contact.is_primary,
                "added": added.strftime("%Y-%m-%d"),
                "added_title": added.strftime("%Y-%m-%d %H:%M"),
            }
        )
    return rows


@login_required
def contact_export(request):
    """The contacts list, filtered as on its page, as CSV (streamed) or XLSX; a large one in
    the background, as the customer export."""
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        raise Http404
    filters = contact_exports.filters_from(request.GET)
    return import_views.export_response(
        request.user, filters, fmt, request=request, what=contact_exports.CONTACTS
    )
