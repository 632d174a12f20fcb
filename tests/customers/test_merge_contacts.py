"""A merge of two companies and their contacts: the survivor keeps its primary contact, a
contact of both is kept once (its interactions with it), namesakes that differ stay two; an
undo gives every contact back as it was."""

import pytest
from django.urls import reverse

from guanxi.customers import merge
from guanxi.customers.models import Contact
from guanxi.customers.services import add_contact, create_customer, update_contact
from guanxi.interactions.models import Interaction
from guanxi.interactions.services import log_interaction
from tests.conftest import login

API = "/api/v1/customers"
JSON = "application/json"


@pytest.fixture
def survivor(alice):
    return create_customer(
        alice, {"kind": "company", "name": "广州华信贸易有限公司", "phone": "02087654321"}
    )


@pytest.fixture
def other(alice):
    return create_customer(
        alice, {"kind": "company", "name": "广州华信贸易公司", "phone": "02087654322"}
    )


def _contacts(customer) -> list[tuple]:
    return list(
        Contact.objects.filter(customer=customer)
        .order_by("name")
        .values_list("name", "phone", "email", "title", "is_primary")
    )


def test_the_survivor_keeps_its_primary_contact(alice, survivor, other):
    add_contact(alice, survivor, {"name": "张经理", "is_primary": True})
    add_contact(alice, other, {"name": "李会计", "is_primary": True})

    merge.merge_customers(alice, survivor.pk, other.pk)

    primaries = Contact.objects.filter(customer=survivor, is_primary=True)
    assert list(primaries.values_list("name", flat=True)) == ["张经理"]
    assert survivor.contacts.count() == 2


def test_the_others_primary_contact_stays_primary_when_the_survivor_has_none(
    alice, survivor, other
):
    add_contact(alice, survivor, {"name": "张经理"})
    add_contact(alice, other, {"name": "李会计", "is_primary": True})

    merge.merge_customers(alice, survivor.pk, other.pk)

    primaries = Contact.objects.filter(customer=survivor, is_primary=True)
    assert list(primaries.values_list("name", flat=True)) == ["李会计"]


def test_an_undo_makes_the_others_contact_primary_again(alice, survivor, other):
    add_contact(alice, survivor, {"name": "张经理", "is_primary": True})
    add_contact(alice, other, {"name": "李会计", "is_primary": True})
    record = merge.merge_customers(alice, survivor.pk, other.pk)

    merge.undo_merge(alice, record.pk)

    assert _contacts(survivor) == [("张经理", "", "", "", True)]
    assert _contacts(other) == [("李会计", "", "", "", True)]


def test_a_contact_of_both_is_kept_once_with_the_details_only_the_other_had(alice, survivor, other):
    add_contact(alice, survivor, {"name": "陈静", "phone": "13912345678"})
    add_contact(
        alice,
        other,
        {"name": "陈静", "phone": "13912345678", "email": "cj@huaxin.cn", "title": "采购"},
    )

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert _contacts(survivor) == [("陈静", "+8613912345678", "cj@huaxin.cn", "采购", False)]


def test_a_contact_of_both_is_matched_by_e_mail_in_any_case(alice, survivor, other):
    add_contact(alice, survivor, {"name": "陈静", "email": "cj@huaxin.cn"})
    add_contact(alice, other, {"name": "陈静", "email": "CJ@Huaxin.cn"})

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert survivor.contacts.count() == 1


def test_the_interactions_with_the_others_contact_go_to_the_one_kept(alice, survivor, other):
    kept = add_contact(alice, survivor, {"name": "陈静", "phone": "13912345678"})
    theirs = add_contact(alice, other, {"name": "陈静", "phone": "13912345678"})
    call = log_interaction(
        alice, other.pk, {"kind": "call", "subject": "报价"}, contacts=[theirs.pk]
    )

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert list(Interaction.objects.get(pk=call.pk).contacts.all()) == [kept]


def test_an_interaction_with_both_contacts_keeps_the_one_kept_once(alice, survivor, other):
    kept = add_contact(alice, survivor, {"name": "陈静", "phone": "13912345678"})
    theirs = add_contact(alice, other, {"name": "陈静", "phone": "13912345678"})
    call = log_interaction(alice, survivor.pk, {"kind": "call", "subject": "报价"})
    call.contacts.set([kept, theirs])

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert list(Interaction.objects.get(pk=call.pk).contacts.all()) == [kept]


def test_a_contact_of_both_that_was_the_others_primary_becomes_primary_when_none_was(
    alice, survivor, other
):
    add_contact(alice, survivor, {"name": "陈静", "phone": "13912345678"})
    add_contact(alice, other, {"name": "陈静", "phone": "13912345678", "is_primary": True})

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert _contacts(survivor) == [("陈静", "+8613912345678", "", "", True)]


