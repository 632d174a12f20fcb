"""Who may merge: merging a customer away gives its records to another, so it takes the right to
transfer it (owner, their manager, admin), not an edit share; an undo needs both customers
editable; a merge keeps every share's rights and an undo proposes the pair again; an old link
to a merged customer leads to the one it lives on in."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from guanxi.customers import merge
from guanxi.customers.models import CustomerShare
from guanxi.customers.models_merge import DuplicatePair
from guanxi.customers.services import create_customer, share_customer
from tests.conftest import login

API = "/api/v1/customers"
JSON = "application/json"


@pytest.fixture
def mine(alice):
    return create_customer(alice, {"name": "王平", "phone": "13800138000"})


@pytest.fixture
def bobs_shared(bob, alice):
    """Bob's customer, shared with Alice to edit."""
    customer = create_customer(bob, {"name": "李晓龙", "phone": "13900139000"})
    share_customer(bob, customer.pk, to_user=alice, level="edit")
    return customer


def test_an_edit_share_does_not_let_a_rep_merge_a_colleagues_customer_away(
    alice, mine, bobs_shared
):
    with pytest.raises(PermissionDenied):
        merge.merge_customers(alice, mine.pk, bobs_shared.pk)


def test_a_rep_may_merge_her_own_customer_into_one_shared_with_her_to_edit(
    alice, mine, bobs_shared
):
    record = merge.merge_customers(alice, bobs_shared.pk, mine.pk)

    assert (record.survivor_id, record.other_id) == (bobs_shared.pk, mine.pk)


def test_their_manager_merges_two_reps_customers(mike, mine, bobs_shared):
    record = merge.merge_customers(mike, mine.pk, bobs_shared.pk)

    assert record.other_id == bobs_shared.pk


def test_the_api_refuses_the_merge_with_a_403_saying_why(client, alice, mine, bobs_shared):
    response = login(client, alice).post(
        f"{API}/merge", {"survivor": mine.pk, "other": bobs_shared.pk}, content_type=JSON
    )

    assert response.status_code == 403
    assert f"#{bobs_shared.pk}" in response.json()["detail"]


def test_the_page_turns_round_to_the_direction_the_rep_may_merge(client, alice, mine, bobs_shared):
    response = login(client, alice).get(
        reverse("customers:merge", args=[mine.pk, bobs_shared.pk]), follow=True
    )

    assert response.redirect_chain[-1][0] == reverse(
        "customers:merge", args=[bobs_shared.pk, mine.pk]
    )
    assert "is kept: only its owner" in response.content.decode()


def test_the_page_hides_keep_the_other_one_where_that_is_not_allowed(
    client, alice, mine, bobs_shared
):
    html = (
        login(client, alice)
        .get(reverse("customers:merge", args=[bobs_shared.pk, mine.pk]))
        .content.decode()
    )

    assert "Keep the other one instead" not in html


def test_the_page_is_403_when_the_rep_may_merge_neither_away(client, alice, bob, bobs_shared):
    also_bobs = create_customer(bob, {"name": "李小龙"})
    share_customer(bob, also_bobs.pk, to_user=alice, level="edit")

    response = login(client, alice).get(
        reverse("customers:merge", args=[bobs_shared.pk, also_bobs.pk])
    )

    assert response.status_code == 403


def test_a_share_to_edit_on_the_merged_customer_stays_one_to_edit(
    alice, bob, charlie, mine, bobs_shared
):
    share_customer(bob, bobs_shared.pk, to_user=charlie, level="read")
    share_customer(alice, mine.pk, to_user=charlie, level="edit")

    merge.merge_customers(alice, bobs_shared.pk, mine.pk)

    share = CustomerShare.objects.get(customer=bobs_shared, user=charlie)
    assert share.level == "edit"


def test_undo_gives_the_raised_share_its_level_back(alice, charlie, mine, bobs_shared, bob):
    share_customer(bob, bobs_shared.pk, to_user=charlie, level="read")
    share_customer(alice, mine.pk, to_user=charlie, level="edit")
    record = merge.merge_customers(alice, bobs_shared.pk, mine.pk)

    merge.undo_merge(alice, record.pk)

    assert CustomerShare.objects.get(customer=bobs_shared, user=charlie).level == "read"
    assert CustomerShare.objects.get(customer=mine, user=charlie).level == "edit"


