"""An import's error report: a CSV of row, column, value and reason written batch by batch
(``Report``), read back for the pages, the API and the command (``read_report``), its rows not
imported told from its notes (``split_report``) and summed up by column
(``report_by_column``). The customers', contacts' and orders' imports share it."""

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanxi.customers.exports import FORMULA_START, neutralise
from guanxi.customers.import_tables import (
    NUL,
)
from guanxi.customers.models_import import ImportJob

REPORT_VALUE_CHARS = 200


@dataclass
class Outcome:
    imported: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0


class Report:
    """The error report, a CSV (UTF-8 with BOM) of row, column, value, reason. A batch's lines
    are written in the order of their rows when its end is marked (``offset``): a batch finds
    a row's bad values first and its duplicates after."""

    def __init__(self, path: Path, offset: int):
        self.path = path
        self.pending: list[tuple] = []
        new = not path.exists() or offset == 0
        self.file = path.open("r+b" if not new else "w+b")
        if new:
            self.file.write(b"\xef\xbb\xbf")
            self._write(
                (
                    pgettext("import report", "row"),
                    pgettext("import report", "column"),
                    pgettext("import report", "value"),
                    pgettext("import report", "reason"),
                )
            )
        else:
            self.file.truncate(offset)
            self.file.seek(offset)
        self.file.flush()

    def _write(self, cells) -> None:
        buffer = io.StringIO()
        csv.writer(buffer).writerow(cells)
        self.file.write(buffer.getvalue().encode())

    def add(self, row: int, column: str, value: str, reason: str) -> None:
        value = value if len(value) <= REPORT_VALUE_CHARS else value[:REPORT_VALUE_CHARS] + "…"
        if NUL in value:  # shown where it is, as a character every tool can read
            value = value.replace(NUL, "\u2400")
        value = neutralise(value)
        self.pending.append((row, column, value, reason))

    def offset(self) -> int:
        """Where the report ends, once the lines added so far are written."""
        self.pending.sort(key=lambda line: line[0])  # stable: a row's columns keep their order
        for line in self.pending:
            self._write(line)
        self.pending.clear()
        self.file.flush()
        return self.file.tell()

    def rollback(self, offset: int) -> None:
        self.pending.clear()
        self.file.truncate(offset)
        self.file.seek(offset)
        self.file.flush()

    def close(self) -> None:
        self.offset()
        self.file.close()


def report_path_for(file_path: str | Path) -> Path:
    return Path(f"{file_path}.errors.csv")


def read_report(job: ImportJob, limit: int = 50, *, shown: bool = False) -> list[list[str]]:
    """The first lines of a job's error report (without the header); ``shown``: each value as
    a page shows it, without the apostrophe that keeps a spreadsheet from running it."""
    path = Path(job.report_path) if job.report_path else None
    if path is None or not path.exists():
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        lines = [line for _i, line in zip(range(limit), reader, strict=False)]
    if shown:
        for line in lines:
            if len(line) > 2:
                line[2] = _shown(line[2])
    return lines


def _shown(value: str) -> str:
    """A report's value as a page shows it: without the apostrophe ``neutralise`` put before
    what a spreadsheet would run."""
    return value[1:] if value[:1] == "'" and value[1:].startswith(FORMULA_START) else value


# The reasons the importers give a skipped duplicate (_Batch.run and contact_imports._Batch.run).
# The report has no outcome column, so a skipped line is told from a failed one by its reason,
# in every language the job may have run in.
_SKIP_MESSAGES = (
    "Already exists as customer #%(id)d; skipped.",
    "A customer with the same %(field)s exists; skipped.",
    "Same %(field)s as row %(row)d of this file; skipped.",
    # Under "create", a repeat of an earlier row added all the same: a note.
    "Same %(field)s as row %(row)d of this file; added as another customer.",
    "Already a contact of this customer; skipped.",
    # The contacts import: a repeat of an earlier row of the file adding that contact (under
    # "create" added all the same: a note).
    "Same contact as row %(row)d of this file; skipped.",
    "Same contact as row %(row)d of this file; added as another contact.",
    "Customer #%(id)d has a contact with this phone number; skipped.",
    "A customer's contact has the same phone number; skipped.",
    "Customer #%(id)d has this number as its other phone; skipped.",
    "A customer has this number as its other phone; skipped.",
    "Customer #%(id)d has a contact with this e-mail; skipped.",
    "A customer's contact has the same e-mail; skipped.",
    # A row updated, its owner cell not applied: no failure either.
    "Owner not changed: an existing customer changes owner by transfer.",
    # A row updated by its phone, e-mail or ID number, its name not applied (imports._match).
    "Name not changed: the row matched this customer by its %(field)s, and it is called "
    "%(name)s. To rename it, import the row with its ID, as the export gives it.",
    # A totals row at the bottom of the sheet (_Batch.run): no customer, nothing to fix.
    "Looks like a totals row; not imported.",
    # The contacts import: a second primary contact of a customer taken as an ordinary one.
    "Imported, but not as the primary contact: row %(row)d of this file is already this "
    "customer's primary contact.",
)


