"""The customer's history lists its contacts' changes too: added, changed (each field before
and after), removed; a contact's phone masked as the customer's are; the API names the contact."""

import pytest
from django.urls import reverse

from guanxi.customers.queries import history_for
from guanxi.customers.services import (
    add_contact,
    create_customer,
    remove_contact,
    share_customer,
    update_contact,
)
from tests.conftest import login


@pytest.fixture
def acme(alice):
    return create_customer(alice, {"kind": "company", "name": "广州华信贸易有限公司"})


def _tab(client, user, customer) -> str:
    response = login(client, user).get(reverse("customers:tab", args=[customer.pk, "history"]))
    return response.content.decode()


def test_an_added_contact_is_in_the_customers_history(client, alice, acme):
    add_contact(alice, acme, {"name": "陈静"})

    assert "added the contact 陈静" in _tab(client, alice, acme)


def test_a_contacts_change_is_listed_field_by_field(alice, acme):
    chen = add_contact(alice, acme, {"name": "陈静"})

    update_contact(alice, acme.pk, chen.pk, {"title": "采购经理"})

    entry = history_for(acme)[0]
    assert (entry["type"], entry["contact"]) == ("changed", {"id": chen.pk, "name": "陈静"})
    assert entry["changes"] == [("title", "", "采购经理")]


def test_a_removed_contact_is_in_the_customers_history(client, alice, acme):
    chen = add_contact(alice, acme, {"name": "陈静"})

    remove_contact(alice, acme.pk, chen.pk)

    assert "removed the contact 陈静" in _tab(client, alice, acme)


def test_a_contact_saved_unchanged_adds_no_entry(alice, acme):
    chen = add_contact(alice, acme, {"name": "陈静"})

    update_contact(alice, acme.pk, chen.pk, {"name": "陈静"})

    assert [e["type"] for e in history_for(acme) if e["contact"]] == ["created"]


def test_a_contacts_phone_in_the_history_is_masked_for_who_sees_phones_masked(
    client, alice, nina, acme
):
    chen = add_contact(alice, acme, {"name": "陈静"})
    update_contact(alice, acme.pk, chen.pk, {"phone": "13912345678"})

    html = _tab(client, nina, acme)

    assert "13912345678" not in html and "+86 139 **** 5678" in html


def test_another_reps_customers_contact_history_is_not_found(client, alice, charlie, acme):
    add_contact(alice, acme, {"name": "陈静"})

    response = login(client, charlie).get(reverse("customers:tab", args=[acme.pk, "history"]))

    assert response.status_code == 404


def test_the_api_names_the_contact_of_an_entry(client, alice, bob, acme):
    chen = add_contact(alice, acme, {"name": "陈静"})
    share_customer(alice, acme.pk, to_user=bob, level="read")

    body = login(client, bob).get(f"/api/v1/customers/{acme.pk}/history").json()

    assert body["items"][0]["contact"] == {"id": chen.pk, "name": "陈静"}
    assert body["items"][-1]["contact"] is None  # the customer's creation
