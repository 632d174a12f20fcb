"""Export a filtered customer list to CSV or XLSX, under the user's visibility and masking.

Every export starts from ``customers.queries.customers_for(user, ...)`` (so only visible
customers leave the building), masks sensitive fields exactly as the pages do, neutralises
cells a spreadsheet would run as a formula, and is written to the access log.
"""

import csv
import io
from collections.abc import Iterator

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.access_log import log_access
from guanxi.customers.masking import masked_value
from guanxi.customers.models import Customer, CustomField, Kind
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

    def _int(raw):
        try:
            return int(raw)
        except (TypeError, ValueError):
            return None

    sort = params.get("sort", "-id")
    kind = params.get("kind", "")
    return {
        "q": (params.get("q") or "").strip()[:100],
        "owner": _int(params.get("owner")),
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


def _cell(user, customer: Customer, field: str) -> str:
    if field in DISPLAYED:
        return str(getattr(customer, f"get_{field}_display")() or "")
    value = masked_value(user, customer, field)
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def rows(user, queryset, custom: list[CustomField]) -> Iterator[list[str]]:
    """One list of display strings per customer (masked; not yet neutralised)."""
    owner_at = FIELDS.index("tag_names") + 1
    for customer in queryset.iterator(chunk_size=CHUNK):
        row = [_cell(user, customer, f) for f in FIELDS]
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


def csv_chunks(user, queryset) -> Iterator[bytes]:
    """The CSV file as UTF-8 with a BOM (so Excel opens Chinese correctly), a few rows at a time."""
    custom = _custom_fields()
    writer = csv.writer(_Echo())
    yield b"\xef\xbb\xbf" + writer.writerow(headers(custom)).encode()
    buffer = []
    for row in rows(user, queryset, custom):
        buffer.append(writer.writerow([neutralise(v) for v in row]))
        if len(buffer) >= 500:
            yield "".join(buffer).encode()
            buffer = []
    if buffer:
        yield "".join(buffer).encode()


def write_xlsx(user, queryset, target) -> None:
    """Write the XLSX to ``target`` (a path or a binary file), row by row in constant memory.

    Every cell is written with write_string, so a value like "=1+1" stays text, never a formula.
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
    for r, row in enumerate(rows(user, queryset, custom), start=1):
        for col, value in enumerate(row):
            if value:
                sheet.write_string(r, col, value)
    workbook.close()


def xlsx_bytes(user, queryset) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(user, queryset, buffer)
    return buffer.getvalue()


def filename(fmt: str) -> str:
    return f"customers-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
