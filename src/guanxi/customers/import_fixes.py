"""The rows of an import that failed, as a workbook to fix and upload again.

The error report says row, column, value and reason; to fix a row one needs the whole row.
``rows_to_fix`` takes the failed rows from the job's own file (every column, the original
headers, so the same mapping applies again) and adds the row's number in the original file
(the reasons name rows by it) and a last column saying what is wrong.
Rows that were only skipped as duplicates are left out: importing them again changes nothing.
"""

from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import xlsxwriter
from django.utils import translation
from django.utils.translation import gettext as _

from guanxi.customers import imports
from guanxi.customers.models_import import ImportJob


def failed_rows(job: ImportJob) -> dict[int, list[str]]:
    """{row number: [reasons]} of the rows of the job's report that failed (not skipped)."""
    path = Path(job.report_path) if job.report_path else None
    if path is None or not path.exists():
        return {}
    skipped = imports.skip_pattern()
    failed: dict[int, list[str]] = {}
    for line in imports.read_report(job, limit=job.total_rows * 20 + 20):
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
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    bold = book.add_format({"bold": True})
    problem = book.add_format({"font_color": "#b02a37"})
    # The reasons name rows by their number in the original file ("same phone as row 47"):
    # each row says its own. A column no field is called, so importing the file ignores it.
    headers = [*table.headers, _("Row in the original file"), _("What to fix")]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, bold)
    written = 0
    for written, (number, cells) in enumerate(rows, start=1):
        for col, value in enumerate(cells):
            text = imports._text(value)
            if text:
                sheet.write_string(written, col, text)
        sheet.write_number(written, len(cells), number)
        sheet.write_string(written, len(cells) + 1, "; ".join(failed[number]), problem)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, len(headers) - 2, 14)
    sheet.set_column(len(headers) - 1, len(headers) - 1, 60)
    book.close()
    return written
