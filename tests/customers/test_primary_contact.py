"""One primary contact a customer: making another primary unmarks the first, through the
services, the card's form, the API and the contact import; the database refuses two."""

import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from guanxi.customers import history_reasons, import_reports
from guanxi.customers.models import Contact
from guanxi.customers.models_import import ImportJob
from guanxi.customers.services import add_contact, create_customer, update_contact
from tests.conftest import login

API = "/api/v1/customers"
JSON = "application/json"


@pytest.fixture
def acme(alice):
    return create_customer(
        alice, {"kind": "company", "name": "广州华信贸易有限公司", "phone": "02087654321"}
    )


@pytest.fixture
def zhang(alice, acme):
    return add_contact(alice, acme, {"name": "张经理", "phone": "13912345678", "is_primary": True})


def _primaries(customer) -> list[str]:
    return list(customer.contacts.filter(is_primary=True).values_list("name", flat=True))


def test_a_new_primary_contact_unmarks_the_one_before(alice, acme, zhang):
    add_contact(alice, acme, {"name": "李会计", "is_primary": True})

    assert _primaries(acme) == ["李会计"]


def test_making_a_contact_primary_unmarks_the_other(alice, acme, zhang):
    li = add_contact(alice, acme, {"name": "李会计"})

    update_contact(alice, acme.pk, li.pk, {"is_primary": True})

    assert _primaries(acme) == ["李会计"]


def test_the_unmarked_contact_has_a_history_row_saying_why(alice, acme, zhang):
    add_contact(alice, acme, {"name": "李会计", "is_primary": True})

    last = zhang.history.first()
    assert (last.is_primary, last.history_change_reason) == (False, history_reasons.ONE_PRIMARY)
    assert last.history_user == alice


def test_saving_the_primary_contact_again_keeps_it_primary(alice, acme, zhang):
    update_contact(alice, acme.pk, zhang.pk, {"title": "总经理", "is_primary": True})

    assert _primaries(acme) == ["张经理"]


def test_the_database_refuses_a_second_primary_contact(acme, zhang):
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.create(customer=acme, name="李会计", is_primary=True)


def test_other_customers_keep_their_primary_contacts(alice, acme, zhang, alices_customer):
    add_contact(alice, alices_customer, {"name": "王太太", "is_primary": True})

    assert _primaries(acme) == ["张经理"]


def test_the_cards_form_makes_the_new_contact_the_only_primary(client, alice, acme, zhang):
    response = login(client, alice).post(
        reverse("customers:contact_add", args=[acme.pk]),
        {"contact-name": "李会计", "contact-is_primary": "on"},
    )

    assert response.status_code in (200, 302)
    assert _primaries(acme) == ["李会计"]


def test_the_contact_form_says_a_customer_has_one_primary(client, alice, acme):
    body = login(client, alice).get(reverse("customers:detail", args=[acme.pk])).content
    body = body.decode()

    assert "marking this contact unmarks the other" in body


def test_the_api_refuses_a_new_customer_with_two_primary_contacts(client, alice):
    response = login(client, alice).post(
        API,
        {
            "kind": "company",
            "name": "深圳前海科技有限公司",
            "contacts": [
                {"name": "张经理", "is_primary": True},
                {"name": "李会计"},
                {"name": "王总", "is_primary": True},
            ],
        },
        content_type=JSON,
    )

    assert response.status_code == 422
    assert "contacts.2.is_primary" in response.content.decode()
    assert not Contact.objects.exists()


def test_the_api_creates_a_customer_with_one_primary_contact(client, alice):
    response = login(client, alice).post(
        API,
        {
            "kind": "company",
            "name": "深圳前海科技有限公司",
            "contacts": [{"name": "张经理"}, {"name": "王总", "is_primary": True}],
        },
        content_type=JSON,
    )

    assert response.status_code == 201
    primaries = [c["name"] for c in response.json()["contacts"] if c["is_primary"]]
    assert primaries == ["王总"]


# --- the contact import --------------------------------------------------------------------


def _import(tmp_path, text: str, *args) -> str:
    path = tmp_path / "contacts.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    try:
        call_command(
            "import", "contacts", str(path), "--user", "alice", *args, stdout=out, stderr=out
        )
    except SystemExit:
        pass
    return out.getvalue()


