"""Cells an import refuses with a reason that says what happened: a NUL character (refused
everywhere else too: the form, the API, PostgreSQL), a number Excel kept as a number, whose
last digits are lost, or wrote in scientific notation into a CSV file, a formula without a
saved result and an error value; and cells read as Excel shows them (TRUE, 4.40106E+17)."""

import io
import re
import zipfile

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from guanxi.customers import contact_imports, import_fixes, import_reports, import_tables, imports
from guanxi.customers.models import Customer
from guanxi.customers.models_import import ImportJob
from guanxi.customers.services import create_customer

pytestmark = pytest.mark.django_db

NUL_REASON = "Must not contain a NUL character."


def _csv(tmp_path, text: str):
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _xlsx(tmp_path, rows: list[list]):
    """A workbook whose numbers are number cells, as Excel keeps a number typed in a cell of
    the General format."""
    path = tmp_path / "c.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for index, cells in enumerate(rows):
        for col, value in enumerate(cells):
            if isinstance(value, str):
                sheet.write_string(index, col, value)
            else:
                sheet.write_number(index, col, value)
    book.close()
    return path


def _run(user, path, **options) -> tuple[ImportJob, list[list[str]]]:
    job = imports.process(imports.new_job(user, path, owner=user, **options))
    return job, import_reports.read_report(job)


def test_a_csv_cell_with_a_nul_character_fails_its_row_with_the_forms_reason(alice, tmp_path):
    job, report = _run(alice, _csv(tmp_path, "姓名,手机\nNUL\x00CSV,13800138000\n李娜,\n"))

    assert (job.imported, job.failed) == (1, 1)
    assert [line[:2] + line[3:] for line in report] == [["2", "姓名", NUL_REASON]]
    assert list(Customer.objects.values_list("name", flat=True)) == ["李娜"]


def test_an_xlsx_cell_with_a_nul_character_fails_its_row(alice, tmp_path):
    path = _xlsx(tmp_path, [["姓名", "城市"], ["NUL\x00字符", "广州"], ["李娜", "深圳"]])

    job, report = _run(alice, path)

    assert (job.imported, job.failed) == (1, 1)
    assert report[0][3] == NUL_REASON


def test_a_nul_in_a_tag_or_custom_value_fails_the_row_too(alice, tmp_path):
    job, report = _run(alice, _csv(tmp_path, "姓名,标签\n王伟,VIP\x00\n"))

    assert (job.imported, job.failed) == (0, 1)
    assert report[0][1:2] + report[0][3:] == ["标签", NUL_REASON]


def test_the_report_shows_where_the_nul_was(alice, tmp_path):
    _job, report = _run(alice, _csv(tmp_path, "姓名\nNUL\x00CSV\n"))

    assert report[0][2] == "NUL\u2400CSV"


def test_a_row_failing_on_a_nul_comes_back_among_the_rows_to_fix(alice, tmp_path):
    job, _report = _run(alice, _csv(tmp_path, "姓名,手机\nNUL\x00CSV,13800138000\n"))
    out = io.BytesIO()

    assert import_fixes.rows_to_fix(job, out) == 1

    rows = CalamineWorkbook.from_filelike(io.BytesIO(out.getvalue())).get_sheet_by_index(0)
    assert rows.to_python()[1] == ["NUL\x00CSV", "13800138000", 2.0, f"姓名: {NUL_REASON}"]


def test_an_owner_cell_with_a_nul_fails_the_row_and_is_never_looked_up(alice, tmp_path):
    job, report = _run(alice, _csv(tmp_path, "姓名,负责人\n王伟,ali\x00ce\n"))

    assert (job.imported, job.failed) == (0, 1)
    assert report[0][1:2] + report[0][3:] == ["负责人", NUL_REASON]


def test_a_nul_in_a_header_is_left_out_of_the_header(alice, tmp_path):
    table = imports.read_table(_csv(tmp_path, "姓\x00名,手机\n王伟,13800138000\n"))

    assert table.headers[0] == "姓名"


def test_a_contact_cell_with_a_nul_fails_its_row(alice, tmp_path):
    company = create_customer(alice, {"name": "远景科技", "kind": "company"})
    path = _csv(tmp_path, f"客户ID,联系人,职务\n{company.pk},李\x00经理,采购\n")
    job = contact_imports.new_job(alice, path)

    contact_imports.process(job)

    assert (job.imported, job.failed) == (0, 1)
    assert import_reports.read_report(job)[0][3] == NUL_REASON


def test_an_id_number_excel_kept_as_a_number_says_its_last_digits_are_lost(alice, tmp_path):
    path = _xlsx(tmp_path, [["姓名", "身份证号"], ["王伟", 110101199003074514]])

    job, report = _run(alice, path)

    assert job.failed == 1
    assert report[0][1] == "身份证号"
    assert report[0][3].startswith("Excel stored this ID number as a number")
    assert "Format the column as text" in report[0][3]


def test_an_id_number_typed_as_text_in_a_workbook_imports(alice, tmp_path):
    path = _xlsx(tmp_path, [["姓名", "身份证号"], ["王伟", "110101199003074514"]])

    job, _report = _run(alice, path)

    assert job.imported == 1
    assert Customer.objects.get().id_number == "110101199003074514"


