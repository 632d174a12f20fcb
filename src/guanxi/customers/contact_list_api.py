"""API routes for the contacts list: every contact of the customers you see (``GET
/contacts``), searched and filtered as on its page, and its export (CSV / XLSX, a large one as a
background job). Each route parses, reads through customers.contact_queries or exports through
the customer export's machinery, and shapes the answer."""

import datetime as dt
from typing import Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema

from guanxi.core.api_errors import error_responses, strict_query
from guanxi.core.ids import Id
from guanxi.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, cut_page, decode_cursor
from guanxi.customers import contact_exports, exports, import_views
from guanxi.customers.api import ExportJobOut
from guanxi.customers.contact_queries import contact_rows
from guanxi.customers.masking import masked_contact_phone, masks_for
from guanxi.customers.models import Contact

router = Router(tags=["contacts"])

READ_ERRORS = error_responses(401, 404)
#: The list's only order: newest first, a search's contacts matching by their own words
#: before those found by their customer's name; a cursor holds the last contact's place in it
#: (``contact_queries.contact_rows``).
ORDER = "-place"


class ContactCustomerRef(Schema):
    id: int
    name: str


class ContactListItem(Schema):
    id: int
    name: str
    title: str
    phone: str = Field(description="As stored (E.164), or masked where you see it masked.")
    email: str
    wechat_id: str
    is_primary: bool
    notes: str
    created_at: dt.datetime
    customer: ContactCustomerRef
    masked: bool = Field(
        description="True when the phone is shown masked to you (as its customer's)."
    )


def _item(user, contact: Contact) -> dict:
    customer = contact.customer
    return {
        "id": contact.pk,
        "name": contact.name,
        "title": contact.title,
        "phone": masked_contact_phone(user, contact),
        "email": contact.email,
        "wechat_id": contact.wechat_id,
        "is_primary": contact.is_primary,
        "notes": contact.notes,
        "created_at": contact.created_at,
        "customer": {"id": customer.pk, "name": customer.name},
        "masked": masks_for(user, customer),
    }


@router.get("", response={200: Page[ContactListItem], **error_responses(401, 422)})
@strict_query
def list_all_contacts(
    request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    q: str = "",
    primary: bool = False,
    owner: Id | None = None,
):
    """The contacts of the customers you may see, newest first, paginated by cursor.

    ``q`` matches a contact's name, pinyin (full or initials), phone digits (only where you see
    phones in full), e-mail and WeChat ID, or its customer's name (with its pinyin and
    initials), the contacts matching by their own details first; ``primary=true`` keeps each
    customer's primary contact; ``owner`` the contacts of that user's customers. Phones are
    masked exactly where their customer's are."""
    filters = contact_exports.filters_from({"q": q, "primary": primary, "owner": owner})
    before = decode_cursor(cursor, ORDER)[0] if cursor else None
    rows = contact_rows(request.auth, **filters, limit=limit + 1, before=before)
    page, next_cursor = cut_page(rows, ORDER, limit)
    return {"items": [_item(request.auth, c) for c in page], "next_cursor": next_cursor}


@router.get("/export", response={200: None, **error_responses(401, 422)})
@strict_query
def export_contacts(
    request,
    format: Query[Literal["csv", "xlsx"]] = "csv",  # noqa: A002 - the public parameter name
    q: str = "",
    primary: bool = False,
    owner: Id | None = None,
):
    """The contacts you may see, filtered as the list, as CSV (UTF-8 with BOM) or XLSX.

    Masked as for you, formula-like cells neutralised; written to the access log. Above
    ``EXPORT_BACKGROUND_ROWS`` rows the answer is 202 with a job: follow it at
    ``GET /contacts/export/{id}`` and download its ``download_url`` when done.
    """
    filters = contact_exports.filters_from({"q": q, "primary": primary, "owner": owner})
    return import_views.export_response(
        request.auth, filters, format, request=request, via="api", what=exports.CONTACTS
    )


@router.get("/export/{int:job_id}", response={200: ExportJobOut, **READ_ERRORS})
def contact_export_status(request, job_id: int):
    """The progress of one of your background contacts exports, with its download link when
    done."""
    job = exports.export_jobs_for(request.auth, what=exports.CONTACTS).filter(pk=job_id).first()
    if job is None:
        raise Http404
    return import_views.export_job_json(job)


@router.get("/export/{int:job_id}/download", response={200: None, **READ_ERRORS})
def contact_export_download(request, job_id: int):
    """The file of one of your background contacts exports, once it is done (404 before)."""
    jobs = exports.export_jobs_for(request.auth, what=exports.CONTACTS)
    return import_views.export_file(jobs, job_id)
