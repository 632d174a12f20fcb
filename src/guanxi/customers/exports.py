"""Export a filtered list to CSV or XLSX, under the user's visibility and masking: the
customer list (``CUSTOMERS``) or the contacts list (``CONTACTS``, customers.contact_exports).

Every export starts from the list's own query (``customers.queries.customers_for(user, ...)``,
``contact_queries.contacts_for``: only what the user sees leaves the building), masks
sensitive fields exactly as the pages do, neutralises cells a spreadsheet would run as a
formula, and is written to the access log. What differs between the lists (their filters,
query, columns, rows and names) is a kind of export (``Exported``); the files, the streaming,
the background job (ExportJob.kind) and the downloads are one machinery.
"""

import csv
import datetime as dt
import io
import itertools
import re
import shutil
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

import xlsxwriter
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from guanxi.core.access_log import log_access
from guanxi.core.ids import int_or_none
from guanxi.core.notifications import notify
from guanxi.customers.contact_exports import CONTACTS
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
#: The columns, in the file's order: FIELDS with the owner after the tags (custom fields follow).
COLUMNS = (
    *FIELDS[: FIELDS.index("tag_names") + 1],
    "owner",
    *FIELDS[FIELDS.index("tag_names") + 1 :],
)
#: XLSX column widths, in Excel's units (about one digit, or half a Chinese character): each
#: column as wide as its header or the widest value among the first SAMPLE_ROWS rows (rows are
#: written as they come, in constant memory, so the widths are set before the first row), at
#: least its floor and at most its cap.
SAMPLE_ROWS = 200
MIN_WIDTH, MAX_WIDTH = 6, 30
WIDE = {"address": 30, "notes": 30, "company_name": 24}  # floors; the cap WIDE_MAX_WIDTH
WIDE_MAX_WIDTH = 60
DATE_FORMAT = "yyyy-mm-dd"
# A name a Content-Disposition can quote as it is (RFC 6266's ASCII filename="…").
_PLAIN_NAME = re.compile(r"[A-Za-z0-9._-]+")


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
    """The header row: the fields' verbose names with a capital first letter, as the pages show
    them ("Name", "Mobile phone"; Chinese unchanged), then the custom fields' labels as their
    admin wrote them. The import recognises all of them (``import_mapping.auto_mapping``), in either
    language, so an exported file comes back."""
    names = [
        capfirst(str(_("owner") if f == "owner" else Customer._meta.get_field(f).verbose_name))
        for f in COLUMNS
    ]
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
        # As get_FOO_display gives it, but for no value: empty as on the card (its "—"),
        # not the choice "Unknown" that stands for it in a form.
        return str(labels[field].get(value, value)) if value else ""
    value = masked_value(user, customer, field)
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def rows(user, queryset, custom: list[CustomField]) -> Iterator[list[str]]:
    """One list of display strings per customer, in COLUMNS' order then the custom fields
    (masked; not yet neutralised)."""
    owner_at = COLUMNS.index("owner")
    labels = _labels()
    for customer in queryset.iterator(chunk_size=CHUNK):
        row = [_cell(user, customer, f, labels) for f in FIELDS]
        row.insert(owner_at, str(customer.owner) if customer.owner_id else _("(pool)"))
        custom_values = customer.custom or {}
        row.extend(str(custom_values.get(f.key, "") or "") for f in custom)
        yield row


class Layout(Protocol):
    """An export's columns as it starts: their titles in the active language, the field behind
    each ("" for none: the widths and date cells go by it), and the rows."""

    titles: list[str]
    fields: list[str]

    def rows(self, user, queryset) -> Iterator[list[str]]:
        """One list of display strings per record, in the titles' order (masked; not yet
        neutralised)."""
        ...


class Exported(Protocol):
    """What an export holds: a list's filters, query, layout and names."""

    #: ExportJob.kind.
    kind: str
    #: The access log's object_type of an export of it.
    object_type: str
    #: The file's name in English, for a client that reads only ASCII names.
    ascii_stem: str
    #: Column width floors by field; the fields written as date cells in XLSX.
    wide: dict[str, int]
    dates: tuple[str, ...]

    def filters_from(self, params) -> dict: ...

    def queryset(self, user, filters: dict): ...

    def layout(self) -> Layout: ...

    def stem(self) -> str:
        """The file's name in the active language ("客户", "customers")."""
        ...

    def sheet_name(self) -> str: ...

    def ready(self, count: int, fmt: str) -> str:
        """The notification that a background export is ready."""
        ...


class _CustomerLayout:
    """The customer export's columns, the custom fields as they are when it starts."""

    def __init__(self, custom: list[CustomField]):
        self.custom = custom
        self.titles = headers(custom)
        self.fields = [*COLUMNS, *([""] * len(custom))]

    def rows(self, user, queryset) -> Iterator[list[str]]:
        return rows(user, queryset, self.custom)


