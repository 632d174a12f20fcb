"""Reading a workbook's sheets as a tester's files had them: a cell holding a space a million
rows down and 300 columns right (read in a moment, not in 12.5 GB), columns that hold
nothing, merged cells in the data, a second sheet of customers, sheets too big to import;
and the sheets read cell by cell give the values calamine gives."""

import datetime as dt
import io
import re
import zipfile

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from guanxi.customers import import_tables, imports, spreadsheets
from guanxi.customers.models import Customer
from guanxi.customers.models_import import ImportJob
from tests.conftest import login

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "手机", "城市"]


def customers(n: int, first: int = 0) -> list[list]:
    return [[f"客户{i:02d}", f"138{i:08d}", "广州市"] for i in range(first, first + n)]


def workbook(path, sheets: dict, *, hidden=(), merges=()):
    """An XLSX file of the named sheets, each {(row, column): value} or a list of rows."""
    book = xlsxwriter.Workbook(str(path))
    for name, cells in sheets.items():
        sheet = book.add_worksheet(name)
        if isinstance(cells, list):
            cells = {(r, c): v for r, row in enumerate(cells) for c, v in enumerate(row)}
        for (row, column), value in cells.items():
            sheet.write(row, column, value)
        if name in hidden:
            sheet.hide()
        for top, left, bottom, right, value in merges if name == next(iter(sheets)) else ():
            sheet.merge_range(top, left, bottom, right, value)
    book.close()
    return path


def calamine_never_reads(monkeypatch):
    """Fail the test if calamine reads a sheet into its rectangle."""
    from python_calamine import CalamineWorkbook

    def refuse(self, index):
        raise AssertionError("calamine read the sheet")

    monkeypatch.setattr(CalamineWorkbook, "get_sheet_by_index", refuse)


# --- stray cells far away -----------------------------------------------------------------


def test_spaces_far_down_and_far_right_are_read_cell_by_cell_and_leave_no_columns(
    tmp_path, monkeypatch
):
    cells = {(r, c): v for r, row in enumerate([HEADER, *customers(20)]) for c, v in enumerate(row)}
    cells[(1047999, 0)] = " "  # A1048000
    cells[(4, 299)] = " "  # column 300, row 5
    path = workbook(tmp_path / "c.xlsx", {"客户": cells})
    calamine_never_reads(monkeypatch)  # its rectangle: 314 million cells, 12.5 GB

    table = imports.read_table(path)

    assert table.headers == HEADER
    assert len(table.rows) == 20 and table.rows[-1][0] == "客户19"
    assert (table.first_row, table.numbers) == (2, None)


def test_a_value_far_down_is_a_row_with_its_sheet_number(tmp_path, monkeypatch):
    cells = {(r, c): v for r, row in enumerate([HEADER, *customers(3)]) for c, v in enumerate(row)}
    cells[(1047999, 0)] = "张三"
    path = workbook(tmp_path / "c.xlsx", {"客户": cells})
    calamine_never_reads(monkeypatch)

    table = imports.read_table(path)

    assert [row[0] for row in table.rows] == ["客户00", "客户01", "客户02", "张三"]
    assert table.numbers_of(0, 4) == [2, 3, 4, 1048000]


def test_a_table_with_empty_cells_is_still_read_by_calamine(tmp_path):
    rows = [[*HEADER, "备注"], *[[*row, ""] for row in customers(50)]]
    rows[10][3] = "老客户"
    path = workbook(tmp_path / "c.xlsx", {"客户": rows})
    package = spreadsheets._Package.open(path)

    survey = spreadsheets._survey(package.book, package.part_of("客户"), "客户")

    assert (survey.last_row, survey.last_column, survey.sparse) == (51, 4, False)


def test_a_value_beyond_the_columns_an_import_reads_is_refused_naming_its_cell(tmp_path):
    cells = {(r, c): v for r, row in enumerate([HEADER, *customers(3)]) for c, v in enumerate(row)}
    cells[(2, 1200)] = "x"
    path = workbook(tmp_path / "c.xlsx", {"客户": cells})

    with pytest.raises(import_tables.ImportFileError, match=r"“客户” has a value in cell ATE3"):
        imports.read_table(path)


def test_a_sheet_of_more_rows_than_an_import_takes_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 10)
    path = workbook(tmp_path / "c.xlsx", {"客户": [HEADER, *customers(10)]})

    with pytest.raises(import_tables.ImportFileError, match="more than 10 rows"):
        imports.read_table(path)
    (tmp_path / "c.csv").write_text("\n".join(",".join(r) for r in [HEADER, *customers(10)]))
    with pytest.raises(import_tables.ImportFileError, match="more than 10 rows"):
        imports.read_table(tmp_path / "c.csv")


