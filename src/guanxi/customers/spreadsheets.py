"""A spreadsheet's sheets as their rows that hold something, at a cost that follows those cells:
CSV rows, and workbooks (XLSX, XLSM, XLSB, XLS, ODS) through python-calamine.

calamine reads a sheet into a rectangle from its first to its last cell holding a value, some
32 bytes a cell: a cell holding a space at A1048000 and another in column 300 made a 6 KB file
a rectangle of 314 million cells (12.5 GB, 75 s). So an XLSX sheet's XML is surveyed first
(``_survey``: a few regular expressions over its text, 0.2 s for 30,000 rows of 12 columns,
calamine's own reading 0.3 s) and a sheet whose rectangle would be mostly empty is read here
instead (``_SparseSheet``), keeping only the cells that hold something; the others, nearly
all, are read by calamine as before. The survey also finds what calamine reads as an empty
cell but is not: a formula never calculated (a file written by a program, not saved by Excel)
and an error value (#N/A…), given as ``Unread``. An ODS file is surveyed likewise, all its
sheets before calamine opens it (calamine reads every sheet of it as it opens it), and read
here when one of them is sparse or too big.

Each sheet comes as its rows that hold a value (whitespace is no value), each with its index in
the sheet and its cells up to its last value, and its merged ranges. A sheet of more than
``MAX_ROWS`` rows, a value beyond ``MAX_COLUMNS`` columns or an XLSX or ODS sheet of more
than ``MAX_CELLS`` values is refused (``SpreadsheetError``) before it costs more.
"""

import datetime as dt
import html
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.parsers import expat

from django.utils.translation import gettext as _

#: Rows holding something that one import reads, at most (the header among them).
MAX_ROWS = 1_000_000
#: Columns: no value may be further right than this one.
MAX_COLUMNS = 1_000
#: Cells holding a value in one XLSX or ODS sheet, at most: counted before calamine reads it
#: (a small file of repeated cells can unpack to billions).
MAX_CELLS = 20_000_000
#: calamine reads a sheet whose rectangle has at most this many cells, or at most this many
#: times the cells that hold a value (a table with empty cells); a sparser one is read here.
DENSE_CELLS = 1_000_000
DENSE_FACTOR = 10
_SURVEY_CHUNK = 8 * 1024 * 1024


class SpreadsheetError(Exception):
    """The sheet is too big to import; the message says why and what to do."""


class UnreadableWorkbook(Exception):
    """A part of the workbook is not what its format says."""


@dataclass(frozen=True, slots=True)
class Unread:
    """A cell whose value the file does not hold: a formula never calculated (``formula``, its
    text, "" for a formula shared with the cell above) or an error value (``error``: "#N/A")."""

    formula: str = ""
    error: str = ""


@dataclass
class Sheet:
    name: str
    #: (index in the sheet, cells) of each row holding a value, in order; a row's cells end
    #: with its last value (an Unread may follow it).
    rows: list[tuple[int, list]]
    #: (first row, first column, last row, last column), indexes from 0, of each merged range.
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden: bool = False


def empty(value) -> bool:
    """Whether a cell holds no value: nothing, only whitespace, or what the file does not
    hold (``Unread``)."""
    return (
        value is None
        or (type(value) is str and (not value or value.isspace()))
        or type(value) is Unread
    )


