"""Pages for importing customers from CSV/XLSX and exporting a filtered list.

Thin: parse, call customers.imports / customers.exports, render. Import: upload → mapping with
a preview → dry run (report) → import in the background with a progress bar.
"""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.ids import int_or_none
from guanxi.core.pagination import peek_page
from guanxi.customers import (
    contact_imports,
    exports,
    import_columns,
    import_fixes,
    import_reports,
    import_rows,
    import_tables,
    imports,
    queries,
    tasks,
)
from guanxi.customers.import_mapping import target_choices
from guanxi.customers.models_import import ExportJob, ImportJob, OnDuplicate, SavedMapping

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Imports listed per page under the upload form (newest first).
IMPORTS_PER_PAGE = 10


def export_response(
    user,
    filters: dict,
    fmt: str,
    *,
    request=None,
    via: str = "web",
    what: exports.Exported = exports.CUSTOMERS,
):
    """The export of ``what`` (the customer list, the contacts list) as an HTTP answer: CSV
    streamed, XLSX spooled to a temporary file; above settings.EXPORT_BACKGROUND_ROWS a
    background job instead (the page to follow it, or 202 with the job for the API)."""
    queryset, count = exports.start_export(user, filters, fmt, request=request, via=via, what=what)
    if exports.needs_background(count):
        job = exports.open_job(user, filters, fmt, count, what=what)
        tasks.queue_export(job)
        if via == "api":
            return JsonResponse(export_job_json(job), status=202)
        return redirect("customers:export_job", pk=job.pk)
    name = exports.download_name(fmt, what=what)
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_chunks(user, queryset, what=what), content_type="text/csv; charset=utf-8"
        )
    else:
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        exports.write_xlsx(user, queryset, spool, what=what)
        spool.seek(0)
        response = FileResponse(spool, content_type=XLSX)
    # The name in the user's language with an ASCII fallback (Django's own gives no fallback).
    response["Content-Disposition"] = exports.content_disposition(name, what=what)
    return response


#: The API route downloading a finished export job, by the job's kind.
_DOWNLOAD_ROUTES = {"customers": "api:export_download", "contacts": "api:contact_export_download"}
#: The list page an export job's page leads back to, by the job's kind.
_LIST_PAGES = {
    "customers": ("customers", "customers:list"),
    "contacts": ("contacts", "customers:contacts"),
}


def export_job_json(job) -> dict:
    """An export job as the API shows it."""
    done = job.status == job.Status.DONE
    return {
        "id": job.pk,
        "status": job.status,
        "format": job.format,
        "total_rows": job.total_rows,
        "written_rows": job.written_rows,
        "error": job.error,
        "download_url": reverse(_DOWNLOAD_ROUTES[job.kind], args=[job.pk]) if done else None,
    }


@login_required
def export_job(request, pk):
    """A background export (of any list): progress (polled by HTMX) and the download link
    when done."""
    job = get_object_or_404(exports.export_jobs_for(request.user), pk=pk)
    nav, list_page = _LIST_PAGES[job.kind]
    context = {"nav": nav, "job": job, "list_url": reverse(list_page)}
    if request.htmx:
        return render(request, "customers/partials/export_progress.html", context)
    return render(request, "customers/export_job.html", context)


@login_required
def export_download(request, pk):
    """The finished file of one of your background exports."""
    return export_file(exports.export_jobs_for(request.user), pk)


@login_required
def export(request):
    """The customer list, filtered as on the list page, as CSV (streamed) or XLSX."""
    fmt = request.GET.get("format", "csv")
    if fmt not in exports.FORMATS:
        raise Http404
    return export_response(request.user, exports.filters_from(request.GET), fmt, request=request)


def _writer(request) -> None:
    if not request.user.can_write:
        raise PermissionDenied(_("Your role is read-only."))


def _jobs(user):
    """The customer and contact imports a user may follow (the pages serve both kinds)."""
    return imports.jobs_for(user) | imports.jobs_for(user, contact_imports.KIND)


