"""The columns of an import's file that no field is matched to are named, in the file's order:
``ignored_columns`` in the API's job (dry run and import), a line of the command's output and
the job's page, computed from the mapping the job used against the file's headers."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from guanxi.customers import import_columns, import_mapping, imports
from guanxi.customers.models import CustomField
from guanxi.customers.services import create_customer
from tests.conftest import login

CUSTOMERS = "/api/v1/customers/import"
CONTACTS = "/api/v1/contacts/import"
HEADER = "姓名,手机,电话,邮件地址,所在城市,客户等级,无关列\n"
ROW = "王伟,13800138000,02087654321,ww@example.com,广州,A,x\n"


def upload(text: str = HEADER + ROW) -> SimpleUploadedFile:
    return SimpleUploadedFile("c.csv", text.encode())


def unmatched(text: str = HEADER + ROW) -> list[str]:
    """The headers the automatic mapping leaves out, as the job should name them."""
    headers = text.splitlines()[0].split(",")
    mapping = import_mapping.auto_mapping(headers)
    return [h for h in headers if h not in mapping]


def test_a_dry_run_names_the_columns_not_imported_in_the_files_order(client, alice):
    response = login(client, alice).post(CUSTOMERS, {"file": upload(), "dry_run": "true"})

    assert response.status_code == 200, response.content
    ignored = response.json()["ignored_columns"]
    assert ignored == unmatched()
    assert ignored[-1] == "无关列"
    assert "姓名" not in ignored and "手机" not in ignored


def test_an_imports_job_names_them_while_it_is_followed(client, alice):
    client = login(client, alice)
    job = client.post(CUSTOMERS, {"file": upload()}).json()

    status = client.get(f"{CUSTOMERS}/{job['id']}").json()

    assert (status["status"], status["ignored_columns"]) == ("done", unmatched())


def test_a_file_whose_every_column_is_matched_names_none(client, alice):
    response = login(client, alice).post(
        CUSTOMERS, {"file": upload("姓名,手机\n王伟,13800138000\n"), "dry_run": "true"}
    )

    assert response.json()["ignored_columns"] == []


def test_a_column_matched_to_a_custom_field_is_imported(client, alice):
    CustomField.objects.create(key="car_model", label="车型", field_type="text")
    text = "姓名,车型,无关列\n王伟,Model 3,x\n"

    response = login(client, alice).post(CUSTOMERS, {"file": upload(text), "dry_run": "true"})

    assert response.json()["ignored_columns"] == ["无关列"]


def test_the_columns_a_contacts_mapping_leaves_out_are_named(client, alice):
    acme = create_customer(alice, {"kind": "company", "name": "广州华信贸易有限公司"})
    text = f"联系人,手机,电话,客户ID,部门\n张经理,13912345678,020,{acme.pk},采购\n"
    mapping = json.dumps({"联系人": "name", "电话": "phone", "客户ID": "customer_id"})

    response = login(client, alice).post(
        CONTACTS, {"file": upload(text), "mapping": mapping, "dry_run": "true"}
    )

    assert response.status_code == 200, response.content
    assert response.json()["ignored_columns"] == ["手机", "部门"]


def test_the_columns_of_a_big_file_are_read_from_its_head(client, alice, monkeypatch):
    client = login(client, alice)
    rows = "".join(f"客户{i},1380013{i:04d},020,x@example.com,广州,A,x\n" for i in range(300))
    job = client.post(CUSTOMERS, {"file": upload(HEADER + rows), "dry_run": "true"}).json()
    monkeypatch.setattr(import_columns, "HEAD_BYTES", 1024)
    import_columns._head.cache_clear()
    sizes_read = []
    read_table = imports.read_table

    def spy(path, **kwargs):
        sizes_read.append(path.stat().st_size)
        return read_table(path, **kwargs)

    monkeypatch.setattr(imports, "read_table", spy)

    status = client.get(f"{CUSTOMERS}/{job['id']}").json()

    assert status["ignored_columns"] == unmatched()
    assert sizes_read and max(sizes_read) <= 1024


def test_the_command_prints_the_columns_not_imported(alice, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(HEADER + ROW, encoding="utf-8")
    out = io.StringIO()

    call_command("import", "customers", str(path), "--owner", "alice", stdout=out)

    assert f"Columns not imported: {', '.join(unmatched())}" in out.getvalue()


def test_the_command_says_nothing_of_columns_when_every_one_is_matched(alice, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("姓名,手机\n王伟,13800138000\n", encoding="utf-8")
    out = io.StringIO()

    call_command("import", "customers", str(path), "--owner", "alice", stdout=out)

    assert "Columns not imported" not in out.getvalue()


def test_the_jobs_page_names_the_columns_not_imported(client, alice):
    client = login(client, alice)
    job = client.post(CUSTOMERS, {"file": upload(), "dry_run": "true"}).json()

    page = client.get(f"/customers/import/{job['id']}/status/").content.decode()

    assert f"Columns not imported: {', '.join(unmatched())}" in page


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"a,b\n1,2\n3,", b"a,b\n1,2\n"),
        (b"no newline", b""),
        (b"\xff\xfe" + "a\nb".encode("utf-16-le"), "a\n".encode("utf-16-le")),
    ],
)
def test_a_head_is_cut_after_its_last_whole_line(head, expected):
    cut = import_columns._whole_lines(head)

    assert cut.removeprefix(b"\xff\xfe") == expected