def column_letters(index: int) -> str:
    """A column's letters as Excel names it (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _trimmed(rows: Iterable[list]) -> tuple[list[tuple[int, list]], int]:
    """(index, cells) of the rows holding a value, each cut after its last value, and how
    many rows there were."""
    kept = []
    index = -1
    for index, cells in enumerate(rows):
        while cells:
            last = cells[-1]
            if last is None or (type(last) is str and (not last or last.isspace())):
                cells.pop()
            else:
                break
        if cells:
            kept.append((index, cells))
    return kept, index + 1


def _checked(sheet: str, rows: list[tuple[int, list]]) -> list[tuple[int, list]]:
    """``rows`` within the limits of an import, else SpreadsheetError saying which."""
    if len(rows) > MAX_ROWS:
        raise too_many_rows(sheet)
    for index, cells in rows:
        if len(cells) > MAX_COLUMNS:
            raise too_wide(sheet, index, len(cells) - 1)
    return rows


def too_wide(sheet: str, row: int, column: int) -> SpreadsheetError:
    """A value in ``column`` of ``row`` (from 0) of ``sheet`` ("": a CSV file) is too far."""
    values = {
        "sheet": sheet,
        "cell": f"{column_letters(column)}{row + 1}",
        "row": f"{row + 1:,}",
        "column": f"{column + 1:,}",
        "n": f"{MAX_COLUMNS:,}",
    }
    if not sheet:
        return SpreadsheetError(
            _(
                "The file has a value in column %(column)s of row %(row)s, beyond the %(n)s "
                "columns an import reads. Delete what is not part of the table and import the "
                "file again."
            )
            % values
        )
    return SpreadsheetError(
        _(
            "The sheet “%(sheet)s” has a value in cell %(cell)s, beyond the %(n)s columns an "
            "import reads. Delete what is not part of the table (select the columns right of "
            "it and delete them) and import the file again."
        )
        % values
    )


def too_many_rows(sheet: str) -> SpreadsheetError:
    """``sheet`` ("": a CSV file) has more rows holding a value than an import takes."""
    if not sheet:
        return SpreadsheetError(
            _(
                "The file has more than %(n)s rows, more than one import takes. Split it into "
                "several files and import each."
            )
            % {"n": f"{MAX_ROWS:,}"}
        )
    return SpreadsheetError(
        _(
            "The sheet “%(sheet)s” has more than %(n)s rows, more than one import takes. "
            "Split it into several files and import each."
        )
        % {"sheet": sheet, "n": f"{MAX_ROWS:,}"}
    )


def too_many_cells(sheet: str) -> SpreadsheetError:
    """``sheet`` holds more values than an import takes (counted before it is read)."""
    return SpreadsheetError(
        _(
            "The sheet “%(sheet)s” has more than %(n)s cells holding a value, more "
            "than one import takes. Split it into several files and import each."
        )
        % {"sheet": sheet, "n": f"{MAX_CELLS:,}"}
    )


def csv_sheet(rows: Iterable[list[str]]) -> Sheet:
    """The rows of a CSV file (``csv.reader``) as a sheet."""
    return Sheet("", _checked("", _trimmed(rows)[0]))


def workbook_sheets(path: Path) -> Iterator[Sheet]:
    """The sheets of a workbook, in order, each read when asked for. calamine's errors, and
    UnreadableWorkbook, when the file is no workbook it can read."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    ods = _OdsPackage.open(path)
    if ods is not None:
        yield from ods.sheets()
        return
    book = CalamineWorkbook.from_path(str(path))
    package = _Package.open(path)
    try:
        for index, meta in enumerate(book.sheets_metadata):
            hidden = meta.visible != SheetVisibleEnum.Visible
            part = package.part_of(meta.name) if package else None
            survey = _survey(package.book, part, meta.name) if package and part else None
            if survey is not None and survey.sparse:
                yield _SparseSheet(package, part, meta.name).read(hidden)
            else:
                unread = survey.unread if survey is not None else {}
                yield _calamine_sheet(book.get_sheet_by_index(index), meta.name, hidden, unread)
    finally:
        book.close()
        if package:
            package.book.close()


def _calamine_sheet(sheet, name: str, hidden: bool, unread: dict, merges=None) -> Sheet:
    """A sheet as calamine reads it, row by row (its rows are lists in Rust already: only the
    rows holding a value become Python lists that stay); ``merges``: its merged ranges when
    calamine does not give them (an ODS sheet's)."""
    end = sheet.end
    source = sheet.iter_rows()
    first = next(source, None)
    if end is None or first is None:
        return Sheet(name, [], hidden=hidden)
    # iter_rows starts a row at the rectangle's first column (python-calamine 0.9): the cells
    # left of it are put back, so that a column keeps its index.
    pad = [None] * (end[1] + 1 - len(first))
    source = itertools.chain([first], source)
    rows, count = _trimmed((pad + cells for cells in source) if pad else source)
    shift = end[0] + 1 - count  # 0 while iter_rows starts at the sheet's first row, as now
    if shift:
        rows = [(index + shift, cells) for index, cells in rows]
    _checked(name, rows)
    if unread:
        _place(rows, unread)
    if merges is None:
        merges = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ()]
    return Sheet(name, rows, merges, hidden)


def _place(rows: list[tuple[int, list]], unread: dict[int, dict[int, Unread]]) -> None:
    """Put each Unread cell in its row, if the row holds a value (a row of formulas never
    calculated, and nothing else, is an empty row)."""
    for index, cells in rows:
        found = unread.get(index)
        if not found:
            continue
        width = max(found) + 1
        if width > len(cells):
            cells.extend([None] * (width - len(cells)))
        for column, cell in found.items():
            if empty(cells[column]):
                cells[column] = cell


# --- XLSX: the package, the survey, the sparse reading -----------------------------------


def _local(name: str) -> str:
    """An element's or attribute's name without its namespace (expat gives "URI name")."""
    return name.rpartition(" ")[2]


def _elements(book: zipfile.ZipFile, part: str) -> list[tuple[str, dict]]:
    """(name, attributes) of each element of a small part (the workbook, its relations, its
    styles), in order."""
    found: list[tuple[str, dict]] = []
    _parse(book, part, lambda name, attrs: found.append((_local(name), attrs)), lambda _n: None)
    return found


