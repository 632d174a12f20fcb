"""A customer's and a contact's WeChat ID is checked (Customer.clean, Contact.clean) wherever
it comes in: the pages, the API, the customer import and the contacts import."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from guanxi.customers import import_reports
from guanxi.customers.models import Contact, Customer
from guanxi.customers.services import create_customer, update_customer
from tests.conftest import login

MESSAGE = "A WeChat ID has only Latin letters, digits, _ and -."


@pytest.fixture
def acme(alice):
    return create_customer(alice, {"kind": "company", "name": "广州华信贸易有限公司"})


def _report(path) -> list[list[str]]:
    text = import_reports.report_path_for(path).read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text)))[1:]


def _import(tmp_path, kind: str, text: str, *options) -> list[list[str]]:
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    try:
        call_command("import", kind, str(path), *options, stdout=io.StringIO())
    except SystemExit:
        pass
    return _report(path)


def test_the_customer_form_refuses_a_bad_wechat_id(client, alice):
    response = login(client, alice).post(
        reverse("customers:create"),
        {"kind": "person", "name": "刘洋", "birthday_calendar": "solar", "wechat_id": "a b!"},
    )

    assert response.context["form"].errors["wechat_id"] == [MESSAGE]
    assert not Customer.objects.exists()


def test_the_api_refuses_a_customers_bad_wechat_id(client, alice):
    response = login(client, alice).post(
        "/api/v1/customers",
        {"name": "刘洋", "wechat_id": "a b!"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "wechat_id", "message": MESSAGE}]


def test_a_customers_wechat_id_is_stored_without_surrounding_spaces(alice):
    customer = create_customer(alice, {"name": "刘洋", "wechat_id": " liuyang_88 "})
    assert Customer.objects.get(pk=customer.pk).wechat_id == "liuyang_88"


def test_an_edit_to_a_bad_wechat_id_is_refused(alices_customer):
    with pytest.raises(ValidationError) as caught:
        update_customer(alices_customer.owner, alices_customer.pk, {"wechat_id": "ab"})

    assert caught.value.message_dict == {"wechat_id": ["A WeChat ID has 5 to 30 characters."]}


def test_the_card_refuses_a_contacts_bad_wechat_id(client, alice, acme):
    response = login(client, alice).post(
        reverse("customers:contact_add", args=[acme.pk]),
        {"contact-name": "张经理", "contact-wechat_id": "a b!"},
        headers={"HX-Request": "true", "HX-Target": "tab-card"},
    )

    assert response.context["contact_form"].errors["wechat_id"] == [MESSAGE]
    assert not Contact.objects.exists()


def test_the_contacts_import_reports_a_bad_wechat_id_as_a_row_error(alice, acme, tmp_path):
    report = _import(
        tmp_path,
        "contacts",
        f"客户编号,联系人,微信\n{acme.pk},张经理,a b!\n{acme.pk},李会计, li_kuaiji \n",
        "--user",
        "alice",
    )

    assert report == [["2", "微信", "a b!", MESSAGE]]
    assert list(Contact.objects.values_list("name", "wechat_id")) == [("李会计", "li_kuaiji")]


def test_the_customer_import_reports_a_bad_wechat_id_as_a_row_error(alice, tmp_path):
    report = _import(
        tmp_path,
        "customers",
        "姓名,微信\n王伟,a b!\n李娜, li_na_88 \n",
        "--owner",
        "alice",
    )

    assert report == [["2", "微信", "a b!", MESSAGE]]
    assert list(Customer.objects.values_list("name", "wechat_id")) == [("李娜", "li_na_88")]