def test_undo_proposes_the_pair_again(alice):
    first = create_customer(alice, {"name": "王伟", "phone": "13800138000"})
    second = create_customer(alice, {"name": "王 伟", "email": "ww@example.com"})
    DuplicatePair.objects.create(
        customer_a=first, customer_b=second, reason="name", reasons="name", score=90
    )
    record = merge.merge_customers(alice, first.pk, second.pk)
    assert not DuplicatePair.objects.exists()

    merge.undo_merge(alice, record.pk)

    pair = DuplicatePair.objects.get()
    assert (pair.customer_a_id, pair.customer_b_id, pair.score) == (first.pk, second.pk, 90)


def test_the_api_counts_no_duplicate_pair_among_the_rows_the_survivor_had(client, alice):
    first = create_customer(alice, {"name": "王伟", "phone": "13800138000"})
    second = create_customer(alice, {"name": "王 伟"})
    DuplicatePair.objects.create(
        customer_a=first, customer_b=second, reason="name", reasons="name", score=90
    )

    response = login(client, alice).post(
        f"{API}/merge", {"survivor": first.pk, "other": second.pk}, content_type=JSON
    )

    assert response.status_code == 201 and response.json()["removed"] == 0


def test_the_recycle_bin_offers_no_undo_of_a_merge_into_a_customer_she_cannot_change(
    client, mike, alice, charlie
):
    """Mike (manager) merged Alice's customer into one of another team's, which he may edit."""
    hers = create_customer(alice, {"name": "王伟"})
    theirs = create_customer(charlie, {"name": "王 伟"})
    share_customer(charlie, theirs.pk, to_user=mike, level="edit")
    record = merge.merge_customers(mike, theirs.pk, hers.pk)

    html = login(client, alice).get(reverse("customers:recycle_bin")).content.decode()

    assert "王伟" in html
    assert reverse("customers:merge_undo", args=[record.pk]) not in html
    assert "its owner or your manager can undo the merge" in html


def test_an_old_link_to_a_merged_customer_leads_to_the_one_it_lives_on_in(client, alice, mine):
    other = create_customer(alice, {"name": "王 平"})
    merge.merge_customers(alice, mine.pk, other.pk)

    response = login(client, alice).get(reverse("customers:detail", args=[other.pk]), follow=True)

    assert response.redirect_chain == [(reverse("customers:detail", args=[mine.pk]), 302)]
    assert f"Customer #{other.pk} was merged into this one" in response.content.decode()


def test_an_old_link_stays_404_for_who_cannot_see_the_kept_customer(client, alice, charlie, mine):
    other = create_customer(alice, {"name": "王 平"})
    merge.merge_customers(alice, mine.pk, other.pk)

    response = login(client, charlie).get(reverse("customers:detail", args=[other.pk]))

    assert response.status_code == 404


def test_no_mobile_not_kept_is_offered_when_the_other_has_no_mobile(client, alice, mine):
    other = create_customer(alice, {"name": "王 平", "email": "wp@example.com"})

    html = (
        login(client, alice)
        .get(reverse("customers:merge", args=[mine.pk, other.pk]))
        .content.decode()
    )

    assert "phone_not_kept" not in html


# --- contact details the choices keep nowhere ----------------------------------------------


@pytest.fixture
def two_ways(alice):
    """Two records of one person, each with its own other phone, e-mail and WeChat."""
    first = create_customer(
        alice,
        {
            "name": "李晓龙",
            "phone": "13800138000",
            "phone_alt": "02088886666",
            "email": "lxl@example.com",
            "wechat_id": "lxl_wx_a",
        },
    )
    second = create_customer(
        alice,
        {
            "name": "李晓龙",
            "phone": "13800138000",
            "phone_alt": "02088887777",
            "email": "lxl@work.example.com",
            "wechat_id": "lxl_wx_b",
        },
    )
    return first, second


def test_the_contacts_the_choices_keep_nowhere_are_named(two_ways):
    first, second = two_ways

    lost = merge.contacts_not_kept(first, second, {"email": "other"})

    assert [(c.pk, name) for c, name in lost] == [
        (first.pk, "email"),
        (second.pk, "phone_alt"),
        (second.pk, "wechat_id"),
    ]


def test_a_value_both_have_is_not_named_when_one_is_kept(two_ways):
    first, second = two_ways

    lost = merge.contacts_not_kept(first, second, {})

    assert (first.pk, "phone") not in [(c.pk, name) for c, name in lost]


