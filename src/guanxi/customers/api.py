"""API routes for customers: list, create, read, edit, delete/restore, share, transfer, follow,
reveal and history. Each route parses, calls a service or query, and shapes the answer; access
control and business rules live in customers.services / customers.queries."""

from typing import Annotated, Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Header, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.renderers import JSONRenderer

from guanxi.accounts.models import User
from guanxi.accounts.queries import teams_visible_to, users_visible_to
from guanxi.core.api_errors import error_responses, strict_query
from guanxi.core.etags import etag, expected_version
from guanxi.core.ids import Id
from guanxi.core.pagination import (
    DEFAULT_LIMIT,
    Cursor,
    Limit,
    Page,
    cut_page,
    decode_cursor,
    encode_cursor,
    keyset_page,
)
from guanxi.customers import (
    exports,
    import_columns,
    import_reports,
    import_views,
    imports,
    services,
    tasks,
)
from guanxi.customers.duplicate_check import check_new_customer
from guanxi.customers.forms import split_tags
from guanxi.customers.import_form import fields_in_the_form, kept_only_if_valid
from guanxi.customers.masking import SENSITIVE_FIELDS, listed_columns, masked_value, masks_for
from guanxi.customers.models import Customer
from guanxi.customers.queries import (
    SORTS,
    cursor_after,
    customer_rows,
    customers_for,
    history_for,
    in_recycle_bin,
    list_columns,
)
from guanxi.customers.schemas import (
    BulkTransferIn,
    CustomerIn,
    CustomerListItem,
    CustomerOut,
    CustomerPatch,
    FollowOut,
    HistoryOut,
    KindChoice,
    Ordering,
    OwnerOut,
    RevealIn,
    RevealOut,
    ShareIn,
    ShareOut,
    TransferIn,
    TransferredOut,
)

router = Router(tags=["customers"])

IfMatch = Annotated[str | None, Header(alias="If-Match", description='ETag from GET, e.g. "3".')]

READ_ERRORS = error_responses(401, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 412, 422)


# --- shaping -------------------------------------------------------------------------------


def _list_item(user, customer: Customer) -> dict:
    """A row of the list as its JSON carries it: CustomerListItem's fields in its order, built
    as a plain dict, neither a model nor validated again. Built as the model (validated, then
    its constructor unchecked) a 50-row page spent more on its rows than reading them, and a
    quarter of its CPU on the model's constructor and dump alone
    (tests/customers/test_api_list_shape.py holds the row to the schema)."""
    owner = customer.owner
    return {
        **listed_columns(user, customer),
        "owner": None
        if owner is None
        else {"id": owner.pk, "username": owner.username, "display_name": str(owner)},
        # The denormalised column (kept by every tag write), in the tags' name order.
        "tags": sorted(split_tags(customer.tag_names)),
        "masked": masks_for(user, customer),
        "version": customer.version,
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
        "deleted_at": customer.deleted_at,
    }


_JSON = JSONRenderer()


def _page(request, rows, next_cursor: str | None) -> HttpResponse:
    """A page of the list (Page[CustomerListItem], as declared) rendered as Ninja renders a
    route's answer (its JSON renderer), the rows as they are (``_list_item``)."""
    items = [_list_item(request.auth, c) for c in rows]
    content = _JSON.render(
        request, {"items": items, "next_cursor": next_cursor}, response_status=200
    )
    return HttpResponse(content, content_type=f"{_JSON.media_type}; charset={_JSON.charset}")


def _detail(user, customer: Customer) -> dict:
    masked = masks_for(user, customer)
    out = {
        field: getattr(customer, field)
        for field in CustomerOut.model_fields
        if hasattr(customer, field) and field not in ("tags", "contacts", "shares", "owner")
    }
    out.update({field: masked_value(user, customer, field) for field in SENSITIVE_FIELDS})
    contacts = [
        {
            "id": c.pk,
            "name": c.name,
            "title": c.title,
            "phone": SENSITIVE_FIELDS["phone"](c.phone) if masked else c.phone,
            "email": c.email,
            "wechat_id": c.wechat_id,
            "is_primary": c.is_primary,
            "notes": c.notes,
        }
        for c in customer.contacts.all()
    ]
    shares = None
    if services.can_manage(user, customer):
        shares = list(customer.shares.select_related("user", "team").order_by("pk"))
    out.update(
        {
            "owner": customer.owner,
            "tags": list(customer.tags.values_list("name", flat=True)),
            "contacts": contacts,
            "masked": masked,
            "following": customer.followers.filter(pk=user.pk).exists(),
            "shares": shares,
        }
    )
    return out