class _Package:
    """An XLSX/XLSM file's parts: where each sheet's XML is, its shared strings and styles."""

    def __init__(self, book: zipfile.ZipFile):
        self.book = book
        self.parts: dict[str, str] = {}
        self.strings_part = self.styles_part = ""
        self.date1904 = False
        self._strings: list[str] | None = None
        self._kinds: list[str] | None = None

    @classmethod
    def open(cls, path: Path) -> "_Package | None":
        """The package of an XLSX/XLSM file; None for other formats (their sheets go to
        calamine as they are)."""
        try:
            book = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError):
            return None
        package = cls(book)
        try:
            package._index()
        except (KeyError, UnreadableWorkbook, ValueError):
            package.parts.clear()
        if not package.parts:
            book.close()
            return None
        return package

    def _index(self) -> None:
        workbook = "xl/workbook.xml"
        for relation in self._relations("_rels/.rels", ""):
            if relation[0].endswith("/officeDocument"):
                workbook = relation[1]
        folder = str(PurePosixPath(workbook).parent).strip(".")
        rels = _normalised(f"{folder}/_rels/{PurePosixPath(workbook).name}.rels")
        targets = {}
        for kind, target, rid in self._relations(rels, folder):
            targets[rid] = target
            if kind.endswith("/sharedStrings"):
                self.strings_part = target
            elif kind.endswith("/styles"):
                self.styles_part = target
        for name, attrs in _elements(self.book, workbook):
            if name == "workbookPr":
                self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")
            elif name == "sheet":
                rid = next((v for k, v in attrs.items() if _local(k) == "id"), "")
                target = targets.get(rid, "")
                if target.endswith(".xml"):  # XLSB's sheets are binary: calamine reads them
                    self.parts[attrs.get("name", "")] = target

    def _relations(self, part: str, folder: str) -> list[tuple[str, str, str]]:
        """(type, target part, id) of each relation in ``part`` (targets relative to
        ``folder``)."""
        if part not in self.book.NameToInfo:
            return []
        found = []
        for name, attrs in _elements(self.book, part):
            target = attrs.get("Target", "")
            if name != "Relationship" or attrs.get("TargetMode") == "External" or not target:
                continue
            if target.startswith("/"):
                target = target[1:]
            elif folder:
                target = _normalised(f"{folder}/{target}")
            found.append((attrs.get("Type", ""), target, attrs.get("Id", "")))
        return found

    def part_of(self, sheet: str) -> str | None:
        part = self.parts.get(sheet)
        return part if part and part in self.book.NameToInfo else None

    @property
    def strings(self) -> list[str]:
        if self._strings is None:
            self._strings = _shared_strings(self.book, self.strings_part)
        return self._strings

    @property
    def kinds(self) -> list[str]:
        """Each cell style's kind of number: "date", "duration" or ""."""
        if self._kinds is None:
            self._kinds = _style_kinds(self.book, self.styles_part)
        return self._kinds


def _normalised(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part and part != ".":
            parts.append(part)
    return "/".join(parts)


def _shared_strings(book: zipfile.ZipFile, part: str) -> list[str]:
    """The workbook's shared strings: each item's text runs, without its phonetic guide."""
    if not part or part not in book.NameToInfo:
        return []
    strings: list[str] = []
    text: list[str] = []
    state = {"in_text": False, "phonetic": 0}

    def start(name, _attrs):
        name = name.rpartition(" ")[2]
        if name == "si":
            text.clear()
        elif name == "rPh":
            state["phonetic"] += 1
        elif name == "t" and not state["phonetic"]:
            state["in_text"] = True

    def end(name):
        name = name.rpartition(" ")[2]
        if name == "si":
            strings.append("".join(text))
        elif name == "rPh":
            state["phonetic"] -= 1
        elif name == "t":
            state["in_text"] = False

    def data(chunk):
        if state["in_text"]:
            text.append(chunk)

    _parse(book, part, start, end, data)
    return strings


#: Number formats Excel numbers rather than writes, that show a date or a time (as calamine
#: counts them); 46 ([h]:mm:ss) a duration.
_BUILTIN_DATES = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 47})
_BUILTIN_DURATIONS = frozenset({46})


def _style_kinds(book: zipfile.ZipFile, part: str) -> list[str]:
    if not part or part not in book.NameToInfo:
        return []
    codes = {}
    formats: list[int] = []  # each cell style's number format
    inside = False  # <xf> is a cell style inside <cellXfs> only
    for name, attrs in _elements(book, part):
        if name == "numFmt":
            codes[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif name in ("cellStyleXfs", "cellXfs", "dxfs", "cellStyles"):
            inside = name == "cellXfs"
        elif name == "xf" and inside:
            formats.append(int(attrs.get("numFmtId", "0")))
    return [_number_kind(number, codes) for number in formats]


def _number_kind(number: int, codes: dict[int, str]) -> str:
    if number in _BUILTIN_DATES:
        return "date"
    if number in _BUILTIN_DURATIONS:
        return "duration"
    return format_kind(codes.get(number, ""))


def format_kind(code: str) -> str:
    """Whether a number format shows a number as a date or time ("date"), as a duration
    ("duration": [h]:mm) or not (""): a letter of a date or time outside quotes, escapes and
    brackets in its first section, as calamine judges it."""
    quoted = escaped = False
    bracket = ""
    in_bracket = False
    for index, char in enumerate(code):
        if escaped:
            escaped = False
        elif quoted:
            quoted = char != '"'
        elif in_bracket:
            if char == "]":
                in_bracket = False
                if bracket and bracket.lower().strip("hms") == "" and len(set(bracket)) == 1:
                    return "duration"  # [h], [mm], [ss]: elapsed time
            else:
                bracket += char
        elif char == '"':
            quoted = True
        elif char in "\\_*":
            escaped = True
        elif char == "[":
            in_bracket, bracket = True, ""
        elif char == ";":
            return ""
        elif char in "dmyhsDMYHS":
            return "date"
        elif char in "aA" and (
            code[index : index + 5].upper() == "AM/PM" or code[index : index + 3].upper() == "A/P"
        ):
            return "date"
    return ""


def _parse(book: zipfile.ZipFile, part: str, start, end, data=None, *, names=True) -> None:
    """Parse a part of the package with expat, these handlers called; ``names``: with
    namespaces ("URI name"), else names as written ("table:table-cell"). A part with a
    document type declaration is refused: no part of a workbook has one, and its entities
    could make a small file a huge text."""
    parser = expat.ParserCreate(namespace_separator=" ") if names else expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _no_doctype
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if data is not None:
        parser.CharacterDataHandler = data
    try:
        with book.open(part) as stream:
            parser.ParseFile(stream)
    except expat.ExpatError as exc:
        raise UnreadableWorkbook(str(exc)) from None


def _no_doctype(*_args) -> None:
    raise UnreadableWorkbook("a document type declaration")


# The survey's regular expressions, over a sheet's XML as bytes: a cell that is no empty
# element (<c r="D1" s="1"/> is a formatted empty cell), its column and row, as Excel and
# most programs write it, and in any form (a namespace prefix, ``r`` not first: 2.5 times
# slower, for the pieces the first finds nothing in).
_FILLED_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"[^>/]*>')
_FILLED_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})\d+"[^>/]*>')
_ANY_FILLED_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})(\d+)"[^>/]*>')
_ANY_FILLED_COLUMN = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})\d+"[^>/]*>')
_ANY_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)>")
#: A cell holding a formula and no value (nothing, or an empty <v>): (prefix, attributes,
#: formula, empty value).
_NO_RESULT = re.compile(
    rb"<((?:\w+:)?)c\b([^>]*)>(?:<\1f\b[^>]*?/>|<\1f\b[^>]*>([^<]*)</\1f>)"
    rb"(<\1v\s*/>|<\1v></\1v>)?</\1c>"
)
#: A cell holding an error value: (prefix, attributes, content).
_ERROR = re.compile(rb"<((?:\w+:)?)c\b([^>]*\bt=\"e\"[^>]*)>(.*?)</\1c>", re.S)
_REF = re.compile(rb"\br=\"([A-Z]{1,3})(\d+)\"")
_V = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_F = re.compile(rb"<(?:\w+:)?f\b[^>]*>([^<]*)</(?:\w+:)?f>")


