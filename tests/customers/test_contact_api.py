"""A customer's contacts through the JSON API: list (masked as the customer), add, change with
If-Match, remove and put back; another rep's customer is a 404, a read share a 403."""

import pytest

from guanxi.customers.models import Contact
from guanxi.customers.services import add_contact, create_customer, share_customer, update_contact
from tests.conftest import login

API = "/api/v1/customers"
JSON = "application/json"


@pytest.fixture
def acme(alice):
    return create_customer(alice, {"kind": "company", "name": "广州华信贸易有限公司"})


@pytest.fixture
def chen(alice, acme):
    return add_contact(alice, acme, {"name": "陈静", "phone": "13912345678", "is_primary": True})


def test_the_contacts_are_listed_primary_first(client, alice, acme, chen):
    add_contact(alice, acme, {"name": "李会计"})

    body = login(client, alice).get(f"{API}/{acme.pk}/contacts").json()

    assert [(c["name"], c["is_primary"]) for c in body["items"]] == [
        ("陈静", True),
        ("李会计", False),
    ]


def test_the_contacts_phones_are_masked_for_who_sees_the_customers_masked(
    client, alice, nina, acme, chen
):
    body = login(client, nina).get(f"{API}/{acme.pk}/contacts").json()

    assert body["items"][0]["phone"] != "+8613912345678"
    assert "****" in body["items"][0]["phone"]


def test_a_contact_is_added_and_made_the_only_primary(client, alice, acme, chen):
    response = login(client, alice).post(
        f"{API}/{acme.pk}/contacts", {"name": "李会计", "is_primary": True}, content_type=JSON
    )

    assert response.status_code == 201 and response.json()["is_primary"] is True
    assert Contact.objects.get(pk=chen.pk).is_primary is False
    assert response["ETag"]


def test_a_bad_contact_is_a_422_naming_the_field(client, alice, acme):
    response = login(client, alice).post(
        f"{API}/{acme.pk}/contacts", {"name": "李会计", "phone": "abc"}, content_type=JSON
    )

    assert response.status_code == 422 and "phone" in response.content.decode()
    assert not Contact.objects.filter(name="李会计").exists()


def test_a_contact_is_changed_with_its_etag(client, alice, acme, chen):
    login(client, alice)
    etag = client.patch(f"{API}/{acme.pk}/contacts/{chen.pk}", {"notes": "x"}, content_type=JSON)[
        "ETag"
    ]

    response = client.patch(
        f"{API}/{acme.pk}/contacts/{chen.pk}",
        {"title": "采购经理"},
        content_type=JSON,
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 200 and response.json()["title"] == "采购经理"


def test_a_change_on_a_stale_etag_is_a_412_and_writes_nothing(client, alice, acme, chen):
    login(client, alice)
    etag = client.patch(f"{API}/{acme.pk}/contacts/{chen.pk}", {"notes": "x"}, content_type=JSON)[
        "ETag"
    ]
    update_contact(alice, acme.pk, chen.pk, {"title": "采购总监"})  # someone else, meanwhile

    response = client.patch(
        f"{API}/{acme.pk}/contacts/{chen.pk}",
        {"title": "采购经理"},
        content_type=JSON,
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 412
    assert Contact.objects.get(pk=chen.pk).title == "采购总监"


def test_a_removed_contact_is_put_back(client, alice, acme, chen):
    login(client, alice)
    removed = client.delete(f"{API}/{acme.pk}/contacts/{chen.pk}")
    assert removed.status_code == 200 and removed.json()["removed"] == chen.pk
    assert not Contact.objects.filter(pk=chen.pk).exists()

    back = client.post(f"{API}/{acme.pk}/contacts/{chen.pk}/restore")

    assert back.status_code == 201 and back.json()["name"] == "陈静"


def test_another_reps_customers_contacts_are_not_found(client, alice, charlie, acme, chen):
    login(client, charlie)

    assert client.get(f"{API}/{acme.pk}/contacts").status_code == 404
    assert (
        client.patch(
            f"{API}/{acme.pk}/contacts/{chen.pk}", {"title": "x"}, content_type=JSON
        ).status_code
        == 404
    )
    assert client.delete(f"{API}/{acme.pk}/contacts/{chen.pk}").status_code == 404
    assert Contact.objects.get(pk=chen.pk).title == ""


def test_a_contact_of_another_customer_is_not_found_under_this_one(
    client, alice, acme, chen, alices_customer
):
    response = login(client, alice).delete(f"{API}/{alices_customer.pk}/contacts/{chen.pk}")

    assert response.status_code == 404
    assert Contact.objects.filter(pk=chen.pk).exists()


def test_a_read_share_may_list_but_not_change_the_contacts(client, alice, bob, acme, chen):
    share_customer(alice, acme.pk, to_user=bob, level="read")
    login(client, bob)

    assert client.get(f"{API}/{acme.pk}/contacts").status_code == 200
    response = client.post(f"{API}/{acme.pk}/contacts", {"name": "李会计"}, content_type=JSON)
    assert response.status_code == 403
