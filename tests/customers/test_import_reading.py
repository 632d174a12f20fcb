"""Reading an import's file as people really send them: Big5 and GBK text, a title above the
header, the data on a workbook's second sheet, no header at all, a file that is no workbook."""

import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from guanxi.customers import import_mapping, import_reports, import_tables, imports
from guanxi.customers.models import Customer
from guanxi.customers.models_import import ImportJob
from tests.conftest import login

pytestmark = pytest.mark.django_db

SIMPLIFIED = (
    "姓名,手机,地址,备注\n"
    "王伟,13800138000,广州市天河区体育西路103号（维多利广场）,老客户介绍，重点跟进\n"
    "李娜,13912345678,深圳市南山区科技园,年底回访；已报价\n"
)
TRADITIONAL = (
    "姓名,電話,地址,備註\n"
    "陳大文,0912345678,台北市信義區松高路11號,老客戶介紹，重點跟進\n"
    "林美麗,0922333444,新北市板橋區文化路一段,年底回訪；已報價\n"
)


def write(tmp_path, text: str, encoding: str, name: str = "c.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def workbook(path, sheets: dict[str, list[tuple[int, list]]]):
    """An XLSX file of the named sheets, each given as (row index, cells) pairs."""
    book = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for index, cells in rows:
            sheet.write_row(index, 0, cells)
    book.close()
    return path


def run_import(path) -> str:
    out = io.StringIO()
    call_command("import", "customers", str(path), "--owner", "alice", stdout=out)
    return out.getvalue()


def report_lines(path) -> list[str]:
    return import_reports.report_path_for(path).read_text(encoding="utf-8-sig").splitlines()[1:]


def test_a_big5_csv_is_read_as_traditional_chinese(tmp_path):
    table = imports.read_table(write(tmp_path, TRADITIONAL, "big5"))
    assert table.encoding == "big5"
    assert table.headers == ["姓名", "電話", "地址", "備註"]
    assert table.rows[0] == [
        "陳大文",
        "0912345678",
        "台北市信義區松高路11號",
        "老客戶介紹，重點跟進",
    ]


def test_a_gbk_csv_is_still_read_as_simplified_chinese(tmp_path):
    table = imports.read_table(write(tmp_path, SIMPLIFIED, "gbk"))
    assert table.encoding == "gb18030"
    assert table.rows[0][2] == "广州市天河区体育西路103号（维多利广场）"
    assert table.rows[1] == ["李娜", "13912345678", "深圳市南山区科技园", "年底回访；已报价"]


def test_a_utf8_csv_is_read_as_before(tmp_path):
    table = imports.read_table(write(tmp_path, "\ufeff" + TRADITIONAL, "utf-8"))
    assert (table.encoding, table.first_row) == ("utf-8-sig", 2)
    assert table.rows[1][0] == "林美麗"


def test_text_that_reads_as_neither_chinese_encoding_is_refused(tmp_path):
    path = write(tmp_path, "名前,住所\n山田太郎,東京都渋谷区\n鈴木花子,大阪市北区\n", "shift_jis")
    with pytest.raises(import_tables.ImportFileError, match="neither UTF-8 nor GBK"):
        imports.read_table(path)


def test_a_title_above_the_header_is_skipped_and_rows_keep_their_sheet_numbers(alice, tmp_path):
    path = workbook(
        tmp_path / "c.xlsx",
        {
            "客户": [
                (0, ["XX公司客户明细表 2026年11月"]),
                (1, ["制表：销售部"]),
                (2, ["姓名", "手机", "城市"]),
                (3, ["王伟", "13800138000", "广州"]),
                (4, ["李娜", "12345", "深圳"]),
            ]
        },
    )
    assert "imported 1, updated 0, skipped 0, failed 1" in run_import(path)
    assert Customer.objects.get().name == "王伟"
    assert report_lines(path)[0].startswith("5,手机,12345,")


def test_the_first_sheet_with_customers_is_read(alice, tmp_path):
    path = workbook(
        tmp_path / "c.xlsx",
        {
            "填写说明": [(0, ["填写说明"]), (1, ["1. 请勿修改表头"]), (2, ["2. 手机号填11位"])],
            "客户": [(0, ["姓名", "手机"]), (1, ["王伟", "13800138000"])],
        },
    )
    run_import(path)
    assert list(Customer.objects.values_list("name", "phone")) == [("王伟", "+8613800138000")]


def test_a_csv_without_a_header_gets_column_numbers_and_keeps_its_first_row(tmp_path):
    path = write(tmp_path, "王伟,13800138000,广州\n李娜,13912345678,深圳\n", "utf-8")
    table = imports.read_table(path)
    assert table.headers == ["Column 1", "Column 2", "Column 3"]
    assert [row[0] for row in table.rows] == ["王伟", "李娜"]
    assert table.first_row == 1


def test_a_file_renamed_to_xlsx_is_refused_in_words_a_user_understands(client, alice):
    upload = SimpleUploadedFile("客户.xlsx", "姓名,手机\n王伟,13800138000\n".encode(), "text/csv")
    response = login(client, alice).post("/customers/import/", {"file": upload})
    assert response.status_code == 400
    assert "This is not an Excel workbook that can be read." in response.text
    assert "Zip" not in response.text
    assert not ImportJob.objects.exists()


def test_a_file_without_a_header_is_imported_once_its_columns_are_mapped_by_hand(client, alice):
    client = login(client, alice)
    text = "王伟,13800138000,广州\n李娜,12345,深圳\n"
    upload = SimpleUploadedFile("客户.csv", text.encode(), "text/csv")
    client.post("/customers/import/", {"file": upload})
    job = ImportJob.objects.get()
    page = client.get(f"/customers/import/{job.pk}/")
    assert '<th scope="col" class="text-nowrap">Column 1</th>' in page.text
    assert "border-success" not in page.text  # no column matched: mapped by hand
    assert '<td class="text-nowrap">王伟</td>' in page.text  # the first row is a customer
    mapping = {"map-0": "name", "map-1": "phone", "map-2": "city", "on_duplicate": "skip"}
    client.post(f"/customers/import/{job.pk}/", {**mapping, "action": "import"})
    assert list(Customer.objects.values_list("name", "city")) == [("王伟", "广州市")]
    report = client.get(f"/customers/import/{job.pk}/report.csv")
    body = b"".join(report.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[1].startswith("2,Column 2,12345,")


@pytest.mark.django_db(transaction=True)
def test_rows_checked_in_the_second_process_keep_their_sheet_numbers(alice, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "PROCESS_MIN_ROWS", 10)
    monkeypatch.setattr(imports.import_checker, "CHECK_HERE_WHILE_STARTING", False)
    lines = [f"客户{i},1380013{i:04d}\n" for i in range(30)]
    lines[20] = "坏号码,12345\n"  # the 21st customer: row 24 under the title, blank row, header
    path = write(tmp_path, "客户名单\n\n姓名,手机\n" + "".join(lines), "utf-8")
    job = imports.process(imports.new_job(alice, path, owner=alice), batch_size=10)
    assert (job.imported, job.failed) == (29, 1)
    assert report_lines(path)[0].startswith("24,手机,12345,")


def test_rows_after_blank_rows_keep_their_sheet_numbers(alice, tmp_path):
    text = "姓名,手机\n王伟,13800138000\n\n,,\n李娜,12345\n张三,13800138001\n"
    path = write(tmp_path, text, "utf-8")

    run_import(path)

    assert report_lines(path)[0].startswith("5,手机,12345,")


def test_rows_after_blank_rows_keep_their_numbers_in_the_second_process(
    alice, tmp_path, monkeypatch
):
    monkeypatch.setattr(imports, "PROCESS_MIN_ROWS", 10)
    monkeypatch.setattr(imports.import_checker, "CHECK_HERE_WHILE_STARTING", False)
    lines = [f"客户{i},1380013{i:04d}\n" for i in range(30)]
    lines[10] = "\n"  # a blank row 12: the rows after it keep their numbers
    lines[20] = "坏号码,12345\n"  # row 22
    path = write(tmp_path, "姓名,手机\n" + "".join(lines), "utf-8")

    job = imports.process(imports.new_job(alice, path, owner=alice), batch_size=10)

    assert (job.imported, job.failed) == (28, 1)
    assert report_lines(path)[0].startswith("22,手机,12345,")


def test_the_rows_to_fix_after_blank_rows_are_the_right_rows(client, alice):
    text = "姓名,手机\n\n王伟,13800138000\n\n李娜,12345\n"
    client = login(client, alice)
    client.post("/customers/import/", {"file": SimpleUploadedFile("c.csv", text.encode())})
    job = ImportJob.objects.get()
    client.post(
        f"/customers/import/{job.pk}/", {"map-0": "name", "map-1": "phone", "action": "check"}
    )

    response = client.get(f"/customers/import/{job.pk}/to-fix.xlsx")

    data = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert [r[:3] for r in rows[1:]] == [["李娜", "12345", 5]]


def test_a_traditional_chinese_header_is_matched_like_a_simplified_one(db):
    mapping = import_mapping.auto_mapping(["客戶名稱", "手機", "電子郵件", "負責人", "備註"])

    assert mapping == {
        "客戶名稱": "name",
        "手機": "phone",
        "電子郵件": "email",
        "負責人": "owner",
        "備註": "notes",
    }


def test_blank_rows_only_after_the_last_row_need_no_row_numbers_kept(tmp_path):
    path = write(tmp_path, "姓名,手机\n王伟,13800138000\n李娜,13800138001\n,\n\n,\n", "utf-8")

    table = imports.read_table(path)

    assert (len(table.rows), table.numbers, table.index_of(3)) == (2, None, 1)
