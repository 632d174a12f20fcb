"""The customer card: profile, reveal, tabs (contacts, tags, history, sharing, followers)."""

import datetime as dt

import pytest
from django.urls import reverse

from guanxi.core.models import AccessLog
from guanxi.customers.models import Contact, CustomerShare, CustomField
from guanxi.customers.services import add_contact, create_customer, update_customer
from tests.conftest import login


def detail(customer, tab=None):
    url = reverse("customers:detail", args=[customer.pk])
    return f"{url}?tab={tab}" if tab else url


def tab(customer, name):
    return reverse("customers:tab", args=[customer.pk, name])


HTMX = {"HX-Request": "true", "HX-Target": "tab-card"}


def test_opening_the_card_logs_a_view(client, alices_customer):
    response = login(client, alices_customer.owner).get(detail(alices_customer))
    assert response.status_code == 200
    log = AccessLog.objects.get(action="view", object_id=alices_customer.pk)
    assert log.user == alices_customer.owner


def test_card_shows_the_profile_groups_and_the_owner(client, alices_customer):
    body = login(client, alices_customer.owner).get(detail(alices_customer)).content.decode()
    for text in (
        "Identity",
        "Address &amp; region",
        "Profile",
        "广东",
        "wangwei@example.com",
        "Owner",
        "Alice",
    ):
        assert text in body


def test_lunar_birthday_is_shown_when_the_calendar_is_lunar(client, alice):
    customer = create_customer(
        alice, {"name": "陈静", "birthday": dt.date(1990, 4, 2), "birthday_calendar": "lunar"}
    )
    body = login(client, alice).get(detail(customer)).content.decode()
    assert customer.lunar_birthday in body


def test_custom_fields_are_shown_by_label(client, alice):
    CustomField.objects.create(key="car_model", label="车型", field_type="text")
    customer = create_customer(alice, {"name": "周杰", "custom": {"car_model": "凯美瑞"}})
    body = login(client, alice).get(detail(customer)).content.decode()
    assert "车型" in body and "凯美瑞" in body


def test_shared_colleague_sees_the_id_masked_with_a_reveal_button(client, alices_customer, bob):
    CustomerShare.objects.create(customer=alices_customer, user=bob, level="read")
    body = login(client, bob).get(detail(alices_customer)).content.decode()
    assert "11010519491231002X" not in body
    assert "110***********002X" in body
    assert reverse("customers:reveal", args=[alices_customer.pk, "id_number"]) in body


def test_reveal_swaps_in_the_value_and_logs_the_reveal(client, alices_customer, bob):
    CustomerShare.objects.create(customer=alices_customer, user=bob, level="read")
    response = login(client, bob).post(
        reverse("customers:reveal", args=[alices_customer.pk, "phone"]),
        headers={"HX-Request": "true"},
    )
    assert "+86 138 0013 8000" in response.content.decode()
    log = AccessLog.objects.get(action="reveal")
    assert (log.user, log.object_id, log.detail) == (bob, alices_customer.pk, "phone")


def test_analyst_may_not_reveal(client, nina, alices_customer):
    response = login(client, nina).post(
        reverse("customers:reveal", args=[alices_customer.pk, "phone"])
    )
    assert response.status_code == 403
    assert not AccessLog.objects.filter(action="reveal").exists()


