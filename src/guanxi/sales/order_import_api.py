"""API routes for importing historical orders from CSV/XLSX: the twin of the import page.

The same job, counters, report and visibility of jobs as ``POST /customers/import`` (your own;
an admin: everyone's); the work is sales.order_imports. ``imported`` and ``failed`` count
orders, ``processed_rows`` the file's rows (order lines).
"""

from ninja import File, Form, Router
from ninja.files import UploadedFile

from guanxi.core.api_errors import error_responses
from guanxi.customers import import_views
from guanxi.customers.api import (
    ImportJobOut,
    dry_run_or_queue,
    import_job,
    import_job_out,
)
from guanxi.customers.import_form import fields_in_the_form
from guanxi.sales import order_imports, tasks
from guanxi.sales.order_import_columns import ignored_columns

router = Router(tags=["sales"])

READ_ERRORS = error_responses(401, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 422)
REPORT_ROUTE = "api:order_import_report"


@router.post("/import", response={200: ImportJobOut, 202: ImportJobOut, **WRITE_ERRORS})
def import_orders(request, file: File[UploadedFile], dry_run: Form[bool] = False):
    """Import historical orders from a CSV/XLSX file: one row per order line, headers in
    Chinese or English (order number, customer id / phone / name, date, SKU, quantity, unit
    price, status…, as on the import page); rows with the same order number are one order,
    written whole or not at all.

    With ``dry_run`` every row is checked and nothing written (200, with the counts and a
    report); a dry run of more than ``EXPORT_BACKGROUND_ROWS`` rows (10,000) is checked in the
    background instead, like an import: 202 with the job. An import is queued (202); follow
    either at ``GET /orders/import/{id}``. ``ignored_columns`` names the file's columns that
    name no order column. The fields (``file``, ``dry_run``) go in the form: ``dry_run`` in
    the address, or any other field (a typo such as ``dryRun``), is refused (422, naming it)
    and nothing is imported or kept.
    """
    fields_in_the_form(request, "dry_run")
    job = order_imports.save_upload(request.auth, file)
    return dry_run_or_queue(
        job,
        order_imports.process,
        dry_run,
        report_route=REPORT_ROUTE,
        queue=tasks.queue_order_import,
        ignored=ignored_columns,
    )


@router.get("/import/{int:job_id}", response={200: ImportJobOut, **READ_ERRORS})
def order_import_status(request, job_id: int):
    """The progress and counts (orders) of one of your order import jobs."""
    job = import_job(request.auth, job_id, order_imports.KIND)
    return import_job_out(job, REPORT_ROUTE, ignored_columns)


@router.get("/import/{int:job_id}/report", response={200: None, **READ_ERRORS})
def order_import_report(request, job_id: int):
    """The job's error report as CSV: row, column, value, reason (404 before a row was
    checked)."""
    return import_views.report_file(import_job(request.auth, job_id, order_imports.KIND))
