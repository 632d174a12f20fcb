"""Reading an ODS workbook as an XLSX one is read: its sheets surveyed before calamine opens the
file (calamine builds every sheet's rectangle as it opens it), a stray cell far away read cell
by cell at no cost, sheets beyond the limits refused with the same messages, and the sheets
read cell by cell give the values calamine gives. The files are written by hand: an .ods is a
zip holding content.xml."""

import datetime as dt
import zipfile

import pytest

from guanxi.customers import imports, spreadsheets

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "手机", "城市"]
NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
)
MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"


def text(value: str, **attributes) -> str:
    extra = "".join(f' table:{k.replace("_", "-")}="{v}"' for k, v in attributes.items())
    return f'<table:table-cell office:value-type="string"{extra}><text:p>{value}</text:p></table:table-cell>'


def gap(columns: int) -> str:
    """``columns`` empty cells, as one repeated cell."""
    return f'<table:table-cell table:number-columns-repeated="{columns}"/>'


def row(*cells: str, repeated: int = 1) -> str:
    times = f' table:number-rows-repeated="{repeated}"' if repeated > 1 else ""
    return f"<table:table-row{times}>{''.join(cells)}</table:table-row>"


def empty_rows(n: int) -> str:
    return row("<table:table-cell/>", repeated=n)


def table_rows(rows: list[list[str]]) -> str:
    return "".join(row(*(text(v) for v in values)) for values in rows)


def customers(n: int) -> list[list[str]]:
    return [[f"客户{i:02d}", f"138{i:08d}", "广州市"] for i in range(n)]


def ods(path, sheets: dict[str, str], *, styles: str = "", style_of: dict | None = None):
    """An ODS file of the named sheets, each the XML of its rows."""
    tables = "".join(
        f'<table:table table:name="{name}"'
        + (f' table:style-name="{style_of[name]}"' if style_of and name in style_of else "")
        + f">{rows}</table:table>"
        for name, rows in sheets.items()
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS} office:version="1.2">'
        f"{styles}<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{MIMETYPE}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE)
        book.writestr("META-INF/manifest.xml", manifest)
        book.writestr("content.xml", content)
    return path


def calamine_never_opens(monkeypatch):
    """Fail the test if calamine opens the file (it reads every sheet as it does)."""
    from python_calamine import CalamineWorkbook

    def refuse(path):
        raise AssertionError("calamine opened the file")

    monkeypatch.setattr(CalamineWorkbook, "from_path", staticmethod(refuse))


def calamine_opens(monkeypatch) -> list:
    """The paths calamine opens, noted."""
    from python_calamine import CalamineWorkbook

    opened = []
    original = CalamineWorkbook.from_path

    def note(path):
        opened.append(path)
        return original(path)

    monkeypatch.setattr(CalamineWorkbook, "from_path", staticmethod(note))
    return opened


def survey_of(path) -> spreadsheets._Survey:
    with zipfile.ZipFile(path) as book:
        return spreadsheets._ods_survey(book)[0].survey


# --- stray cells far away -----------------------------------------------------------------


def test_spaces_far_down_and_far_right_of_an_ods_sheet_are_read_cell_by_cell(tmp_path, monkeypatch):
    rows = table_rows([HEADER, *customers(20)])
    rows += row(gap(299), text(" "))  # column 300
    rows += empty_rows(1_047_978) + row(text(" "))  # A1048000
    path = ods(tmp_path / "c.ods", {"客户": rows})
    calamine_never_opens(monkeypatch)  # its rectangle: 314 million cells, past its own limit

    table = imports.read_table(path)

    assert table.headers == HEADER
    assert len(table.rows) == 20 and table.rows[-1][0] == "客户19"
    assert (table.first_row, table.numbers) == (2, None)


def test_a_value_far_down_of_an_ods_sheet_is_a_row_with_its_sheet_number(tmp_path, monkeypatch):
    rows = table_rows([HEADER, *customers(3)]) + row(gap(299), text(" "))
    rows += empty_rows(1_047_994) + row(text("张三"))
    path = ods(tmp_path / "c.ods", {"客户": rows})
    calamine_never_opens(monkeypatch)

    table = imports.read_table(path)

    assert [r[0] for r in table.rows] == ["客户00", "客户01", "客户02", "张三"]
    assert table.numbers_of(0, 4) == [2, 3, 4, 1048000]


def test_a_dense_ods_sheet_is_still_read_by_calamine(tmp_path, monkeypatch):
    rows = table_rows([[*HEADER, "备注"], *[[*c, ""] for c in customers(50)]])
    path = ods(tmp_path / "c.ods", {"客户": rows + empty_rows(1_000_000)})
    opened = calamine_opens(monkeypatch)

    table = imports.read_table(path)

    assert (survey_of(path).last_row, survey_of(path).last_column) == (51, 4)
    assert len(table.rows) == 50 and opened == [str(path)]


