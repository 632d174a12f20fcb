"""The rows of an import that failed, as a workbook to fix and upload again.

The error report says row, column, value and reason; to fix a row one needs the whole row.
``rows_to_fix`` takes the failed rows from the job's own file (every column, the original
headers, so the same mapping applies again) and adds the row's number in the original file
(the reasons name rows by it) and a last column saying what is wrong.
Rows that were only skipped as duplicates are left out: importing them again changes nothing.
"""

import re
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import xlsxwriter
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from guanxi.customers import import_mapping, import_reports, import_tables, imports
from guanxi.customers.models_import import ImportJob

#: The two columns a rows-to-fix file adds after the file's own. A rows-to-fix file fixed and
#: uploaded again has them still: they are no data (no field is offered for them, nor are they
#: "not imported"), and its own rows to fix carry the original row number on, with one fresh
#: "what to fix" column, not a second pair.
ORIGINAL_ROW = gettext_noop("Row in the original file")
WHAT_TO_FIX = gettext_noop("What to fix")
_HELPER_KEYS: dict[str, str] = {}
_REPEATED = re.compile(r"\s*\(\d+\)$")  # _unique_headers' "名称 (2)"


def helper_column(header: str) -> str:
    """ORIGINAL_ROW or WHAT_TO_FIX when ``header`` is that column of a rows-to-fix file, in
    any language (a repeated one too: "What to fix (2)"); "" for the file's own columns."""
    if not _HELPER_KEYS:
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                for message in (ORIGINAL_ROW, WHAT_TO_FIX):
                    _HELPER_KEYS[import_mapping.header_key(_(message))] = message
    name = _REPEATED.sub("", header)
    return _HELPER_KEYS.get(import_mapping.header_key(name), "")


def data_headers(headers: list[str]) -> list[str]:
    """``headers`` without a rows-to-fix file's own columns."""
    return [h for h in headers if not helper_column(h)]


def failed_rows(job: ImportJob) -> dict[int, list[str]]:
    """{row number: [reasons]} of the rows of the job's report that failed (not skipped)."""
    path = Path(job.report_path) if job.report_path else None
    if path is None or not path.exists():
        return {}
    skipped = import_reports.skip_pattern()
    failed: dict[int, list[str]] = {}
    for line in import_reports.read_report(job, limit=job.total_rows * 20 + 20):
        if len(line) < 4 or not line[0].isdigit() or skipped.fullmatch(line[3]):
            continue
        column, reason = line[1], line[3]
        failed.setdefault(int(line[0]), []).append(f"{column}: {reason}" if column else reason)
    return failed


def rows_to_fix(job: ImportJob, out: BinaryIO) -> int:
    """Write the failed rows of ``job`` (original headers and cells, then a column of what is
    wrong) as XLSX to ``out``; the number of rows written. In the job's language, whoever
    downloads it: the reasons are in it (as the report is), and so are the added headers."""
    with translation.override(job.language or None):
        return _rows_to_fix(job, out)


def _rows_to_fix(job: ImportJob, out: BinaryIO) -> int:
    table = imports.read_table(job.file_path)
    failed = failed_rows(job)
    at = {number: table.index_of(number) for number in failed}
    rows: Iterable[tuple[int, list]] = (
        (number, table.rows[at[number]]) for number in sorted(failed) if at[number] is not None
    )
    # A rows-to-fix file imported again: its own columns are the file's, not its two added
    # ones; the row number it gave is the original file's, carried on.
    kept = [i for i, h in enumerate(table.headers) if not helper_column(h)]
    original = next(
        (i for i, h in enumerate(table.headers) if helper_column(h) == ORIGINAL_ROW), None
    )
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    bold = book.add_format({"bold": True})
    problem = book.add_format({"font_color": "#b02a37"})
    # The reasons name rows by their number in the original file ("same phone as row 47"):
    # each row says its own. A column no field is called, so importing the file ignores it.
    headers = [*(table.headers[i] for i in kept), _(ORIGINAL_ROW), _(WHAT_TO_FIX)]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, bold)
    written = 0
    for written, (number, cells) in enumerate(rows, start=1):
        for col, index in enumerate(kept):
            text = import_tables.cell_text(cells[index]) if index < len(cells) else ""
            if text:
                sheet.write_string(written, col, text)
        first = _original_number(cells, original)
        if first is None:
            sheet.write_number(written, len(kept), number)
        else:
            sheet.write_number(written, len(kept), first)
        sheet.write_string(written, len(kept) + 1, "; ".join(failed[number]), problem)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, len(headers) - 2, 14)
    sheet.set_column(len(headers) - 1, len(headers) - 1, 60)
    book.close()
    return written


def _original_number(cells: list, at: int | None) -> int | None:
    """The original file's row number a rows-to-fix file gives in column ``at``; None without
    one (not such a file, or the cell emptied or not a number)."""
    if at is None or at >= len(cells):
        return None
    text = import_tables.cell_text(cells[at])
    return int(text) if text.isdigit() else None
