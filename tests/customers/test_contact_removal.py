"""Removing a contact can be undone within the recycle-bin window: the contact comes back with
the interactions it took part in, from the card's tab, not for who may not change the customer.
A contact's form opened before someone else changed or removed it saves nothing and says why."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from guanxi.customers.merge import merge_customers
from guanxi.customers.models import Contact, RemovedContact
from guanxi.customers.services import (
    add_contact,
    create_customer,
    remove_contact,
    restore_contact,
    update_contact,
)
from guanxi.interactions.models import Interaction
from guanxi.interactions.services import log_interaction
from tests.conftest import login


@pytest.fixture
def acme(alice):
    return create_customer(alice, {"kind": "company", "name": "广州华信贸易有限公司"})


@pytest.fixture
def chen(alice, acme):
    return add_contact(
        alice, acme, {"name": "陈静", "phone": "13912345678", "title": "采购", "is_primary": True}
    )


def test_a_removed_contact_comes_back_as_it_was(alice, acme, chen):
    remove_contact(alice, acme.pk, chen.pk)

    restore_contact(alice, acme.pk, chen.pk)

    back = Contact.objects.get(pk=chen.pk)
    assert (back.customer, back.name, back.phone, back.title, back.is_primary) == (
        acme,
        "陈静",
        "+8613912345678",
        "采购",
        True,
    )
    assert back.search_text == chen.search_text


def test_a_restored_contact_is_back_in_its_interactions(alice, acme, chen):
    call = log_interaction(alice, acme.pk, {"kind": "call", "subject": "报价"}, contacts=[chen.pk])
    remove_contact(alice, acme.pk, chen.pk)

    restore_contact(alice, acme.pk, chen.pk)

    assert list(Interaction.objects.get(pk=call.pk).contacts.all()) == [chen]


def test_a_restored_primary_contact_is_not_primary_when_another_is_now(alice, acme, chen):
    remove_contact(alice, acme.pk, chen.pk)
    add_contact(alice, acme, {"name": "李会计", "is_primary": True})

    restore_contact(alice, acme.pk, chen.pk)

    assert Contact.objects.get(pk=chen.pk).is_primary is False


def test_a_contact_is_put_back_once(alice, acme, chen):
    remove_contact(alice, acme.pk, chen.pk)
    restore_contact(alice, acme.pk, chen.pk)

    with pytest.raises(Http404):
        restore_contact(alice, acme.pk, chen.pk)


def test_a_contact_removed_longer_ago_than_the_recycle_bin_keeps_cannot_come_back(
    alice, acme, chen, settings
):
    remove_contact(alice, acme.pk, chen.pk)
    RemovedContact.objects.update(
        at=timezone.now() - dt.timedelta(days=settings.RECYCLE_BIN_DAYS + 1)
    )

    with pytest.raises(ValidationError, match="cannot be put back"):
        restore_contact(alice, acme.pk, chen.pk)


def test_another_rep_cannot_put_back_a_contact_of_a_customer_they_cannot_see(
    alice, charlie, acme, chen
):
    remove_contact(alice, acme.pk, chen.pk)

    with pytest.raises(Http404):
        restore_contact(charlie, acme.pk, chen.pk)


def test_the_tab_offers_to_undo_a_removal_and_the_undo_puts_it_back(client, alice, acme, chen):
    login(client, alice)
    removed = client.post(
        reverse("customers:contact_remove", args=[acme.pk, chen.pk]), HTTP_HX_REQUEST="true"
    )
    undo = reverse("customers:contact_restore", args=[acme.pk, chen.pk])
    assert "Contact 陈静 removed." in removed.content.decode() and undo in removed.content.decode()

    response = client.post(undo, HTTP_HX_REQUEST="true")

    assert response.status_code == 200 and "陈静" in response.content.decode()
    assert Contact.objects.filter(pk=chen.pk).exists()


def test_the_undo_is_in_the_message_after_a_plain_removal(client, alice, acme, chen):
    response = login(client, alice).post(
        reverse("customers:contact_remove", args=[acme.pk, chen.pk]), follow=True
    )

    body = response.content.decode()
    assert "Contact 陈静 removed." in body
    assert reverse("customers:contact_restore", args=[acme.pk, chen.pk]) in body


def test_another_rep_gets_404_restoring_through_the_page(client, alice, charlie, acme, chen):
    remove_contact(alice, acme.pk, chen.pk)

    response = login(client, charlie).post(
        reverse("customers:contact_restore", args=[acme.pk, chen.pk])
    )

    assert response.status_code == 404
    assert not Contact.objects.filter(pk=chen.pk).exists()


# --- a contact changed or removed while its form was open -----------------------------------


def _edit_form(client, customer, contact) -> str:
    html = client.get(
        reverse("customers:contact_edit", args=[customer.pk, contact.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    return re.search(r'name="contact-seen" value="([^"]+)"', html).group(1)


def test_a_contact_changed_since_the_form_was_opened_is_not_overwritten(
    client, alice, bob, acme, chen
):
    login(client, alice)
    seen = _edit_form(client, acme, chen)
    update_contact(alice, acme.pk, chen.pk, {"title": "采购总监"})  # in another tab

    response = client.post(
        reverse("customers:contact_edit", args=[acme.pk, chen.pk]),
        {"contact-name": "陈静", "contact-notes": "周三回访", "contact-seen": seen},
        HTTP_HX_REQUEST="true",
    )

    assert "was changed by someone else after you opened it" in response.content.decode()
    assert Contact.objects.get(pk=chen.pk).title == "采购总监"


def test_a_second_save_of_a_stale_form_is_refused_too(client, alice, acme, chen):
    login(client, alice)
    seen = _edit_form(client, acme, chen)
    update_contact(alice, acme.pk, chen.pk, {"title": "采购总监"})
    url = reverse("customers:contact_edit", args=[acme.pk, chen.pk])
    form = {"contact-name": "陈静", "contact-seen": seen}
    again = re.search(
        r'name="contact-seen" value="([^"]+)"',
        client.post(url, form, HTTP_HX_REQUEST="true").content.decode(),
    ).group(1)

    client.post(url, {**form, "contact-seen": again}, HTTP_HX_REQUEST="true")

    assert Contact.objects.get(pk=chen.pk).title == "采购总监"


def test_a_fresh_form_saves(client, alice, acme, chen):
    login(client, alice)
    seen = _edit_form(client, acme, chen)

    client.post(
        reverse("customers:contact_edit", args=[acme.pk, chen.pk]),
        {"contact-name": "陈静", "contact-title": "采购总监", "contact-seen": seen},
        HTTP_HX_REQUEST="true",
    )

    assert Contact.objects.get(pk=chen.pk).title == "采购总监"


def test_saving_a_contact_removed_meanwhile_says_so(client, alice, acme, chen):
    login(client, alice)
    seen = _edit_form(client, acme, chen)
    remove_contact(alice, acme.pk, chen.pk)

    response = client.post(
        reverse("customers:contact_edit", args=[acme.pk, chen.pk]),
        {"contact-name": "陈静", "contact-seen": seen},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert "This contact was removed in the meantime: nothing was saved." in (
        response.content.decode()
    )


# --- put back later, from the history -------------------------------------------------------


def _history(client, user, customer) -> str:
    url = reverse("customers:tab", args=[customer.pk, "history"])
    return login(client, user).get(url).content.decode()


def test_the_history_offers_to_put_back_a_removed_contact(client, alice, acme, chen):
    remove_contact(alice, acme.pk, chen.pk)

    html = _history(client, alice, acme)

    assert reverse("customers:contact_restore", args=[acme.pk, chen.pk]) in html


def test_the_history_offers_nothing_to_who_may_only_read_the_customer(
    client, alice, nina, acme, chen
):
    remove_contact(alice, acme.pk, chen.pk)

    html = _history(client, nina, acme)

    assert "removed the contact 陈静" in html
    assert reverse("customers:contact_restore", args=[acme.pk, chen.pk]) not in html


def test_the_history_offers_nothing_once_the_contact_is_back(client, alice, acme, chen):
    remove_contact(alice, acme.pk, chen.pk)
    restore_contact(alice, acme.pk, chen.pk)

    html = _history(client, alice, acme)

    assert reverse("customers:contact_restore", args=[acme.pk, chen.pk]) not in html


def test_the_undo_of_a_merge_says_what_was_removed_since(client, alice, acme, chen):
    other = create_customer(alice, {"kind": "company", "name": "广州华信贸易公司"})
    li = add_contact(alice, other, {"name": "李会计"})
    record = merge_customers(alice, acme.pk, other.pk)
    remove_contact(alice, acme.pk, li.pk)

    response = login(client, alice).post(
        reverse("customers:merge_undo", args=[record.pk]), follow=True
    )

    assert "but for 1 removed from 广州华信贸易有限公司 since the merge" in (
        response.content.decode()
    )
