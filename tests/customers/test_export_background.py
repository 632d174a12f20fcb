"""Large exports run in the background: the same file as the synchronous export, masked for the
user who asked, followed on a page, downloaded by that user only, announced by a notification."""

import csv
import io

import pytest
from python_calamine import CalamineWorkbook

from guanxi.accounts.services import issue_token
from guanxi.core.models import AccessLog, Notification
from guanxi.customers.models_import import ExportJob
from guanxi.customers.services import create_customer, share_customer
from tests.conftest import login

URL = "/customers/export/"


@pytest.fixture
def book(alice, bob):
    for i in range(4):
        create_customer(alice, {"name": f"客户{i}", "phone": f"1380013800{i}", "city": "广州"})
    theirs = create_customer(bob, {"name": "李娜", "phone": "13912345678"})
    share_customer(bob, theirs.pk, to_user=alice)


def _start(client, django_capture_on_commit_callbacks, **params):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(URL, {"format": "csv", **params})
    return response


def _job_file(job: ExportJob) -> bytes:
    job.refresh_from_db()
    assert job.status == "done", job.error
    with open(job.file_path, "rb") as handle:
        return handle.read()


def test_a_small_export_stays_synchronous(client, alice, book, settings):
    settings.EXPORT_BACKGROUND_ROWS = 100
    response = login(client, alice).get(URL, {"format": "csv"})
    assert response.status_code == 200
    assert not ExportJob.objects.exists()


def test_a_large_export_becomes_a_job_with_a_page(
    client, alice, book, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 2
    response = _start(login(client, alice), django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/customers/export/{job.pk}/"
    page = client.get(response["Location"])
    assert f"/customers/export/{job.pk}/download/" in page.text
    assert (job.total_rows, _job_file(job)[:3]) == (5, b"\xef\xbb\xbf")


def test_the_background_file_is_the_synchronous_export(
    client, alice, book, settings, django_capture_on_commit_callbacks
):
    client = login(client, alice)
    settings.EXPORT_BACKGROUND_ROWS = 100
    synchronous = b"".join(client.get(URL, {"format": "csv", "city": "广州"}).streaming_content)
    settings.EXPORT_BACKGROUND_ROWS = 2
    _start(client, django_capture_on_commit_callbacks, city="广州")
    job = ExportJob.objects.get()
    assert _job_file(job) == synchronous
    download = client.get(f"/customers/export/{job.pk}/download/")
    assert b"".join(download.streaming_content) == synchronous
    assert download["Content-Disposition"].startswith("attachment")


def test_the_background_file_is_masked_for_the_rep(
    client, alice, book, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 2
    _start(login(client, alice), django_capture_on_commit_callbacks)
    table = list(csv.reader(io.StringIO(_job_file(ExportJob.objects.get()).decode("utf-8-sig"))))
    phones = dict((row[2], row[table[0].index("Mobile phone")]) for row in table[1:])
    assert phones["李娜"] == "'+86139****5678"  # bob's customer, shared with alice
    assert phones["客户0"] == "'+8613800138000"  # her own


def test_another_user_can_neither_follow_nor_download_the_job(
    client, alice, bob, book, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 2
    _start(login(client, alice), django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    client.force_login(bob)
    assert client.get(f"/customers/export/{job.pk}/").status_code == 404
    assert client.get(f"/customers/export/{job.pk}/download/").status_code == 404


def test_the_user_is_notified_when_the_file_is_ready(
    client, alice, book, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 2
    _start(login(client, alice), django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    note = Notification.objects.get(recipient=alice, verb="exported")
    assert note.url == f"/customers/export/{job.pk}/"
    assert "5" in note.message


def test_a_background_export_is_logged_once(
    client, alice, book, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 2
    _start(login(client, alice), django_capture_on_commit_callbacks)
    entry = AccessLog.objects.get(action="export")
    assert entry.detail.startswith("5 rows, csv")


def test_a_background_xlsx_export_holds_every_row(
    client, alice, book, settings, django_capture_on_commit_callbacks, tmp_path
):
    settings.EXPORT_BACKGROUND_ROWS = 2
    _start(login(client, alice), django_capture_on_commit_callbacks, format="xlsx")
    job = ExportJob.objects.get()
    path = tmp_path / "out.xlsx"
    path.write_bytes(_job_file(job))
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert sorted(r[sheet[0].index("Name")] for r in sheet[1:]) == [
        "客户0",
        "客户1",
        "客户2",
        "客户3",
        "李娜",
    ]
    assert job.file_name.endswith(".xlsx")


def test_the_api_answers_a_large_export_with_the_job(
    client, alice, book, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        response = login(client, alice).get("/api/v1/customers/export", {"format": "csv"})
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["total_rows"]) == ("queued", 5)
    job = ExportJob.objects.get(pk=body["id"])
    assert _job_file(job).count(b"\n") == 6
    status = client.get(f"/api/v1/customers/export/{job.pk}").json()
    assert (status["status"], status["written_rows"]) == ("done", 5)
    assert status["download_url"] == f"/api/v1/customers/export/{job.pk}/download"


def test_an_api_client_with_a_token_downloads_its_background_export(
    client, alice, book, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 2
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(alice)}"}
    with django_capture_on_commit_callbacks(execute=True):
        job = client.get("/api/v1/customers/export", {"format": "csv"}, **bearer).json()
    status = client.get(f"/api/v1/customers/export/{job['id']}", **bearer).json()

    response = client.get(status["download_url"], **bearer)

    assert response.status_code == 200
    assert b"".join(response.streaming_content).count(b"\n") == 6


def test_another_users_export_file_is_404_through_the_api(
    client, alice, bob, book, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        job = login(client, alice).get("/api/v1/customers/export", {"format": "csv"}).json()
    client.logout()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(bob)}"}

    assert client.get(f"/api/v1/customers/export/{job['id']}/download", **bearer).status_code == 404


def test_the_api_hides_another_users_export_job(
    client, alice, bob, book, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        job_id = login(client, alice).get("/api/v1/customers/export").json()["id"]
    client.force_login(bob)
    assert client.get(f"/api/v1/customers/export/{job_id}").status_code == 404
