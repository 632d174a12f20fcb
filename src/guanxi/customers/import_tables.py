"""Reading an import's file into a ``Table``: CSV in UTF-8 with or without a BOM, UTF-16 with a
BOM, else GB18030 as Chinese Excel saves it; workbooks through ``spreadsheets``. The header is
found among the first rows (a title above it is skipped), merged cells fill the rows they cover,
the other sheets holding a table are named. The customers', contacts' and orders' imports read
their files here, each naming its own fields (``read_table``'s ``names``)."""

import bisect
import csv
import datetime as dt
import gc
import io
import re
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from guanxi.customers import (
    spreadsheets,
)

PREVIEW_ROWS = 10


XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}


#: No text in Guanxi may hold it (PostgreSQL refuses it, search misses it): a cell with one is
#: a row error, as the form and the API refuse it.
NUL = "\x00"


csv.field_size_limit(16 * 1024 * 1024)


class ImportFileError(Exception):
    """The file as a whole cannot be imported (unreadable, empty, no name column…)."""


#: Non-blank rows at the top of a sheet among which the header is looked for: Chinese Excel
#: exports often put a title ("某某公司客户明细表 2026年11月") or a note above it.
HEADER_SEARCH_ROWS = 10


#: The bytes of a CSV file that is not UTF-8 whose two-byte characters decide between GBK and
#: Big5: enough to judge, and quick on a file of 100 MB.
ENCODING_SAMPLE_BYTES = 64 * 1024


#: Two bytes that GBK and Big5 both read as one character: a lead byte, then a trail byte.
_DOUBLE_BYTE = re.compile(rb"[\x81-\xfe][\x40-\xfe]")


_PHONE_LIKE = re.compile(r"\+?\d[\d\s()\-]{5,}\d")


_EMAIL_LIKE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


_VALUE_LIKE = re.compile(r"[+\-]?\d[\d\s,.:/\-]*|\d{4}年\d{1,2}月(?:\d{1,2}日)?")


@dataclass
class Table:
    headers: list[str]
    rows: list[list]
    encoding: str = ""
    #: The sheet's row number of ``rows[0]``, for the reports: 2 under a header in row 1, more
    #: under a title, 1 in a file without a header.
    first_row: int = 2
    #: The sheet's row number of each row when blank rows between them were left out (None:
    #: there were none, and row ``i`` is ``first_row + i``).
    numbers: list[int] | None = None
    #: The workbook's sheet read ("" for a CSV file), and (name, rows) of each of its other
    #: visible sheets holding a table, which an import does not read (``unread_sheets_note``).
    sheet: str = ""
    unread_sheets: list[tuple[str, int]] = field(default_factory=list)

    def numbers_of(self, begin: int, count: int) -> Sequence[int]:
        """The sheet's row numbers of ``rows[begin : begin + count]``, as the reports say them."""
        if self.numbers is None:
            return range(self.first_row + begin, self.first_row + begin + count)
        return self.numbers[begin : begin + count]

    def index_of(self, number: int) -> int | None:
        """The index in ``rows`` of the sheet's row ``number``; None if no row has it."""
        if self.numbers is None:
            index = number - self.first_row
            return index if 0 <= index < len(self.rows) else None
        at = bisect.bisect_left(self.numbers, number)
        return at if at < len(self.numbers) and self.numbers[at] == number else None


def decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in: UTF-16 with a BOM, UTF-8 with or
    without one, else Chinese as Excel saves it, GBK/GB18030 (Simplified) or Big5
    (Traditional), told apart on the file's first bytes (``_chinese_encodings``)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates: tuple[str, ...] = ("utf-16",)
    else:
        candidates = ("utf-8-sig", *_chinese_encodings(data[:ENCODING_SAMPLE_BYTES]))
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        _(
            "The file is neither UTF-8 nor GBK/GB18030 text. Save it as "
            '"CSV UTF-8" or as an Excel workbook and try again.'
        )
    )