def test_the_ods_survey_counts_repeated_rows_and_cells_whatever_the_pieces_it_reads(
    tmp_path, monkeypatch
):
    rows = row(text("a"), gap(3), text("b", number_columns_repeated=2))  # A1, E1:F1
    rows += empty_rows(10) + row(text("c"), repeated=5)  # A12:A16
    rows += row("<table:table-cell/>", text("d"), text(" "), "<table:table-cell/>")  # B17, C17
    path = ods(tmp_path / "c.ods", {"客户": rows})
    whole = survey_of(path)
    monkeypatch.setattr(spreadsheets, "_SURVEY_CHUNK", 7)

    cut = survey_of(path)

    assert (whole.last_row, whole.last_column, whole.filled) == (17, 6, 10)
    assert (cut.last_row, cut.last_column, cut.filled) == (17, 6, 10)


# --- the limits ---------------------------------------------------------------------------


@pytest.mark.parametrize("far", [False, True], ids=["read by calamine", "read cell by cell"])
def test_an_ods_value_beyond_the_columns_an_import_reads_is_refused_naming_its_cell(tmp_path, far):
    rows = table_rows([HEADER, *customers(3)]) + row(gap(1200), text("x"))  # ATE5
    if far:
        rows += empty_rows(900_000) + row(text(" "))
    path = ods(tmp_path / "c.ods", {"客户": rows})

    with pytest.raises(imports.ImportFileError, match=r"“客户” has a value in cell ATE5"):
        imports.read_table(path)


@pytest.mark.parametrize("far", [False, True], ids=["read by calamine", "read cell by cell"])
def test_an_ods_sheet_of_more_rows_than_an_import_takes_is_refused(tmp_path, monkeypatch, far):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 10)
    rows = table_rows([HEADER, *customers(10)])
    if far:
        rows += row(gap(299), text(" ")) + empty_rows(900_000) + row(text(" "))
    path = ods(tmp_path / "c.ods", {"客户": rows})

    with pytest.raises(imports.ImportFileError, match="“客户” has more than 10 rows"):
        imports.read_table(path)


def test_an_ods_sheet_of_more_cells_than_an_import_takes_is_refused_before_calamine_opens_it(
    tmp_path, monkeypatch
):
    # 1,000 rows of 30 cells holding a name, written as one repeated cell of one repeated row
    monkeypatch.setattr(spreadsheets, "MAX_CELLS", 20_000)
    rows = table_rows([HEADER]) + row(text("张三", number_columns_repeated=30), repeated=1000)
    path = ods(tmp_path / "c.ods", {"客户": rows})
    calamine_never_opens(monkeypatch)

    with pytest.raises(
        imports.ImportFileError, match="“客户” has more than 20,000 cells holding a value"
    ):
        imports.read_table(path)


