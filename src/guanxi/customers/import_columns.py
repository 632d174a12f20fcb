"""The columns of an import's file that nothing is imported from: its headers that the mapping
the job uses matches to no field, in the file's order. The API's job, the commands' output and
the job's page name them, so that a column left out (电话 beside 手机, a 邮件地址 no alias
knows) never goes without a word; the commands' output and the job's page also name a
workbook's other sheets holding a table, which are not read (``unread_sheets``).

The headers of a big CSV file are read from its first part only (the header is among its first
rows), and remembered per file, so that following a job (a poll a second) costs no read of the
whole file.
"""

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.utils import translation

from guanxi.customers import contact_imports, import_fixes, import_mapping, import_tables, imports
from guanxi.customers.models_import import ImportJob

#: Bytes of a CSV file read to find its header row: the header is among its first
#: ``import_tables.HEADER_SEARCH_ROWS`` non-blank rows.
HEAD_BYTES = 256 * 1024
CUSTOMERS = "customers"  # ImportJob.kind of a customer import


def ignored_columns(job: ImportJob) -> list[str]:
    """A customer or contact import's headers that its mapping matches to no field (a header
    the mapping names with a target no longer known counts as not matched, as ``process``
    leaves it out). Empty when the file cannot be read any more, and for other importers'
    jobs (orders: ``sales.order_import_columns``), which keep no mapping."""
    mapping = job.mapping or {}
    if job.kind == contact_imports.KIND:
        targets = set(contact_imports.ALIASES)
    elif job.kind == CUSTOMERS:
        targets = set(import_mapping.TARGET_FIELDS)
        if any(t.startswith("custom.") for t in mapping.values()):  # else no query for them
            targets |= {value for value, _label in import_mapping.target_choices()}
    else:
        return []
    # a rows-to-fix file's own two columns are no data of the file: not "not imported"
    headers = import_fixes.data_headers(file_headers(job))
    matched = {h for h, t in mapping.items() if t in targets}
    return unmatched(headers, matched)


def unmatched(headers: Iterable[str], matched: Iterable[str]) -> list[str]:
    """``headers`` not among ``matched``, in their order."""
    taken = set(matched)
    return [h for h in headers if h not in taken]


def file_headers(job: ImportJob, read: Callable | None = None) -> list[str]:
    """The header row of the job's file as ``read`` (default ``imports.read_table``; another
    importer gives its own reader) finds it; empty when the file is gone or cannot be read."""
    head = _file_head(job, read or imports.read_table)
    return list(head.headers) if head else []


def unread_sheets(job: ImportJob) -> str:
    """What to say of the job's workbook's other sheets holding a table, which an import does
    not read (``import_tables.unread_sheets_note``); "" when there are none or the file is gone."""
    head = _file_head(job, imports.read_table)
    return head.unread_sheets if head else ""


@dataclass(frozen=True)
class _Head:
    headers: tuple[str, ...]
    unread_sheets: str


def _file_head(job: ImportJob, read: Callable) -> _Head | None:
    table = getattr(job, "_table", None)  # read already by new_job in this process
    if table is not None:
        return _Head(tuple(table.headers), import_tables.unread_sheets_note(table))
    path = Path(job.file_path)
    try:
        stat = path.stat()
        # The language too: a file without a header has "Column 1"… in the reader's language.
        return _head(path, stat.st_size, stat.st_mtime_ns, read, translation.get_language())
    except (import_tables.ImportFileError, OSError):
        return None


@lru_cache(maxsize=256)
def _head(path: Path, size: int, mtime: int, read: Callable, language) -> _Head:
    if size > HEAD_BYTES and path.suffix.lower() not in import_tables.XLSX_SUFFIXES:
        with path.open("rb") as file:
            head = _whole_lines(file.read(HEAD_BYTES))
        if head:
            with tempfile.TemporaryDirectory() as folder:
                part = Path(folder) / path.name
                part.write_bytes(head)
                try:
                    return _Head(tuple(read(part).headers), "")  # a CSV file: one sheet
                except import_tables.ImportFileError:
                    pass  # rows longer than the head: read the whole file
    table = read(path)
    return _Head(tuple(table.headers), import_tables.unread_sheets_note(table))


def _whole_lines(head: bytes) -> bytes:
    """``head`` up to the end of its last whole line (b"" when it holds none). A newline byte
    is never part of a character in UTF-8, GBK or Big5; in UTF-16 it is cut on a character."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        newline = b"\n\x00" if head.startswith(b"\xff\xfe") else b"\x00\n"
        end = head.rfind(newline)
        while end > 0 and end % 2:
            end = head.rfind(newline, 0, end)
        return head[: end + 2] if end > 0 else b""
    end = head.rfind(b"\n")
    return head[: end + 1] if end >= 0 else b""