class CustomerExport:
    """The customer list as an export (``Exported``)."""

    kind = "customers"
    object_type = "customer"
    ascii_stem = "customers"
    wide = WIDE
    dates = ("birthday",)

    def filters_from(self, params) -> dict:
        return filters_from(params)

    def queryset(self, user, filters: dict):
        return customers_for(user, **filters)

    def layout(self) -> Layout:
        return _CustomerLayout(_custom_fields())

    def stem(self) -> str:
        return str(Customer._meta.verbose_name_plural)

    def sheet_name(self) -> str:
        return str(_("Customers"))

    def ready(self, count: int, fmt: str) -> str:
        return _("Your export of %(count)d customers (%(format)s) is ready to download.") % {
            "count": count,
            "format": fmt.upper(),
        }


CUSTOMERS: Exported = CustomerExport()
#: Every kind of export by ExportJob.kind.
KINDS: dict[str, Exported] = {e.kind: e for e in (CUSTOMERS, CONTACTS)}


def start_export(
    user, filters: dict, fmt: str, *, request=None, via: str = "web", what: Exported = CUSTOMERS
):
    """The queryset to export, after writing the export to the access log."""
    queryset = what.queryset(user, filters)
    count = queryset.count()
    log_access(
        user,
        "export",
        what.object_type,
        None,
        request=request,
        via=via,
        detail=f"{count} rows, {fmt}, {describe(filters)}",
    )
    return queryset, count


class _Echo:
    def write(self, value):
        return value


def csv_chunks(
    user,
    queryset,
    progress: Callable[[int], None] | None = None,
    *,
    what: Exported = CUSTOMERS,
) -> Iterator[bytes]:
    """The CSV file as UTF-8 with a BOM (so Excel opens Chinese correctly), a few rows at a time;
    ``progress(rows so far)`` after each chunk."""
    layout = what.layout()
    writer = csv.writer(_Echo())
    yield b"\xef\xbb\xbf" + writer.writerow(layout.titles).encode()
    buffer = []
    written = 0
    for row in layout.rows(user, queryset):
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


