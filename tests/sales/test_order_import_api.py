"""Importing historical orders through the JSON API: POST /api/v1/orders/import, its job and its
report, with a bearer token, as an integration would."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guanxi.accounts.services import issue_token
from guanxi.sales.models import Order

IMPORT = "/api/v1/orders/import"
HEADER = "订单号,客户电话,订单日期,状态,SKU,数量,单价\n"


def _bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user)}"}


@pytest.fixture
def orders_csv(alices_customer, tea):
    text = (
        HEADER
        + "SO-A1,13800138000,2025-03-01,confirmed,TEA-001,2,120\n"
        + "SO-A2,13800138000,2025-03-02,confirmed,NOPE-1,1,10\n"
    )
    return SimpleUploadedFile("orders.csv", text.encode())


def test_a_dry_run_counts_the_orders_reports_and_writes_nothing(client, alice, orders_csv):
    response = client.post(IMPORT, {"file": orders_csv, "dry_run": "true"}, **_bearer(alice))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["imported"], body["failed"]) == ("checked", 1, 1)
    assert body["problems"][0]["column"] == "SKU"
    assert not Order.objects.exists()


def test_the_report_is_downloaded_with_the_token(client, alice, orders_csv):
    body = client.post(IMPORT, {"file": orders_csv, "dry_run": "true"}, **_bearer(alice)).json()

    response = client.get(body["report_url"], **_bearer(alice))

    assert body["report_url"] == f"{IMPORT}/{body['id']}/report"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["row", "column", "value", "reason"]
    assert rows[1][:3] == ["3", "SKU", "NOPE-1"]


def test_an_import_is_queued_and_its_job_shows_the_counts(client, alice, orders_csv):
    response = client.post(IMPORT, {"file": orders_csv}, **_bearer(alice))

    assert response.status_code == 202, response.content
    status = client.get(f"{IMPORT}/{response.json()['id']}", **_bearer(alice)).json()
    assert (status["status"], status["imported"], status["failed"]) == ("done", 1, 1)
    assert list(Order.objects.values_list("number", flat=True)) == ["SO-A1"]


def test_another_users_order_import_is_404(client, alice, bob, orders_csv):
    body = client.post(IMPORT, {"file": orders_csv, "dry_run": "true"}, **_bearer(alice)).json()

    assert client.get(f"{IMPORT}/{body['id']}", **_bearer(bob)).status_code == 404
    assert client.get(body["report_url"], **_bearer(bob)).status_code == 404


def test_a_customers_import_job_is_not_an_order_import(client, alice, orders_csv):
    people = SimpleUploadedFile("c.csv", "姓名,手机\n王伟,12345\n".encode())
    job = client.post(
        "/api/v1/customers/import", {"file": people, "dry_run": "true"}, **_bearer(alice)
    ).json()

    assert client.get(f"{IMPORT}/{job['id']}", **_bearer(alice)).status_code == 404


def test_an_analyst_may_not_import_orders(client, nina, orders_csv):
    response = client.post(IMPORT, {"file": orders_csv, "dry_run": "true"}, **_bearer(nina))

    assert response.status_code == 403
    assert response.json()["detail"]


def test_a_file_without_the_required_columns_is_refused_with_a_reason(client, alice):
    bad = SimpleUploadedFile("orders.csv", "名字,电话\n王伟,138\n".encode())

    response = client.post(IMPORT, {"file": bad, "dry_run": "true"}, **_bearer(alice))

    assert response.status_code in (400, 422)
    assert response.json()["errors"][0]["message"]
