"""An orders file whose quantity or price cell holds no value (a formula a program wrote
without its result, an error such as #N/A) fails that line saying why, as the customer
import does, instead of reading the cell as empty."""

import csv
import datetime as dt
import re
import zipfile

import pytest
import xlsxwriter

from guanxi.sales import order_imports
from guanxi.sales.models import Order

pytestmark = pytest.mark.django_db


def _workbook(tmp_path, *, unsaved: bool):
    """Two orders: XL-1's price a formula (=2*60), XL-2's quantity the error #N/A."""
    path = tmp_path / "orders.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["订单号", "客户电话", "订单日期", "SKU", "数量", "单价"])
    for row, number in ((1, "XL-1"), (2, "XL-2")):
        sheet.write_row(row, 0, [number, "13800138000"])
        sheet.write_datetime(row, 2, dt.datetime(2025, 6, 1), date)
        sheet.write_string(row, 3, "TEA-001")
    sheet.write_number(1, 4, 2)
    sheet.write_formula(1, 5, "=2*60", None, 120)
    sheet.write_formula(2, 4, "=VLOOKUP(A3,X:Y,2,0)", None, "#N/A")
    sheet.write_number(2, 5, 99)
    book.close()
    if unsaved:  # as a program that does not calculate writes a formula: no <v> result
        with zipfile.ZipFile(path) as source:
            parts = {info.filename: source.read(info) for info in source.infolist()}
        name = "xl/worksheets/sheet1.xml"
        parts[name] = re.sub(rb"<f>(=?2\*60)</f><v>[^<]*</v>", rb"<f>\1</f>", parts[name])
        with zipfile.ZipFile(path, "w") as target:
            for part, data in parts.items():
                target.writestr(part, data)
    return path


def _reasons(job) -> dict[str, str]:
    with open(job.report_path, encoding="utf-8-sig", newline="") as handle:
        return {
            f"{r['row']}:{r['column']}": r["reason"]
            for r in csv.DictReader(handle)
            if not r["reason"].startswith("Not imported")
        }


def test_an_error_cell_fails_its_line_naming_the_error(alice, tmp_path, alices_customer, tea):
    job = order_imports.new_job(alice, _workbook(tmp_path, unsaved=False))
    order_imports.process(job)

    reasons = _reasons(job)
    assert list(reasons) == ["3:数量"]
    assert "#N/A" in reasons["3:数量"]
    assert list(Order.objects.values_list("number", flat=True)) == ["XL-1"]


def test_a_formula_without_a_saved_result_fails_its_line_naming_the_formula(
    alice, tmp_path, alices_customer, tea
):
    job = order_imports.new_job(alice, _workbook(tmp_path, unsaved=True))
    order_imports.process(job)

    reasons = _reasons(job)
    assert "=2*60" in reasons["2:单价"] and "no saved result" in reasons["2:单价"]
    assert Order.objects.count() == 0
