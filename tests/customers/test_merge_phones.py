"""Merging two customers with different mobiles: the mobile not kept goes to an empty "other
phone" by default, on the comparison page, through the form and the API, unless the user chose
otherwise; the merge's history and undo cover it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from guanxi.customers import merge
from guanxi.customers.models import Customer, MergeRecord
from guanxi.customers.services import create_customer, share_customer
from tests.conftest import login

API = "/api/v1/customers"
JSON = "application/json"


@pytest.fixture
def survivor(alice):
    return create_customer(alice, {"name": "王伟", "phone": "13800138000"})


@pytest.fixture
def other(alice):
    return create_customer(alice, {"name": "王玮", "phone": "13900139000"})


def _phones(customer) -> tuple[str, str]:
    customer = Customer.objects.get(pk=customer.pk)
    return customer.phone, customer.phone_alt


# --- the service ---------------------------------------------------------------------------


def test_the_mobile_not_kept_goes_to_an_empty_other_phone(alice, survivor, other):
    merge.merge_customers(alice, survivor.pk, other.pk)

    assert _phones(survivor) == ("+8613800138000", "+8613900139000")


def test_keeping_the_others_mobile_puts_the_survivors_in_other_phone(alice, survivor, other):
    merge.merge_customers(alice, survivor.pk, other.pk, {"phone": "other"})

    assert _phones(survivor) == ("+8613900139000", "+8613800138000")


def test_an_explicit_choice_of_other_phone_wins(alice, survivor, other):
    merge.merge_customers(alice, survivor.pk, other.pk, {"phone_alt": "survivor"})

    assert _phones(survivor) == ("+8613800138000", "")


def test_an_other_phone_already_filled_is_kept(alice, survivor, other):
    survivor = create_customer(
        alice, {"name": "王伟", "phone": "13800138001", "phone_alt": "02887654321"}
    )

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert _phones(survivor) == ("+8613800138001", "+862887654321")


def test_an_other_phone_that_repeats_the_mobile_kept_makes_room_for_the_one_not_kept(
    alice, survivor
):
    other = create_customer(
        alice, {"name": "王玮", "phone": "13900139000", "phone_alt": "13800138000"}
    )

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert _phones(survivor) == ("+8613800138000", "+8613900139000")


def test_the_mobile_not_kept_may_be_chosen_over_a_filled_other_phone(alice, other):
    survivor = create_customer(
        alice, {"name": "王伟", "phone": "13800138001", "phone_alt": "02887654321"}
    )

    merge.merge_customers(alice, survivor.pk, other.pk, {"phone_alt": "phone_not_kept"})

    assert _phones(survivor) == ("+8613800138001", "+8613900139000")


def test_the_mobile_not_kept_is_in_the_history_and_undo_takes_it_out(alice, survivor, other):
    record = merge.merge_customers(alice, survivor.pk, other.pk)

    latest = survivor.history.first()
    assert (latest.phone_alt, latest.history_change_reason) == (
        "+8613900139000",
        f"merged #{other.pk} into this customer",
    )
    assert record.survivor_before["phone_alt"] == ""
    assert record.survivor_after["phone_alt"] == "+8613900139000"

    merge.undo_merge(alice, record.pk)

    assert _phones(survivor) == ("+8613800138000", "")
    assert _phones(other) == ("+8613900139000", "")


def test_the_mobile_not_kept_is_no_choice_for_another_field(alice, survivor, other):
    with pytest.raises(ValidationError) as caught:
        merge.merge_customers(alice, survivor.pk, other.pk, {"email": "phone_not_kept"})

    assert list(caught.value.message_dict) == ["email"]
    assert not MergeRecord.objects.exists()


# --- the page ------------------------------------------------------------------------------


def test_the_comparison_page_proposes_the_mobile_not_kept_as_other_phone(
    client, alice, survivor, other
):
    body = login(client, alice).get(reverse("customers:merge", args=[survivor.pk, other.pk]))

    html = body.content.decode()
    assert 'id="c-phone_alt-p" value="phone_not_kept" checked' in html
    assert 'id="c-phone_alt-s" value="survivor">' in html  # still a choice, not disabled
    assert "+86 139 0013 9000" in html


def test_the_comparison_page_offers_no_mobile_when_both_are_the_same(client, alice, survivor):
    twin = create_customer(alice, {"name": "王玮", "phone": "13800138000"})

    html = (
        login(client, alice)
        .get(reverse("customers:merge", args=[survivor.pk, twin.pk]))
        .content.decode()
    )

    assert "phone_not_kept" not in html


def test_the_proposal_is_masked_for_a_rep_who_sees_the_kept_one_masked(
    client, alice, bob, survivor
):
    bobs = create_customer(bob, {"name": "王玮", "phone": "13900139000"})
    share_customer(bob, bobs.pk, to_user=alice, level="edit")

    html = (
        login(client, alice)
        .get(reverse("customers:merge", args=[bobs.pk, survivor.pk]))
        .content.decode()
    )

    assert "+86 139 **** 9000" in html and "0013 9000" not in html


def test_the_merge_form_keeps_the_mobile_not_kept(client, alice, survivor, other):
    login(client, alice).post(
        reverse("customers:merge", args=[survivor.pk, other.pk]),
        {"choice-phone": "other", "choice-phone_alt": "phone_not_kept"},
    )

    assert _phones(survivor) == ("+8613900139000", "+8613800138000")


def test_the_merge_form_follows_the_users_choice_of_other_phone(client, alice, survivor, other):
    login(client, alice).post(
        reverse("customers:merge", args=[survivor.pk, other.pk]),
        {"choice-phone": "survivor", "choice-phone_alt": "survivor"},
    )

    assert _phones(survivor) == ("+8613800138000", "")


# --- the API -------------------------------------------------------------------------------


def test_api_merge_keeps_the_mobile_not_kept_by_default(client, alice, survivor, other):
    response = login(client, alice).post(
        f"{API}/merge", {"survivor": survivor.pk, "other": other.pk}, content_type=JSON
    )

    assert response.status_code == 201
    assert "phone_alt" in response.json()["changed_fields"]
    assert _phones(survivor) == ("+8613800138000", "+8613900139000")


def test_api_merge_follows_an_explicit_choice_of_other_phone(client, alice, survivor, other):
    response = login(client, alice).post(
        f"{API}/merge",
        {"survivor": survivor.pk, "other": other.pk, "choices": {"phone_alt": "other"}},
        content_type=JSON,
    )

    assert response.status_code == 201
    assert "phone_alt" not in response.json()["changed_fields"]
    assert _phones(survivor) == ("+8613800138000", "")


def test_api_refuses_the_mobile_not_kept_for_another_field(client, alice, survivor, other):
    response = login(client, alice).post(
        f"{API}/merge",
        {"survivor": survivor.pk, "other": other.pk, "choices": {"email": "phone_not_kept"}},
        content_type=JSON,
    )

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["choices.email"]