def test_an_imported_primary_contact_unmarks_the_customers_one(alice, acme, zhang, tmp_path):
    _import(tmp_path, f"客户编号,联系人,主要联系人\n{acme.pk},李会计,是\n")

    assert _primaries(acme) == ["李会计"]
    last = zhang.history.first()
    assert (last.is_primary, last.history_change_reason) == (False, history_reasons.ONE_PRIMARY)


def test_an_import_updating_a_contact_to_primary_unmarks_the_other(alice, acme, zhang, tmp_path):
    add_contact(alice, acme, {"name": "李会计", "phone": "13700137000"})

    _import(
        tmp_path,
        f"客户编号,联系人,手机,主要联系人\n{acme.pk},李会计,13700137000,是\n",
        "--on-duplicate",
        "update",
    )

    assert _primaries(acme) == ["李会计"]


def test_a_second_primary_for_the_same_customer_in_a_file_is_imported_as_a_contact(
    alice, acme, tmp_path
):
    out = _import(
        tmp_path,
        f"客户编号,联系人,主要联系人\n{acme.pk},李会计,是\n{acme.pk},王总,是\n",
    )

    assert "imported 2, updated 0, skipped 0, failed 0" in out
    assert _primaries(acme) == ["李会计"]
    assert acme.contacts.filter(name="王总", is_primary=False).exists()


def test_the_report_says_why_the_second_primary_is_not_primary(alice, acme, tmp_path):
    _import(tmp_path, f"客户编号,联系人,主要联系人\n{acme.pk},李会计,是\n{acme.pk},王总,是\n")

    report = import_reports.report_path_for(tmp_path / "contacts.csv").read_text(
        encoding="utf-8-sig"
    )
    assert report.splitlines()[1:] == [
        '3,主要联系人,是,"Imported, but not as the primary contact: row 2 of this file is '
        "already this customer's primary contact.\""
    ]


def test_the_note_on_a_second_primary_is_no_problem_of_the_column(alice, acme, tmp_path):
    _import(tmp_path, f"客户编号,联系人,主要联系人\n{acme.pk},李会计,是\n{acme.pk},王总,是\n")

    assert import_reports.report_by_column(ImportJob.objects.get()) == []


def test_a_second_primary_matching_a_contact_to_skip_is_only_skipped(alice, acme, tmp_path):
    add_contact(alice, acme, {"name": "王总", "phone": "13700137000"})

    out = _import(
        tmp_path,
        f"客户编号,联系人,手机,主要联系人\n{acme.pk},李会计,,是\n{acme.pk},王总,13700137000,是\n",
    )

    assert "imported 1, updated 0, skipped 1, failed 0" in out
    report = import_reports.report_path_for(tmp_path / "contacts.csv").read_text(
        encoding="utf-8-sig"
    )
    assert "primary" not in report


def test_a_dry_run_unmarks_nothing(alice, acme, zhang, tmp_path):
    _import(tmp_path, f"客户编号,联系人,主要联系人\n{acme.pk},李会计,是\n", "--dry-run")

    assert _primaries(acme) == ["张经理"]
    assert not acme.contacts.filter(name="李会计").exists()


def test_the_migration_keeps_the_first_primary_contact_of_each_customer(
    alice, acme, zhang, alices_customer
):
    with connection.cursor() as cursor:  # as before: nothing stopped a second primary
        cursor.execute("DROP INDEX contact_one_primary")  # rolled back with the test
    li = Contact.objects.create(customer=acme, name="李会计", is_primary=True)
    wang = Contact.objects.create(customer=alices_customer, name="王太太", is_primary=True)
    migration = importlib.import_module("guanxi.customers.migrations.0030_contact_one_primary")

    migration.demote_extra_primaries(apps, None)

    assert _primaries(acme) == ["张经理"] and _primaries(alices_customer) == ["王太太"]
    last = li.history.first()
    assert (last.is_primary, last.history_change_reason) == (False, history_reasons.ONE_PRIMARY)
    assert Contact.objects.get(pk=wang.pk).is_primary
