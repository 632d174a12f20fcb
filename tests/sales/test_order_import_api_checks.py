"""The order import through the API and its command: a field the form does not take is refused
(422) with nothing kept, the file's columns naming no order column are named, and a dry run of
more than ``EXPORT_BACKGROUND_ROWS`` rows is checked in the background (202)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from guanxi.customers.models_import import ImportJob
from guanxi.sales.models import Order
from tests.conftest import login

IMPORT = "/api/v1/orders/import"
TEXT = (
    "订单号,客户电话,订单日期,快递单号,SKU,数量,单价\n"
    "SO-A1,13800138000,2025-03-01,SF123,TEA-001,2,120\n"
    "SO-A2,13800138000,2025-03-02,SF124,TEA-001,1,120\n"
)


@pytest.fixture
def orders_csv(alices_customer, tea):
    return SimpleUploadedFile("orders.csv", TEXT.encode())


def test_an_unknown_field_is_refused_and_nothing_is_kept(client, alice, orders_csv):
    response = login(client, alice).post(IMPORT, {"file": orders_csv, "dry-run": "true"})

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "dry-run",
            "message": "dry-run is not a field of this import, which takes file, dry_run:"
            " nothing was imported.",
        }
    ]
    assert not ImportJob.objects.exists()
    assert not Order.objects.exists()


def test_the_columns_naming_no_order_column_are_named(client, alice, orders_csv):
    client = login(client, alice)
    job = client.post(IMPORT, {"file": orders_csv, "dry_run": "true"}).json()

    assert job["ignored_columns"] == ["快递单号"]
    assert client.get(f"{IMPORT}/{job['id']}").json()["ignored_columns"] == ["快递单号"]


def test_a_dry_run_over_the_threshold_is_a_background_job(client, alice, orders_csv, settings):
    settings.EXPORT_BACKGROUND_ROWS = 1
    client = login(client, alice)

    response = client.post(IMPORT, {"file": orders_csv, "dry_run": "true"})

    assert response.status_code == 202, response.content
    status = client.get(f"{IMPORT}/{response.json()['id']}").json()
    assert (status["status"], status["imported"]) == ("checked", 2)
    assert not Order.objects.exists()


def test_the_order_jobs_page_names_the_columns_not_imported(client, alice, orders_csv):
    client = login(client, alice)
    job = client.post(IMPORT, {"file": orders_csv, "dry_run": "true"}).json()

    page = client.get(f"/sales/orders/import/{job['id']}/").content.decode()

    assert "Columns not imported: 快递单号" in page


def test_the_command_prints_the_columns_not_imported(alice, alices_customer, tea, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(TEXT, encoding="utf-8")
    out = io.StringIO()

    call_command("import", "orders", str(path), "--user", "alice", "--dry-run", stdout=out)

    assert "Columns not imported: 快递单号" in out.getvalue()
