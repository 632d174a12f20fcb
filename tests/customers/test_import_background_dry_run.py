"""A dry run through the API of a file of more than ``EXPORT_BACKGROUND_ROWS`` rows is checked
in the background like an import (202 with the job, followed until its report), so a file of
millions of rows is not one request outlasting the worker's timeout; a smaller one is checked
at once (200)."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from guanxi.customers.models import Contact, Customer
from guanxi.customers.services import create_customer
from tests.conftest import login

CUSTOMERS = "/api/v1/customers/import"
CONTACTS = "/api/v1/contacts/import"
CSV = "姓名,手机\n王伟,13800138000\n李娜,12345\n".encode()


def test_a_dry_run_of_more_rows_than_the_threshold_is_a_background_job(client, alice, settings):
    settings.EXPORT_BACKGROUND_ROWS = 1
    client = login(client, alice)

    response = client.post(CUSTOMERS, {"file": SimpleUploadedFile("c.csv", CSV), "dry_run": "true"})

    assert response.status_code == 202, response.content
    status = client.get(f"{CUSTOMERS}/{response.json()['id']}").json()
    assert (status["status"], status["imported"], status["failed"]) == ("checked", 1, 1)
    assert client.get(status["report_url"]).status_code == 200
    assert not Customer.objects.exists()


def test_a_dry_run_of_as_many_rows_as_the_threshold_answers_at_once(client, alice, settings):
    settings.EXPORT_BACKGROUND_ROWS = 2

    response = login(client, alice).post(
        CUSTOMERS, {"file": SimpleUploadedFile("c.csv", CSV), "dry_run": "true"}
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "checked"


def test_a_contacts_dry_run_over_the_threshold_is_a_background_job(client, alice, settings):
    settings.EXPORT_BACKGROUND_ROWS = 1
    acme = create_customer(alice, {"kind": "company", "name": "广州华信贸易有限公司"})
    text = f"联系人,手机,客户ID\n张经理,13912345678,{acme.pk}\n李会计,12345,{acme.pk}\n"
    client = login(client, alice)

    response = client.post(
        CONTACTS,
        {
            "file": SimpleUploadedFile("c.csv", text.encode()),
            "dry_run": "true",
            "mapping": json.dumps({"联系人": "name", "手机": "phone", "客户ID": "customer_id"}),
        },
    )

    assert response.status_code == 202, response.content
    status = client.get(f"{CONTACTS}/{response.json()['id']}").json()
    assert (status["status"], status["imported"], status["failed"]) == ("checked", 1, 1)
    assert not Contact.objects.exists()