def _user(field: str, user_id: int | None, *, active_only: bool = True) -> User | None:
    """The user with this id, or a 422 on ``field``; inactive users only where allowed."""
    if user_id is None:
        return None
    qs = User.objects.filter(pk=user_id)
    if active_only:
        qs = qs.filter(is_active=True)
    found = qs.first()
    if found is None:
        raise ValidationError({field: _("Unknown user.")})
    return found


# --- collection ----------------------------------------------------------------------------


@router.get("", response={200: Page[CustomerListItem], **error_responses(401, 422)})
@strict_query
def list_customers(
    request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    q: str = "",
    owner: Id | None = None,
    tag: str = "",
    city: str = "",
    kind: Query[KindChoice | None] = None,
    ordering: Query[Ordering] = "-id",
):
    """The customers you may see, filtered, sorted and paginated by cursor.

    ``q`` matches name, pinyin (full or initials), phone digits, e-mail and company.
    Phones are masked where your role sees them masked.
    """
    filters = {"q": q, "owner": owner, "tag": tag, "city": city, "kind": kind or ""}
    if ordering == "-id":
        # Newest first, the page reads limit + 1 rows below the cursor's id (a search then
        # reads no more matches than that).
        before = decode_cursor(cursor, ordering)[1] if cursor else None
        rows = customer_rows(request.auth, **filters, limit=limit + 1, before=before)
        page, next_cursor = cut_page(rows, SORTS[ordering], limit)
        if next_cursor:
            after = cursor_after(page, rows[limit])
            next_cursor = encode_cursor(ordering, Customer(pk=after))
        return _page(request, page, next_cursor)
    qs = list_columns(customers_for(request.auth, **filters, sort=ordering))
    rows, next_cursor = keyset_page(qs, SORTS[ordering], cursor=cursor, limit=limit)
    return _page(request, rows, next_cursor)


@router.post("", response={201: CustomerOut, **WRITE_ERRORS})
def create_customer(request, payload: CustomerIn, response: HttpResponse):
    """Create a customer (with tags and contacts) owned by you or, if you may, someone else."""
    user = request.auth
    data = payload.model_dump(
        exclude_unset=True, exclude={"owner", "tags", "contacts", "allow_duplicate"}
    )
    check_new_customer(user, data, allow_duplicate=payload.allow_duplicate)  # 查重: 409
    with transaction.atomic():
        customer = services.create_customer(
            user,
            data,
            owner=_user("owner", payload.owner),
            tags=payload.tags,
            contacts=[c.model_dump(exclude_unset=True) for c in payload.contacts],
        )
    response["Location"] = reverse("api:get_customer", args=[customer.pk])
    response["ETag"] = etag(customer.version)
    return Status(201, _detail(user, customer))


@router.get("/deleted", response={200: Page[CustomerListItem], **error_responses(401, 422)})
def list_deleted_customers(request, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT):
    """The recycle bin: deleted customers you may see, most recently deleted first."""
    qs = in_recycle_bin(request.auth).select_related("owner").prefetch_related("tags")
    rows, next_cursor = keyset_page(qs, "-deleted_at", cursor=cursor, limit=limit)
    return _page(request, rows, next_cursor)


@router.post("/transfer", response={200: TransferredOut, **WRITE_ERRORS})
def transfer_all_customers(request, payload: BulkTransferIn):
    """Hand every customer of one rep (say, one who leaves) to another, in one batch."""
    moved = services.transfer_all(
        request.auth,
        _user("from_user", payload.from_user, active_only=False),
        _user("to_user", payload.to_user),
        payload.reason,
    )
    return {"transferred": moved}


# --- import / export -----------------------------------------------------------------------


