"""Removing an import from the list: its uploaded file and report go, its customers stay."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guanxi.customers.models import Customer
from guanxi.customers.models_import import ImportJob
from tests.conftest import login

pytestmark = pytest.mark.django_db

FILE = "姓名,手机\n王伟,13800138000\n李娜,12345\n"
API = "/api/v1/customers/import"


def _imported(client) -> ImportJob:
    client.post(API, {"file": SimpleUploadedFile("c.csv", FILE.encode())})
    return ImportJob.objects.get()


def test_removing_an_import_deletes_its_file_and_report_and_keeps_its_customers(client, alice):
    job = _imported(login(client, alice))
    files = [Path(job.file_path), Path(job.report_path)]
    assert all(f.exists() for f in files)

    response = client.post(f"/customers/import/{job.pk}/discard/")

    assert response.status_code == 302
    assert not ImportJob.objects.exists()
    assert not any(f.exists() for f in files)
    assert Customer.objects.filter(name="王伟").exists()


def test_the_import_list_offers_to_remove_an_import(client, alice):
    job = _imported(login(client, alice))

    page = client.get("/customers/import/").text

    assert f"/customers/import/{job.pk}/discard/" in page


def test_an_import_that_runs_is_not_removed(client, alice):
    job = _imported(login(client, alice))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)

    client.post(f"/customers/import/{job.pk}/discard/")

    assert ImportJob.objects.filter(pk=job.pk).exists()
    assert Path(job.file_path).exists()


def test_another_users_import_is_not_found(client, alice, bob):
    job = _imported(login(client, alice))
    client.force_login(bob)

    assert client.post(f"/customers/import/{job.pk}/discard/").status_code == 404
    assert ImportJob.objects.filter(pk=job.pk).exists()


def test_the_api_removes_an_import(client, alice):
    job = _imported(login(client, alice))

    response = client.delete(f"{API}/{job.pk}")

    assert response.status_code == 204
    assert not ImportJob.objects.exists()


def test_the_api_refuses_to_remove_a_running_import(client, alice):
    job = _imported(login(client, alice))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)

    response = client.delete(f"{API}/{job.pk}")

    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "An import cannot be removed while it runs."


def test_an_order_import_is_removed_from_its_list(client, alice):
    text = "订单号,客户电话,订单日期,SKU,数量\nP-1,13800138000,2025-03-01,TEA-001,1\n"
    login(client, alice).post(
        "/sales/orders/import/", {"file": SimpleUploadedFile("o.csv", text.encode())}
    )
    job = ImportJob.objects.get()
    assert f"/sales/orders/import/{job.pk}/discard/" in client.get("/sales/orders/import/").text

    client.post(f"/sales/orders/import/{job.pk}/discard/")

    assert not ImportJob.objects.exists()
    assert not Path(job.file_path).exists()