def _chinese_encodings(sample: bytes) -> tuple[str, ...]:
    """The encodings to read a file that is not UTF-8 in, judged from its two-byte characters
    in ``sample``: Big5's when they look like Big5, GB18030 when they look like GBK, none when
    they look like neither (Japanese, a Western code page: GB18030 reads nearly any bytes,
    as garbage).

    Simplified text as GBK writes it has nearly all of them in GB2312's area (hanzi: lead byte
    0xB0-0xF7; full-width punctuation: 0xA1, 0xA3; trail byte 0xA1 and up), Big5 text about a
    quarter (half its trail bytes are under 0x80). Big5 text has nearly all of them among its
    symbols and common characters (lead byte 0xA1-0xC6), GBK's text about half."""
    gb = big5 = count = 0
    for lead, trail in _DOUBLE_BYTE.findall(sample):
        count += 1
        if trail >= 0xA1 and (0xB0 <= lead <= 0xF7 or lead == 0xA1 or lead == 0xA3):
            gb += 1
        if 0xA1 <= lead <= 0xC6 and (trail <= 0x7E or trail >= 0xA1):
            big5 += 1
    if big5 > gb:
        return ("big5", "cp950", "big5hkscs")  # cp950: Windows' Big5, as Excel writes it
    if gb * 2 < count:
        return ()
    return ("gb18030",)


def _sniff(text: str) -> type[csv.Dialect] | csv.Dialect:
    sample = text[:20000]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _unique_headers(raw: list[tuple[int, object]]) -> list[str]:
    """The headers of the columns at these (index, header cell): "#4" for the fourth column
    without one, "名称 (2)" for a second 名称."""
    headers: list[str] = []
    for index, value in raw:
        # A NUL in a header would go into the job's mapping, which PostgreSQL cannot store.
        name = cell_text(value).replace(NUL, "") or f"#{index + 1}"
        candidate, n = name, 2
        while candidate in headers:
            candidate = f"{name} ({n})"
            n += 1
        headers.append(candidate)
    return headers


def _holds_contact(texts: list[str]) -> bool:
    """Whether a row has a phone number or an e-mail address: a customer, not a header."""
    return any(_PHONE_LIKE.fullmatch(t) or _EMAIL_LIKE.fullmatch(t) for t in texts)


def _mostly_values(cells: list, texts: list[str]) -> bool:
    """Whether most of a row's filled cells are numbers or dates, as data is, not names."""
    filled = values = 0
    for cell, text in zip(cells, texts, strict=True):
        if text:
            filled += 1
            values += type(cell) is not str or _VALUE_LIKE.fullmatch(text) is not None
    return values * 2 > filled


def _header(top: list[list], names: Callable) -> tuple[int | None, bool]:
    """The index of the header among ``top``, the sheet's first rows holding a value, and
    whether it names a field: the row in which ``names`` recognises the most cells (the first
    of a tie), else the first row. None when no row names a field and the first holds a phone
    number or an e-mail address or mostly values: the file has no header."""
    best, most = 0, 0
    for index, cells in enumerate(top):
        texts = [cell_text(v) for v in cells]
        if _holds_contact(texts):
            continue  # a customer's row, whatever words it holds ("公司" as the kind)
        named = names(texts)
        if named > most:
            best, most = index, named
        if named >= 2 and named * 2 >= sum(1 for t in texts if t):
            break  # a header as most files have it: no need to look further
    if most:
        return best, True
    texts = [cell_text(v) for v in top[0]]
    if _holds_contact(texts) or _mostly_values(top[0], texts):
        return None, False
    return best, False


def _fill_merges(data: list[tuple[int, list]], merges, header_row: int) -> None:
    """A merged range's value in each row of its first column, as the sheet shows it (a city
    merged over the three customers of that city), for ranges below the header, in the rows
    holding something else (a row the range alone covers stays out). Not across its columns:
    a value merged over two columns is one column's value."""
    ranges = [m for m in merges if m[0] > header_row and m[2] > m[0]]
    if not ranges:
        return
    indexes = [index for index, _cells in data]
    for top, left, bottom, _right in ranges:
        at = bisect.bisect_left(indexes, top)
        if at == len(indexes) or indexes[at] != top:
            continue
        first = data[at][1]
        value = first[left] if left < len(first) else None
        if spreadsheets.empty(value):
            continue
        for _index, cells in data[at + 1 : bisect.bisect_right(indexes, bottom)]:
            if left >= len(cells):
                cells.extend([None] * (left + 1 - len(cells)))
            if spreadsheets.empty(cells[left]):
                cells[left] = value