class ColumnProblemsOut(Schema):
    column: str = Field(description='A column of the file; "" for the row as a whole.')
    rows: int = Field(description="Rows the report lists for this column.")
    reason: str = Field(description="The most common reason given for this column.")
    reason_rows: int = Field(description="Rows given that reason.")
    reasons: int = Field(description="Different reasons given for this column.")
    example: str = Field(description="A value of the file given that reason.")


class ImportJobOut(Schema):
    id: int
    status: str
    file_name: str
    total_rows: int
    processed_rows: int
    imported: int
    updated: int
    skipped: int
    failed: int
    error: str
    report_url: str | None
    problems: list[ColumnProblemsOut] = Field(
        description="The report summed up by column, most rows first (empty while running)."
    )
    ignored_columns: list[str] = Field(
        description="The file's columns no field is matched to, in the file's order: nothing"
        " is imported from them."
    )


def dry_run_or_queue(
    job,
    process,
    dry_run: bool,
    *,
    report_route: str,
    queue=tasks.queue_import,
    ignored=import_columns.ignored_columns,
) -> Status:
    """A dry run of up to ``settings.EXPORT_BACKGROUND_ROWS`` rows checks every row now with
    ``process`` (200, with the counts and a report); a bigger one, like an import, is queued
    for the job worker with ``queue`` (202: a dry run of millions of rows outlasts a request).
    Customer, contact and order imports alike; ``report_route`` names the API route of the
    job's report, ``ignored`` gives the file's columns not imported."""
    if dry_run and job.total_rows <= settings.EXPORT_BACKGROUND_ROWS:
        process(job, dry_run=True)
        return Status(200, import_job_out(job, report_route, ignored))
    queue(job, resume=False, dry_run=dry_run)
    job.refresh_from_db()
    return Status(202, import_job_out(job, report_route, ignored))


def import_job_out(job, report_route: str, ignored=import_columns.ignored_columns) -> dict:
    """An import job as ImportJobOut, its report at the API route ``report_route``, the
    file's columns not imported as ``ignored(job)`` gives them."""
    return {
        "id": job.pk,
        "status": job.status,
        "file_name": job.file_name,
        "total_rows": job.total_rows,
        "processed_rows": job.next_row,
        "imported": job.imported,
        "updated": job.updated,
        "skipped": job.skipped,
        "failed": job.failed,
        "error": job.error,
        "report_url": reverse(report_route, args=[job.pk])
        if import_reports.read_report(job, limit=1)
        else None,
        "problems": import_reports.report_by_column(job),
        "ignored_columns": ignored(job),
    }


@router.get("/export", response={200: None, **error_responses(401, 422)})
@strict_query
def export_customers(
    request,
    format: Query[Literal["csv", "xlsx"]] = "csv",  # noqa: A002 - the public parameter name
    q: str = "",
    owner: Id | None = None,
    tag: str = "",
    city: str = "",
    kind: Query[KindChoice | None] = None,
    ordering: Query[Ordering] = "-id",
):
    """The customers you may see, filtered as the list, as CSV (UTF-8 with BOM) or XLSX.

    Masked as for you, formula-like cells neutralised; written to the access log. Above
    ``EXPORT_BACKGROUND_ROWS`` rows the answer is 202 with a job: follow it at
    ``GET /customers/export/{id}`` and download its ``download_url`` when done.
    """
    filters = exports.filters_from(
        {"q": q, "owner": owner, "tag": tag, "city": city, "kind": kind or "", "sort": ordering}
    )
    return import_views.export_response(request.auth, filters, format, request=request, via="api")


class ExportJobOut(Schema):
    id: int
    status: str
    format: str
    total_rows: int
    written_rows: int
    error: str
    download_url: str | None


@router.get("/export/{int:job_id}", response={200: ExportJobOut, **READ_ERRORS})
def export_status(request, job_id: int):
    """The progress of one of your background exports, with the download link when done."""
    job = exports.export_jobs_for(request.auth, what=exports.CUSTOMERS).filter(pk=job_id).first()
    if job is None:
        raise Http404
    return import_views.export_job_json(job)


@router.get("/export/{int:job_id}/download", response={200: None, **READ_ERRORS})
def export_download(request, job_id: int):
    """The file of one of your background exports, once it is done (404 before)."""
    jobs = exports.export_jobs_for(request.auth, what=exports.CUSTOMERS)
    return import_views.export_file(jobs, job_id)