#: Of those, the notes on a row that was imported or updated all the same: no row "not
#: imported", so a page shows them apart (``split_report``).
_NOTE_MESSAGES = (
    "Owner not changed: an existing customer changes owner by transfer.",
    "Name not changed: the row matched this customer by its %(field)s, and it is called "
    "%(name)s. To rename it, import the row with its ID, as the export gives it.",
    "Same %(field)s as row %(row)d of this file; added as another customer.",
    "Same contact as row %(row)d of this file; added as another contact.",
    "Imported, but not as the primary contact: row %(row)d of this file is already this "
    "customer's primary contact.",
)


_PATTERNS: dict[tuple[str, ...], re.Pattern] = {}


def _pattern(messages: tuple[str, ...]) -> re.Pattern:
    """What these messages match (``fullmatch``), in any language, their numbers any."""
    if messages not in _PATTERNS:
        texts = set()
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                texts.update(_(message) for message in messages)
        parts = [
            re.escape(t)
            .replace(re.escape("%(id)d"), r"\d+")
            .replace(re.escape("%(row)d"), r"\d+")
            .replace(re.escape("%(field)s"), ".+")
            .replace(re.escape("%(name)s"), ".+")
            for t in sorted(texts)
        ]
        _PATTERNS[messages] = re.compile("|".join(parts))
    return _PATTERNS[messages]


def skip_pattern() -> re.Pattern:
    """What the reason of a skipped row's line matches (``fullmatch``), in any language."""
    return _pattern(_SKIP_MESSAGES)


def split_report(lines: list[list[str]]) -> tuple[list[list[str]], list[list[str]]]:
    """A report's lines (``read_report``) as (the rows not imported: failed or skipped, the
    notes on rows imported or updated all the same)."""
    notes = _pattern(_NOTE_MESSAGES)
    kept: list[list[str]] = []
    noted: list[list[str]] = []
    for line in lines:
        (noted if len(line) > 3 and notes.fullmatch(line[3]) else kept).append(line)
    return kept, noted


@dataclass
class ColumnProblems:
    """What a job's error report says about one column of the file ("" for the row as a
    whole): on how many rows (the report has one line per row and column), its most common
    reason and on how many rows, how many different reasons in all, and a value of the file
    that gave that reason. Reasons that differ only in their numbers are one reason ("Same
    mobile phone as row 47 of this file", "... as row 68 ..."), its numbers that differ shown
    as "…"."""

    column: str
    rows: int
    reason: str
    reason_rows: int
    reasons: int
    example: str


_NUMBER = re.compile(r"\d+")


@dataclass
class _Reason:
    """One reason of a column, its numbers set apart: the text between them, the first line's
    numbers and which of them another line gave otherwise."""

    parts: list[str]
    numbers: list[str]
    varies: list[bool]
    example: str
    rows: int = 0

    def add(self, numbers: list[str]) -> None:
        self.rows += 1
        if numbers != self.numbers:
            self.varies = [
                v or n != first
                for v, n, first in zip(self.varies, numbers, self.numbers, strict=True)
            ]

    def text(self) -> str:
        shown = ("…" if varies else n for n, varies in zip(self.numbers, self.varies, strict=True))
        return "".join(part + number for part, number in zip(self.parts, [*shown, ""], strict=True))


def report_by_column(job: ImportJob) -> list[ColumnProblems]:
    """The error report's failed rows summed up by column (a skipped duplicate is no problem
    of the file: the job counts them), the column with the most rows first: a
    column mapped to the wrong field, or a choice the file spells its own way, fails on most
    rows, and the report's first 50 lines show nothing but that. None yet while the job runs
    (its report is still being written)."""
    path = Path(job.report_path) if job.report_path else None
    running = job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)
    if running or path is None or not path.exists():
        return []
    by_column: dict[str, dict[str, _Reason]] = {}
    skipped = skip_pattern()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for _row, column, value, reason in reader:  # four cells a line, as Report writes them
            if skipped.fullmatch(reason):  # counted as skipped; the summary is of failures
                continue
            reasons = by_column.setdefault(column, {})
            numbers = _NUMBER.findall(reason)
            kind = reasons.get(key := _NUMBER.sub("#", reason))
            if kind is None:
                kind = reasons[key] = _Reason(
                    _NUMBER.split(reason), numbers, [False] * len(numbers), _shown(value)
                )
            kind.add(numbers)
    summary = []
    for column, reasons in by_column.items():
        top = max(reasons.values(), key=lambda kind: kind.rows)  # the first seen of a tie
        summary.append(
            ColumnProblems(
                column=column,
                rows=sum(kind.rows for kind in reasons.values()),
                reason=top.text(),
                reason_rows=top.rows,
                reasons=len(reasons),
                example=top.example,
            )
        )
    summary.sort(key=lambda problems: (-problems.rows, problems.column))
    return summary


def mostly_failing(job: ImportJob, problems: list[ColumnProblems]) -> bool:
    """Do the failures of the column failing most (``problems`` as ``report_by_column`` gives
    them) reach half the rows checked? Such a column is likely matched to the wrong field; a
    few bad cells are not."""
    return bool(problems) and problems[0].rows * 2 >= job.total_rows