def test_a_later_ods_sheet_too_big_to_read_leaves_the_first_to_import(tmp_path, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_CELLS", 20_000)
    big = row(text("张三", number_columns_repeated=30), repeated=1000)
    path = ods(tmp_path / "c.ods", {"客户": table_rows([HEADER, *customers(3)]), "大表": big})

    table = imports.read_table(path)

    assert (table.sheet, len(table.rows)) == ("客户", 3)


# --- what is read ---------------------------------------------------------------------------

CELLS = [
    '<table:table-cell office:value-type="float" office:value="13800138000"/>',
    '<table:table-cell office:value-type="float" office:value="3.5"/>',
    '<table:table-cell office:value-type="percentage" office:value="0.25"/>',
    '<table:table-cell office:value-type="currency" office:currency="CNY" office:value="12.30"/>',
    '<table:table-cell office:value-type="float" office:value="-.5e-3"/>',
    '<table:table-cell office:value-type="date" office:date-value="2024-01-02"/>',
    '<table:table-cell office:value-type="date" office:date-value="2024-01-02T10:20:30.5"/>',
    '<table:table-cell office:value-type="date" office:date-value="2024-02-30"/>',
    '<table:table-cell office:value-type="date" office:date-value="2024-01-02T10:20:30Z"/>',
    '<table:table-cell office:value-type="time" office:time-value="PT10H20M30S"/>',
    '<table:table-cell office:value-type="time" office:time-value="PT36H00M00S"/>',
    '<table:table-cell office:value-type="boolean" office:boolean-value="true"/>',
    '<table:table-cell office:value-type="boolean" office:boolean-value="1"/>',
    text("王伟"),
    text(" 前后空格 "),
    text("&lt;公司&amp;"),
    '<table:table-cell office:value-type="string"><text:p>a<text:s text:c="3"/>b</text:p>'
    "<text:p>第二段 <text:span>加粗</text:span></text:p></table:table-cell>",
    '<table:table-cell office:value-type="string" office:string-value="属性"><text:p>显示</text:p>'
    "</table:table-cell>",
    '<table:table-cell office:value-type="string"><text:p>x<text:tab/>y<text:line-break/>z</text:p>'
    "</table:table-cell>",
    '<table:table-cell office:value-type="string"><text:p>有批注</text:p><office:annotation>'
    "<text:p>批注</text:p></office:annotation></table:table-cell>",
    '<table:table-cell office:value-type="string" office:string-value="" table:formula="of:=1/0">'
    "<text:p>#DIV/0!</text:p></table:table-cell>",
    '<table:table-cell table:formula="of:=1+1"/>',
    "<table:table-cell><text:p>没有类型</text:p></table:table-cell>",
    text("重复", number_columns_repeated=3),
]


def test_an_ods_sheet_read_cell_by_cell_gives_the_values_calamine_gives(tmp_path):
    from python_calamine import CalamineWorkbook

    rows = "".join(row(gap(2), cell, text("x")) for cell in CELLS) + empty_rows(3)
    rows += row(text("far"), repeated=2)
    path = ods(tmp_path / "c.ods", {"客户": rows})
    tables = spreadsheets._ods_survey(zipfile.ZipFile(path))
    reader = spreadsheets._OdsReader(tables)
    spreadsheets._parse(
        zipfile.ZipFile(path), "content.xml", reader.start, reader.end, reader.data, names=False
    )
    book = CalamineWorkbook.from_path(str(path))

    ours = reader.sheets[0]
    theirs = spreadsheets._calamine_sheet(book.get_sheet_by_index(0), "客户", False, {})

    assert ours.rows == theirs.rows
    assert ours.rows[5][1][2] == dt.date(2024, 1, 2)  # a few, as the import sees them
    assert ours.rows[16][1][2] == "a   b\n第二段 加粗"
    assert [index for index, _cells in ours.rows][-2:] == [len(CELLS) + 3, len(CELLS) + 4]


def test_a_number_calamine_cannot_read_makes_the_ods_file_unreadable(tmp_path):
    rows = row(text("x")) + empty_rows(900_000) + row(gap(299), text("x"))
    rows += row('<table:table-cell office:value-type="float" office:value="1,5"/>')
    path = ods(tmp_path / "c.ods", {"客户": rows})

    with pytest.raises(imports.ImportFileError, match="not an Excel workbook that can be read"):
        imports.read_table(path)


@pytest.mark.parametrize("far", [False, True], ids=["read by calamine", "read cell by cell"])
def test_a_hidden_ods_sheet_is_hidden_and_the_others_not(tmp_path, far):
    styles = (
        '<office:automatic-styles><style:style style:name="ta1" style:family="table">'
        '<style:table-properties table:display="true"/></style:style>'
        '<style:style style:name="ta2" style:family="table">'
        '<style:table-properties table:display="false"/></style:style></office:automatic-styles>'
    )
    first = table_rows([HEADER, *customers(2)])
    if far:
        first += row(gap(299), text(" ")) + empty_rows(900_000) + row(text(" "))
    sheets = {"客户": first, "旧表": table_rows([HEADER, *customers(2)])}
    path = ods(tmp_path / "c.ods", sheets, styles=styles, style_of={"客户": "ta1", "旧表": "ta2"})

    read = list(spreadsheets.workbook_sheets(path))

    assert [(sheet.name, sheet.hidden) for sheet in read] == [("客户", False), ("旧表", True)]


@pytest.mark.parametrize("far", [False, True], ids=["read by calamine", "read cell by cell"])
def test_merged_cells_of_an_ods_sheet_are_its_merged_ranges(tmp_path, far):
    rows = table_rows([HEADER])
    rows += row(text("王伟"), text("13800138000"), text("广州", number_rows_spanned=2))
    rows += row(text("李娜"), text("13900139000"), "<table:covered-table-cell/>")
    rows += row(text("备注", number_columns_spanned=3), "<table:covered-table-cell/>" * 2)
    if far:
        rows += row(gap(299), text(" ")) + empty_rows(900_000) + row(text(" "))
    path = ods(tmp_path / "c.ods", {"客户": rows})

    sheet = next(spreadsheets.workbook_sheets(path))

    assert sheet.merges == [(1, 2, 2, 2), (3, 0, 3, 2)]


def test_a_merged_city_of_an_ods_sheet_is_on_each_of_its_rows(tmp_path):
    rows = table_rows([HEADER])
    rows += row(text("王伟"), text("13800138000"), text("广州", number_rows_spanned=2))
    rows += row(text("李娜"), text("13900139000"), "<table:covered-table-cell/>")
    path = ods(tmp_path / "c.ods", {"客户": rows})

    table = imports.read_table(path)

    assert [r[2] for r in table.rows] == ["广州", "广州"]


def test_an_ods_content_with_a_document_type_is_refused(tmp_path):
    path = ods(tmp_path / "c.ods", {"客户": table_rows([HEADER])})
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
        f"<office:document-content {NS}><office:body><office:spreadsheet>"
        '<table:table table:name="客户">'
        + row(text("&a;"))
        + empty_rows(900_000)
        + row(gap(299), text(" "))
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts["content.xml"] = bomb.encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)

    with pytest.raises(imports.ImportFileError, match="not an Excel workbook that can be read"):
        imports.read_table(path)
