"""The import pages: upload, mapping with preview, dry run report, import with progress."""

from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guanxi.customers.models import Customer
from guanxi.customers.models_import import ImportJob, SavedMapping
from tests.conftest import login

GOOD = "姓名,手机,城市\n王伟,13800138000,广州\n李娜,12345,深圳\n"


def upload(client, text: str, name: str = "客户.csv", encoding: str = "utf-8"):
    return client.post(
        "/customers/import/", {"file": SimpleUploadedFile(name, text.encode(encoding), "text/csv")}
    )


@pytest.fixture
def uploaded(client, alice):
    client = login(client, alice)
    response = upload(client, GOOD)
    assert response.status_code == 302
    return client, ImportJob.objects.get()


def test_upload_page_shows_the_form_and_the_empty_state(client, alice):
    response = login(client, alice).get("/customers/import/")
    assert response.status_code == 200
    assert "No imports yet." in response.text


def test_analyst_cannot_open_the_import_page(client, nina):
    assert login(client, nina).get("/customers/import/").status_code == 403


def test_upload_of_an_empty_file_shows_an_error(client, alice):
    response = upload(login(client, alice), "")
    assert response.status_code == 400
    assert "The file is empty." in response.text
    assert not ImportJob.objects.exists()


def test_upload_of_another_file_type_is_refused(client, alice):
    response = upload(login(client, alice), "x", name="photo.png")
    assert response.status_code == 400


def test_mapping_page_previews_rows_and_matches_chinese_headers(uploaded):
    client, job = uploaded
    response = client.get(f"/customers/import/{job.pk}/")
    assert response.status_code == 200
    assert "13800138000" in response.text
    assert '<option value="phone" selected>' in response.text
    assert '<option value="city" selected>' in response.text


def test_another_rep_cannot_open_alices_import(uploaded, bob):
    client, job = uploaded
    client.force_login(bob)
    assert client.get(f"/customers/import/{job.pk}/").status_code == 404
    assert client.get(f"/customers/import/{job.pk}/status/").status_code == 404


def _post_mapping(client, job, action, **extra):
    data = {
        "map-0": "name",
        "map-1": "phone",
        "map-2": "city",
        "on_duplicate": "skip",
        "action": action,
        **extra,
    }
    return client.post(f"/customers/import/{job.pk}/", data)


def test_mapping_without_a_name_column_is_refused(uploaded):
    client, job = uploaded
    response = client.post(f"/customers/import/{job.pk}/", {"map-1": "phone", "action": "check"})
    assert response.status_code == 400
    assert "No column is mapped to the name" in response.text


def test_dry_run_reports_the_bad_row_and_writes_nothing(uploaded):
    client, job = uploaded
    response = _post_mapping(client, job, "check")
    assert response.status_code == 302
    page = client.get(f"/customers/import/{job.pk}/status/")
    assert "Checked (dry run)" in page.text
    assert "12345" in page.text
    assert not Customer.objects.exists()
    report = client.get(f"/customers/import/{job.pk}/report.csv")
    body = b"".join(report.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0] == "row,column,value,reason"
    assert body.splitlines()[1].startswith("3,手机,12345,")