@dataclass
class _Survey:
    last_row: int = 0  # the sheet's rows and columns up to its last cell holding a value
    last_column: int = 0
    filled: int = 0  # cells holding a value
    formulas: bool = False  # whether a formula was seen
    unread: dict[int, dict[int, Unread]] = field(default_factory=dict)

    @property
    def sparse(self) -> bool:
        area = self.last_row * self.last_column
        return area > DENSE_CELLS and area > DENSE_FACTOR * self.filled


def _survey(book: zipfile.ZipFile, part: str, sheet: str) -> _Survey:
    """Where a sheet's cells holding a value are, how many, and its Unread cells, read from
    its XML in pieces cut after a row's tag."""
    survey = _Survey()
    columns: set[bytes] = set()
    rest = b""
    with book.open(part) as stream:
        while True:
            piece = stream.read(_SURVEY_CHUNK)
            text = rest + piece
            if piece:
                cut = text.rfind(b"row>") + 4
                if cut < 4:
                    cut = text.rfind(b">") + 1
                text, rest = text[:cut], text[cut:]
            _survey_piece(survey, columns, text)
            if survey.filled > MAX_CELLS:
                raise too_many_cells(sheet)
            if not piece:
                break
    if columns:
        survey.last_column = max(_column_index(c.decode()) for c in columns) + 1
    return survey


def _survey_piece(survey: _Survey, columns: set[bytes], text: bytes) -> None:
    found = _FILLED_COLUMN.findall(text)
    filled_cell = _FILLED_CELL
    filled = text.count(b"<v>") + text.count(b"<is>")
    if not found and (b":c " in text or b"<c " in text):  # cells, but not as Excel writes them
        found = _ANY_FILLED_COLUMN.findall(text)
        filled_cell = _ANY_FILLED_CELL
        filled = filled or len(_ANY_VALUE.findall(text))
    columns.update(found)
    survey.filled += filled
    # Rows come in order: the last cell holding a value is in the piece's last rows.
    for tail in (text[-65536:], text):
        last = None
        for last in filled_cell.finditer(tail):  # noqa: B007 - the last one is wanted
            pass
        if last is not None:
            survey.last_row = max(survey.last_row, int(last.group(2)))
            break
    # An error value, a formula (its </f>, or one shared with a cell in an earlier piece).
    survey.formulas = survey.formulas or b"f>" in text
    if survey.formulas:
        for cell in _NO_RESULT.finditer(text):
            attributes = cell.group(2)
            if cell.group(4) is not None and b't="str"' in attributes:
                continue  # a formula whose result is the empty text, as Excel saves it
            _unread(survey, attributes, Unread(formula=_xml_text(cell.group(3) or b"")))
    if b't="e"' in text:
        for cell in _ERROR.finditer(text):
            value, formula = _V.search(cell.group(3)), _F.search(cell.group(3))
            if value is not None:
                error = Unread(
                    formula=_xml_text(formula.group(1)) if formula else "",
                    error=_xml_text(value.group(1)),
                )
                _unread(survey, cell.group(2), error)


def _unread(survey: _Survey, attributes: bytes, cell: Unread) -> None:
    """Note an Unread cell at the place its attributes (XML) give, if they give one."""
    ref = _REF.search(attributes)
    if ref is not None:
        row = survey.unread.setdefault(int(ref.group(2)) - 1, {})
        row[_column_index(ref.group(1).decode())] = cell