def test_the_comparison_page_warns_of_what_the_default_choices_lose(client, alice, two_ways):
    first, second = two_ways

    html = (
        login(client, alice).get(reverse("customers:merge", args=[first.pk, second.pk]))
    ).content.decode()

    assert "these contact details are kept in no field" in html
    assert "lxl@work.example.com" in html and "lxl_wx_b" in html


def test_changing_a_choice_asks_the_warning_again(client, alice, two_ways):
    first, second = two_ways

    response = login(client, alice).post(
        reverse("customers:merge_not_kept", args=[first.pk, second.pk]),
        {"choice-email": "other", "choice-wechat_id": "other"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "lxl@example.com" in html and "lxl_wx_a" in html and "lxl_wx_b" not in html


def test_the_warning_is_masked_as_the_page_is(client, alice, bob):
    bobs = create_customer(
        bob, {"name": "李晓龙", "phone": "13900139000", "phone_alt": "13700137000"}
    )
    share_customer(bob, bobs.pk, to_user=alice, level="edit")
    hers = create_customer(alice, {"name": "李晓龙", "phone": "13900139000"})

    html = (
        login(client, alice).post(
            reverse("customers:merge_not_kept", args=[bobs.pk, hers.pk]),
            {"choice-phone_alt": "other"},
        )
    ).content.decode()

    assert "+86 137 **** 7000" in html and "0013 7000" not in html


def test_the_warning_is_refused_to_who_may_not_merge(client, alice, bob, two_ways):
    first, second = two_ways
    share_customer(alice, first.pk, to_user=bob, level="edit")
    share_customer(alice, second.pk, to_user=bob, level="edit")

    response = login(client, bob).post(
        reverse("customers:merge_not_kept", args=[first.pk, second.pk]), {}
    )

    assert response.status_code == 403


# --- the API: preview, which version is stale, which field ----------------------------------


def test_the_api_preview_names_the_changes_and_what_is_kept_nowhere(client, alice, two_ways):
    first, second = two_ways

    response = login(client, alice).post(
        f"{API}/merge/preview",
        {"survivor": first.pk, "other": second.pk, "choices": {"email": "other"}},
        content_type=JSON,
    )

    body = response.json()
    assert response.status_code == 200 and body["changed_fields"] == ["email"]
    assert {(k["customer"], k["field"], k["value"]) for k in body["not_kept"]} == {
        (first.pk, "email", "lxl@example.com"),
        (second.pk, "phone_alt", "+862088887777"),
        (second.pk, "wechat_id", "lxl_wx_b"),
    }


def test_the_api_preview_merges_nothing(client, alice, two_ways):
    first, second = two_ways

    login(client, alice).post(
        f"{API}/merge/preview", {"survivor": first.pk, "other": second.pk}, content_type=JSON
    )

    assert not merge.MergeRecord.objects.exists()


def test_the_api_preview_is_masked_for_who_sees_the_survivor_masked(client, alice, bob):
    bobs = create_customer(
        bob, {"name": "李晓龙", "phone": "13900139000", "phone_alt": "13700137000"}
    )
    share_customer(bob, bobs.pk, to_user=alice, level="edit")
    hers = create_customer(alice, {"name": "李晓龙", "phone": "13900139000"})

    body = (
        login(client, alice)
        .post(
            f"{API}/merge/preview",
            {"survivor": bobs.pk, "other": hers.pk, "choices": {"phone_alt": "other"}},
            content_type=JSON,
        )
        .json()
    )

    assert body["not_kept"] == [
        {"customer": bobs.pk, "field": "phone_alt", "value": "+86137****7000"}
    ]


def test_a_stale_version_is_a_409_naming_the_side_that_changed(client, alice, two_ways):
    first, second = two_ways

    response = login(client, alice).post(
        f"{API}/merge",
        {"survivor": first.pk, "other": second.pk, "other_version": second.version + 5},
        content_type=JSON,
    )

    assert response.status_code == 409
    assert response.json()["errors"] == [
        {"field": "other_version", "message": f"Now at version {second.version}."}
    ]


def test_dismissing_a_customer_with_itself_names_customer_b(client, alice, mine):
    response = login(client, alice).post(
        f"{API}/duplicates/dismiss",
        {"customer_a": mine.pk, "customer_b": mine.pk},
        content_type=JSON,
    )

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["customer_b"]