@router.post("/import", response={200: ImportJobOut, 202: ImportJobOut, **WRITE_ERRORS})
def import_customers(
    request,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    on_duplicate: Form[Literal["skip", "update", "create"]] = "skip",
    owner: Form[int | None] = None,
):
    """Import a CSV/XLSX file with the automatic column mapping.

    With ``dry_run`` every row is checked and nothing written (200, with the counts and a
    report); a dry run of more than ``EXPORT_BACKGROUND_ROWS`` rows (10,000) is checked in the
    background instead, like an import: 202 with the job. An import is queued (202); follow
    either at ``GET /customers/import/{id}``. ``ignored_columns`` names the file's columns no
    field is matched to. The fields (``file``, ``dry_run``, ``on_duplicate``, ``owner``) go in
    the form with the file: one in the address, or any other field (a typo such as ``dryRun``),
    is refused (422, naming it) and nothing is imported or kept.
    """
    fields_in_the_form(request, "dry_run", "on_duplicate", "owner")
    new_owner = _user("owner", owner)
    job = imports.save_upload(request.auth, file)
    with kept_only_if_valid(job):
        imports.configure(request.auth, job, job.mapping, new_owner, on_duplicate)
    return dry_run_or_queue(job, imports.process, dry_run, report_route=REPORT_ROUTE)


@router.get("/import/{int:job_id}", response={200: ImportJobOut, **READ_ERRORS})
def import_status(request, job_id: int):
    """The progress and counts of one of your import jobs."""
    return import_job_out(import_job(request.auth, job_id), REPORT_ROUTE)


@router.delete("/import/{int:job_id}", response={204: None, **WRITE_ERRORS})
def discard_import(request, job_id: int):
    """Forget one of your imports: its uploaded file and report are deleted (what it imported
    stays); 422 while it runs."""
    if not request.auth.can_write:
        raise PermissionDenied(_("Your role is read-only."))
    import_job(request.auth, job_id).discard()
    return Status(204, None)


REPORT_ROUTE = "api:customer_import_report"


@router.get("/import/{int:job_id}/report", response={200: None, **READ_ERRORS})
def customer_import_report(request, job_id: int):
    """The job's error report as CSV (UTF-8 with BOM): row, column, value, reason for every row
    not imported (only the header when every row passed; 404 before a row was checked)."""
    return import_views.report_file(import_job(request.auth, job_id))


@router.get("/import/{int:job_id}/rows-to-fix", response={200: None, **READ_ERRORS})
def customer_import_rows_to_fix(request, job_id: int):
    """The rows that failed, with all their columns, their row in the file sent and a last
    column saying what is wrong, as XLSX: correct them and send the file as a new import (404
    when no row failed)."""
    return import_views.rows_to_fix_file(import_job(request.auth, job_id))


def import_job(user, job_id: int, kind: str = "customers"):
    """One of the import jobs ``user`` may follow, or 404."""
    job = imports.jobs_for(user, kind).filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job


# --- one customer --------------------------------------------------------------------------


@router.get("/{int:customer_id}", response={200: CustomerOut, **READ_ERRORS})
def get_customer(request, customer_id: int, response: HttpResponse):
    """One customer; the view is written to the access log. The ETag is its version."""
    customer = services.access_customer(request.auth, customer_id)
    services.record_view(request.auth, customer, request=request, via="api")
    response["ETag"] = etag(customer.version)
    return _detail(request.auth, customer)