def _xml_text(text: bytes) -> str:
    return html.unescape(text.decode())


class _SparseSheet:
    """A sheet read cell by cell (expat), only the cells holding a value kept: for a sheet
    whose rectangle calamine would make mostly of empty cells. Its values are those calamine
    gives (``tests/customers/test_import_sheet_reading.py`` compares them)."""

    def __init__(self, package: _Package, part: str, name: str):
        self.package, self.part, self.name = package, part, name
        self.rows: list[tuple[int, list]] = []
        self.merges: list[tuple[int, int, int, int]] = []
        self.row = -1
        self.cells: dict[int, object] = {}
        self.unread: dict[int, dict[int, Unread]] = {}
        self.column = -1
        self.kind = self.style = ""
        self.formula: str | None = None
        self.value: str | None = None
        self.inline: list[str] = []
        self.text: list[str] = []
        self.collecting = False
        self.phonetic = 0

    def read(self, hidden: bool) -> Sheet:
        try:
            _parse(self.package.book, self.part, self._start, self._end, self._data)
        except (IndexError, ValueError) as exc:  # a shared string or a number that is not
            raise UnreadableWorkbook(str(exc)) from None
        rows = self.rows
        _place(rows, self.unread)
        return Sheet(self.name, rows, self.merges, hidden)

    def _start(self, name, attrs):
        name = name.rpartition(" ")[2]
        if name == "c":
            ref = attrs.get("r")
            if ref:
                letters = ref.rstrip("0123456789")
                self.column = _column_index(letters)
            else:
                self.column += 1
            self.kind, self.style = attrs.get("t", "n"), attrs.get("s", "0")
            self.formula = self.value = None
            self.inline = []
        elif name == "row":
            number = attrs.get("r")
            self.row = int(number) - 1 if number else self.row + 1
            self.cells, self.column = {}, -1
        elif name in ("v", "f"):
            self.text, self.collecting = [], True
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t" and not self.phonetic:
            self.text, self.collecting = [], True
        elif name == "mergeCell":
            self._merge(attrs.get("ref", ""))

    def _end(self, name):
        name = name.rpartition(" ")[2]
        if name == "v":
            self.value, self.collecting = "".join(self.text), False
        elif name == "f":
            self.formula, self.collecting = "".join(self.text), False
        elif name == "t" and self.collecting:
            self.inline.append("".join(self.text))
            self.collecting = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "c":
            self._cell()
        elif name == "row" and self.cells:
            # The limits as each row comes: a sparse sheet is where a stray cell can be far.
            width = max(self.cells) + 1
            if width > MAX_COLUMNS:
                raise too_wide(self.name, self.row, width - 1)
            if len(self.rows) == MAX_ROWS:
                raise too_many_rows(self.name)
            cells: list = [""] * width  # an empty cell as calamine gives it
            for column, value in self.cells.items():
                cells[column] = value
            self.rows.append((self.row, cells))

    def _data(self, chunk):
        if self.collecting:
            self.text.append(chunk)

    def _cell(self) -> None:
        value = self.value
        if self.kind == "e" and value is not None:
            self.unread.setdefault(self.row, {})[self.column] = Unread(
                formula=self.formula or "", error=value
            )
            return
        # No value, or an empty one that is no text (Excel saves an empty text as t="str").
        if self.formula is not None and (value is None or (not value and self.kind != "str")):
            self.unread.setdefault(self.row, {})[self.column] = Unread(formula=self.formula)
            return
        cell = self._converted(value)
        if not empty(cell):
            self.cells[self.column] = cell

    def _converted(self, value: str | None):
        kind = self.kind
        if kind == "inlineStr":
            return "".join(self.inline)
        if value is None:
            return None
        if kind == "s":
            return self.package.strings[int(value)]
        if kind == "str":
            return value
        if kind == "b":
            return value.strip() in ("1", "true")
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(value)
            except ValueError:
                return value
        if not value.strip():
            return None
        number = float(value)
        kinds = self.package.kinds
        style = int(self.style or 0)
        number_kind = kinds[style] if style < len(kinds) else ""
        if number_kind == "date":
            return excel_date(number, date1904=self.package.date1904)
        if number_kind == "duration":
            return dt.timedelta(milliseconds=round(number * 86_400_000))
        return number

    def _merge(self, ref: str) -> None:
        first, _sep, last = ref.partition(":")
        if not last:
            return
        top = _split_ref(first)
        bottom = _split_ref(last)
        if top and bottom:
            self.merges.append((top[0], top[1], bottom[0], bottom[1]))


def _split_ref(ref: str) -> tuple[int, int] | None:
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters) :]
    if not letters or not digits:
        return None
    return int(digits) - 1, _column_index(letters.replace("$", ""))


# --- ODS: the survey, the reading here ----------------------------------------------------

# calamine reads every sheet of an ODS file into its rectangle as the file is opened, before a
# sheet is asked for: a cell holding a space in column 300 and another 200,000 rows down made
# a 1 KB file 60 million cells (3.9 GB, 15 s); 1,048,000 rows down, 314 million, beyond
# calamine's own limit (an error that said the file was no workbook). So the sheets' XML
# (content.xml) is surveyed first, streamed (``_ods_survey``: a regular expression over its
# tags, as long as calamine's own reading): calamine opens the file only when every sheet is
# within MAX_CELLS and not sparse, else each sheet is read here, cell by cell, only the cells
# holding a value kept (``_OdsReader``), with the values calamine gives. Both go by the names
# as written ("table:table-cell"), as calamine does.

