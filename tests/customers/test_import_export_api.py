"""Import and export through the JSON API."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from guanxi.accounts.services import issue_token
from guanxi.core.models import AccessLog
from guanxi.customers.models import Customer, ImportJob
from guanxi.customers.services import create_customer
from tests.conftest import login

EXPORT = "/api/v1/customers/export"
IMPORT = "/api/v1/customers/import"
CSV = "姓名,手机\n王伟,13800138000\n李娜,12345\n".encode()


def _rows(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_api_export_gives_only_visible_customers(client, alice, alices_customer, charlies_customer):
    rows = _rows(login(client, alice).get(EXPORT, {"format": "csv"}))
    names = [r[2] for r in rows[1:]]
    assert names == ["王伟"]
    assert AccessLog.objects.get(action="export").via == "api"


def test_api_export_applies_the_list_filters(client, alice, alices_customer):
    create_customer(alice, {"name": "张三", "city": "深圳"})
    rows = _rows(login(client, alice).get(EXPORT, {"format": "csv", "city": "深圳"}))
    assert [r[2] for r in rows[1:]] == ["张三"]


def test_api_export_refuses_an_unknown_format(client, alice):
    response = login(client, alice).get(EXPORT, {"format": "pdf"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "format"


def test_api_export_requires_authentication(client):
    assert client.get(EXPORT).status_code == 401


def test_api_dry_run_counts_and_writes_nothing(client, alice):
    response = login(client, alice).post(
        IMPORT, {"file": SimpleUploadedFile("c.csv", CSV), "dry_run": "true"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["imported"], body["failed"]) == ("checked", 1, 1)
    assert body["report_url"] == f"{IMPORT}/{body['id']}/report"
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (IMPORT, "dry_run"),
        (IMPORT, "on_duplicate"),
        ("/api/v1/contacts/import", "dry_run"),
        ("/api/v1/orders/import", "dry_run"),
    ],
)
def test_an_import_field_sent_in_the_address_is_refused_and_nothing_is_kept(
    client, alice, path, field
):
    response = login(client, alice).post(
        f"{path}?{field}=true", {"file": SimpleUploadedFile("c.csv", CSV)}
    )

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not ImportJob.objects.exists()
    assert not Customer.objects.exists()


def _bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user)}"}


def test_an_api_client_with_a_token_downloads_the_report(client, alice):
    body = client.post(
        IMPORT, {"file": SimpleUploadedFile("c.csv", CSV), "dry_run": "true"}, **_bearer(alice)
    ).json()

    response = client.get(body["report_url"], **_bearer(alice))

    assert response.status_code == 200
    rows = _rows(response)
    assert rows[0] == ["row", "column", "value", "reason"]
    assert rows[1][:3] == ["3", "手机", "12345"]


def test_an_api_client_with_a_token_downloads_the_rows_to_fix(client, alice, tmp_path):
    body = client.post(
        IMPORT, {"file": SimpleUploadedFile("c.csv", CSV), "dry_run": "true"}, **_bearer(alice)
    ).json()

    response = client.get(f"{IMPORT}/{body['id']}/rows-to-fix", **_bearer(alice))

    assert response.status_code == 200
    path = tmp_path / "to-fix.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert [row[:2] for row in sheet] == [["姓名", "手机"], ["李娜", "12345"]]


def test_a_job_without_failed_rows_has_an_empty_report_and_no_rows_to_fix(client, alice):
    good = "姓名,手机\n王伟,13800138000\n".encode()
    body = client.post(
        IMPORT, {"file": SimpleUploadedFile("c.csv", good), "dry_run": "true"}, **_bearer(alice)
    ).json()

    assert body["report_url"] is None
    report = client.get(f"{IMPORT}/{body['id']}/report", **_bearer(alice))
    assert _rows(report) == [["row", "column", "value", "reason"]]
    assert client.get(f"{IMPORT}/{body['id']}/rows-to-fix", **_bearer(alice)).status_code == 404


def test_another_users_import_report_is_404(client, alice, bob):
    body = client.post(
        IMPORT, {"file": SimpleUploadedFile("c.csv", CSV), "dry_run": "true"}, **_bearer(alice)
    ).json()

    for path in (body["report_url"], f"{IMPORT}/{body['id']}/rows-to-fix"):
        assert client.get(path, **_bearer(bob)).status_code == 404


def test_api_import_queues_the_job_and_reports_progress(client, alice):
    client = login(client, alice)
    response = client.post(IMPORT, {"file": SimpleUploadedFile("c.csv", CSV)})
    assert response.status_code == 202
    job = response.json()
    status = client.get(f"{IMPORT}/{job['id']}").json()
    assert (status["status"], status["imported"], status["failed"]) == ("done", 1, 1)
    assert Customer.objects.get().owner == alice


def test_api_import_of_a_file_larger_than_a_request_body_may_be_is_taken(client, alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024  # 2.5 MB by default: a real file is larger
    rows = "".join(f"客户{i},1380013{i:04d}\n" for i in range(200)).encode()
    data = "姓名,手机\n".encode() + rows
    assert len(data) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = login(client, alice).post(
        IMPORT, {"file": SimpleUploadedFile("c.csv", data), "dry_run": "true"}
    )

    assert response.status_code == 200, response.content
    assert response.json()["imported"] == 200


def test_api_import_of_an_empty_file_is_a_field_error(client, alice):
    response = login(client, alice).post(IMPORT, {"file": SimpleUploadedFile("c.csv", b"")})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "file", "message": "The file is empty."}]


def test_api_import_is_refused_to_an_analyst(client, nina):
    response = login(client, nina).post(IMPORT, {"file": SimpleUploadedFile("c.csv", CSV)})
    assert response.status_code == 403


def test_another_users_import_job_is_not_found(client, alice, bob):
    client = login(client, alice)
    job = client.post(IMPORT, {"file": SimpleUploadedFile("c.csv", CSV)}).json()
    client.force_login(bob)
    assert client.get(f"{IMPORT}/{job['id']}").status_code == 404


def test_an_unknown_choice_lists_the_choices_without_an_english_or(client, alice):
    response = login(client, alice).post(
        IMPORT, {"file": SimpleUploadedFile("c.csv", CSV), "on_duplicate": "merge"}
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "on_duplicate", "message": "Choose one of: 'skip', 'update', 'create'."}
    ]
