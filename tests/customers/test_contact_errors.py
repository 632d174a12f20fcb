"""A contact's bad fields are all told at once: on the card's form, in the API and in the
contacts import; and each problem once."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from guanxi.customers import import_reports
from guanxi.customers.models import Contact, Customer
from guanxi.customers.services import add_contact, create_customer
from tests.conftest import login

HTMX = {"HX-Request": "true", "HX-Target": "tab-card"}
API = "/api/v1/customers"
JSON = "application/json"


@pytest.fixture
def acme(alice):
    return create_customer(
        alice, {"kind": "company", "name": "广州华信贸易有限公司", "phone": "02087654321"}
    )


def _errors(response, prefix="contact-") -> dict:
    form = response.context["contact_form"]
    return {name: list(messages) for name, messages in form.errors.items()}


# --- the card's form -------------------------------------------------------------------------


def test_adding_a_contact_shows_the_phone_and_the_email_errors_at_once(client, alice, acme):
    response = login(client, alice).post(
        reverse("customers:contact_add", args=[acme.pk]),
        {"contact-name": "张经理", "contact-phone": "abc", "contact-email": "x@"},
        headers=HTMX,
    )

    errors = _errors(response)
    assert sorted(errors) == ["email", "phone"]
    assert "Enter a valid phone number" in errors["phone"][0]
    assert errors["email"] == ["Enter a valid email address."]
    assert not Contact.objects.exists()


def test_editing_a_contact_shows_every_bad_fields_error_at_once(client, alice, acme):
    contact = add_contact(alice, acme, {"name": "张经理", "phone": "13912345678"})

    response = login(client, alice).post(
        reverse("customers:contact_edit", args=[acme.pk, contact.pk]),
        {"contact-name": "", "contact-phone": "abc", "contact-email": "x@"},
        headers=HTMX,
    )

    assert sorted(_errors(response)) == ["email", "name", "phone"]
    contact.refresh_from_db()
    assert (contact.name, contact.phone, contact.email) == ("张经理", "+8613912345678", "")


def test_an_empty_contact_name_is_told_once_on_the_card(client, alice, acme):
    response = login(client, alice).post(
        reverse("customers:contact_add", args=[acme.pk]), {"contact-name": ""}, headers=HTMX
    )

    assert _errors(response) == {"name": ["This field cannot be blank."]}


def test_the_contact_form_still_marks_the_name_as_required(client, alice, acme):
    body = login(client, alice).get(reverse("customers:tab", args=[acme.pk, "contacts"])).text

    label = body[body.index('for="id_contact-name"') :]
    assert label[: label.index("</label>")].endswith('<span class="text-danger">*</span>')


# --- the API ---------------------------------------------------------------------------------


def test_the_api_names_every_bad_field_of_every_contact(client, alice):
    login(client, alice)

    response = client.post(
        API,
        {
            "name": "广州华信贸易有限公司",
            "kind": "company",
            "contacts": [
                {"name": "张经理", "phone": "abc"},
                {"name": "", "email": "x@"},
                {"name": "李会计", "wechat_id": "a b!"},
            ],
        },
        content_type=JSON,
    )

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Invalid input."
    assert [e["field"] for e in body["errors"]] == [
        "contacts.0.phone",
        "contacts.1.name",
        "contacts.1.email",
        "contacts.2.wechat_id",
    ]
    assert all(e["message"] for e in body["errors"])
    assert not Customer.objects.exists() and not Contact.objects.exists()


def test_the_api_names_the_customers_bad_fields_with_its_contacts(client, alice):
    login(client, alice)

    response = client.post(
        API,
        {
            "name": "李娜",
            "phone": "12345",
            "email": "not-an-email",
            "contacts": [{"name": "李父", "phone": "1"}],
        },
        content_type=JSON,
    )

    assert response.status_code == 422
    assert sorted(e["field"] for e in response.json()["errors"]) == [
        "contacts.0.phone",
        "email",
        "phone",
    ]
    assert not Customer.objects.exists()


def test_the_api_names_two_primary_contacts_with_a_contacts_bad_field(client, alice):
    login(client, alice)

    response = client.post(
        API,
        {
            "name": "李娜",
            "contacts": [
                {"name": "李父", "is_primary": True},
                {"name": "李母", "is_primary": True, "phone": "abc"},
            ],
        },
        content_type=JSON,
    )

    assert response.status_code == 422
    assert sorted(e["field"] for e in response.json()["errors"]) == [
        "contacts.1.is_primary",
        "contacts.1.phone",
    ]


def test_the_service_names_every_bad_contact_of_a_new_customer_and_writes_nothing(alice):
    with pytest.raises(ValidationError) as raised:
        create_customer(
            alice,
            {"name": "李娜", "email": "not-an-email"},
            contacts=[{"name": "李父", "phone": "1"}, {"name": "", "email": "x@"}],
        )

    assert sorted(raised.value.message_dict) == [
        "contacts.0.phone",
        "contacts.1.email",
        "contacts.1.name",
        "email",
    ]
    assert not Customer.objects.exists() and not Contact.objects.exists()


def test_a_contact_name_of_spaces_is_given_one_reason_by_the_api(client, alice):
    login(client, alice)

    response = client.post(API, {"name": "李娜", "contacts": [{"name": "   "}]}, content_type=JSON)

    assert response.json()["errors"] == [
        {"field": "contacts.0.name", "message": "This field is required."}
    ]


# --- the contacts import ---------------------------------------------------------------------


def _import(tmp_path, text: str) -> list[list[str]]:
    path = tmp_path / "contacts.csv"
    path.write_text(text, encoding="utf-8")
    try:
        call_command("import", "contacts", str(path), "--user", "alice", stdout=io.StringIO())
    except SystemExit:
        pass
    text = import_reports.report_path_for(path).read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text)))[1:]


def test_a_contact_row_reports_its_bad_primary_flag_and_its_bad_phone(alice, acme, tmp_path):
    report = _import(tmp_path, f"客户编号,联系人,手机,主要联系人\n{acme.pk},张经理,1351234,maybe\n")

    assert [line[:3] for line in report] == [["2", "手机", "1351234"], ["2", "主要联系人", "maybe"]]
    assert report[1][3] == "Write yes or no."
    assert not Contact.objects.exists()


def test_a_contact_row_reports_every_bad_cell_in_the_files_column_order(alice, acme, tmp_path):
    report = _import(
        tmp_path,
        f"客户编号,邮箱,联系人,微信,手机\n{acme.pk},x@,,a b!,abc\n",
    )

    assert [line[1] for line in report] == ["邮箱", "联系人", "微信", "手机"]


def test_an_empty_contact_name_is_given_one_reason(alice, acme, tmp_path):
    report = _import(tmp_path, f"客户编号,联系人,手机\n{acme.pk},,13912345678\n")

    assert report == [["2", "联系人", "", "This field cannot be blank."]]


def test_an_unknown_customer_phone_is_told_what_a_phone_number_is(alice, acme, tmp_path):
    report = _import(tmp_path, "客户手机,联系人\n12345,张经理\n")

    assert report[0][:2] == ["2", "客户手机"]
    assert report[0][3].startswith("Enter a valid phone number: a mobile such as 13800138000")
