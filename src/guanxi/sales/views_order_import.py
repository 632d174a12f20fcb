"""Import of historical orders: upload → dry run with its report → import in the background
with a progress bar. Thin: the work is in sales.order_imports (over customers.imports)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.customers import import_reports, import_views, imports
from guanxi.customers.models_import import ImportJob
from guanxi.sales import order_import_columns, order_imports, tasks
from guanxi.sales.views_common import require_writer


def _job(request, pk) -> ImportJob:
    return get_object_or_404(order_imports.jobs_for(request.user), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def order_import(request):
    """Upload a file; its dry run starts at once."""
    require_writer(request.user)
    error = ""
    if request.method == "POST":
        try:
            job = order_imports.save_upload(request.user, request.FILES.get("file"))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            tasks.queue_order_import(job, dry_run=True)
            return redirect("sales:order_import_job", pk=job.pk)
    return render(
        request,
        "sales/order_import.html",
        {
            "nav": "sales",
            "sales_nav": "orders",
            "error": error,
            "max_mb": imports.MAX_UPLOAD_BYTES // (1024 * 1024),
            **import_views.import_list(request, order_imports.jobs_for(request.user)),
        },
        status=400 if error else 200,
    )


@login_required
def order_import_job(request, pk):
    """The dry run's report, or the import's progress (polled by HTMX)."""
    job = _job(request, pk)
    context = {
        "nav": "sales",
        "sales_nav": "orders",
        "job": job,
        "report": order_imports.read_report(job),
        "problems": import_reports.report_by_column(job),
        "ignored_columns": order_import_columns.ignored_columns(job),
    }
    if request.htmx:
        return render(request, "sales/partials/order_import_progress.html", context)
    return render(request, "sales/order_import_job.html", context)


@login_required
@require_POST
def order_import_run(request, pk):
    """Import after the dry run, or continue an import that stopped."""
    require_writer(request.user)
    job = _job(request, pk)
    if job.status in (ImportJob.Status.QUEUED, ImportJob.Status.DONE):
        return redirect("sales:order_import_job", pk=job.pk)
    resume = job.status in (ImportJob.Status.FAILED, ImportJob.Status.RUNNING) and job.next_row > 0
    tasks.queue_order_import(job, resume=resume)
    return redirect("sales:order_import_job", pk=job.pk)


@login_required
@require_POST
def order_import_discard(request, pk):
    """Remove an import from the list: its file and report are deleted, its orders stay."""
    require_writer(request.user)
    return import_views.discarded(request, _job(request, pk), "sales:order_import")


@login_required
def order_import_report(request, pk):
    """The report (row, column, value, reason) as CSV."""
    return import_views.report_file(_job(request, pk))