_CELLS = frozenset({"table:table-cell", "table:covered-table-cell"})
_VALUE_TYPE = "office:value-type"
_ODS_VALUES = frozenset(
    {
        "office:value",
        "office:string-value",
        "office:date-value",
        "office:time-value",
        "office:boolean-value",
    }
)


class _OdsPackage:
    """An ODS file: its sheets surveyed, then read by calamine or here."""

    def __init__(self, path: Path, book: zipfile.ZipFile):
        self.path, self.book = path, book

    @classmethod
    def open(cls, path: Path) -> "_OdsPackage | None":
        """The package of an .ods file; None when it is none (calamine says what it is)."""
        if path.suffix.lower() != ".ods":
            return None
        try:
            book = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError):
            return None
        if "content.xml" not in book.NameToInfo:
            book.close()
            return None
        return cls(path, book)

    def sheets(self) -> Iterator[Sheet]:
        try:
            tables = _ods_survey(self.book)
            if all(t.survey.filled <= MAX_CELLS and not t.survey.sparse for t in tables):
                yield from self._calamine(tables)
                return
            reader = _OdsReader(tables)
            _parse(self.book, "content.xml", reader.start, reader.end, reader.data, names=False)
        finally:
            self.book.close()
        for found in reader.sheets:
            if isinstance(found, SpreadsheetError):
                raise found
            yield found

    def _calamine(self, tables: list["_OdsTable"]) -> Iterator[Sheet]:
        from python_calamine import CalamineWorkbook, SheetVisibleEnum

        book = CalamineWorkbook.from_path(str(self.path))
        try:
            for index, meta in enumerate(book.sheets_metadata):
                hidden = meta.visible != SheetVisibleEnum.Visible
                table = tables[index] if index < len(tables) else None
                merges = table.merges if table is not None and table.name == meta.name else []
                sheet = book.get_sheet_by_index(index)
                yield _calamine_sheet(sheet, meta.name, hidden, {}, merges)
        finally:
            book.close()


@dataclass
class _OdsTable:
    name: str
    hidden: bool
    survey: _Survey = field(default_factory=_Survey)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


#: The tags that start or end a row or a table (not "table:table-row-group").
_ODS_ROW_TAG = re.compile(rb"<table:(table-row|table)(?=[\s/>])([^>]*)>|</table:(table-row|table)>")
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell(?=[\s/>])([^>]*)>")
#: A cell holding something, as calamine's rectangle counts it: a value or a formula.
_ODS_HOLDING = re.compile(
    rb"<table:(?:covered-)?table-cell(?=[\s/>])[^>]*?(?:office:|table:formula)"
)
_ODS_STYLE_TAG = re.compile(rb"<style:(style|table-properties)(?=[\s/>])([^>]*)>")