def _job(request, pk) -> ImportJob:
    return get_object_or_404(_jobs(request.user), pk=pk)


def import_list(request, jobs) -> dict:
    """The list of imports under an upload form: a page of ``jobs`` (newest first, paged
    without counting them) and whether they hold other users' imports, so that each row says
    whose it is (an admin sees everyone's)."""
    return {
        "page": peek_page(jobs, request.GET.get("page"), IMPORTS_PER_PAGE),
        "show_by": jobs.exclude(created_by=request.user).exists(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Step 1: upload a CSV or XLSX file."""
    _writer(request)
    error = ""
    if request.method == "POST":
        contacts = request.POST.get("kind") == contact_imports.KIND
        try:
            job = imports.save_upload(
                request.user,
                request.FILES.get("file"),
                open_job=contact_imports.new_job if contacts else None,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            return redirect("customers:import_mapping", pk=job.pk)
    return render(
        request,
        "customers/import.html",
        {
            "nav": "customers",
            "error": error,
            "max_mb": imports.MAX_UPLOAD_BYTES // (1024 * 1024),
            **import_list(request, _jobs(request.user)),
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def import_discard(request, pk):
    """Remove an import from the list: its file and report are deleted, its customers stay."""
    _writer(request)
    return discarded(request, _job(request, pk), "customers:import")


def discarded(request, job: ImportJob, back: str):
    """Remove ``job`` (``ImportJob.discard``), say so, and go ``back`` to its list."""
    try:
        job.discard()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Removed the import of %(name)s: its file and report are deleted.")
            % {"name": job.file_name},
        )
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def import_mapping(request, pk):
    """Step 2: match columns to fields (with a preview), then check or import."""
    _writer(request)
    job = _job(request, pk)
    if job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING, ImportJob.Status.DONE):
        return redirect("customers:import_job", pk=job.pk)
    try:
        table = imports.read_table(job.file_path)
    except (import_tables.ImportFileError, OSError) as exc:
        messages.error(request, str(exc))
        return redirect("customers:import")
    contacts = job.kind == contact_imports.KIND
    owners = queries.assignable_owners(request.user)
    error = ""
    mapping = job.mapping
    targets = contact_imports.target_choices() if contacts else target_choices()
    if request.GET.get("saved"):
        saved = SavedMapping.objects.filter(pk=int_or_none(request.GET["saved"])).first()
    elif job.status == ImportJob.Status.UPLOADED:  # a new file: the mapping saved for its kind
        saved = SavedMapping.objects.fitting(table.headers, {t for t, _label in targets})
    else:
        saved = None
    if saved is not None:
        mapping = {h: t for h, t in saved.mapping.items() if h in table.headers}
    if request.method == "POST":
        mapping = {
            header: request.POST.get(f"map-{i}", "")
            for i, header in enumerate(table.headers)
            if request.POST.get(f"map-{i}")
        }
        owner = owners.filter(pk=request.POST.get("owner") or request.user.pk).first()
        on_duplicate = request.POST.get("on_duplicate", "skip")
        try:
            if contacts:
                contact_imports.configure(request.user, job, mapping, on_duplicate)
            elif owner is None:
                raise ValidationError(_("Choose an owner you may assign customers to."))
            else:
                imports.configure(request.user, job, mapping, owner, on_duplicate)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            save_as = request.POST.get("save_as", "").strip()[:100]
            if save_as:
                SavedMapping.objects.update_or_create(
                    name=save_as, defaults={"mapping": job.mapping, "created_by": request.user}
                )
            if request.POST.get("action") == "import":
                tasks.queue_import(job, resume=False)
            else:
                tasks.queue_import(job, dry_run=True)
            return redirect("customers:import_job", pk=job.pk)
    columns = [  # not a rows-to-fix file's own two columns: no data to map
        {"index": i, "header": h, "target": mapping.get(h, "")}
        for i, h in enumerate(table.headers)
        if not import_fixes.helper_column(h)
    ]
    return render(
        request,
        "customers/import_mapping.html",
        {
            "nav": "customers",
            "job": job,
            "columns": columns,
            "preview": import_tables.preview(table),
            "unread_sheets": import_tables.unread_sheets_note(table),
            "companies_note": ""
            if contacts
            else import_rows.companies_by_name_note(table, mapping),
            "targets": targets,
            "contacts": contacts,
            "saved_mappings": SavedMapping.objects.all(),
            "saved": saved,
            "owners": owners,
            "owner_id": job.owner_id or request.user.pk,
            "on_duplicate_choices": (
                contact_imports.ON_DUPLICATE_CHOICES if contacts else OnDuplicate.choices
            ),
            "error": error,
        },
        status=400 if error else 200,
    )


REPORT_LINES = 50  # of the report, on the job's page


@login_required
def import_job(request, pk):
    """Step 3: a dry run's report, or the progress of the import (polled by HTMX)."""
    job = _job(request, pk)
    problems = import_reports.report_by_column(job)
    lines = import_reports.read_report(job, limit=REPORT_LINES, shown=True)
    # a note on a row imported or updated all the same is no row "not imported"
    report, notes = import_reports.split_report(lines)
    context = {
        "nav": "customers",
        "job": job,
        "report": report,
        "report_notes": notes,
        "report_cut": len(lines) == REPORT_LINES,
        "problems": problems,
        "mostly_failing": import_reports.mostly_failing(job, problems),
        "ignored_columns": import_columns.ignored_columns(job),
        "unread_sheets": import_columns.unread_sheets(job),
    }
    if request.htmx:
        return render(request, "customers/partials/import_progress.html", context)
    return render(request, "customers/import_job.html", context)


@login_required
@require_POST
def import_run(request, pk):
    """Start the import after a dry run, or continue one that stopped."""
    _writer(request)
    job = _job(request, pk)
    if job.status in (ImportJob.Status.QUEUED, ImportJob.Status.DONE):
        return redirect("customers:import_job", pk=job.pk)
    resume = job.status in (ImportJob.Status.FAILED, ImportJob.Status.RUNNING) and job.next_row > 0
    tasks.queue_import(job, resume=resume)
    return redirect("customers:import_job", pk=job.pk)


@login_required
def import_report(request, pk):
    """The error report (row, column, value, reason) as CSV."""
    return report_file(_job(request, pk))


@login_required
def import_rows_to_fix(request, pk):
    """The rows that failed, whole and with what is wrong, as a workbook to fix and upload."""
    return rows_to_fix_file(_job(request, pk))


# --- the files, for these pages and the API alike -------------------------------------------


def export_file(jobs, pk: int) -> FileResponse:
    """The finished file of the export job ``pk`` among ``jobs`` (those its user may follow)."""
    job = get_object_or_404(jobs, pk=pk, status=ExportJob.Status.DONE)
    path = Path(job.file_path)
    if not path.exists():
        raise Http404
    content_type = "text/csv; charset=utf-8" if job.format == "csv" else XLSX
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Content-Disposition"] = exports.content_disposition(
        job.file_name, what=exports.exported(job)
    )
    return response


def report_file(job: ImportJob) -> FileResponse:
    """An import job's error report (row, column, value, reason) as CSV; 404 when it has none."""
    path = Path(job.report_path) if job.report_path else None
    if path is None or not path.exists():
        raise Http404
    stem = Path(job.file_name).stem or "import"
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{stem}.errors.csv",
        content_type="text/csv; charset=utf-8",
    )


def rows_to_fix_file(job: ImportJob) -> FileResponse:
    """An import job's failed rows as a workbook to fix and upload; 404 when none failed."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    try:
        written = import_fixes.rows_to_fix(job, spool)
    except (import_tables.ImportFileError, OSError):
        spool.close()
        raise Http404 from None
    if not written:
        spool.close()
        raise Http404
    spool.seek(0)
    stem = Path(job.file_name).stem or "import"
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"{stem}.to-fix.xlsx",
        content_type=XLSX,
    )
