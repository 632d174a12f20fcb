"""The contacts list's export (CSV / XLSX) through the customer export's machinery: only the
contacts of the customers the user sees, masked as their customers, formula cells
neutralised, logged, headers in the user's language that the contacts import reads back, a
large one in the background; from the page, the API and `guanxi export contacts`."""

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from python_calamine import CalamineWorkbook

from guanxi.accounts.services import issue_token
from guanxi.core.models import AccessLog
from guanxi.customers import contact_imports, exports, imports
from guanxi.customers.models import Contact
from guanxi.customers.models_import import ExportJob
from guanxi.customers.services import add_contact
from tests.conftest import login

URL = "/customers/contacts/export/"
API = "/api/v1/contacts/export"
HEADERS = [
    "Name",
    "Customer",
    "Customer ID",
    "Title",
    "Phone",
    "E-mail",
    "WeChat ID",
    "Primary contact",
    "Notes",
    "Date added",
]


def _table(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    return _table(b"".join(response.streaming_content))


def _column(table, header) -> list[str]:
    return [row[table[0].index(header)] for row in table[1:]]


@pytest.fixture
def formula_contact(alice, huaxin):
    return add_contact(
        alice, huaxin, {"name": '=HYPERLINK("http://evil")', "title": "+SUM(A1)", "notes": "@cmd"}
    )


def test_the_csv_holds_the_contacts_of_the_customers_she_sees(
    client, alice, huaxin, bobs_shared_company, charlies_company, either_reach
):
    table = _csv(login(client, alice).get(URL, {"format": "csv"}))

    assert table[0] == HEADERS
    assert _column(table, "Name") == ["孙丽", "张经理", "李太太"]
    assert _column(table, "Customer ID") == [str(bobs_shared_company.pk), *[str(huaxin.pk)] * 2]


def test_another_reps_contact_is_absent_from_the_export(client, alice, huaxin, charlies_company):
    table = _csv(login(client, alice).get(URL, {"format": "csv", "q": "赵敏"}))

    assert table == [HEADERS]


def test_a_row_holds_every_column(client, alice, huaxin):
    table = _csv(login(client, alice).get(URL, {"format": "csv", "q": "litaitai"}))

    assert table[1] == [
        "李太太",
        "广州华信贸易有限公司",
        str(huaxin.pk),
        "采购经理",
        "'+8613900139000",  # a leading + is a formula to a spreadsheet
        "litaitai@example.com",
        "litaitai88",
        "yes",
        "",
        timezone.localdate().isoformat(),
    ]


def test_a_shared_customers_contact_phone_is_masked_in_the_export(
    client, alice, bobs_shared_company
):
    table = _csv(login(client, alice).get(URL, {"format": "csv"}))

    assert _column(table, "Phone") == ["'+86135****5000"]


def test_an_analysts_export_is_masked(client, nina, huaxin):
    table = _csv(login(client, nina).get(URL, {"format": "csv"}))

    assert _column(table, "Phone") == ["'+86137****7000", "'+86139****9000"]


def test_the_export_follows_the_lists_filters(client, alice, huaxin, bobs_shared_company):
    client = login(client, alice)

    primary = _csv(client.get(URL, {"format": "csv", "primary": "1"}))
    searched = _csv(client.get(URL, {"format": "csv", "q": "zhang"}))

    assert _column(primary, "Name") == ["孙丽", "李太太"]
    assert _column(searched, "Name") == ["张经理"]


def test_the_csv_neutralises_formula_cells(client, alice, formula_contact):
    table = _csv(login(client, alice).get(URL, {"format": "csv", "q": "hyperlink"}))

    assert (table[1][0], table[1][3], table[1][8]) == (
        '\'=HYPERLINK("http://evil")',
        "'+SUM(A1)",
        "'@cmd",
    )


def test_the_xlsx_holds_the_contacts_with_formula_cells_as_text(
    client, alice, huaxin, formula_contact, tmp_path
):
    response = login(client, alice).get(URL, {"format": "xlsx"})
    path = tmp_path / "contacts.xlsx"
    path.write_bytes(b"".join(response.streaming_content))

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()

    assert sheet[0] == HEADERS
    assert [row[0] for row in sheet[1:]] == ['=HYPERLINK("http://evil")', "张经理", "李太太"]
    assert sheet[3][HEADERS.index("Date added")] == timezone.localdate()
    with zipfile.ZipFile(path) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")


def test_the_file_is_named_in_the_users_language(client, alice, huaxin):
    client = login(client, alice)

    english = client.get(URL, {"format": "csv"})
    chinese = client.get(URL, {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert english["Content-Disposition"].startswith('attachment; filename="contacts-')
    assert 'filename="contacts-' in chinese["Content-Disposition"]
    assert "filename*=UTF-8''%E8%81%94%E7%B3%BB%E4%BA%BA-" in chinese["Content-Disposition"]


def test_the_headers_follow_the_users_language(client, alice, huaxin):
    response = login(client, alice).get(URL, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert _csv(response)[0][:4] == ["姓名", "客户", "客户 ID", "职务"]


def test_the_export_is_written_to_the_access_log(client, alice, huaxin):
    b"".join(login(client, alice).get(URL, {"format": "csv", "q": "zhang"}).streaming_content)

    entry = AccessLog.objects.get(action="export")
    assert (entry.user, entry.object_type, entry.object_id, entry.via) == (
        alice,
        "contact",
        None,
        "web",
    )
    assert entry.detail == "1 rows, csv, q=zhang"


def test_the_access_log_page_names_the_contacts_list(client, ada, alice, huaxin):
    b"".join(login(client, alice).get(URL, {"format": "csv"}).streaming_content)

    page = login(client, ada).get("/access-log/")

    assert "Contacts list" in page.text


def test_an_unknown_format_is_not_found(client, alice):
    assert login(client, alice).get(URL, {"format": "pdf"}).status_code == 404


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_contacts_import_maps_every_exported_column_but_the_day_added(
    client, alice, huaxin, tmp_path, language, fmt
):
    response = login(client, alice).get(URL, {"format": fmt}, HTTP_ACCEPT_LANGUAGE=language)
    path = tmp_path / f"contacts.{fmt}"
    path.write_bytes(b"".join(response.streaming_content))

    headers = imports.read_table(path).headers
    mapping = contact_imports.auto_mapping(headers)

    assert [mapping.get(h) for h in headers] == [
        "name",
        "customer_name",
        "customer_id",
        "title",
        "phone",
        "email",
        "wechat_id",
        "is_primary",
        "notes",
        None,
    ]


def test_an_exported_file_edited_comes_back_onto_its_contacts(client, alice, huaxin, tmp_path):
    table = _csv(login(client, alice).get(URL, {"format": "csv", "q": "zhang"}))
    table[1][HEADERS.index("Title")] = "财务总监"
    path = tmp_path / "contacts.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows(table)

    job = contact_imports.new_job(alice, path, on_duplicate="update")
    contact_imports.process(job)

    job.refresh_from_db()
    assert (job.updated, job.imported, job.failed) == (1, 0, 0), job.error
    assert Contact.objects.get(name="张经理").title == "财务总监"


def test_a_large_export_runs_in_the_background_and_downloads_the_same_file(
    client, alice, huaxin, bobs_shared_company, settings, django_capture_on_commit_callbacks
):
    client = login(client, alice)
    settings.EXPORT_BACKGROUND_ROWS = 100
    synchronous = b"".join(client.get(URL, {"format": "csv"}).streaming_content)
    settings.EXPORT_BACKGROUND_ROWS = 2

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(URL, {"format": "csv"})

    job = ExportJob.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/customers/export/{job.pk}/")
    job.refresh_from_db()
    assert (job.kind, job.status, job.total_rows) == ("contacts", "done", 3)
    page = client.get(response["Location"])
    assert 'href="/customers/contacts/"' in page.text
    assert f"/customers/export/{job.pk}/download/" in page.text
    download = client.get(f"/customers/export/{job.pk}/download/")
    assert b"".join(download.streaming_content) == synchronous
    assert 'filename="contacts-' in download["Content-Disposition"]


def test_the_ready_notification_speaks_of_contacts(
    client, alice, huaxin, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 0
    with django_capture_on_commit_callbacks(execute=True):
        login(client, alice).get(URL, {"format": "xlsx"})

    assert alice.notifications.get().message == (
        "Your export of 2 contacts (XLSX) is ready to download."
    )


def test_the_api_exports_the_contacts_as_csv(client, alice, huaxin, charlies_company):
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(alice)}"}

    table = _csv(client.get(API, {"format": "csv", "primary": "true"}, **bearer))

    assert _column(table, "Name") == ["李太太"]
    assert AccessLog.objects.get(action="export").via == "api"


def test_a_large_api_export_answers_202_with_a_contacts_job(
    client, alice, huaxin, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 0
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(alice)}"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(API, {"format": "csv"}, **bearer)

    assert response.status_code == 202
    job_id = response.json()["id"]
    status = client.get(f"{API}/{job_id}", **bearer).json()
    assert (status["status"], status["download_url"]) == (
        "done",
        f"/api/v1/contacts/export/{job_id}/download",
    )
    download = client.get(status["download_url"], **bearer)
    assert _column(_table(b"".join(download.streaming_content)), "Name") == ["张经理", "李太太"]
    assert client.get(f"/api/v1/customers/export/{job_id}", **bearer).status_code == 404


def test_another_users_contacts_export_job_is_a_404(
    client, alice, bob, huaxin, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 0
    with django_capture_on_commit_callbacks(execute=True):
        job_id = client.get(
            API, {"format": "csv"}, HTTP_AUTHORIZATION=f"Bearer {issue_token(alice)}"
        ).json()["id"]
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(bob)}"}

    assert client.get(f"{API}/{job_id}", **bearer).status_code == 404
    assert client.get(f"{API}/{job_id}/download", **bearer).status_code == 404


@pytest.mark.parametrize(
    ("params", "field"), [({"format": "pdf"}, "format"), ({"city": "广州"}, "city")]
)
def test_a_bad_api_export_parameter_is_a_422_naming_it(client, alice, params, field):
    response = login(client, alice).get(API, params)

    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not AccessLog.objects.exists()


def test_the_command_writes_the_users_contacts(
    alice, huaxin, bobs_shared_company, charlies_company, tmp_path
):
    out, path = io.StringIO(), tmp_path / "contacts.csv"

    call_command("export", "contacts", str(path), "--user", "alice", stdout=out)

    assert f"exported 3 contacts to {path}" in out.getvalue()
    table = _table(path.read_bytes())
    assert _column(table, "Name") == ["孙丽", "张经理", "李太太"]
    assert _column(table, "Phone")[0] == "'+86135****5000"
    assert AccessLog.objects.get(action="export").via == "cli"


def test_the_command_filters_and_writes_xlsx(alice, huaxin, bobs_shared_company, tmp_path):
    path = tmp_path / "contacts.xlsx"

    call_command(
        "export",
        "contacts",
        str(path),
        "--user",
        "alice",
        "--primary",
        "--q",
        "litaitai",
        stdout=io.StringIO(),
    )

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert [row[0] for row in sheet] == ["Name", "李太太"]
    assert isinstance(sheet[1][HEADERS.index("Date added")], dt.date)


def test_the_command_refuses_a_customer_filter_for_contacts(alice, tmp_path):
    with pytest.raises(CommandError, match="--city"):
        call_command(
            "export", "contacts", str(tmp_path / "c.csv"), "--user", "alice", "--city", "广州"
        )

    assert not AccessLog.objects.exists()


def test_the_customer_export_still_names_its_kind(client, alice, huaxin):
    b"".join(login(client, alice).get("/customers/export/", {"format": "csv"}).streaming_content)

    assert AccessLog.objects.get(action="export").object_type == "customer"
    assert exports.KINDS["customers"] is exports.CUSTOMERS