def _table(sheet: spreadsheets.Sheet, encoding: str, names: Callable) -> tuple[Table, bool] | None:
    """A sheet's table and whether it looks like one (its header names a field or has several
    columns; not a note); None when the sheet is blank.

    A column that has no header and no value under it (a cell holding a space far to the
    right, a spacer column) is left out, so that the mapping page never shows it."""
    rows = sheet.rows
    if not rows:
        return None
    header, named = _header([cells for _index, cells in rows[:HEADER_SEARCH_ROWS]], names)
    if header is None:  # every row is data; the user maps the columns by their position
        header_cells: list = []
        header_row, data = -1, rows
    else:
        header_cells = rows[header][1]
        header_row, data = rows[header][0], rows[header + 1 :]
    _fill_merges(data, sheet.merges, header_row)
    width = max(len(header_cells), max((len(cells) for _index, cells in data), default=0))
    kept = [
        column
        for column in range(width)
        if (column < len(header_cells) and cell_text(header_cells[column]))
        or any(column < len(cells) and not spreadsheets.empty(cells[column]) for _i, cells in data)
    ]
    if header is None:
        headers = [_("Column %(n)d") % {"n": column + 1} for column in kept]
    else:
        headers = _unique_headers(
            [(c, header_cells[c] if c < len(header_cells) else None) for c in kept]
        )
    if len(kept) == width:
        table_rows = [
            cells if len(cells) == width else cells + [None] * (width - len(cells))
            for _index, cells in data
        ]
    else:
        table_rows = [
            [cells[c] if c < len(cells) else None for c in kept] for _index, cells in data
        ]
    numbers = None
    if data and data[-1][0] - data[0][0] != len(data) - 1:  # blank rows between
        numbers = [index + 1 for index, _cells in data]
    table = Table(
        headers=headers,
        rows=table_rows,
        encoding=encoding,
        first_row=data[0][0] + 1 if data else header_row + 2,
        numbers=numbers,
        sheet=sheet.name,
    )
    return table, named or header is None or sum(1 for v in header_cells if cell_text(v)) > 1


def _sheets(path: Path):
    """The sheets of a workbook, in order, each read when asked for."""
    from python_calamine import CalamineError

    try:
        yield from spreadsheets.workbook_sheets(path)
    except (CalamineError, ValueError, spreadsheets.UnreadableWorkbook):
        raise ImportFileError(
            _(
                "This is not an Excel workbook that can be read. Open it in Excel and save it "
                'again as an Excel workbook (.xlsx) or as "CSV UTF-8", then upload that file.'
            )
        ) from None


def read_table(path: str | Path, *, names: Callable[[list[str]], int], no_rows: str = "") -> Table:
    """Headers and rows of a CSV or XLSX file; ``names`` counts the fields of the import's
    records a row of headers names, ``no_rows`` is the message when only the header is there.

    The header is the row, among the first non-blank ones, whose cells name the most fields:
    a title above it is skipped. A file whose rows name no field and whose first row holds
    values (a phone number, an e-mail address…) has no header: its columns are "Column 1",
    "Column 2"… and every row is data. Of a workbook, the first sheet with rows under a header
    is read (an empty sheet or a note of one column before it is passed over); the other
    sheets holding a table after it are named in ``Table.unread_sheets``. Its rows are not
    added to the first sheet's: an import's report and its rows to fix name a row by its
    number in the sheet, which would then name two rows."""
    path = Path(path)
    with collector_paused():  # lists of strings: the collector's passes over them find nothing
        try:
            return _read_table(path, no_rows, names)
        except spreadsheets.SpreadsheetError as exc:
            raise ImportFileError(str(exc)) from None


def _read_table(path: Path, no_rows: str, names: Callable) -> Table:
    if path.suffix.lower() in XLSX_SUFFIXES:
        sheets, encoding = _sheets(path), "xlsx"
    else:
        text, encoding = decode(path.read_bytes())
        try:
            sheets = [
                spreadsheets.csv_sheet(csv.reader(io.StringIO(text, newline=""), _sniff(text)))
            ]
        except csv.Error as exc:
            raise ImportFileError(
                _("The CSV file cannot be read: %(error)s") % {"error": exc}
            ) from None
    chosen = fallback = None
    sheets = iter(sheets)
    while (sheet := _next_sheet(sheets, chosen)) is not None:
        found = _table(sheet, encoding, names)
        if found is None:
            continue
        table, tabular = found
        if chosen is not None:
            if table.rows and tabular and not sheet.hidden:
                chosen.unread_sheets.append((sheet.name, len(table.rows)))
        elif table.rows and tabular:
            chosen = table
        elif fallback is None or (table.rows and not fallback.rows):
            fallback = table
    if chosen is not None:
        return chosen
    if fallback is None:
        raise ImportFileError(_("The file is empty."))
    if not fallback.rows:
        raise ImportFileError(no_rows or _("The file has a header row but no customers."))
    return fallback