def _ods_attribute(attributes: bytes, name: bytes) -> str | None:
    """An attribute's value (either quotes, spaces around "="), unescaped; None without it."""
    found = re.search(
        rb"(?<![\w:.-])" + re.escape(name) + rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""", attributes
    )
    if found is None:
        return None
    value = found.group(1) if found.group(1) is not None else found.group(2)
    return html.unescape(value.decode())


def _ods_count(attributes: bytes, name: bytes) -> int:
    """A repeat or span count (1 without one). A count that is no number: UnreadableWorkbook
    (calamine refuses the file too)."""
    value = _ods_attribute(attributes, b"table:" + name) if name in attributes else None
    if value is None:
        return 1
    try:
        return int(value)
    except ValueError:
        raise UnreadableWorkbook(f"not a count: {value!r}") from None


def _ods_survey(book: zipfile.ZipFile) -> list[_OdsTable]:
    """content.xml's named tables (calamine reads those), surveyed (``_OdsSurvey``) from its
    XML in pieces cut after a tag, as the XLSX survey reads a sheet."""
    survey = _OdsSurvey()
    rest = b""
    with book.open("content.xml") as stream:
        while True:
            piece = stream.read(_SURVEY_CHUNK)
            text = rest + piece
            if piece:
                cut = text.rfind(b">") + 1
                text, rest = text[:cut], text[cut:]
            survey.feed(text)
            if not piece:
                break
    return survey.tables


class _OdsSurvey:
    """Each named table with where its cells holding something are (``_Survey``: a value or
    a formula, as calamine's rectangle counts them, each repeated cell and row counted), its
    merged ranges and whether a table style hides it. Read from the rows' and tables' tags;
    a row's cells counted in bulk (its last cell holding something: the cells before the
    last "office:" or formula, which may be a little further than that cell, never before
    it), one by one in a row of repeated or merged cells. An estimate never short of what
    calamine's rectangle takes."""

    def __init__(self):
        self.tables: list[_OdsTable] = []
        self.table: _OdsTable | None = None
        self.hiding: set[str] = set()  # the table styles that hide a sheet
        self.style = ""
        self.body = False  # past the styles
        self.open = False  # in a row
        self.row = self.column = self.filled = self.last = 0
        self.repeat = 1

    def feed(self, text: bytes) -> None:
        if not self.body:
            self._styles(text)
        at = 0
        for tag in _ODS_ROW_TAG.finditer(text):
            if self.open:
                self._cells(text[at : tag.start()])
            at = tag.end()
            name, attributes, closing = tag.groups()
            if name == b"table-row":
                self.open, self.repeat = True, _ods_count(attributes, b"number-rows-repeated")
                self.column = self.filled = self.last = 0
                if attributes.endswith(b"/"):
                    self._end_row()
            elif name == b"table":
                table = _ods_attribute(attributes, b"table:name")
                if table is not None:
                    style = _ods_attribute(attributes, b"table:style-name") or ""
                    self.table, self.row = _OdsTable(table, style in self.hiding), 0
                if attributes.endswith(b"/"):
                    self._end_table()
            elif closing == b"table-row":
                self._end_row()
            else:
                self._end_table()
        if self.open:
            self._cells(text[at:])

    def _cells(self, text: bytes) -> None:
        table = self.table
        if table is None or not text:
            return
        if b"repeated" in text or b"spanned" in text:
            for attributes in _ODS_CELL.findall(text):
                self._cell(table, attributes)
            return
        # In a row, the tags of the table namespace are its cells' (and what a cell may hold
        # of it: a few more, counted as cells).
        holding = len(_ODS_HOLDING.findall(text))
        if holding:
            self.filled += holding
            end = max(text.rfind(b"office:"), text.rfind(b"table:formula"))
            self.last = self.column + text.count(b"<table:", 0, end)
        self.column += text.count(b"<table:")

    def _cell(self, table: _OdsTable, attributes: bytes) -> None:
        count = _ods_count(attributes, b"number-columns-repeated")
        if b"office:" in attributes or b"table:formula" in attributes:
            self.filled += count
            self.last = self.column + count
        if b"spanned" in attributes:
            bottom = self.row + _ods_count(attributes, b"number-rows-spanned") - 1
            right = self.column + _ods_count(attributes, b"number-columns-spanned") - 1
            if (bottom, right) != (self.row, self.column):
                table.merges.append((self.row, self.column, bottom, right))
        self.column += count

    def _end_row(self) -> None:
        self.open = False
        if self.table is None:
            return
        if self.filled:
            survey = self.table.survey
            survey.filled += self.filled * self.repeat
            survey.last_row = self.row + self.repeat
            survey.last_column = max(survey.last_column, self.last)
        self.row += self.repeat

    def _end_table(self) -> None:
        if self.table is not None:
            self.tables.append(self.table)
        self.table = None

    def _styles(self, text: bytes) -> None:
        """Note the table styles that hide a sheet (``table:display="false"``), read before
        the document's body."""
        body = text.find(b"<office:body")
        if body >= 0:
            text, self.body = text[:body], True
        for name, attributes in _ODS_STYLE_TAG.findall(text):
            if name == b"style":
                self.style = _ods_attribute(attributes, b"style:name") or ""
            elif _ods_attribute(attributes, b"table:display") == "false":
                self.hiding.add(self.style)


class _OdsReader:
    """content.xml's named tables read cell by cell (expat, names as written), only the cells
    holding a value kept, each sheet in ``sheets`` or the SpreadsheetError it gave (a table
    the survey found too big is not read). Its values are those calamine gives
    (``tests/customers/test_spreadsheets_ods.py`` compares them)."""

    def __init__(self, tables: list[_OdsTable]):
        self.tables = iter(tables)
        self.sheets: list[Sheet | SpreadsheetError] = []
        self.table: _OdsTable | None = None
        self.name = ""  # the table's
        self.reading = False  # a table whose rows are kept
        self.rows: list[tuple[int, list]] = []
        self.row = self.column = self.repeat = self.cell_repeat = 0
        self.cells: dict[int, object] = {}
        self.value: object = None
        self.text: list[str] | None = None  # a text cell's text, while it is read
        self.paragraphs = self.annotation = 0

    def start(self, name, attrs):
        if not self.reading:
            if name == "table:table" and "table:name" in attrs:
                self._table()
            return
        if name in _CELLS:
            self.cell_repeat = _count(attrs, "table:number-columns-repeated")
            self.value, text = _ods_value(attrs)
            self.text = [] if text else None
            self.paragraphs = self.annotation = 0
        elif self.text is not None:
            if name == "office:annotation":
                self.annotation += 1  # a comment's text is no part of the value
            elif self.annotation:
                pass
            elif name == "text:p":
                if self.paragraphs:
                    self.text.append("\n")
                self.paragraphs += 1
            elif name == "text:s":
                self.text.append(" " * _count(attrs, "text:c"))
        elif name == "table:table-row":
            self.repeat = _count(attrs, "table:number-rows-repeated")
            self.column, self.cells = 0, {}

    def end(self, name):
        if not self.reading:
            if name == "table:table" and self.table is not None:
                self.table = None
            return
        try:
            if name in _CELLS:
                self._cell()
            elif name == "office:annotation" and self.text is not None:
                self.annotation -= 1
            elif name == "table:table-row":
                self._row()
            elif name == "table:table":
                table = self.table
                self.sheets.append(Sheet(table.name, self.rows, table.merges, table.hidden))
                self.table, self.reading, self.rows = None, False, []
        except SpreadsheetError as exc:  # this sheet's: the others are read
            self.sheets.append(exc)
            self.reading, self.rows = False, []

    def data(self, chunk):
        if self.text is not None and not self.annotation:
            self.text.append(chunk)

    def _table(self) -> None:
        table = next(self.tables, None)
        if table is None:  # a table the survey did not find: the XML is not as it read it
            raise UnreadableWorkbook("a table the survey did not find")
        self.table, self.name = table, table.name
        self.row, self.rows = 0, []
        if table.survey.filled > MAX_CELLS:
            self.sheets.append(too_many_cells(table.name))
        else:
            self.reading = True

    def _cell(self) -> None:
        if self.text is not None:
            self.value, self.text = "".join(self.text), None
        repeat, self.cell_repeat = self.cell_repeat, 1
        if not empty(self.value):
            if self.column + repeat > MAX_COLUMNS:
                raise too_wide(self.name, self.row, self.column + repeat - 1)
            for column in range(self.column, self.column + repeat):
                self.cells[column] = self.value
        self.column += repeat

    def _row(self) -> None:
        repeat, cells = self.repeat, self.cells
        if cells:
            width = max(cells) + 1
            for row in range(self.row, self.row + repeat):
                if len(self.rows) == MAX_ROWS:
                    raise too_many_rows(self.name)
                values: list = [""] * width  # an empty cell as calamine gives it
                for column, value in cells.items():
                    values[column] = value
                self.rows.append((row, values))
        self.row += repeat
        self.cells = {}


def _count(attrs: dict, name: str) -> int:
    value = attrs.get(name)
    if not value:
        return 1
    try:
        return int(value)
    except ValueError:
        raise UnreadableWorkbook(f"not a count: {value!r}") from None


def _ods_value(attrs: dict) -> tuple[object, bool]:
    """A cell's value from its attributes, the first that gives one as calamine takes them,
    else None; and whether its text is its value (a text cell without office:string-value)."""
    for key, raw in attrs.items():
        if key not in _ODS_VALUES:
            continue
        if key == "office:value":
            return _ods_float(raw), False
        if key == "office:string-value":
            return raw, False
        if key == "office:date-value":
            return _ods_date(raw), False
        if key == "office:time-value":
            return _ods_time(raw), False
        return raw in ("TRUE", "true"), False
    return None, attrs.get(_VALUE_TYPE) == "string"


#: A number as Rust reads one: no spaces, no "_", no "0x" (calamine refuses the workbook).
_RUST_FLOAT = re.compile(
    r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)", re.I
)
_ODS_DATE_VALUE = re.compile(
    r"\s*\+?([0-9]+)-([0-9]+)-([0-9]+)(?:T([0-9]+):([0-9]+):([0-9]+)(?:\.([0-9]+))?)?\s*"
)
_ODS_TIME_VALUE = re.compile(r"PT([0-9]+)H([0-9]+)M([0-9]+)(?:\.([0-9]+))?S")