def test_a_sheet_of_more_cells_than_an_import_takes_is_refused_before_calamine_reads_it(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(spreadsheets, "MAX_CELLS", 20)
    path = workbook(tmp_path / "c.xlsx", {"客户": [HEADER, *customers(10)]})
    calamine_never_reads(monkeypatch)

    with pytest.raises(import_tables.ImportFileError, match="more than 20 cells holding a value"):
        imports.read_table(path)


# --- columns that hold nothing ------------------------------------------------------------


def test_a_column_without_a_header_or_a_value_is_left_out(tmp_path):
    rows = [["姓名", "", "手机", "", "", ""], ["王伟", " ", "13800138000", "", "", " "]]
    path = workbook(tmp_path / "c.xlsx", {"客户": rows})

    table = imports.read_table(path)

    assert (table.headers, table.rows) == (["姓名", "手机"], [["王伟", "13800138000"]])


def test_a_column_without_a_header_that_holds_values_is_kept_with_its_position(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("姓名,,手机,,,\n王伟,,13800138000,VIP,,\n李娜,,13800138001,,,\n")

    table = imports.read_table(path)

    assert table.headers == ["姓名", "手机", "#4"]
    assert table.rows == [["王伟", "13800138000", "VIP"], ["李娜", "13800138001", None]]


def test_a_file_without_a_header_names_its_columns_by_their_place_in_the_file(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("王伟,,13800138000\n李娜,,13800138001\n")

    table = imports.read_table(path)

    assert table.headers == ["Column 1", "Column 3"]


# --- merged cells -------------------------------------------------------------------------


def test_a_value_merged_down_the_data_rows_is_in_each_of_them(alice, tmp_path):
    rows = [["客户名单"], HEADER, *customers(4)]
    for row in rows[2:]:
        row[2] = ""
    path = workbook(
        tmp_path / "c.xlsx",
        {"客户": rows},
        merges=[(0, 0, 0, 2, "客户名单"), (3, 2, 5, 2, "深圳市")],  # a title; C4:C6
    )

    table = imports.read_table(path)

    assert table.headers == HEADER
    assert [row[2] for row in table.rows] == [None, "深圳市", "深圳市", "深圳市"]


def test_a_merged_range_gives_no_value_to_the_column_right_of_it_nor_to_a_blank_row(tmp_path):
    rows = [[*HEADER, "备注"], ["王伟", "13800138000", "", ""], ["李娜", "13800138001", "", ""]]
    # C2:D5: over two columns, and down two rows after the last customer
    path = workbook(tmp_path / "c.xlsx", {"客户": rows}, merges=[(1, 2, 4, 3, "广州市")])

    table = imports.read_table(path)

    assert table.rows == [
        ["王伟", "13800138000", "广州市", None],
        ["李娜", "13800138001", "广州市", None],
    ]


def test_the_tester_file_with_a_merged_city_imports_it_on_every_row(alice, tmp_path):
    rows = [HEADER, *customers(3)]
    for row in rows[1:]:
        row[2] = ""
    path = workbook(tmp_path / "c.xlsx", {"客户": rows}, merges=[(1, 2, 3, 2, "广州市")])

    job = imports.process(imports.new_job(alice, path, owner=alice))

    assert job.imported == 3
    assert set(Customer.objects.values_list("city", flat=True)) == {"广州市"}


# --- other sheets -------------------------------------------------------------------------


def two_sheets(tmp_path, **options):
    return workbook(
        tmp_path / "c.xlsx",
        {"广州": [HEADER, *customers(15)], "深圳": [HEADER, *customers(12, 100)]},
        **options,
    )


def test_the_other_sheets_holding_customers_are_named_with_their_rows(tmp_path):
    table = imports.read_table(two_sheets(tmp_path))

    assert (table.sheet, table.unread_sheets, len(table.rows)) == ("广州", [("深圳", 12)], 15)
    assert import_tables.unread_sheets_note(table) == (
        "Only the sheet “广州” is read; the sheet “深圳” (12 rows) is not imported. To import "
        "its rows, copy them under those of “广州”, or save it as a file of its own and "
        "import that."
    )


def test_a_hidden_sheet_an_instructions_sheet_and_an_empty_one_are_not_named(tmp_path):
    path = workbook(
        tmp_path / "c.xlsx",
        {
            "空白": {},
            "填写说明": [["填写说明"], ["1. 请勿修改表头"]],
            "客户": [HEADER, *customers(3)],
            "城市列表": [["城市", "省份"], ["广州市", "广东省"]],
        },
        hidden=("城市列表",),
    )

    table = imports.read_table(path)

    assert (table.sheet, table.unread_sheets, import_tables.unread_sheets_note(table)) == (
        "客户",
        [],
        "",
    )


def test_a_later_sheet_too_big_to_read_leaves_the_first_to_import(tmp_path, monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_CELLS", 20)
    path = workbook(
        tmp_path / "c.xlsx", {"客户": [HEADER, *customers(3)], "明细": [HEADER, *customers(9)]}
    )

    table = imports.read_table(path)

    assert (table.sheet, len(table.rows), table.unread_sheets) == ("客户", 3, [])


def test_the_mapping_and_job_pages_say_which_sheet_is_read_and_which_is_not(
    client, alice, tmp_path
):
    client = login(client, alice)
    data = two_sheets(tmp_path).read_bytes()
    client.post("/customers/import/", {"file": SimpleUploadedFile("c.xlsx", data)})
    job = ImportJob.objects.get()

    mapping = client.get(f"/customers/import/{job.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    status = client.get(f"/customers/import/{job.pk}/status/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    for page in (mapping, status):
        assert "只读取了工作表“广州”；工作表“深圳”（12 行）未导入" in page.text


def test_the_command_says_which_sheet_is_read_and_which_is_not(alice, tmp_path):
    out = io.StringIO()

    path = str(two_sheets(tmp_path))
    call_command("import", "customers", path, "--owner", "alice", "--dry-run", stdout=out)

    assert "Only the sheet “广州” is read; the sheet “深圳” (12 rows) is not imported." in (
        out.getvalue()
    )


# --- the sheets read cell by cell give calamine's values ----------------------------------


def every_kind_of_cell(path, *, date1904=False):
    book = xlsxwriter.Workbook(str(path), {"date_1904": date1904})
    sheet = book.add_worksheet("客户")
    formats = {
        code: book.add_format({"num_format": code})
        for code in (
            "yyyy-mm-dd",
            'yyyy"年"m"月"d"日"',
            "[$-804]yyyy/m/d",
            "yyyy-mm-dd hh:mm",
            "hh:mm:ss",
            "h:mm AM/PM",
            "[h]:mm:ss",
            "0.00",
            "#,##0_);[Red](#,##0)",
            '"d"0',
            "@",
        )
    }
    bold = book.add_format({"bold": True})
    row = 0
    for value in ("王伟", " 前后空格 ", "Ünïcödé ✓", "=不是公式"):
        sheet.write_string(row, 0, value)
        row += 1
    sheet.write_rich_string(row, 0, "富", bold, "文本", "混排")
    row += 1
    for value in (0, 1.5, -3, 13800138000, 110101199003074514, 1e-7, True, False):
        sheet.write(row, 0, value)
        row += 1
    for code, fmt in formats.items():
        for value in (45000, 45000.25, 0.75, 59, 61, 1.5):
            sheet.write_number(row, 0, value, fmt)
            sheet.write_string(row, 1, code)
            row += 1
    sheet.write_formula(row, 0, "=1+1", None, 2)
    sheet.write_formula(row + 1, 0, '="a"&"b"', None, "ab")
    sheet.write_formula(row + 2, 0, "=1/0", None, "#DIV/0!")
    sheet.write_string(row + 2, 1, "error")
    # An empty result without the type Excel gives it (t="str"): no saved result, as a
    # program writes a formula it did not calculate.
    sheet.write_formula(row + 3, 0, '=""', None, "")
    sheet.write_string(row + 10, 5, "far")
    book.close()
    return path


@pytest.mark.parametrize("date1904", [False, True])
def test_a_sheet_read_cell_by_cell_gives_the_values_calamine_gives(tmp_path, date1904):
    from python_calamine import CalamineWorkbook

    path = every_kind_of_cell(tmp_path / "c.xlsx", date1904=date1904)
    package = spreadsheets._Package.open(path)
    book = CalamineWorkbook.from_path(str(path))

    ours = spreadsheets._SparseSheet(package, package.part_of("客户"), "客户").read(False)
    theirs = spreadsheets._calamine_sheet(book.get_sheet_by_index(0), "客户", False, {})

    unread = [(i, cells) for i, cells in ours.rows if type(cells[0]) is spreadsheets.Unread]
    # =1/0 saved as #DIV/0!; the row of ="" alone holds no value (neither reader keeps it)
    assert [cells for _i, cells in unread] == [
        [spreadsheets.Unread(formula="1/0", error="#DIV/0!"), "error"]
    ]
    assert (unread[0][0], ["", "error"]) in theirs.rows  # calamine reads an error as empty
    assert [row for row in ours.rows if row not in unread] == [
        row for row in theirs.rows if row[0] != unread[0][0]
    ]


def test_a_formula_never_calculated_and_a_prefixed_sheet_are_read_as_calamine_cannot(tmp_path):
    path = tmp_path / "c.xlsx"
    workbook(path, {"客户": [HEADER, ["王伟", "13800138000", "广州"]]})
    sheet = (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<x:sheetData>"
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>姓名</x:t></x:is></x:c>'
        '<x:c r="B1" t="inlineStr"><x:is><x:t>城市</x:t></x:is></x:c></x:row>'
        '<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>王伟</x:t></x:is></x:c>'
        '<x:c r="B2"><x:f>"广"&amp;"州"</x:f><x:v/></x:c></x:row>'
        '<x:row r="3"><x:c r="A3"><x:f>A2</x:f></x:c></x:row>'  # a row of formulas only
        '<x:row r="900000"><x:c r="A900000" t="inlineStr"><x:is><x:t> </x:t></x:is></x:c>'
        "</x:row></x:sheetData></x:worksheet>"
    )
    replace_part(path, "xl/worksheets/sheet1.xml", sheet.encode())

    table = imports.read_table(path)

    assert table.headers == ["姓名", "城市"]
    assert table.rows == [["王伟", spreadsheets.Unread(formula='"广"&"州"')]]


def replace_part(path, name: str, data: bytes) -> None:
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[name] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for part, content in parts.items():
            target.writestr(part, content)


def test_a_number_format_shows_a_date_when_a_date_letter_is_outside_quotes_and_brackets():
    kinds = {
        code: spreadsheets.format_kind(code)
        for code in (
            "yyyy-mm-dd",
            'yyyy"年"m"月"d"日"',
            "[$-804]yyyy/m/d",
            "h:mm AM/PM",
            "[h]:mm:ss",
            "General",
            "0.00E+00",
            '"d"0',
            "#,##0_);[Red](#,##0)",
            "0;[Red]-0;yyyy",
            "\\d0",
        )
    }

    assert kinds == {
        "yyyy-mm-dd": "date",
        'yyyy"年"m"月"d"日"': "date",
        "[$-804]yyyy/m/d": "date",
        "h:mm AM/PM": "date",
        "[h]:mm:ss": "duration",
        "General": "",
        "0.00E+00": "",
        '"d"0': "",
        "#,##0_);[Red](#,##0)": "",
        "0;[Red]-0;yyyy": "",
        "\\d0": "",
    }


def test_a_workbook_part_with_a_document_type_is_refused(tmp_path):
    path = workbook(tmp_path / "c.xlsx", {"客户": [HEADER, *customers(1)]})
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a;</t></is></c></row>'
        '<row r="900000"><c r="A900000" t="inlineStr"><is><t> </t></is></c></row>'
        '<row r="1"><c r="ZZ1" t="inlineStr"><is><t> </t></is></c></row>'
        "</sheetData></worksheet>"
    )
    replace_part(path, "xl/worksheets/sheet1.xml", bomb.encode())

    with pytest.raises(
        import_tables.ImportFileError, match="not an Excel workbook that can be read"
    ):
        imports.read_table(path)


def test_column_letters_are_excels():
    assert [spreadsheets.column_letters(i) for i in (0, 25, 26, 299, 16383)] == [
        "A",
        "Z",
        "AA",
        "KN",
        "XFD",
    ]


def test_excel_dates_are_calamines_from_1900_and_1904():
    assert spreadsheets.excel_date(45000) == dt.date(2023, 3, 15)
    assert spreadsheets.excel_date(59) == dt.date(1900, 2, 28)
    assert spreadsheets.excel_date(61) == dt.date(1900, 3, 1)
    assert spreadsheets.excel_date(0.75) == dt.time(18, 0)
    assert spreadsheets.excel_date(45000.5) == dt.datetime(2023, 3, 15, 12, 0)  # noqa: DTZ001
    assert spreadsheets.excel_date(0, date1904=True) == dt.time(0, 0)
    assert spreadsheets.excel_date(1, date1904=True) == dt.date(1904, 1, 2)


def test_the_survey_finds_the_extent_of_the_cells_holding_a_value(tmp_path):
    cells = {(0, 0): "姓名", (5, 2): "x", (3, 700): ""}  # an empty string: no cell written
    path = workbook(tmp_path / "c.xlsx", {"客户": cells})
    package = spreadsheets._Package.open(path)

    survey = spreadsheets._survey(package.book, package.part_of("客户"), "客户")

    assert (survey.last_row, survey.last_column, survey.filled) == (6, 3, 2)
    assert re.fullmatch(r"\d+", str(survey.last_row))