def _next_sheet(sheets, chosen: Table | None) -> spreadsheets.Sheet | None:
    """The next sheet, None after the last. Once the sheet to read is found, a later sheet
    that cannot be read (too big, broken) ends the search: the import reads the one found."""
    try:
        return next(sheets, None)
    except (ImportFileError, spreadsheets.SpreadsheetError):
        if chosen is None:
            raise
        return None


def unread_sheets_note(table: Table) -> str:
    """What the mapping page and the command say when the workbook has other sheets holding
    a table: which sheet is read, which are not, with their rows; "" when there are none."""
    if not table.unread_sheets:
        return ""
    others = pgettext("between items of a list", ", ").join(
        ngettext("“%(sheet)s” (%(n)s row)", "“%(sheet)s” (%(n)s rows)", rows)
        % {"sheet": name, "n": f"{rows:,}"}
        for name, rows in table.unread_sheets
    )
    return ngettext(
        "Only the sheet “%(read)s” is read; the sheet %(others)s is not imported. To import "
        "its rows, copy them under those of “%(read)s”, or save it as a file of its own and "
        "import that.",
        "Only the sheet “%(read)s” is read; the sheets %(others)s are not imported. To import "
        "their rows, copy them under those of “%(read)s”, or save each as a file of its own "
        "and import that.",
        len(table.unread_sheets),
    ) % {"read": table.sheet, "others": others}


def cell_text(value) -> str:
    if type(value) is str:  # every CSV cell: the common case first
        text = value.strip()
        if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
            text = text[1:]
        return text
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if type(value) is bool:  # as Excel shows it (and as one would type it): not "True"
        return "TRUE" if value else "FALSE"
    if type(value) is spreadsheets.Unread:
        return ""  # the file holds no value; cell_problem says why
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    # Our own exports prefix formula-like cells with an apostrophe; take it off on the way back.
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        text = text[1:]
    return text


#: Excel keeps 15 significant digits of a number: an ID number or code of 16 digits or more
#: typed into a cell of the General format loses its last ones (110101199003074514 is kept as
#: 110101199003074000; calamine reads the float 1.101011990030745e+17).
EXACT_DIGITS = 15


def lost_digits(value) -> bool:
    """Whether a number cell is too long for its digits to have been kept."""
    return type(value) in (float, int) and abs(value) >= 10**EXACT_DIGITS


def _as_excel_shows(number) -> str:
    """A number of more than 15 digits as Excel shows it in a cell of the General format
    (4.40106E+17), so that the preview shows it as broken as it is, not with digits Excel
    never kept (an import's report and the rows to fix show what the cell holds)."""
    mantissa, _e, exponent = f"{number:.5E}".partition("E")
    return f"{mantissa.rstrip('0').rstrip('.')}E{exponent}"


@contextmanager
def collector_paused():
    """The cyclic garbage collector off for one batch, on again after it (unless it was off).

    A batch makes a few objects a cell that reference counting frees; the collector's passes
    over them (every 700 new objects, with a full pass every few batches over everything
    alive) took ~15 % of a long import's time. It is process-wide: other threads' cycles wait
    for the end of the batch, a fraction of a second."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def preview(table: Table, limit: int = PREVIEW_ROWS, width: int = 60) -> list[list[str]]:
    """The first rows as short display strings, for the mapping page: a number of more than
    15 digits as Excel shows it (4.40106E+17, its digits are lost), a formula without a
    saved result as its formula and an error value as Excel shows it (the import reports
    them)."""
    out = []
    for cells in table.rows[:limit]:
        texts = [_preview_text(v) for v in cells]
        out.append([t if len(t) <= width else t[:width] + "…" for t in texts])
    return out


def _preview_text(value) -> str:
    if type(value) is spreadsheets.Unread:
        return value.error or f"={value.formula}"
    if lost_digits(value):
        return _as_excel_shows(value)
    return cell_text(value)