@router.patch("/{int:customer_id}", response={200: CustomerOut, **WRITE_ERRORS})
def update_customer(
    request,
    customer_id: int,
    payload: CustomerPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    """Change some fields. Send the ETag as If-Match (or ``version`` in the body): if the
    customer changed since, nothing is written and the answer is 412."""
    user = request.auth
    current = services.access_customer(user, customer_id, edit=True)
    version = expected_version(if_match)
    if version is None and if_match is None:
        version = payload.version
    changes = payload.model_dump(exclude_unset=True, exclude={"tags", "version"})
    if "custom" in changes:
        merged = {**(current.custom or {}), **changes["custom"]}
        changes["custom"] = {k: v for k, v in merged.items() if v is not None}
    customer = services.update_customer(
        user, customer_id, changes, expected_version=version, tags=payload.tags
    )
    response["ETag"] = etag(customer.version)
    return _detail(user, customer)


@router.delete("/{int:customer_id}", response={204: None, **WRITE_ERRORS})
def delete_customer(request, customer_id: int):
    """Move the customer to the recycle bin (see /deleted and /restore)."""
    services.delete_customer(request.auth, customer_id)
    return Status(204, None)


@router.post("/{int:customer_id}/restore", response={200: CustomerOut, **WRITE_ERRORS})
def restore_customer(request, customer_id: int, response: HttpResponse):
    customer = services.restore_customer(request.auth, customer_id)
    response["ETag"] = etag(customer.version)
    return _detail(request.auth, customer)


@router.post("/{int:customer_id}/reveal", response={200: RevealOut, **WRITE_ERRORS})
def reveal_field(request, customer_id: int, payload: RevealIn):
    """The full value of a masked field; every reveal is written to the access log."""
    value = services.reveal_field(
        request.auth, customer_id, payload.field, request=request, via="api"
    )
    return {"field": payload.field, "value": value}


@router.post("/{int:customer_id}/share", response={201: ShareOut, **WRITE_ERRORS})
def share_customer(request, customer_id: int, payload: ShareIn):
    """Share with one colleague (``user``) or one team (``team``), to read or to edit."""
    user = request.auth
    services.access_customer(user, customer_id)  # a 404 before judging the other fields
    to_user = None
    if payload.user is not None:
        to_user = users_visible_to(user).filter(pk=payload.user).first()
        if to_user is None:
            raise ValidationError({"user": _("Unknown user.")})
    to_team = None
    if payload.team is not None:
        to_team = teams_visible_to(user).filter(pk=payload.team).first()
        if to_team is None:
            raise ValidationError({"team": _("Unknown team.")})
    share = services.share_customer(
        user, customer_id, to_user=to_user, to_team=to_team, level=payload.level
    )
    return Status(201, share)


@router.delete("/{int:customer_id}/share/{int:share_id}", response={204: None, **WRITE_ERRORS})
def unshare_customer(request, customer_id: int, share_id: int):
    services.unshare_customer(request.auth, customer_id, share_id)
    return Status(204, None)


@router.post("/{int:customer_id}/transfer", response={200: OwnerOut, **WRITE_ERRORS})
def transfer_customer(request, customer_id: int, payload: TransferIn):
    """Give the customer a new owner (recorded in its history and the transfer log)."""
    user = request.auth
    services.access_customer(user, customer_id)
    customer = services.transfer_customer(
        user, customer_id, _user("to_user", payload.to_user), payload.reason
    )
    return customer


@router.post("/{int:customer_id}/follow", response={200: FollowOut, **WRITE_ERRORS})
def follow_customer(request, customer_id: int):
    """Be notified when the customer changes."""
    services.follow_customer(request.auth, customer_id, follow=True)
    return {"following": True}


@router.delete("/{int:customer_id}/follow", response={200: FollowOut, **WRITE_ERRORS})
def unfollow_customer(request, customer_id: int):
    services.follow_customer(request.auth, customer_id, follow=False)
    return {"following": False}


@router.get("/{int:customer_id}/history", response={200: HistoryOut, **READ_ERRORS})
def customer_history(request, customer_id: int, limit: Limit = DEFAULT_LIMIT):
    """Every change, newest first: who, when, and each field's old and new value.
    Phones and ID numbers are masked here as on the record."""
    user = request.auth
    customer = services.access_customer(user, customer_id)
    masked = masks_for(user, customer)
    entries = history_for(customer, limit=limit)
    for entry in entries:
        entry["changes"] = [
            {
                "field": field,
                "old": SENSITIVE_FIELDS[field](old or "")
                if masked and field in SENSITIVE_FIELDS
                else old,
                "new": SENSITIVE_FIELDS[field](new or "")
                if masked and field in SENSITIVE_FIELDS
                else new,
            }
            for field, old, new in entry["changes"]
        ]
    return {"items": entries}
