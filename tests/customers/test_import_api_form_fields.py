"""The import API's forms take exactly the fields each import documents: a field it does not
take (a typo: ``dryRun``, ``ondup``) and a contacts mapping naming a field or a column that does
not exist are refused with a 422 naming them, and nothing is imported or kept."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guanxi.customers.models import Contact, Customer
from guanxi.customers.models_import import ImportJob
from guanxi.customers.services import create_customer
from tests.conftest import login

CUSTOMERS = "/api/v1/customers/import"
CONTACTS = "/api/v1/contacts/import"
CSV = "姓名,手机\n王伟,13800138000\n".encode()


def customers_csv() -> SimpleUploadedFile:
    return SimpleUploadedFile("c.csv", CSV)


@pytest.fixture
def acme(alice):
    return create_customer(alice, {"kind": "company", "name": "广州华信贸易有限公司"})


def contacts_csv(acme) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "c.csv", f"联系人,手机,客户ID\n张经理,13912345678,{acme.pk}\n".encode()
    )


def errors(response) -> list[dict]:
    assert response.status_code == 422, response.content
    return response.json()["errors"]


def test_a_misspelt_dry_run_is_refused_naming_it_and_nothing_is_imported(client, alice):
    response = login(client, alice).post(CUSTOMERS, {"file": customers_csv(), "dryRun": "true"})

    assert errors(response) == [
        {
            "field": "dryRun",
            "message": "dryRun is not a field of this import, which takes file, dry_run,"
            " on_duplicate, owner: nothing was imported.",
        }
    ]
    assert not Customer.objects.exists()
    assert not ImportJob.objects.exists()


def test_a_misspelt_on_duplicate_is_refused_rather_than_skipping(client, alice):
    response = login(client, alice).post(CUSTOMERS, {"file": customers_csv(), "ondup": "update"})

    assert [e["field"] for e in errors(response)] == ["ondup"]
    assert not ImportJob.objects.exists()


def test_every_unknown_field_is_named(client, alice):
    response = login(client, alice).post(
        CUSTOMERS, {"file": customers_csv(), "dryRun": "true", "ondup": "update"}
    )

    assert [e["field"] for e in errors(response)] == ["dryRun", "ondup"]


def test_an_unknown_field_in_the_address_is_refused_too(client, alice):
    response = login(client, alice).post(f"{CUSTOMERS}?dryRun=true", {"file": customers_csv()})

    assert [e["field"] for e in errors(response)] == ["dryRun"]
    assert not Customer.objects.exists()


def test_a_second_file_under_another_name_is_refused(client, alice):
    response = login(client, alice).post(
        CUSTOMERS, {"file": customers_csv(), "attachment": SimpleUploadedFile("x.csv", CSV)}
    )

    assert [e["field"] for e in errors(response)] == ["attachment"]


def test_the_customers_import_takes_no_mapping(client, alice):
    mapping = json.dumps({"姓名": "name"})
    response = login(client, alice).post(CUSTOMERS, {"file": customers_csv(), "mapping": mapping})

    assert [e["field"] for e in errors(response)] == ["mapping"]
    assert not ImportJob.objects.exists()


def test_a_browser_forms_csrf_token_is_not_an_unknown_field(client, alice):
    response = login(client, alice).post(
        CUSTOMERS, {"file": customers_csv(), "dry_run": "true", "csrfmiddlewaretoken": "x" * 32}
    )

    assert response.status_code == 200, response.content


def test_the_documented_fields_are_taken(client, alice):
    response = login(client, alice).post(
        CUSTOMERS,
        {"file": customers_csv(), "dry_run": "true", "on_duplicate": "update", "owner": alice.pk},
    )

    assert response.status_code == 200, response.content


def test_an_unknown_owner_keeps_no_job(client, alice):
    response = login(client, alice).post(CUSTOMERS, {"file": customers_csv(), "owner": 999999})

    assert [e["field"] for e in errors(response)] == ["owner"]
    assert not ImportJob.objects.exists()


def test_an_unknown_field_of_the_contacts_import_is_refused(client, alice, acme):
    response = login(client, alice).post(CONTACTS, {"file": contacts_csv(acme), "dryrun": "true"})

    assert errors(response) == [
        {
            "field": "dryrun",
            "message": "dryrun is not a field of this import, which takes file, dry_run,"
            " on_duplicate, mapping: nothing was imported.",
        }
    ]
    assert not Contact.objects.exists()
    assert not ImportJob.objects.exists()


def test_a_mapping_to_a_field_that_does_not_exist_is_refused_with_the_fields(client, alice, acme):
    mapping = json.dumps({"联系人": "name", "手机": "phnoe", "客户ID": "customer_id"})
    response = login(client, alice).post(CONTACTS, {"file": contacts_csv(acme), "mapping": mapping})

    assert errors(response) == [
        {
            "field": "mapping",
            "message": 'Not a field: "phnoe". The fields are: name, title, phone, email,'
            " wechat_id, is_primary, notes, customer_id, customer_phone, customer_name,"
            " customer_company.",
        }
    ]
    assert not Contact.objects.exists()
    assert not ImportJob.objects.exists()


def test_a_misspelt_name_field_is_named_rather_than_said_missing(client, alice, acme):
    mapping = json.dumps({"联系人": "nmae", "客户ID": "customer_id"})
    response = login(client, alice).post(CONTACTS, {"file": contacts_csv(acme), "mapping": mapping})

    (error,) = errors(response)
    assert error["message"].startswith('Not a field: "nmae".')


def test_a_mapping_naming_a_column_the_file_lacks_is_refused_with_its_columns(client, alice, acme):
    mapping = json.dumps({"联系人": "name", "手机号": "phone", "客户ID": "customer_id"})
    response = login(client, alice).post(CONTACTS, {"file": contacts_csv(acme), "mapping": mapping})

    assert errors(response) == [
        {
            "field": "mapping",
            "message": 'Not a column of the file: "手机号". Its columns are: "联系人", "手机",'
            ' "客户ID".',
        }
    ]
    assert not Contact.objects.exists()
    assert not ImportJob.objects.exists()


def test_a_mapping_refused_after_the_upload_keeps_no_file(client, alice, acme, settings):
    imports_folder = settings.DATA_DIR / "imports"
    before = set(imports_folder.iterdir()) if imports_folder.exists() else set()
    mapping = json.dumps({"联系人": "name", "手机号": "phone", "客户ID": "customer_id"})

    login(client, alice).post(CONTACTS, {"file": contacts_csv(acme), "mapping": mapping})

    assert set(imports_folder.iterdir()) == before


def test_a_mapping_without_a_customer_column_keeps_no_job(client, alice, acme):
    mapping = json.dumps({"联系人": "name"})
    response = login(client, alice).post(CONTACTS, {"file": contacts_csv(acme), "mapping": mapping})

    assert [e["field"] for e in errors(response)] == ["mapping"]
    assert not ImportJob.objects.exists()


def test_a_valid_mapping_imports_what_it_names(client, alice, acme):
    mapping = json.dumps({"联系人": "name", "手机": "phone", "客户ID": "customer_id"})
    response = login(client, alice).post(CONTACTS, {"file": contacts_csv(acme), "mapping": mapping})

    assert response.status_code == 202, response.content
    assert list(acme.contacts.values_list("name", "phone")) == [("张经理", "+8613912345678")]