def _ods_float(raw: str) -> float:
    if not _RUST_FLOAT.fullmatch(raw):
        raise UnreadableWorkbook(f"not a number: {raw!r}")
    return float(raw)


def _ods_date(raw: str):
    """A date, or a date and time without a zone; else the text as written."""
    match = _ODS_DATE_VALUE.fullmatch(raw)
    if match is None:
        return raw
    year, month, day, hour, minute, second, fraction = match.groups()
    try:
        if hour is None:
            return dt.date(int(year), int(month), int(day))
        return dt.datetime(  # noqa: DTZ001 - naive, as calamine gives it
            int(year), int(month), int(day), *_clock(hour, minute, second, fraction)
        )
    except ValueError:
        return raw


def _ods_time(raw: str):
    """A duration under a day as a time of day (PT10H20M30S); else the text as written."""
    match = _ODS_TIME_VALUE.fullmatch(raw)
    if match is None:
        return raw
    try:
        return dt.time(*_clock(*match.groups()))
    except ValueError:
        return raw


def _clock(hour: str, minute: str, second: str, fraction: str | None) -> tuple[int, int, int, int]:
    """Hours, minutes, seconds (a leap second the 59th) and microseconds (cut, not rounded)."""
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    return int(hour), int(minute), min(int(second), 59), micro


# Naive, as calamine gives a cell's date and time: a calendar date, no moment in a time zone.
_EPOCH_1900 = dt.datetime(1899, 12, 30)  # noqa: DTZ001
_EPOCH_1904 = dt.datetime(1904, 1, 1)  # noqa: DTZ001


def excel_date(number: float, *, date1904: bool = False):
    """A date-formatted number as calamine gives it: a time under 1, a date when whole, else a
    datetime (to the millisecond)."""
    milliseconds = round(number * 86_400_000)
    if number < 1:
        seconds, millis = divmod(milliseconds, 1000)
        minutes, second = divmod(seconds, 60)
        hours, minute = divmod(minutes, 60)
        return dt.time(hours % 24, minute, second, millis * 1000)
    if not date1904 and number < 60:
        milliseconds += 86_400_000  # Excel counts a 29 February 1900 that never was
    moment = (_EPOCH_1904 if date1904 else _EPOCH_1900) + dt.timedelta(milliseconds=milliseconds)
    return moment.date() if number == int(number) else moment
