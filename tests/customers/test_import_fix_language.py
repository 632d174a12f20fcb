"""The rows to fix are written in the import's language, as its report is: its added headers
and its reasons alike, whoever downloads the file in whatever language."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from python_calamine import CalamineWorkbook

from guanxi.customers import import_fixes, imports
from guanxi.customers.models_import import ImportJob
from tests.conftest import login

#: What a phone number that is none is told (guanxi.core.phones.invalid_message).
PHONE_MESSAGE = (
    "Enter a valid phone number: a mobile such as 13800138000, a landline with its area code "
    "such as 020-87654321, or a number with its country code such as +852 9123 4567."
)
PHONE_MESSAGE_ZH = (
    "请输入有效的电话号码：手机号（如 13800138000）、带区号的固定电话（如 020-87654321）"
    "或带国家/地区代码的号码（如 +852 9123 4567）。"
)

pytestmark = pytest.mark.django_db

FILE = "姓名,手机\n李娜,12345\n"


def _rows(job: ImportJob) -> list[list]:
    out = io.BytesIO()
    import_fixes.rows_to_fix(job, out)
    out.seek(0)
    return CalamineWorkbook.from_filelike(out).get_sheet_by_index(0).to_python()


def test_rows_checked_in_chinese_are_to_fix_in_chinese_when_downloaded_in_english(client, alice):
    client = login(client, alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    client.post("/customers/import/", {"file": SimpleUploadedFile("c.csv", FILE.encode())})
    job = ImportJob.objects.get()
    client.post(
        f"/customers/import/{job.pk}/", {"map-0": "name", "map-1": "phone", "action": "check"}
    )
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = client.get(f"/customers/import/{job.pk}/to-fix.xlsx")

    data = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["姓名", "手机", "原文件中的行号", "需要修正的内容"]
    assert rows[1][3] == "手机: " + PHONE_MESSAGE_ZH


def test_an_import_run_without_the_worker_records_its_language(alice, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(FILE, encoding="utf-8")
    job = imports.new_job(alice, path, owner=alice)

    with translation.override("zh-hans"):  # as an API dry run in a Chinese request
        imports.process(job, dry_run=True)

    assert ImportJob.objects.get().language == "zh-hans"
    assert _rows(job)[0][2:] == ["原文件中的行号", "需要修正的内容"]


def test_rows_checked_in_english_are_to_fix_in_english_in_a_chinese_request(alice, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(FILE, encoding="utf-8")
    job = imports.new_job(alice, path, owner=alice)
    with translation.override("en"):
        imports.process(job, dry_run=True)

    with translation.override("zh-hans"):
        rows = _rows(job)

    assert rows[0][2:] == ["Row in the original file", "What to fix"]
    assert rows[1][3] == "手机: " + PHONE_MESSAGE
