"""A contact is worded as a person at a customer: its name is 姓名 (a company's is 名称), and
the contacts import's choices for a row matching a contact speak of contacts."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guanxi.customers import contact_imports
from guanxi.customers.models_import import ImportJob
from guanxi.customers.services import create_customer
from tests.conftest import login

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def acme(alice):
    return create_customer(alice, {"kind": "company", "name": "广州华信贸易有限公司"})


def _mapping_page(client, kind: str, text: str, **headers) -> str:
    upload = SimpleUploadedFile("file.csv", text.encode(), "text/csv")
    client.post("/customers/import/", {"file": upload, "kind": kind})
    job = ImportJob.objects.get()
    return client.get(f"/customers/import/{job.pk}/", **headers).text


def _options(page: str, select: str) -> list[str]:
    found = re.search(rf'<select id="{select}".*?</select>', page, re.S)
    return re.findall(r"<option[^>]*>([^<]*)</option>", found.group(0))


def test_the_contacts_import_offers_choices_for_a_contact_already_there(client, alice, acme):
    page = _mapping_page(login(client, alice), "contacts", f"客户编号,联系人\n{acme.pk},张经理\n")

    assert _options(page, "on_duplicate") == [
        "Skip the row: keep the existing contact",
        "Update the existing contact",
        "Add another contact",
    ]


def test_the_customer_import_keeps_its_choices_for_a_customer_already_there(client, alice):
    page = _mapping_page(login(client, alice), "customers", "姓名,手机\n王伟,13800138000\n")

    assert _options(page, "on_duplicate") == [
        "Skip the row",
        "Update the existing customer",
        "Create another customer",
    ]


def test_the_contacts_import_offers_contact_choices_in_chinese(client, alice, acme):
    page = _mapping_page(
        login(client, alice), "contacts", f"客户编号,联系人\n{acme.pk},张经理\n", **ZH
    )

    assert _options(page, "on_duplicate") == [
        "跳过该行，保留已有联系人",
        "更新已有联系人",
        "另加一个联系人",
    ]


def test_a_contacts_name_is_labelled_name_in_english(client, alice, acme):
    login(client, alice)

    form = client.get(reverse("customers:tab", args=[acme.pk, "contacts"])).context["contact_form"]

    assert form["name"].label == "Name"
    assert contact_imports.field_label("name") == "name"


def test_a_contacts_name_is_labelled_xingming_on_the_card_in_chinese(client, alice, acme):
    login(client, alice)

    page = client.get(reverse("customers:tab", args=[acme.pk, "contacts"]), **ZH).text

    assert re.search(r'for="id_contact-name">姓名 <span class="text-danger">\*</span>', page)


def test_a_contacts_name_is_labelled_xingming_in_the_contacts_import_in_chinese(
    client, alice, acme
):
    page = _mapping_page(
        login(client, alice), "contacts", f"客户编号,联系人\n{acme.pk},张经理\n", **ZH
    )

    assert '<option value="name" selected>姓名</option>' in page
