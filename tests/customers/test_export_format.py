"""The exported file itself: headers as the pages write them (and the import reads them back),
an XLSX laid out to be read (widths, frozen bold header, real dates), a name in the user's
language."""

import datetime as dt
import re
import zipfile
from xml.etree import ElementTree

import pytest
from django.utils import translation
from python_calamine import CalamineWorkbook

from guanxi.customers import exports, import_mapping, imports
from guanxi.customers.models import Customer, CustomField
from guanxi.customers.models_import import ExportJob
from guanxi.customers.services import create_customer
from tests.conftest import login

URL = "/customers/export/"
NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
# Each exported column and the field the import maps it to.
TARGETS = [
    *("tags" if f == "tag_names" else f for f in exports.COLUMNS),
    "custom.level",
]


def _xlsx(user, tmp_path):
    path = tmp_path / "out.xlsx"
    exports.write_file(user, exports.customers_for(user, sort="-id"), "xlsx", path)
    return path


def _sheet(path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def _xml(path, name: str) -> ElementTree.Element:
    with zipfile.ZipFile(path) as z:
        return ElementTree.fromstring(z.read(name))  # noqa: S314 - a file the test wrote


def _widths(path) -> dict[str, int]:
    """{header: the column's width as set (Excel stores it a fraction wider)}."""
    titles = _sheet(path)[0]
    cols = _xml(path, "xl/worksheets/sheet1.xml").findall("x:cols/x:col", NS)
    widths = {}
    for col in cols:
        for index in range(int(col.get("min")), int(col.get("max")) + 1):
            widths[titles[index - 1]] = int(float(col.get("width")))
    return widths


def test_english_headers_start_with_a_capital_as_the_pages_show_them(db):
    with translation.override("en"):
        titles = exports.headers([])

    assert titles[:3] == ["ID", "Kind", "Name"]
    assert {"Mobile phone", "Birthday calendar", "Owner", "Notes"} <= set(titles)


def test_chinese_headers_are_the_fields_names_unchanged(db):
    with translation.override("zh-hans"):
        titles = exports.headers([])
        names = [str(Customer._meta.get_field(f).verbose_name) for f in ("kind", "name", "phone")]

    assert titles[1:3] == names[:2]
    assert names[2] in titles


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_exported_file_maps_every_column_on_import(
    alice, alices_customer, tmp_path, language, fmt
):
    CustomField.objects.create(key="level", label="会员等级", field_type="text")
    path = tmp_path / f"out.{fmt}"
    with translation.override(language):
        exports.write_file(alice, exports.customers_for(alice, sort="-id"), fmt, path)

    headers = imports.read_table(path).headers

    mapping = import_mapping.auto_mapping(headers)
    assert [mapping.get(h) for h in headers] == TARGETS


def test_xlsx_header_row_is_frozen(alice, alices_customer, tmp_path):
    path = _xlsx(alice, tmp_path)

    pane = _xml(path, "xl/worksheets/sheet1.xml").find("x:sheetViews/x:sheetView/x:pane", NS)

    assert (pane.get("ySplit"), pane.get("topLeftCell"), pane.get("state")) == ("1", "A2", "frozen")


def test_xlsx_header_row_is_bold(alice, alices_customer, tmp_path):
    path = _xlsx(alice, tmp_path)
    sheet = _xml(path, "xl/worksheets/sheet1.xml")
    styles = _xml(path, "xl/styles.xml")
    fonts = styles.findall("x:fonts/x:font", NS)
    xfs = styles.findall("x:cellXfs/x:xf", NS)

    def bold(cell) -> bool:
        font = fonts[int(xfs[int(cell.get("s", 0))].get("fontId"))]
        return font.find("x:b", NS) is not None

    first, second = sheet.findall("x:sheetData/x:row", NS)[:2]
    assert all(bold(c) for c in first) and not any(bold(c) for c in second)


def test_display_width_counts_a_chinese_character_as_two():
    assert exports.display_width("王伟 ab") == 7


def test_xlsx_column_is_as_wide_as_its_longest_value(alice, tmp_path):
    create_customer(alice, {"name": "王伟", "address": "广东省广州市天河区珠江新城华夏路8号"})

    widths = _widths(_xlsx(alice, tmp_path))

    assert widths["Address"] == 17 * 2 + 1 + 2  # 17 Chinese characters, a digit, a margin


def test_xlsx_address_notes_and_employer_are_wide_even_when_short(alice, tmp_path):
    create_customer(
        alice, {"name": "王伟", "address": "天河", "notes": "好", "company_name": "腾讯"}
    )

    widths = _widths(_xlsx(alice, tmp_path))

    assert (widths["Address"], widths["Notes"], widths["Employer"], widths["Name"]) == (
        30,
        30,
        24,
        6,
    )


def test_xlsx_column_widths_are_capped(alice, tmp_path):
    create_customer(alice, {"name": "王" * 60, "notes": "备注" * 100})

    widths = _widths(_xlsx(alice, tmp_path))

    assert (widths["Name"], widths["Notes"]) == (exports.MAX_WIDTH, exports.WIDE_MAX_WIDTH)


def test_xlsx_birthday_is_a_date_cell_shown_as_year_month_day(alice, tmp_path):
    create_customer(alice, {"name": "王伟", "birthday": dt.date(1985, 3, 12)})
    path = _xlsx(alice, tmp_path)

    sheet = _sheet(path)

    assert sheet[1][sheet[0].index("Birthday")] == dt.date(1985, 3, 12)
    formats = _xml(path, "xl/styles.xml").findall("x:numFmts/x:numFmt", NS)
    assert [f.get("formatCode") for f in formats] == ["yyyy-mm-dd"]


def test_an_exported_xlsx_birthday_comes_back_on_import_unchanged(alice, tmp_path):
    customer = create_customer(alice, {"name": "王伟", "birthday": dt.date(1985, 3, 12)})
    path = _xlsx(alice, tmp_path)

    job = imports.new_job(alice, path, on_duplicate="update")
    imports.process(job)

    job.refresh_from_db()
    assert (job.imported, job.failed) == (0, 0)
    assert Customer.objects.get(pk=customer.pk).birthday == dt.date(1985, 3, 12)


def test_xlsx_birthday_before_1900_stays_text(alice, tmp_path):
    customer = create_customer(alice, {"name": "王伟"})
    Customer.objects.filter(pk=customer.pk).update(birthday=dt.date(1899, 12, 31))

    sheet = _sheet(_xlsx(alice, tmp_path))

    assert sheet[1][sheet[0].index("Birthday")] == "1899-12-31"


def test_a_chinese_user_gets_a_chinese_file_name(db):
    with translation.override("zh-hans"):
        name = exports.download_name("csv")

    assert re.fullmatch(r"客户-\d{8}-\d{4}\.csv", name)


def test_an_english_user_gets_the_english_file_name(db):
    with translation.override("en"):
        name = exports.download_name("xlsx")

    assert re.fullmatch(r"customers-\d{8}-\d{4}\.xlsx", name)


def test_a_chinese_file_name_is_sent_in_utf8_after_an_ascii_fallback():
    header = exports.content_disposition("客户-20261126-0339.csv")

    assert header == (
        'attachment; filename="customers-20261126-0339.csv"; '
        "filename*=UTF-8''%E5%AE%A2%E6%88%B7-20261126-0339.csv"
    )


def test_an_ascii_file_name_is_sent_alone():
    header = exports.content_disposition("customers-20261126-0339.xlsx")

    assert header == 'attachment; filename="customers-20261126-0339.xlsx"'


def test_a_chinese_users_background_export_downloads_under_its_chinese_name(
    client, alice, alices_customer, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 0
    client = login(client, alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(URL, {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    job = ExportJob.objects.get()

    download = client.get(f"/customers/export/{job.pk}/download/")

    assert re.fullmatch(r"客户-\d{8}-\d{4}\.xlsx", job.file_name)
    assert f"filename*=utf-8''%E5%AE%A2%E6%88%B7-{job.file_name[3:]}" in (
        download["Content-Disposition"].replace("UTF-8", "utf-8")
    )


def test_a_background_export_is_stored_under_an_ascii_name(
    client, alice, alices_customer, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 0
    with django_capture_on_commit_callbacks(execute=True):
        login(client, alice).get(URL, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    job = ExportJob.objects.get()

    assert job.file_path.endswith("/customers-" + job.file_name[3:])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_chinese_user_downloads_the_export_under_a_chinese_name(
    client, alice, alices_customer, fmt
):
    response = login(client, alice).get(URL, {"format": fmt}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert re.fullmatch(
        rf'attachment; filename="customers-(\d{{8}}-\d{{4}}\.{fmt})"; '
        rf"filename\*=UTF-8''%E5%AE%A2%E6%88%B7-\1",
        response["Content-Disposition"],
    )


def test_an_english_user_downloads_the_export_under_its_english_name(
    client, alice, alices_customer
):
    response = login(client, alice).get(URL, {"format": "csv"})

    assert re.fullmatch(
        r'attachment; filename="customers-\d{8}-\d{4}\.csv"', response["Content-Disposition"]
    )


def test_a_choice_left_empty_is_an_empty_cell_not_unknown(alice, tmp_path):
    create_customer(alice, {"name": "王伟", "gender": "", "income_band": ""})

    header, row = _sheet(_xlsx(alice, tmp_path))[:2]
    cells = dict(zip(header, row, strict=True))

    assert cells["Gender"] == "" and cells["Income band"] == ""


def test_a_choice_given_is_exported_by_its_label(alice, tmp_path):
    create_customer(alice, {"name": "王伟", "gender": "male"})

    header, row = _sheet(_xlsx(alice, tmp_path))[:2]

    assert dict(zip(header, row, strict=True))["Gender"] == "Male"