def display_width(text: str) -> int:
    """The width of ``text`` in Excel's column units: a wide (Chinese, Japanese, Korean or
    full-width) character counts two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def column_widths(
    titles: list[str],
    sample: list[list[str]],
    fields=COLUMNS,
    wide: dict[str, int] = WIDE,
    dates=("birthday",),
) -> list[int]:
    """The XLSX column widths for a header row and the first rows below it, the columns
    holding ``fields`` (the customer export's by default), ``wide`` ones at least as wide as
    their floor, ``dates`` as wide as a date."""
    widths = []
    for col, title in enumerate(titles):
        field = fields[col] if col < len(fields) else ""
        longest = max((display_width(row[col]) for row in sample if row[col]), default=0)
        if field in dates:
            longest = max(longest, len(DATE_FORMAT))
        cap = WIDE_MAX_WIDTH if field in wide else MAX_WIDTH
        widths.append(
            max(wide.get(field, MIN_WIDTH), min(max(display_width(title), longest) + 2, cap))
        )
    return widths


def _day(value: str) -> dt.date | None:
    """An exported date ("1985-03-12": a birthday, the day a contact was added) as a date an
    XLSX cell can hold; None for anything else (Excel counts days from 1900: earlier ones stay
    text)."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return day if day.year >= 1900 else None


def write_xlsx(
    user,
    queryset,
    target,
    progress: Callable[[int], None] | None = None,
    *,
    what: Exported = CUSTOMERS,
) -> None:
    """Write the XLSX to ``target`` (a path or a binary file), row by row in constant memory.

    Every cell but a date (a birthday, ``what.dates``) is written with write_string, so a value
    like "=1+1" stays text, never a formula; a date is a date cell shown as yyyy-mm-dd. The
    header row is bold and frozen, the columns as wide as the first rows need
    (``column_widths``). ``progress(rows so far)`` every CHUNK rows and at the end.
    """
    layout = what.layout()
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet(what.sheet_name()[:31])
    bold = workbook.add_format({"bold": True})
    date = workbook.add_format({"num_format": DATE_FORMAT})
    titles = layout.titles
    body = layout.rows(user, queryset)
    sample = list(itertools.islice(body, SAMPLE_ROWS))
    # In constant memory each row is flushed when the next begins: the layout comes first.
    widths = column_widths(titles, sample, layout.fields, what.wide, what.dates)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    for col, title in enumerate(titles):
        sheet.write_string(0, col, title, bold)
    dates_at = {col for col, field in enumerate(layout.fields) if field in what.dates}
    r = 0
    for r, row in enumerate(itertools.chain(sample, body), start=1):
        for col, value in enumerate(row):
            if value:
                if col in dates_at and (day := _day(value)):
                    sheet.write_datetime(r, col, day, date)
                else:
                    sheet.write_string(r, col, value)
        if progress and r % CHUNK == 0:
            progress(r)
    workbook.close()
    if progress:
        progress(r)


def write_file(
    user,
    queryset,
    fmt: str,
    path: Path,
    progress: Callable[[int], None] | None = None,
    *,
    what: Exported = CUSTOMERS,
) -> None:
    """Write the export of ``queryset`` in ``fmt`` ("csv" or "xlsx") to ``path``."""
    if fmt == "csv":
        with path.open("wb") as out:
            for chunk in csv_chunks(user, queryset, progress, what=what):
                out.write(chunk)
    else:
        write_xlsx(user, queryset, str(path), progress, what=what)


def xlsx_bytes(user, queryset, *, what: Exported = CUSTOMERS) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(user, queryset, buffer, what=what)
    return buffer.getvalue()


def download_name(fmt: str, *, what: Exported = CUSTOMERS) -> str:
    """The file's name in the active language: "客户-20261126-0339.csv" for a Chinese user,
    "customers-20261126-0339.csv" in English ("联系人-…", "contacts-…" for contacts)."""
    return f"{what.stem()}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"


def ascii_name(name: str, *, what: Exported = CUSTOMERS) -> str:
    """A download name as a client that reads only ASCII names gets it: a name in another
    language with its stem in English ("客户-20261126-0339.csv" → "customers-20261126-0339.csv")."""
    if _PLAIN_NAME.fullmatch(name):
        return name
    _stem, _sep, rest = name.partition("-")
    if _PLAIN_NAME.fullmatch(rest):
        return f"{what.ascii_stem}-{rest}"
    suffix = Path(name).suffix
    return what.ascii_stem + (suffix if _PLAIN_NAME.fullmatch(suffix) else "")


def content_disposition(name: str, *, what: Exported = CUSTOMERS) -> str:
    """The Content-Disposition of a download named ``name``: the name as it is when ASCII,
    otherwise the UTF-8 name (RFC 5987 ``filename*``, which browsers prefer) after its ASCII
    fallback (``filename``, for the clients that do not read the other)."""
    fallback = ascii_name(name, what=what)
    header = f'attachment; filename="{fallback}"'
    if fallback != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


# --- large exports in the background --------------------------------------------------------


def needs_background(count: int) -> bool:
    """Whether an export of ``count`` rows runs as a job (settings.EXPORT_BACKGROUND_ROWS)."""
    return count > settings.EXPORT_BACKGROUND_ROWS


def open_job(user, filters: dict, fmt: str, count: int, *, what: Exported = CUSTOMERS) -> ExportJob:
    """A queued export job (call after ``start_export``, which wrote the access log)."""
    return ExportJob.objects.create(
        kind=what.kind,
        created_by=user,
        format=fmt,
        filters=filters,
        language=translation.get_language() or "",
        total_rows=count,
    )


def export_jobs_for(user, *, what: Exported | None = None):
    """The export jobs a user may follow and download: only their own (the file holds what
    they may see, masked for them); of one kind with ``what``."""
    jobs = ExportJob.objects.filter(created_by=user)
    return jobs if what is None else jobs.filter(kind=what.kind)


def exported(job: ExportJob) -> Exported:
    """What ``job`` exports."""
    return KINDS[job.kind]


def run_job(job: ExportJob) -> ExportJob:
    """Write the job's export to a file under the data directory, streaming the rows in chunks
    (never the whole table in memory), then tell its owner it is ready. The file appears under
    its name only when complete; a failed job leaves no file."""
    user, what = job.created_by, exported(job)
    folder = Path(settings.DATA_DIR) / "exports" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    with translation.override(job.language or None):
        name = download_name(job.format, what=what)  # stored under its ASCII name
        partial = folder / (ascii_name(name, what=what) + ".part")
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)

        def progress(written: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(written_rows=written)

        queryset = what.queryset(user, job.filters)
        try:
            write_file(user, queryset, job.format, partial, progress, what=what)
        except Exception as exc:
            shutil.rmtree(folder, ignore_errors=True)
            ExportJob.objects.filter(pk=job.pk).update(
                status=ExportJob.Status.FAILED,
                error=str(exc)[:2000] or exc.__class__.__name__,
                finished_at=timezone.now(),
            )
            raise
        final = folder / ascii_name(name, what=what)
        partial.rename(final)
        job.refresh_from_db()
        job.status = ExportJob.Status.DONE
        job.file_path, job.file_name = str(final), name
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "file_path", "file_name", "finished_at"])
        url = reverse("customers:export_job", args=[job.pk])
        message = what.ready(job.written_rows, job.format)
    transaction.on_commit(
        lambda: notify([user], actor=None, verb="exported", message=message, url=url)
    )
    return job
