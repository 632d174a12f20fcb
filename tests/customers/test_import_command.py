"""The import engine through `guanxi import customers FILE`: files, rows, duplicates, batches."""

import io
from unittest import mock

import pytest
import xlsxwriter
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError

from guanxi.customers import import_reports, imports
from guanxi.customers.models import Customer, CustomField
from guanxi.customers.models_import import ImportJob, SavedMapping
from guanxi.customers.services import create_customer

HEADER = "姓名,手机,邮箱,身份证,城市,性别,生日,标签,备注\n"


def write_csv(tmp_path, text: str, encoding: str = "utf-8", name: str = "c.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run(path, *args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("import", "customers", str(path), *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def report_rows(path) -> list[str]:
    return (import_reports.report_path_for(path)).read_text(encoding="utf-8-sig").splitlines()[1:]


def test_good_rows_are_imported_for_the_owner(alice, tmp_path):
    path = write_csv(
        tmp_path,
        HEADER + "王伟,13800138000,WW@example.com,11010519491231002X,广州,男,"
        "1990-05-01,VIP;车主,老客户\n李娜,13912345678,,,深圳,女,1988/1/2,,\n",
    )
    code, out = run(path, "--owner", "alice")
    assert code == 0
    assert "imported 2, updated 0, skipped 0, failed 0" in out
    wang = Customer.objects.get(name="王伟")
    assert (wang.owner, wang.phone, wang.email, wang.gender) == (
        alice,
        "+8613800138000",
        "ww@example.com",
        "male",
    )
    assert str(wang.birthday) == "1990-05-01"
    assert sorted(wang.tags.values_list("name", flat=True)) == ["VIP", "车主"]
    assert wang.tag_names == "VIP, 车主"
    assert "wangwei" in wang.search_text and "13800138000" in wang.search_text
    assert wang.history.get().history_user == alice


def test_a_gbk_csv_saved_by_chinese_excel_imports(alice, tmp_path):
    path = write_csv(
        tmp_path, HEADER.replace("\n", "\r\n") + "张伟,13800138001,,,广州,男,,,\r\n", encoding="gbk"
    )
    code, out = run(path, "--owner", "alice")
    assert code == 0
    assert Customer.objects.get().name == "张伟"


def test_a_utf8_csv_with_a_bom_imports(alice, tmp_path):
    path = write_csv(tmp_path, "\ufeff" + HEADER + "张伟,,,,,,,,\n")
    assert run(path, "--owner", "alice")[0] == 0
    assert Customer.objects.get().name == "张伟"


def test_english_headers_are_matched(alice, tmp_path):
    path = write_csv(tmp_path, "Name,Mobile,E-mail,Company,Kind\nAcme Ltd,,a@acme.com,,company\n")
    assert run(path, "--owner", "alice")[0] == 0
    assert Customer.objects.get().kind == "company"


def test_bytes_in_no_known_encoding_are_refused(alice, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"name\n\x80\xff\xfe\x81\n")
    with pytest.raises(CommandError, match="neither UTF-8 nor GBK"):
        run(path, "--owner", "alice")


def test_an_empty_file_is_refused(alice, tmp_path):
    with pytest.raises(CommandError, match="empty"):
        run(write_csv(tmp_path, ""), "--owner", "alice")


def test_a_header_without_rows_is_refused(alice, tmp_path):
    with pytest.raises(CommandError, match="no customers"):
        run(write_csv(tmp_path, HEADER), "--owner", "alice")


def test_a_file_without_a_name_column_is_refused(alice, tmp_path):
    with pytest.raises(CommandError, match="name"):
        run(write_csv(tmp_path, "手机,城市\n13800138000,广州\n"), "--owner", "alice")
    assert not Customer.objects.exists()


def test_bad_rows_are_reported_by_row_column_value_and_reason(alice, tmp_path):
    path = write_csv(
        tmp_path,
        HEADER + "王伟,12345,,,,,,,\n李娜,,not-an-email,,,,,,\n"
        "赵六,,,123456,,,,,\n,13800138000,,,,,,,\n钱七,,,,,男,1990-13-45,,\n"
        "孙八,13800138009,,,,,,,\n",
    )
    code, out = run(path, "--owner", "alice")
    assert code == 0
    assert "imported 1, updated 0, skipped 0, failed 5" in out
    rows = report_rows(path)
    assert rows[0].startswith("2,手机,12345,")
    assert rows[1].startswith("3,邮箱,not-an-email,")
    assert rows[2].startswith("4,身份证,123456,")
    assert rows[3] == "5,姓名,,This field cannot be blank."
    assert rows[4].startswith("6,生日,1990-13-45,")
    assert list(Customer.objects.values_list("name", flat=True)) == ["孙八"]


def test_a_phone_written_as_a_float_by_another_tool_is_read_as_its_digits(alice, tmp_path):
    path = write_csv(
        tmp_path, "姓名,手机,其他电话\n王伟,13800138000.0,02087654321.0\n李娜,1.5e10,\n"
    )
    code, out = run(path, "--owner", "alice")
    assert "imported 1, updated 0, skipped 0, failed 1" in out
    assert Customer.objects.get(name="王伟").phone == "+8613800138000"
    assert report_rows(path)[0].startswith("3,手机,1.5e10,")


def test_sources_written_as_spreadsheets_write_them_are_understood(alice, tmp_path):
    path = write_csv(
        tmp_path, "姓名,客户来源\n甲,网站\n乙,老带新\n丙,其它\n丁,展销会\n戊,Referral\n"
    )
    code, out = run(path, "--owner", "alice")
    assert "imported 5, updated 0, skipped 0, failed 0" in out
    assert dict(Customer.objects.values_list("name", "source_channel")) == {
        "甲": "website",
        "乙": "referral",
        "丙": "other",
        "丁": "exhibition",
        "戊": "referral",
    }


def test_an_unknown_choice_is_reported_with_the_accepted_ones(alice, tmp_path):
    path = write_csv(tmp_path, HEADER + "王伟,,,,,robot,,,\n")
    run(path, "--owner", "alice")
    assert report_rows(path) == ["2,性别,robot,\"'robot' is not one of: Male, Female.\""]


def test_a_file_where_every_row_fails_exits_non_zero(alice, tmp_path):
    code, out = run(write_csv(tmp_path, HEADER + "王伟,12345,,,,,,,\n"), "--owner", "alice")
    assert code == 1
    assert "imported 0, updated 0, skipped 0, failed 1" in out
    assert "c.csv.errors.csv" in out


def test_duplicates_inside_the_file_are_reported_as_skipped(alice, tmp_path):
    path = write_csv(tmp_path, HEADER + "王伟,13800138000,,,,,,,\n王小伟,138 0013 8000,,,,,,,\n")
    code, out = run(path, "--owner", "alice")
    assert "imported 1, updated 0, skipped 1, failed 0" in out
    assert "row 2 of this file; skipped" in report_rows(path)[0]


def test_huge_cells_are_reported_not_truncated_into_the_database(alice, tmp_path):
    path = write_csv(tmp_path, "姓名,备注\n" + "王" * 12000 + ",x\n李娜," + "很" * 20000 + "\n")
    code, out = run(path, "--owner", "alice")
    assert code == 1
    assert "failed 2" in out
    rows = report_rows(path)
    assert len(rows[0]) < 400  # the value is shortened in the report


def test_formula_cells_are_kept_as_text(alice, tmp_path):
    path = write_csv(tmp_path, "姓名,备注\n=cmd|' /C calc'!A0,@SUM(1)\n'=1+1,x\n")
    run(path, "--owner", "alice")
    assert sorted(Customer.objects.values_list("name", flat=True)) == ["=1+1", "=cmd|' /C calc'!A0"]


def test_an_xlsx_file_imports(alice, tmp_path):
    path = tmp_path / "c.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "手机", "生日", "类型"])
    sheet.write_row(1, 0, ["王伟", 13800138000, "1990-05-01", "个人"])
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_string(2, 0, "李娜")
    import datetime as dt

    sheet.write_datetime(2, 2, dt.datetime(1988, 1, 2), date_format)  # noqa: DTZ001
    book.close()
    code, out = run(path, "--owner", "alice")
    assert code == 0, out
    assert Customer.objects.get(name="王伟").phone == "+8613800138000"
    assert str(Customer.objects.get(name="李娜").birthday) == "1988-01-02"


def test_custom_fields_are_matched_by_label(alice, tmp_path):
    CustomField.objects.create(key="car_model", label="车型", field_type="text")
    run(write_csv(tmp_path, "姓名,车型\n王伟,Model Y\n"), "--owner", "alice")
    assert Customer.objects.get().custom == {"car_model": "Model Y"}


@pytest.fixture
def existing(alice):
    return create_customer(alice, {"name": "王伟", "phone": "13800138000", "city": "广州"})


def test_on_duplicate_skip_leaves_the_existing_customer(alice, existing, tmp_path):
    path = write_csv(tmp_path, "姓名,手机,城市\n王伟,13800138000,深圳\n")
    code, out = run(path, "--owner", "alice")
    assert code == 1
    assert "skipped 1" in out
    existing.refresh_from_db()
    assert existing.city == "广州市"
    assert f"#{existing.pk}" in report_rows(path)[0]


def test_on_duplicate_update_changes_the_existing_customer(alice, existing, tmp_path):
    path = write_csv(tmp_path, "姓名,手机,城市,标签\n王伟,13800138000,深圳,VIP\n")
    code, out = run(path, "--owner", "alice", "--on-duplicate", "update")
    assert code == 0
    assert "imported 0, updated 1" in out
    existing.refresh_from_db()
    assert (existing.city, existing.version, existing.tag_names) == ("深圳市", 2, "VIP")
    assert existing.history.count() == 2


def test_on_duplicate_create_makes_another_customer(alice, existing, tmp_path):
    path = write_csv(tmp_path, "姓名,手机\n王伟,13800138000\n")
    assert "imported 1" in run(path, "--owner", "alice", "--on-duplicate", "create")[1]
    assert Customer.objects.filter(phone="+8613800138000").count() == 2


def test_update_does_not_touch_a_customer_the_importer_may_not_change(charlie, existing, tmp_path):
    path = write_csv(tmp_path, "姓名,手机,城市\n王伟,13800138000,成都\n")
    code, out = run(path, "--owner", "charlie", "--on-duplicate", "update")
    assert "failed 1" in out
    existing.refresh_from_db()
    assert existing.city == "广州市"
    assert "#" not in report_rows(path)[0]


def test_dry_run_writes_nothing_and_reports(alice, tmp_path):
    path = write_csv(tmp_path, HEADER + "王伟,13800138000,,,,,,,\n李娜,12345,,,,,,,\n")
    code, out = run(path, "--owner", "alice", "--dry-run")
    assert "would import 1, updated 0, skipped 0, failed 1" in out
    assert not Customer.objects.exists()
    assert len(report_rows(path)) == 1


def test_a_batch_with_a_database_error_is_rolled_back_whole_and_can_resume(alice, tmp_path):
    lines = "".join(f"客户{i},,,,,,,,\n" for i in range(7))
    path = write_csv(tmp_path, HEADER + lines)
    real = imports.insert_customers
    calls = {"n": 0}

    def flaky(objs, *args, **kwargs):
        calls["n"] += 1
        result = real(objs, *args, **kwargs)  # rows are written, then the batch fails
        if calls["n"] == 2:
            raise DatabaseError("disk full")
        return result

    with (
        mock.patch.object(imports, "insert_customers", flaky),
        pytest.raises(CommandError, match="--resume"),
    ):
        run(path, "--owner", "alice", "--batch-size", "3")
    assert Customer.objects.count() == 3
    job = ImportJob.objects.get()
    assert (job.status, job.next_row, job.imported) == ("failed", 3, 3)
    code, out = run(path, "--resume", str(job.pk), "--batch-size", "3")
    assert code == 0
    assert "imported 7" in out
    assert Customer.objects.count() == 7


def test_a_saved_mapping_is_used_by_name(alice, tmp_path):
    SavedMapping.objects.create(name="crm-old", mapping={"客户全称": "name", "移动": "phone"})
    path = write_csv(tmp_path, "客户全称,移动\n王伟,13800138000\n")
    assert run(path, "--owner", "alice", "--mapping", "crm-old")[0] == 0
    assert Customer.objects.get().phone == "+8613800138000"


def test_an_analyst_cannot_import(nina, tmp_path):
    with pytest.raises(CommandError, match="read-only"):
        run(write_csv(tmp_path, "姓名\n王伟\n"), "--user", "nina")