def test_import_after_the_dry_run_writes_the_good_rows(uploaded, alice):
    client, job = uploaded
    _post_mapping(client, job, "check")
    response = client.post(f"/customers/import/{job.pk}/run/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.imported, job.failed) == ("done", 1, 1)
    assert list(Customer.objects.values_list("name", "owner")) == [("王伟", alice.pk)]


def test_progress_partial_polls_while_running_and_stops_when_done(uploaded):
    client, job = uploaded
    ImportJob.objects.filter(pk=job.pk).update(status="running", total_rows=2, next_row=1)
    partial = client.get(f"/customers/import/{job.pk}/status/", HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in partial.text
    assert "50%" in partial.text
    ImportJob.objects.filter(pk=job.pk).update(status="done", next_row=2)
    partial = client.get(f"/customers/import/{job.pk}/status/", HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in partial.text


def test_import_now_runs_in_the_background_job(uploaded):
    client, job = uploaded
    _post_mapping(client, job, "import")
    job.refresh_from_db()
    assert job.status == "done"
    assert Customer.objects.count() == 1


def test_a_mapping_can_be_saved_and_reused(uploaded):
    client, job = uploaded
    _post_mapping(client, job, "check", save_as="旧系统")
    saved = SavedMapping.objects.get(name="旧系统")
    assert saved.mapping == {"姓名": "name", "手机": "phone", "城市": "city"}
    response = client.get(f"/customers/import/{job.pk}/", {"saved": saved.pk})
    assert '<option value="phone" selected>' in response.text


def test_a_new_file_of_a_saved_mappings_columns_is_matched_by_it(client, alice):
    SavedMapping.objects.create(name="旧系统", mapping={"客户": "name", "号码": "phone"})
    client = login(client, alice)
    upload(client, "客户,号码\n王伟,13800138000\n")
    job = ImportJob.objects.get()

    page = client.get(f"/customers/import/{job.pk}/").text

    assert "saved mapping “旧系统”" in page
    assert '<option value="phone" selected>' in page


def test_a_saved_mapping_naming_a_column_the_file_lacks_is_not_applied(client, alice):
    SavedMapping.objects.create(name="旧系统", mapping={"客户": "name", "号码": "phone"})
    client = login(client, alice)
    upload(client, "客户,手机号码\n王伟,13800138000\n")
    job = ImportJob.objects.get()

    page = client.get(f"/customers/import/{job.pk}/").text

    assert 'id="saved-applied"' not in page


def test_a_saved_customer_mapping_is_not_applied_to_a_contacts_file(db):
    SavedMapping.objects.create(name="客户", mapping={"客户": "name", "籍贯": "province"})

    assert SavedMapping.objects.fitting(["客户", "籍贯"], {"name", "phone"}) is None


def test_the_saved_mapping_naming_the_most_columns_is_applied(db):
    SavedMapping.objects.create(name="小", mapping={"客户": "name"})
    big = SavedMapping.objects.create(name="大", mapping={"客户": "name", "号码": "phone"})

    assert SavedMapping.objects.fitting(["客户", "号码"], {"name", "phone"}) == big


def test_rep_cannot_import_for_a_colleague(uploaded, bob):
    client, job = uploaded
    response = _post_mapping(client, job, "import", owner=bob.pk)
    assert response.status_code == 400
    assert not Customer.objects.exists()


def test_manager_can_import_for_a_rep_of_the_team(client, mike, alice):
    client = login(client, mike)
    upload(client, GOOD)
    job = ImportJob.objects.get()
    _post_mapping(client, job, "import", owner=alice.pk)
    assert Customer.objects.get().owner == alice


def test_a_stopped_job_continues_from_its_last_batch(uploaded):
    client, job = uploaded
    ImportJob.objects.filter(pk=job.pk).update(
        status="failed", next_row=1, imported=0, owner=job.created_by, error="disk full"
    )
    page = client.get(f"/customers/import/{job.pk}/status/")
    assert "Continue the import" in page.text
    client.post(f"/customers/import/{job.pk}/run/")
    job.refresh_from_db()
    assert job.status == "done"
    assert job.failed == 1  # only row 3 (李娜, bad phone) was processed
    assert not Customer.objects.exists()


def test_list_page_links_to_import_and_export(client, alice):
    response = login(client, alice).get("/customers/", {"city": "广州"})
    assert "/customers/import/" in response.text
    assert (
        "/customers/export/?format=xlsx&amp;q=&amp;owner=&amp;tag=&amp;city=%E5%B9%BF%E5%B7%9E"
        in response.text
    )


def test_a_new_run_queued_shows_none_of_the_last_runs_counts_or_report(uploaded):
    client, job = uploaded
    _post_mapping(client, job, "check")  # the dry run: 1 to import, 1 failed, a report
    job.refresh_from_db()
    assert (job.imported, job.failed) == (1, 1)
    with mock.patch("guanxi.customers.tasks.run_import_job"):  # the worker has not taken it yet
        _post_mapping(client, job, "check")
    job.refresh_from_db()
    assert (job.status, job.next_row, job.imported, job.failed) == ("queued", 0, 0, 0)
    assert not Path(job.report_path).exists()
    page = client.get(f"/customers/import/{job.pk}/status/").text
    assert "12345" not in page and "Rows not imported" not in page


def test_a_stopped_import_queued_to_continue_keeps_its_counts_and_report(uploaded):
    client, job = uploaded
    _post_mapping(client, job, "check")
    job.refresh_from_db()
    ImportJob.objects.filter(pk=job.pk).update(status="failed", next_row=1)
    job.refresh_from_db()
    with mock.patch("guanxi.customers.tasks.run_import_job"):
        client.post(f"/customers/import/{job.pk}/run/")
    job.refresh_from_db()
    assert (job.status, job.next_row, job.failed) == ("queued", 1, 1)
    assert Path(job.report_path).exists()


def test_the_rows_not_imported_show_a_value_without_the_spreadsheets_apostrophe(client, alice):
    client = login(client, alice)
    upload(client, "姓名,手机\n王伟,+86 12345\n")
    job = ImportJob.objects.get()
    _post_mapping(client, job, "check")

    page = client.get(f"/customers/import/{job.pk}/status/").text

    assert ">+86 12345<" in page
    assert "'+86 12345" not in page and "&#x27;+86 12345" not in page