def test_history_tab_shows_who_changed_which_field_from_what_to_what(client, alices_customer, mike):
    update_customer(mike, alices_customer.pk, {"city": "深圳"})
    response = login(client, alices_customer.owner).get(
        tab(alices_customer, "history"), headers=HTMX
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "Mike" in body and "City" in body and "广州" in body and "深圳" in body


def test_history_masks_old_phone_numbers_for_masked_viewers(client, alices_customer, bob):
    update_customer(alices_customer.owner, alices_customer.pk, {"phone": "13912345678"})
    CustomerShare.objects.create(customer=alices_customer, user=bob, level="read")
    body = login(client, bob).get(tab(alices_customer, "history"), headers=HTMX).content.decode()
    assert "13800138000" not in body and "0013 8000" not in body
    assert "+86 138 **** 8000" in body


def test_history_lists_owner_transfers(client, alices_customer, mike, bob):
    from guanxi.customers.services import transfer_customer

    transfer_customer(mike, alices_customer.pk, bob, "客户要求")
    body = login(client, mike).get(detail(alices_customer, "history")).content.decode()
    assert "客户要求" in body and "Alice → Bob" in body


def test_contact_can_be_added_edited_and_removed(client, alice):
    company = create_customer(alice, {"kind": "company", "name": "广州白云机场贸易公司"})
    login(client, alice)
    response = client.post(
        reverse("customers:contact_add", args=[company.pk]),
        {
            "contact-name": "张经理",
            "contact-title": "采购经理",
            "contact-phone": "13800138001",
        },
        headers=HTMX,
    )
    assert "张经理" in response.content.decode()
    contact = Contact.objects.get(customer=company)
    assert contact.phone == "+8613800138001"
    client.post(
        reverse("customers:contact_edit", args=[company.pk, contact.pk]),
        {"contact-name": "张总", "contact-phone": "13800138001"},
        headers=HTMX,
    )
    contact.refresh_from_db()
    assert contact.name == "张总"
    client.post(reverse("customers:contact_remove", args=[company.pk, contact.pk]), headers=HTMX)
    assert not Contact.objects.filter(customer=company).exists()


def test_contact_with_a_bad_phone_shows_the_error_and_is_not_saved(client, alices_customer):
    response = login(client, alices_customer.owner).post(
        reverse("customers:contact_add", args=[alices_customer.pk]),
        {"contact-name": "小王", "contact-phone": "123"},
        headers=HTMX,
    )
    assert "Enter a valid phone number" in response.content.decode()
    assert not Contact.objects.exists()


def test_tags_tab_replaces_the_tags(client, alices_customer):
    login(client, alices_customer.owner).post(
        reverse("customers:tags", args=[alices_customer.pk]), {"tags": "车主，回访"}, headers=HTMX
    )
    assert set(alices_customer.tags.values_list("name", flat=True)) == {"车主", "回访"}


def test_owner_shares_with_a_colleague_and_removes_the_share(client, alices_customer, charlie):
    login(client, alices_customer.owner)
    client.post(
        reverse("customers:share_add", args=[alices_customer.pk]),
        {"target": f"user:{charlie.pk}", "level": "read"},
        headers=HTMX,
    )
    share = CustomerShare.objects.get(customer=alices_customer)
    assert share.user == charlie
    client.post(
        reverse("customers:share_remove", args=[alices_customer.pk, share.pk]), headers=HTMX
    )
    assert not CustomerShare.objects.exists()


def test_sharing_tab_is_hidden_from_a_colleague_who_cannot_manage(client, alices_customer, bob):
    CustomerShare.objects.create(customer=alices_customer, user=bob, level="edit")
    login(client, bob)
    body = client.get(detail(alices_customer)).content.decode()
    assert tab(alices_customer, "sharing") not in body
    assert client.get(tab(alices_customer, "sharing")).status_code == 403


def test_follow_and_unfollow(client, alices_customer, bob):
    CustomerShare.objects.create(customer=alices_customer, user=bob, level="read")
    login(client, bob)
    url = reverse("customers:follow", args=[alices_customer.pk])
    client.post(url, {"follow": "1"})
    assert alices_customer.followers.filter(pk=bob.pk).exists()
    client.post(url, {"follow": "0"})
    assert not alices_customer.followers.exists()


def test_contacts_of_a_masked_customer_show_masked_phones(client, alices_customer, bob):
    add_contact(alices_customer.owner, alices_customer, {"name": "王太太", "phone": "13912345678"})
    CustomerShare.objects.create(customer=alices_customer, user=bob, level="read")
    body = login(client, bob).get(detail(alices_customer)).content.decode()
    assert "+86 139 **** 5678" in body and "13912345678" not in body


@pytest.mark.parametrize("name", ["contacts", "tags", "history", "followers"])
def test_each_tab_loads_as_a_partial(client, alices_customer, name):
    response = login(client, alices_customer.owner).get(tab(alices_customer, name), headers=HTMX)
    assert response.status_code == 200
    assert 'id="tab-pane"' in response.content.decode()
