"""API routes for importing contacts (the people at a company customer) from CSV/XLSX.

The twin of ``POST /customers/import``: the same job, counters, error shapes, permissions and
visibility of jobs (your own; an admin: everyone's); the work is customers.contact_imports.
A contacts file more often needs telling which column names the customer, so the mapping may
be given as JSON; without it the columns are matched from their Chinese or English headers.
"""

from typing import Literal

from ninja import File, Form, Router
from ninja.files import UploadedFile

from guanxi.core.api_errors import error_responses
from guanxi.customers import contact_imports, import_columns, import_views, imports
from guanxi.customers.api import (
    ImportJobOut,
    dry_run_or_queue,
    import_job,
    import_job_out,
)
from guanxi.customers.import_form import (
    check_mapped_columns,
    fields_in_the_form,
    kept_only_if_valid,
    mapping_from_form,
)

router = Router(tags=["contacts"])

READ_ERRORS = error_responses(401, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 422)


@router.post("/import", response={200: ImportJobOut, 202: ImportJobOut, **WRITE_ERRORS})
def import_contacts(
    request,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    on_duplicate: Form[Literal["skip", "update", "create"]] = "skip",
    mapping: Form[str | None] = None,
):
    """Import contacts from a CSV/XLSX file; each row names its customer by customer ID, the
    customer's phone or the customer's name (a customer you may change).

    ``mapping`` (optional) is a JSON object from column header to field (``name``, ``title``,
    ``phone``, ``email``, ``wechat_id``, ``is_primary``, ``notes``, ``customer_id``,
    ``customer_phone``, ``customer_name``, ``customer_company``); without it the headers are
    matched automatically. A field not in that list, or a header the file does not have, is
    refused (422, naming it) and nothing is imported or kept; a column the mapping leaves out
    is not imported (``ignored_columns`` names those). With ``dry_run`` every row is checked
    and nothing written (200, with the counts and a report); a dry run of more than
    ``EXPORT_BACKGROUND_ROWS`` rows (10,000) is checked in the background instead, like an
    import: 202 with the job. An import is queued (202); follow either at
    ``GET /contacts/import/{id}``. The fields (``file``, ``dry_run``, ``on_duplicate``,
    ``mapping``) go in the form with the file: one in the address, or any other field, is
    refused (422, naming it) and nothing is imported or kept.
    """
    fields_in_the_form(request, "dry_run", "on_duplicate", "mapping")
    targets = list(contact_imports.ALIASES)
    sent = mapping_from_form(mapping, targets) if mapping else None
    job = imports.save_upload(request.auth, file, open_job=contact_imports.new_job)
    with kept_only_if_valid(job):
        if sent is not None:
            check_mapped_columns(sent, import_columns.file_headers(job))
        contact_imports.configure(
            request.auth, job, job.mapping if sent is None else sent, on_duplicate
        )
    return dry_run_or_queue(job, contact_imports.process, dry_run, report_route=REPORT_ROUTE)


@router.get("/import/{int:job_id}", response={200: ImportJobOut, **READ_ERRORS})
def contact_import_status(request, job_id: int):
    """The progress and counts of one of your contacts import jobs."""
    return import_job_out(import_job(request.auth, job_id, contact_imports.KIND), REPORT_ROUTE)


REPORT_ROUTE = "api:contact_import_report"


@router.get("/import/{int:job_id}/report", response={200: None, **READ_ERRORS})
def contact_import_report(request, job_id: int):
    """The job's error report as CSV: row, column, value, reason (404 before the job has
    checked a row)."""
    return import_views.report_file(import_job(request.auth, job_id, contact_imports.KIND))


@router.get("/import/{int:job_id}/rows-to-fix", response={200: None, **READ_ERRORS})
def contact_import_rows_to_fix(request, job_id: int):
    """The rows that failed, whole, with what is wrong, as XLSX (404 when none failed)."""
    return import_views.rows_to_fix_file(import_job(request.auth, job_id, contact_imports.KIND))
