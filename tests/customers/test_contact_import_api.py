"""Importing contacts through the JSON API: POST /api/v1/contacts/import and its job status."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guanxi.accounts.services import issue_token
from guanxi.customers.models import Contact
from guanxi.customers.services import create_customer
from tests.conftest import login

IMPORT = "/api/v1/contacts/import"


@pytest.fixture
def acme(alice):
    return create_customer(
        alice, {"kind": "company", "name": "广州华信贸易有限公司", "phone": "02087654321"}
    )


def contacts_csv(acme) -> SimpleUploadedFile:
    text = (
        "客户编号,联系人,职务,手机\n"
        f"{acme.pk},张经理,采购经理,13912345678\n"
        f"{acme.pk},李会计,会计,12345\n"
        "999999,王五,,\n"
    )
    return SimpleUploadedFile("contacts.csv", text.encode())


def report(client, body) -> list[list[str]]:
    response = client.get(body["report_url"])
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_dry_run_counts_reports_and_writes_nothing(client, alice, acme):
    client = login(client, alice)
    response = client.post(IMPORT, {"file": contacts_csv(acme), "dry_run": "true"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["imported"], body["failed"]) == ("checked", 1, 2)
    rows = report(client, body)
    assert rows[0] == ["row", "column", "value", "reason"]
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        ("3", "手机", "12345"),
        ("4", "客户编号", "999999"),
    ]
    assert not Contact.objects.exists()


def test_the_report_is_given_to_a_token_at_the_contacts_route(client, alice, acme):
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(alice)}"}
    body = client.post(IMPORT, {"file": contacts_csv(acme), "dry_run": "true"}, **bearer).json()

    assert body["report_url"] == f"{IMPORT}/{body['id']}/report"
    response = client.get(body["report_url"], **bearer)
    assert response.status_code == 200
    assert client.get(f"{IMPORT}/{body['id']}/rows-to-fix", **bearer).status_code == 200
    # a contacts job is not a customers job: its number at the customers route is 404
    assert client.get(f"/api/v1/customers/import/{body['id']}/report", **bearer).status_code == 404


def test_import_is_queued_and_its_status_shows_the_counts(client, alice, acme):
    client = login(client, alice)
    response = client.post(IMPORT, {"file": contacts_csv(acme)})
    assert response.status_code == 202, response.content
    status = client.get(f"{IMPORT}/{response.json()['id']}").json()
    assert (status["status"], status["imported"], status["failed"]) == ("done", 1, 2)
    assert list(acme.contacts.values_list("name", "phone")) == [("张经理", "+8613912345678")]


def test_a_mapping_names_columns_the_automatic_one_would_miss(client, alice, acme):
    upload = SimpleUploadedFile("c.csv", f"Firm no.,Who\n{acme.pk},Ms Zhao\n".encode())
    mapping = json.dumps({"Firm no.": "customer_id", "Who": "name"})
    response = login(client, alice).post(
        IMPORT, {"file": upload, "mapping": mapping, "dry_run": "false"}
    )
    assert response.status_code == 202, response.content
    assert list(acme.contacts.values_list("name", flat=True)) == ["Ms Zhao"]


def test_a_file_without_a_customer_column_is_a_mapping_error(client, alice):
    upload = SimpleUploadedFile("c.csv", "联系人,手机\n张经理,13912345678\n".encode())
    response = login(client, alice).post(IMPORT, {"file": upload})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "mapping",
            "message": "Map a column to the customer ID, the customer's phone or the customer's "
            "name.",
        }
    ]


def test_a_mapping_that_is_not_a_json_object_is_a_field_error(client, alice, acme):
    response = login(client, alice).post(
        IMPORT, {"file": contacts_csv(acme), "mapping": '["name"]'}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["mapping"]
    assert not Contact.objects.exists()


def test_an_empty_file_is_a_field_error(client, alice):
    response = login(client, alice).post(IMPORT, {"file": SimpleUploadedFile("c.csv", b"")})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "file", "message": "The file is empty."}]


def test_a_file_of_another_type_is_a_field_error(client, alice):
    response = login(client, alice).post(IMPORT, {"file": SimpleUploadedFile("c.pdf", b"%PDF")})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["file"]


def test_an_analyst_may_not_import(client, nina, acme):
    response = login(client, nina).post(IMPORT, {"file": contacts_csv(acme)})
    assert response.status_code == 403
    assert not Contact.objects.exists()


def test_another_users_job_is_not_found(client, alice, bob, acme):
    client = login(client, alice)
    job = client.post(IMPORT, {"file": contacts_csv(acme), "dry_run": "true"}).json()
    client.force_login(bob)
    assert client.get(f"{IMPORT}/{job['id']}").status_code == 404
    assert client.get(job["report_url"]).status_code == 404


def test_a_customer_import_job_is_not_a_contacts_job(client, alice):
    client = login(client, alice)
    upload = SimpleUploadedFile("c.csv", "姓名,手机\n王伟,13800138000\n".encode())
    job = client.post("/api/v1/customers/import", {"file": upload, "dry_run": "true"}).json()
    assert client.get(f"{IMPORT}/{job['id']}").status_code == 404


def test_contacts_of_a_customer_one_may_not_change_are_refused(client, bob, acme):
    response = login(client, bob).post(IMPORT, {"file": contacts_csv(acme), "dry_run": "true"})
    assert response.json()["imported"] == 0
    assert response.json()["failed"] == 3


def test_the_import_requires_authentication(client, acme):
    assert client.post(IMPORT, {"file": contacts_csv(acme)}).status_code == 401
