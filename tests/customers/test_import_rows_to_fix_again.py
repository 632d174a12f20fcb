"""A rows-to-fix file uploaded again: its two added columns (the row in the original file,
what to fix) are no data, and its own rows to fix carry the original row number on, with one
fresh "what to fix" column, not the columns twice."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from python_calamine import CalamineWorkbook

from guanxi.customers import import_columns, import_fixes
from guanxi.customers.models_import import ImportJob
from tests.conftest import login

FILE = (
    "姓名,手机,邮箱,城市\n"
    "赵敏,13912345679,,杭州\n"  # row 2: fine
    "李娜,12345,lina@example.com,深圳\n"  # row 3: bad phone
    "张强,13912345678,zhang@@qq,上海\n"  # row 4: bad e-mail
)


def upload(client, name: str, data: bytes) -> ImportJob:
    client.post("/customers/import/", {"file": SimpleUploadedFile(name, data)})
    return ImportJob.objects.latest("pk")


def check(client, job: ImportJob) -> ImportJob:
    client.post(
        f"/customers/import/{job.pk}/",
        {"map-0": "name", "map-1": "phone", "map-2": "email", "map-3": "city", "action": "check"},
    )
    job.refresh_from_db()
    return job


def to_fix(client, job: ImportJob) -> tuple[bytes, list[list]]:
    response = client.get(f"/customers/import/{job.pk}/to-fix.xlsx")
    data = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    return data, rows


def second_round(client) -> tuple[ImportJob, list[list]]:
    first = check(client, upload(client, "客户.csv", FILE.encode()))
    data, _rows = to_fix(client, first)
    again = check(client, upload(client, "客户.to-fix.xlsx", data))  # uploaded unfixed
    return again, to_fix(client, again)[1]


def test_the_second_rows_to_fix_have_the_added_columns_once(client, alice):
    again, rows = second_round(login(client, alice))

    assert again.failed == 2
    assert rows[0] == ["姓名", "手机", "邮箱", "城市", "Row in the original file", "What to fix"]


def test_the_second_rows_to_fix_keep_the_original_row_numbers(client, alice):
    _again, rows = second_round(login(client, alice))

    assert [r[4] for r in rows[1:]] == [3, 4]  # rows 2 and 3 of the first rows-to-fix file
    assert rows[1][5].startswith("手机: ") and ";" not in rows[1][5]


def test_the_added_columns_are_neither_offered_nor_columns_not_imported(client, alice):
    again, _rows = second_round(login(client, alice))

    mapping = client.get(f"/customers/import/{again.pk}/").text
    assert 'name="map-4"' not in mapping and 'name="map-5"' not in mapping
    assert import_columns.ignored_columns(again) == []
    assert "Columns not imported" not in client.get(f"/customers/import/{again.pk}/status/").text


def test_the_added_columns_are_known_in_both_languages():
    for code in ("zh-hans", "en"):
        with translation.override(code):
            original, what = (
                translation.gettext("Row in the original file"),
                translation.gettext("What to fix"),
            )
        assert import_fixes.helper_column(original) == import_fixes.ORIGINAL_ROW
        assert import_fixes.helper_column(what) == import_fixes.WHAT_TO_FIX
    assert import_fixes.helper_column("原文件中的行号") == import_fixes.ORIGINAL_ROW
    assert import_fixes.helper_column("需要修正的内容 (2)") == import_fixes.WHAT_TO_FIX
    assert import_fixes.helper_column("城市") == ""