def test_a_short_number_in_the_id_number_column_is_checked_as_before(alice, tmp_path):
    path = _xlsx(tmp_path, [["姓名", "身份证号"], ["王伟", 12345]])

    _job, report = _run(alice, path)

    assert "Excel" not in report[0][3]


def test_an_id_number_kept_as_a_number_is_previewed_as_excel_shows_it(tmp_path):
    path = _xlsx(
        tmp_path, [["姓名", "身份证号", "手机"], ["王伟", 440106198503049984, 13800138000]]
    )

    assert import_tables.preview(imports.read_table(path)) == [
        ["王伟", "4.40106E+17", "13800138000"]
    ]


def test_a_number_of_twenty_digits_in_any_field_says_its_last_digits_are_lost(alice, tmp_path):
    path = _xlsx(tmp_path, [["姓名", "工作单位"], ["王伟", 12345678901234567890]])

    job, report = _run(alice, path)

    assert job.failed == 1
    assert report[0][1:3] == ["工作单位", "12345678901234569216"]  # a float's digits
    assert report[0][3].startswith("Excel stored this number as a number, which keeps only 15")


def test_a_true_or_false_cell_reads_as_excel_shows_it(alice, tmp_path):
    path = tmp_path / "c.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "备注"])
    sheet.write_row(1, 0, ["王伟", True])
    sheet.write_row(2, 0, ["李娜", False])
    book.close()

    job, _report = _run(alice, path)

    assert job.imported == 2
    assert sorted(Customer.objects.values_list("notes", flat=True)) == ["FALSE", "TRUE"]


def _formulas(tmp_path, *, saved: bool):
    """A workbook with a formula in the notes and an error in the tags of 王伟's row, and a row
    of formulas alone; ``saved``: with their results, as Excel saves them, else without, as
    a program that does not calculate writes them."""
    path = tmp_path / "c.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "备注", "标签"])
    sheet.write_string(1, 0, "王伟")
    sheet.write_formula(1, 1, '=A2&"的备注"', None, "王伟的备注")
    sheet.write_formula(1, 2, "=VLOOKUP(A2,X:Y,2,0)", None, "#N/A")
    sheet.write_string(2, 0, "李娜")
    sheet.write_formula(3, 1, '=A4&"的备注"', None, "的备注")
    book.close()
    if not saved:
        with zipfile.ZipFile(path) as source:
            parts = {info.filename: source.read(info) for info in source.infolist()}
        sheet_xml = "xl/worksheets/sheet1.xml"
        parts[sheet_xml] = re.sub(
            rb'( t="str")?><f>([^<]*)</f><v>[^<#]*</v>', rb"><f>\2</f>", parts[sheet_xml]
        )
        with zipfile.ZipFile(path, "w") as target:
            for name, data in parts.items():
                target.writestr(name, data)
    return path


def test_a_formula_without_a_saved_result_fails_its_field_naming_the_formula(alice, tmp_path):
    job, report = _run(alice, _formulas(tmp_path, saved=False))

    assert (job.imported, job.failed) == (1, 1)  # 李娜; the row of a formula alone is no row
    assert [line[:3] for line in report] == [["2", "备注", ""], ["2", "标签", ""]]
    assert report[0][3] == (
        'The formula =A2&"的备注" has no saved result (a program wrote the file): open it in '
        "Excel and save it, then import it again."
    )
    assert report[1][3] == (
        "The cell shows the error #N/A: correct it in the file or empty the cell, then import "
        "the file again."
    )


def test_a_formula_with_its_saved_result_imports_the_result(alice, tmp_path):
    job, report = _run(alice, _formulas(tmp_path, saved=True))

    assert (job.imported, job.failed) == (1, 2)  # the row of a formula alone: no name
    assert Customer.objects.get().name == "李娜"
    assert report[0][1:] == [
        "标签",
        "",
        "The cell shows the error #N/A: correct it in the file or empty the cell, then import the file again.",
    ]


def test_the_preview_shows_a_formula_without_a_result_and_an_error_as_excel_would(tmp_path):
    table = imports.read_table(_formulas(tmp_path, saved=False))

    assert import_tables.preview(table) == [["王伟", '=A2&"的备注"', "#N/A"], ["李娜", "", ""]]


SCIENTIFIC = "This number reads {}, as Excel writes a long number in scientific notation"


def test_numbers_excel_wrote_in_scientific_notation_into_a_csv_say_so(alice, tmp_path):
    text = (
        "姓名,身份证号,手机,其他电话,备注\n"
        "王伟,4.40106E+17,,,\n"
        "李娜,,1.38001E+10,8.6177e+12,\n"
        "张三,,13800138000,,1.5E+3 件\n"
    )

    job, report = _run(alice, _csv(tmp_path, text))

    assert (job.imported, job.failed) == (1, 2)
    assert [line[:3] for line in report] == [
        ["2", "身份证号", "4.40106E+17"],
        ["3", "手机", "1.38001E+10"],
        ["3", "其他电话", "8.6177e+12"],
    ]
    assert report[0][3].startswith(SCIENTIFIC.format("4.40106E+17"))
    assert report[2][3].startswith(SCIENTIFIC.format("8.6177e+12"))
