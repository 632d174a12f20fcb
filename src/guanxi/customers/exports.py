"""Export a filtered customer list to CSV or XLSX, under the user's visibility and masking.

Every export starts from ``customers.queries.customers_for(user, ...)`` (so only visible
customers leave the building), masks sensitive fields exactly as the pages do, neutralises
cells a spreadsheet would run as a formula, and is written to the access log.
"""

import csv
import io
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import xlsxwriter
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.core.access_log import log_access
from guanxi.core.ids import int_or_none
from guanxi.core.notifications import notify
from guanxi.customers.masking import masked_value
from guanxi.customers.models import Customer, CustomField, Kind
from guanxi.customers.models_import import ExportJob
from guanxi.customers.queries import SORTS, customers_for

FORMATS = ("csv", "xlsx")
CHUNK = 2000
# The model fields exported, in order; headers are the fields' (translated) verbose names.
FIELDS = (
    "id",
    "kind",
    "name",
    "gender",
    "birthday",
    "birthday_calendar",
    "phone",
    "phone_alt",
    "email",
    "id_number",
    "wechat_id",
    "company_name",
    "province",
    "city",
    "district",
    "address",
    "industry",
    "occupation",
    "income_band",
    "source_channel",
    "value_orientation",
    "tag_names",
    "notes",
)
DISPLAYED = {
    "kind",
    "gender",
    "birthday_calendar",
    "income_band",
    "source_channel",
    "value_orientation",
}
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Prefix a cell that a spreadsheet would read as a formula with an apostrophe."""
    if value and value.startswith(FORMULA_START):
        return "'" + value
    return value


def filters_from(params) -> dict:
    """The list filters (the same ones as the list page) from a query dict."""

    sort = params.get("sort", "-id")
    kind = params.get("kind", "")
    return {
        "q": (params.get("q") or "").strip()[:100],
        "owner": int_or_none(params.get("owner")),
        "tag": (params.get("tag") or "").strip()[:50],
        "city": (params.get("city") or "").strip()[:30],
        "kind": kind if kind in Kind.values else "",
        "sort": sort if sort in SORTS else "-id",
    }


def describe(filters: dict) -> str:
    """The non-empty filters as "q=王, city=广州" for the access log."""
    return ", ".join(f"{k}={v}" for k, v in filters.items() if v and k != "sort") or "all"


def _custom_fields() -> list[CustomField]:
    return list(CustomField.objects.filter(active=True))


def headers(custom: list[CustomField]) -> list[str]:
    names = [str(Customer._meta.get_field(f).verbose_name) for f in FIELDS]
    names.insert(FIELDS.index("tag_names") + 1, _("owner"))
    return names + [f.label for f in custom]


def _labels() -> dict[str, dict[str, str]]:
    """``{field: {stored value: its label in the active language}}`` for the DISPLAYED fields,
    worked out once per export: ``get_FOO_display`` hashes every choice's lazy label, a
    translation lookup each, on every call (72 % of an export's time, 110 µs a row)."""
    return {
        name: {value: str(label) for value, label in Customer._meta.get_field(name).flatchoices}
        for name in DISPLAYED
    }


def _cell(user, customer: Customer, field: str, labels: dict[str, dict[str, str]]) -> str:
    if field in labels:
        value = getattr(customer, field)
        return str(labels[field].get(value, value) or "")  # as get_FOO_display gives it
    value = masked_value(user, customer, field)
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def rows(user, queryset, custom: list[CustomField]) -> Iterator[list[str]]:
    """One list of display strings per customer (masked; not yet neutralised)."""
    owner_at = FIELDS.index("tag_names") + 1
    labels = _labels()
    for customer in queryset.iterator(chunk_size=CHUNK):
        row = [_cell(user, customer, f, labels) for f in FIELDS]
        row.insert(owner_at, str(customer.owner) if customer.owner_id else _("(pool)"))
        custom_values = customer.custom or {}
        row.extend(str(custom_values.get(f.key, "") or "") for f in custom)
        yield row


def start_export(user, filters: dict, fmt: str, *, request=None, via: str = "web"):
    """The queryset to export, after writing the export to the access log."""
    queryset = customers_for(user, **filters)
    count = queryset.count()
    log_access(
        user,
        "export",
        "customer",
        None,
        request=request,
        via=via,
        detail=f"{count} rows, {fmt}, {describe(filters)}",
    )
    return queryset, count


class _Echo:
    def write(self, value):
        return value


def csv_chunks(user, queryset, progress: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """The CSV file as UTF-8 with a BOM (so Excel opens Chinese correctly), a few rows at a time;
    ``progress(rows so far)`` after each chunk."""
    custom = _custom_fields()
    writer = csv.writer(_Echo())
    yield b"\xef\xbb\xbf" + writer.writerow(headers(custom)).encode()
    buffer = []
    written = 0
    for row in rows(user, queryset, custom):
        buffer.append(writer.writerow([neutralise(v) for v in row]))
        if len(buffer) >= 500:
            written += len(buffer)
            yield "".join(buffer).encode()
            buffer = []
            if progress:
                progress(written)
    if buffer:
        yield "".join(buffer).encode()
    if progress:
        progress(written + len(buffer))


def write_xlsx(user, queryset, target, progress: Callable[[int], None] | None = None) -> None:
    """Write the XLSX to ``target`` (a path or a binary file), row by row in constant memory.

    Every cell is written with write_string, so a value like "=1+1" stays text, never a formula.
    ``progress(rows so far)`` every CHUNK rows and at the end.
    """
    custom = _custom_fields()
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet(str(_("Customers"))[:31])
    bold = workbook.add_format({"bold": True})
    for col, title in enumerate(headers(custom)):
        sheet.write_string(0, col, title, bold)
    r = 0
    for r, row in enumerate(rows(user, queryset, custom), start=1):
        for col, value in enumerate(row):
            if value:
                sheet.write_string(r, col, value)
        if progress and r % CHUNK == 0:
            progress(r)
    workbook.close()
    if progress:
        progress(r)


def write_file(
    user, queryset, fmt: str, path: Path, progress: Callable[[int], None] | None = None
) -> None:
    """Write the export of ``queryset`` in ``fmt`` ("csv" or "xlsx") to ``path``."""
    if fmt == "csv":
        with path.open("wb") as out:
            for chunk in csv_chunks(user, queryset, progress):
                out.write(chunk)
    else:
        write_xlsx(user, queryset, str(path), progress)


def xlsx_bytes(user, queryset) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(user, queryset, buffer)
    return buffer.getvalue()


def filename(fmt: str) -> str:
    return f"customers-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"


# --- large exports in the background --------------------------------------------------------


def needs_background(count: int) -> bool:
    """Whether an export of ``count`` rows runs as a job (settings.EXPORT_BACKGROUND_ROWS)."""
    return count > settings.EXPORT_BACKGROUND_ROWS


def open_job(user, filters: dict, fmt: str, count: int) -> ExportJob:
    """A queued export job (call after ``start_export``, which wrote the access log)."""
    return ExportJob.objects.create(
        created_by=user,
        format=fmt,
        filters=filters,
        language=translation.get_language() or "",
        total_rows=count,
    )


def export_jobs_for(user):
    """The export jobs a user may follow and download: only their own (the file holds what
    they may see, masked for them)."""
    return ExportJob.objects.filter(created_by=user)


def run_job(job: ExportJob) -> ExportJob:
    """Write the job's export to a file under the data directory, streaming the rows in chunks
    (never the whole table in memory), then tell its owner it is ready. The file appears under
    its name only when complete; a failed job leaves no file."""
    user = job.created_by
    folder = Path(settings.DATA_DIR) / "exports" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    with translation.override(job.language or None):
        name = filename(job.format)
        partial = folder / (name + ".part")
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)

        def progress(written: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(written_rows=written)

        queryset = customers_for(user, **job.filters)
        try:
            write_file(user, queryset, job.format, partial, progress)
        except Exception as exc:
            shutil.rmtree(folder, ignore_errors=True)
            ExportJob.objects.filter(pk=job.pk).update(
                status=ExportJob.Status.FAILED,
                error=str(exc)[:2000] or exc.__class__.__name__,
                finished_at=timezone.now(),
            )
            raise
        final = folder / name
        partial.rename(final)
        job.refresh_from_db()
        job.status = ExportJob.Status.DONE
        job.file_path, job.file_name = str(final), name
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "file_path", "file_name", "finished_at"])
        url = reverse("customers:export_job", args=[job.pk])
        message = _("Your export of %(count)d customers (%(format)s) is ready to download.") % {
            "count": job.written_rows,
            "format": job.format.upper(),
        }
    transaction.on_commit(
        lambda: notify([user], actor=None, verb="exported", message=message, url=url)
    )
    return job
