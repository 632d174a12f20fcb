"""The rows to fix: the failed rows of an import, whole, with what is wrong, as a workbook that
imports again with the same mapping."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from guanxi.customers import import_mapping, import_reports, imports
from guanxi.customers.models_import import ImportJob
from tests.conftest import login

FILE = (
    "姓名,手机,邮箱,城市\n"
    "王伟,13800138000,,广州\n"  # row 2: already a customer → skipped, nothing to fix
    "李娜,12345,lina@example.com,深圳\n"  # row 3: bad phone
    "张强,13912345678,zhang@@qq,上海\n"  # row 4: bad e-mail
    "赵敏,13912345679,,杭州\n"  # row 5: fine
)


def dry_run(client, text: str = FILE) -> ImportJob:
    client.post("/customers/import/", {"file": SimpleUploadedFile("客户.csv", text.encode())})
    job = ImportJob.objects.latest("pk")
    client.post(
        f"/customers/import/{job.pk}/",
        {"map-0": "name", "map-1": "phone", "map-2": "email", "map-3": "city", "action": "check"},
    )
    job.refresh_from_db()
    return job


def workbook(response) -> list[list]:
    data = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def test_the_failed_rows_come_whole_with_what_is_wrong(client, alice, alices_customer):
    client = login(client, alice)
    job = dry_run(client)
    assert (job.status, job.failed, job.skipped) == ("checked", 2, 1)
    response = client.get(f"/customers/import/{job.pk}/to-fix.xlsx")
    assert response.status_code == 200
    assert "to-fix.xlsx" in response["Content-Disposition"]
    rows = workbook(response)
    assert rows[0] == ["姓名", "手机", "邮箱", "城市", "Row in the original file", "What to fix"]
    assert [r[:4] for r in rows[1:]] == [
        ["李娜", "12345", "lina@example.com", "深圳"],
        ["张强", "13912345678", "zhang@@qq", "上海"],
    ]
    assert rows[1][5].startswith("手机: ")
    assert rows[2][5].startswith("邮箱: ")


def test_each_row_to_fix_says_its_row_in_the_original_file(client, alice, alices_customer):
    client = login(client, alice)
    job = dry_run(client)

    rows = workbook(client.get(f"/customers/import/{job.pk}/to-fix.xlsx"))

    assert [r[4] for r in rows[1:]] == [3, 4]


def test_the_fixed_file_with_its_added_columns_imports(client, alice, alices_customer):
    client = login(client, alice)
    job = dry_run(client)
    rows = workbook(client.get(f"/customers/import/{job.pk}/to-fix.xlsx"))
    rows[1][1], rows[2][2] = "13700137000", "zhang@qq.com"
    text = "\n".join(",".join(str(c) for c in r) for r in rows) + "\n"
    client.post("/customers/import/", {"file": SimpleUploadedFile("fixed.csv", text.encode())})
    fixed = ImportJob.objects.latest("pk")

    mapping = client.get(f"/customers/import/{fixed.pk}/").text

    # the two added columns are no data: no field is offered for them
    assert 'name="map-4"' not in mapping and 'name="map-5"' not in mapping
    assert import_mapping.auto_mapping(imports.read_table(fixed.file_path).headers) == {
        "姓名": "name",
        "手机": "phone",
        "邮箱": "email",
        "城市": "city",
    }


def test_the_job_page_offers_the_rows_to_fix_only_when_rows_failed(client, alice):
    client = login(client, alice)
    job = dry_run(client)
    page = client.get(f"/customers/import/{job.pk}/status/").text
    assert f"/customers/import/{job.pk}/to-fix.xlsx" in page
    clean = dry_run(client, "姓名,手机\n赵敏,13912345679\n")
    assert clean.failed == 0
    assert "to-fix.xlsx" not in client.get(f"/customers/import/{clean.pk}/status/").text
    assert client.get(f"/customers/import/{clean.pk}/to-fix.xlsx").status_code == 404


def test_another_users_rows_to_fix_are_not_found(client, alice, bob):
    job = dry_run(login(client, alice))
    client.force_login(bob)
    assert client.get(f"/customers/import/{job.pk}/to-fix.xlsx").status_code == 404


def test_the_fixed_file_imports_with_the_same_columns(client, alice):
    client = login(client, alice)
    job = dry_run(client)
    rows = workbook(client.get(f"/customers/import/{job.pk}/to-fix.xlsx"))
    rows[1][1], rows[2][2] = "13700137000", "zhang@qq.com"
    text = "\n".join(",".join(r[:4]) for r in rows) + "\n"
    fixed = dry_run(client, text)
    assert (fixed.imported, fixed.failed) == (2, 0)


def test_a_duplicate_skipped_in_chinese_is_not_a_row_to_fix(client, alice, alices_customer):
    client = login(client, alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    job = dry_run(client)
    assert "已跳过" in job_report_reasons(job)
    rows = workbook(client.get(f"/customers/import/{job.pk}/to-fix.xlsx"))
    assert [r[0] for r in rows[1:]] == ["李娜", "张强"]


def job_report_reasons(job) -> str:
    return " ".join(line[3] for line in import_reports.read_report(job))