def test_namesakes_with_other_mobiles_stay_two_contacts(alice, survivor, other):
    add_contact(alice, survivor, {"name": "陈静", "phone": "13912345678"})
    add_contact(alice, other, {"name": "陈静", "phone": "13812345678"})

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert survivor.contacts.count() == 2


def test_namesakes_with_the_same_mobile_and_other_titles_are_one_the_others_title_in_the_notes(
    alice, survivor, other
):
    add_contact(alice, survivor, {"name": "陈静", "phone": "13912345678", "title": "采购"})
    add_contact(alice, other, {"name": "陈静", "phone": "13912345678", "title": "财务"})

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert _contacts(survivor) == [("陈静", "+8613912345678", "", "采购", False)]
    assert survivor.contacts.get().notes == f"Title: 财务 (#{other.pk})"


def test_namesakes_with_two_different_mobiles_stay_two_contacts(alice, survivor, other):
    add_contact(alice, survivor, {"name": "陈静", "phone": "13912345678", "email": "cj@a.cn"})
    add_contact(alice, other, {"name": "陈静", "phone": "13987654321", "email": "cj@a.cn"})

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert survivor.contacts.count() == 2


def test_an_undo_gives_back_the_contact_kept_once_and_its_interactions(alice, survivor, other):
    kept = add_contact(alice, survivor, {"name": "陈静", "phone": "13912345678"})
    theirs = add_contact(
        alice, other, {"name": "陈静", "phone": "13912345678", "email": "cj@huaxin.cn"}
    )
    call = log_interaction(
        alice, other.pk, {"kind": "call", "subject": "报价"}, contacts=[theirs.pk]
    )
    record = merge.merge_customers(alice, survivor.pk, other.pk)

    merge.undo_merge(alice, record.pk)

    assert _contacts(survivor) == [("陈静", "+8613912345678", "", "", False)]
    assert _contacts(other) == [("陈静", "+8613912345678", "cj@huaxin.cn", "", False)]
    assert list(Interaction.objects.get(pk=call.pk).contacts.all()) == [theirs]
    assert Contact.objects.get(pk=theirs.pk).customer == other and kept.pk != theirs.pk


def test_an_undo_keeps_a_detail_edited_since_on_the_contact_kept(alice, survivor, other):
    kept = add_contact(alice, survivor, {"name": "陈静", "phone": "13912345678"})
    add_contact(alice, other, {"name": "陈静", "phone": "13912345678", "title": "采购"})
    record = merge.merge_customers(alice, survivor.pk, other.pk)
    update_contact(alice, survivor.pk, kept.pk, {"title": "采购总监"})

    merge.undo_merge(alice, record.pk)

    assert Contact.objects.get(pk=kept.pk).title == "采购总监"


def test_an_undo_after_a_moved_contact_was_made_primary_leaves_one_primary_each(
    alice, survivor, other
):
    add_contact(alice, survivor, {"name": "张经理", "is_primary": True})
    li = add_contact(alice, other, {"name": "李会计", "is_primary": True})
    wang = add_contact(alice, other, {"name": "王总"})
    record = merge.merge_customers(alice, survivor.pk, other.pk)
    update_contact(alice, survivor.pk, wang.pk, {"is_primary": True})

    merge.undo_merge(alice, record.pk)

    assert list(other.contacts.filter(is_primary=True)) == [wang]
    assert Contact.objects.get(pk=li.pk).is_primary is False
    assert survivor.contacts.filter(is_primary=True).count() == 0


def test_the_preview_names_the_contacts_kept_once(client, alice, survivor, other):
    kept = add_contact(alice, survivor, {"name": "陈静", "phone": "13912345678"})
    theirs = add_contact(alice, other, {"name": "陈静", "phone": "13912345678"})

    response = login(client, alice).post(
        f"{API}/merge/preview", {"survivor": survivor.pk, "other": other.pk}, content_type=JSON
    )

    assert response.status_code == 200
    assert response.json()["contacts_kept_once"] == [
        {"survivor_contact": kept.pk, "other_contact": theirs.pk, "name": "陈静"}
    ]


def test_the_comparison_page_says_which_contacts_are_kept_once(client, alice, survivor, other):
    add_contact(alice, survivor, {"name": "陈静", "phone": "13912345678"})
    add_contact(alice, other, {"name": "陈静", "phone": "13912345678"})

    body = login(client, alice).get(reverse("customers:merge", args=[survivor.pk, other.pk]))

    assert "A contact of both is kept once: 陈静" in body.content.decode()
