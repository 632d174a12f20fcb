"""API routes for importing contacts (the people at a company customer) from CSV/XLSX.

The twin of ``POST /customers/import``: the same job, counters, error shapes, permissions and
visibility of jobs (your own; an admin: everyone's); the work is customers.contact_imports.
A contacts file more often needs telling which column names the customer, so the mapping may
be given as JSON; without it the columns are matched from their Chinese or English headers.
"""

import json
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import File, Form, Router
from ninja.files import UploadedFile

from guanxi.core.api_errors import error_responses
from guanxi.customers import contact_imports, import_views, imports
from guanxi.customers.api import (
    ImportJobOut,
    dry_run_or_queue,
    fields_in_the_form,
    import_job,
    import_job_out,
)

router = Router(tags=["contacts"])

READ_ERRORS = error_responses(401, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 422)


def _mapping(text: str | None, job) -> dict[str, str]:
    """The mapping sent as a JSON object {column header: field}, else the automatic one."""
    if not text:
        return job.mapping
    try:
        mapping = json.loads(text)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise ValidationError(
            {"mapping": _('Send the mapping as a JSON object: {"column header": "field"}.')}
        )
    return mapping


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
    matched automatically. With ``dry_run`` every row is checked and nothing written (200, with
    the counts and a report); otherwise the import is queued (202); follow it at
    ``GET /contacts/import/{id}``. The fields go in the form with the file (in the address
    they are refused: 422).
    """
    fields_in_the_form(request, "dry_run", "on_duplicate", "mapping")
    job = imports.save_upload(request.auth, file, open_job=contact_imports.new_job)
    contact_imports.configure(request.auth, job, _mapping(mapping, job), on_duplicate)
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
