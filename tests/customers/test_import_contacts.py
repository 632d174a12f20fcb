"""`guanxi import contacts FILE`: contacts mapped to their customer by ID, phone or name +
employer; bad rows reported; only customers the importer may change."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guanxi.customers import contact_imports, import_reports
from guanxi.customers.models import Contact
from guanxi.customers.models_import import ImportJob
from guanxi.customers.services import add_contact, create_customer


def run(path, *args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("import", "contacts", str(path), *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def write_csv(tmp_path, text: str):
    path = tmp_path / "contacts.csv"
    path.write_text(text, encoding="utf-8")
    return path


def report_rows(path) -> list[str]:
    return import_reports.report_path_for(path).read_text(encoding="utf-8-sig").splitlines()[1:]


@pytest.fixture
def acme(alice):
    return create_customer(
        alice, {"kind": "company", "name": "广州华信贸易有限公司", "phone": "02087654321"}
    )


def test_contacts_are_attached_by_customer_id_phone_and_name(
    alice, acme, alices_customer, tmp_path
):
    path = write_csv(
        tmp_path,
        "客户编号,客户手机,客户名称,联系人,职务,手机,邮箱,主要联系人\n"
        f"{acme.pk},,,张经理,采购经理,13912345678,Zhang@Acme.cn,是\n"
        ",13800138000,,王太太,,13700137000,,\n"
        ",,广州华信贸易有限公司,李会计,会计,,,否\n",
    )
    code, out = run(path, "--user", "alice")
    assert code == 0, out
    assert "imported 3, updated 0, skipped 0, failed 0" in out
    zhang = Contact.objects.get(name="张经理")
    assert (zhang.customer, zhang.title, zhang.phone, zhang.email, zhang.is_primary) == (
        acme,
        "采购经理",
        "+8613912345678",
        "zhang@acme.cn",
        True,
    )
    assert Contact.objects.get(name="王太太").customer == alices_customer
    assert Contact.objects.get(name="李会计").customer == acme
    record = zhang.history.get()
    assert (record.history_user, record.history_change_reason) == (alice, "import")
    assert ImportJob.objects.get().kind == "contacts"


def test_bad_rows_are_reported_and_the_good_ones_imported(alice, acme, tmp_path):
    path = write_csv(
        tmp_path,
        "客户编号,联系人,手机,主要联系人\n"
        f"{acme.pk},张经理,12345,\n"
        "999999,李四,,\n"
        f"{acme.pk},,13912345678,\n"
        f"{acme.pk},王五,,maybe\n"
        f"{acme.pk},赵六,13912345679,\n"
        f"{acme.pk},赵六分身,139 1234 5679,\n",
    )
    code, out = run(path, "--user", "alice")
    assert "imported 2, updated 0, skipped 0, failed 4" in out
    rows = report_rows(path)
    assert rows[0].startswith("2,手机,12345,")
    assert rows[1].startswith("3,客户编号,999999,No customer you may change matches.")
    assert rows[2].startswith("4,联系人,,")
    assert rows[3].startswith("5,主要联系人,maybe,")
    assert len(rows) == 4  # 赵六分身 shares 赵六's office phone: another person, not a repeat
    assert sorted(Contact.objects.values_list("name", flat=True)) == ["赵六", "赵六分身"]


def test_another_reps_customer_is_not_found(bob, acme, tmp_path):
    path = write_csv(tmp_path, f"客户编号,联系人\n{acme.pk},张经理\n")
    code, out = run(path, "--user", "bob")
    assert code == 1
    assert "failed 1" in out
    assert not Contact.objects.exists()


def test_a_name_shared_by_two_customers_must_be_named_by_id(alice, tmp_path):
    create_customer(alice, {"name": "王伟", "phone": "13800138001"})
    create_customer(alice, {"name": "王伟", "phone": "13800138002"})
    path = write_csv(tmp_path, "客户名称,联系人\n王伟,王太太\n")
    run(path, "--user", "alice")
    assert "Matches 2 customers" in report_rows(path)[0]


def test_an_existing_contact_is_skipped_or_updated(alice, acme, tmp_path):
    add_contact(alice, acme, {"name": "张经理", "phone": "13912345678", "title": "采购"})
    path = write_csv(tmp_path, f"客户编号,联系人,手机,职务\n{acme.pk},张经理,13912345678,总监\n")
    assert "skipped 1" in run(path, "--user", "alice")[1]
    assert Contact.objects.get().title == "采购"
    assert "updated 1" in run(path, "--user", "alice", "--on-duplicate", "update")[1]
    assert Contact.objects.get().title == "总监"


def test_a_dry_run_writes_nothing(alice, acme, tmp_path):
    path = write_csv(tmp_path, f"客户编号,联系人\n{acme.pk},张经理\n")
    code, out = run(path, "--user", "alice", "--dry-run")
    assert "would import 1" in out
    assert not Contact.objects.exists()


def test_a_file_without_a_customer_column_is_refused(alice, tmp_path):
    with pytest.raises(CommandError, match="customer"):
        run(write_csv(tmp_path, "联系人,手机\n张经理,13912345678\n"), "--user", "alice")


def test_an_analyst_cannot_import_contacts(nina, tmp_path):
    with pytest.raises(CommandError, match="read-only"):
        run(write_csv(tmp_path, "客户编号,联系人\n1,张经理\n"), "--user", "nina")


def test_an_xlsx_file_of_contacts_imports(alice, acme, tmp_path):
    import xlsxwriter

    path = tmp_path / "contacts.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["客户编号", "联系人", "手机"])
    sheet.write_row(1, 0, [acme.pk, "张经理", 13912345678])
    book.close()
    assert run(path, "--user", "alice")[0] == 0
    assert Contact.objects.get().phone == "+8613912345678"


def test_contacts_go_through_the_import_pages(client, alice, acme):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import login

    client = login(client, alice)
    text = f"客户编号,联系人,手机\n{acme.pk},张经理,13912345678\n{acme.pk},李四,12345\n"
    upload = SimpleUploadedFile("联系人.csv", text.encode(), "text/csv")
    response = client.post("/customers/import/", {"file": upload, "kind": "contacts"})
    job = ImportJob.objects.get()
    assert (response.status_code, job.kind) == (302, "contacts")
    page = client.get(f"/customers/import/{job.pk}/")
    assert '<option value="customer_id" selected>' in page.text
    assert 'name="owner"' not in page.text
    data = {"map-0": "customer_id", "map-1": "name", "map-2": "phone", "action": "check"}
    client.post(f"/customers/import/{job.pk}/", {**data, "on_duplicate": "skip"})
    job.refresh_from_db()
    assert (job.status, job.imported, job.failed, Contact.objects.count()) == ("checked", 1, 1, 0)
    client.post(f"/customers/import/{job.pk}/run/")
    job.refresh_from_db()
    assert job.status == "done"
    assert list(Contact.objects.values_list("name", flat=True)) == ["张经理"]
    assert "New contacts" in client.get(f"/customers/import/{job.pk}/status/").text


def test_another_rep_cannot_open_a_contacts_import(client, alice, bob, tmp_path):
    from tests.conftest import login

    path = write_csv(tmp_path, "客户编号,联系人\n1,张经理\n")
    job = ImportJob.objects.create(
        kind="contacts", created_by=alice, file_path=str(path), file_name="c.csv", total_rows=1
    )
    client = login(client, bob)
    assert client.get(f"/customers/import/{job.pk}/").status_code == 404
    assert client.get(f"/customers/import/{job.pk}/status/").status_code == 404


def test_a_batch_that_fails_to_write_stops_the_job_after_the_last_batch_written(
    alice, acme, tmp_path, monkeypatch
):
    from django.db import DatabaseError

    from guanxi.customers import contact_imports

    path = write_csv(
        tmp_path,
        "客户编号,联系人,手机\n"
        f"{acme.pk},张经理,13912345678\n{acme.pk},李会计,1234\n{acme.pk},王太太,13700137000\n",
    )
    real = contact_imports.bulk_create_with_history

    def full_on_the_third_row(contacts, *args, **kwargs):
        if any(c.name == "王太太" for c in contacts):
            raise DatabaseError("the disk is full")
        return real(contacts, *args, **kwargs)

    monkeypatch.setattr(contact_imports, "bulk_create_with_history", full_on_the_third_row)

    with pytest.raises(CommandError, match="the disk is full.*--resume"):
        run(path, "--user", "alice", "--batch-size", "1")

    job = ImportJob.objects.get()
    assert (job.status, job.next_row, job.imported, job.failed) == ("failed", 2, 1, 1)
    assert job.error == "the disk is full"
    assert list(Contact.objects.values_list("name", flat=True)) == ["张经理"]
    assert [line.split(",")[0] for line in report_rows(path)] == ["3"]  # 李会计's phone


@pytest.mark.parametrize("header", ["主要联系人", "主联系人", "是否主要联系人", "Primary contact"])
def test_the_primary_contact_column_is_recognised_by_its_usual_names(header):
    assert contact_imports.auto_mapping(["联系人", header]) == {
        "联系人": "name",
        header: "is_primary",
    }
