"""Duplicates and merge through the pages and the JSON API: listing, comparing, merging with
choices, stale versions, undo, dismissals, and 404 for what a user cannot see."""

import re

from django.urls import reverse

from guanxi.core.models import Notification
from guanxi.customers.duplicates import scan_duplicates
from guanxi.customers.merge import merge_customers
from guanxi.customers.models import Customer, DuplicateDismissal, MergeRecord
from guanxi.customers.services import create_customer, update_customer
from tests.conftest import login

API = "/api/v1/customers"
JSON = "application/json"


def _twins(user, **extra):
    first = create_customer(user, {"name": "王伟", "phone": "13800138000", "city": "广州"})
    second = create_customer(
        user,
        {
            "name": "王玮",
            "phone": "13800138000",
            "email": "ww@example.com",
            "city": "广州",
            **extra,
        },
    )
    return first, second


# --- pages ---------------------------------------------------------------------------------


def test_duplicates_page_lists_the_pairs_with_reasons_and_a_compare_link(
    client, alice, django_assert_max_num_queries
):
    first, second = _twins(alice)
    scan_duplicates()
    login(client, alice)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("customers:duplicates"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Same phone" in body and "Similar name" in body
    assert reverse("customers:merge", args=[first.pk, second.pk]) in body


def test_duplicates_page_filters_by_reason(client, alice):
    _twins(alice)
    create_customer(alice, {"name": "李娜", "email": "lina@example.com"})
    create_customer(alice, {"name": "Li Na", "email": "LINA@example.com"})
    scan_duplicates()
    login(client, alice)

    body = client.get(reverse("customers:duplicates"), {"reason": "email"}).content.decode()

    assert "李娜" in body and "王玮" not in body


def test_duplicates_page_pages_without_counting_and_keeps_the_filter(client, alice, settings):
    settings.CUSTOMER_PAGE_SIZE = 2
    for n in range(3):  # three pairs of the same e-mail
        create_customer(alice, {"name": f"甲{n}", "email": f"p{n}@example.com"})
        create_customer(alice, {"name": f"乙{n}", "email": f"P{n}@example.com"})
    scan_duplicates()
    login(client, alice)

    first = client.get(reverse("customers:duplicates"), {"reason": "email"}).content.decode()
    second = client.get(reverse("customers:duplicates"), {"reason": "email", "page": 2})

    compare = re.compile(r"/customers/merge/\d+/\d+/")
    assert len(compare.findall(first)) == 2 and "reason=email&amp;page=2" in first
    assert len(compare.findall(second.content.decode())) == 1
    assert "page=3" not in second.content.decode()


def test_an_empty_duplicates_page_offers_to_look_now(client, alice, nina):
    body = login(client, alice).get(reverse("customers:duplicates")).content.decode()
    assert "Look for duplicates now" in body
    assert reverse("customers:duplicate_scan") in body
    body = login(client, nina).get(reverse("customers:duplicates")).content.decode()
    assert "Look for duplicates now" not in body  # an analyst may not start a scan


def test_a_rep_does_not_see_pairs_involving_another_reps_customer(client, alice, bob):
    create_customer(alice, {"name": "王伟", "phone": "13800138000"})
    create_customer(bob, {"name": "王玮", "phone": "13800138000"})
    scan_duplicates()

    body = login(client, alice).get(reverse("customers:duplicates")).content.decode()

    assert "王玮" not in body and "No duplicates found" in body


def test_comparison_page_shows_both_values_defaults_and_related_counts(client, alice):
    first, second = _twins(alice)
    login(client, alice)

    response = client.get(reverse("customers:merge", args=[first.pk, second.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="choice-name" id="c-name-s" value="survivor" checked' in body
    assert 'name="choice-email" id="c-email-o" value="other" checked' in body
    assert "ww@example.com" in body
    assert f'name="survivor_version" value="{first.version}"' in body


def test_comparison_of_another_reps_customer_is_a_404(client, alice, charlie):
    mine = create_customer(alice, {"name": "王伟"})
    theirs = create_customer(charlie, {"name": "王玮"})
    login(client, alice)

    assert client.get(reverse("customers:merge", args=[mine.pk, theirs.pk])).status_code == 404
    assert client.post(reverse("customers:merge", args=[mine.pk, theirs.pk])).status_code == 404
    assert Customer.objects.get(pk=theirs.pk).deleted_at is None


def test_merge_form_applies_the_choices_and_offers_undo(client, alice):
    first, second = _twins(alice)
    login(client, alice)

    response = client.post(
        reverse("customers:merge", args=[first.pk, second.pk]),
        {"choice-name": "other", "survivor_version": first.version, "other_version": 1},
        follow=True,
    )

    record = MergeRecord.objects.get()
    first.refresh_from_db()
    assert first.name == "王玮" and first.email == "ww@example.com"
    body = response.content.decode()
    assert "merged into" in body
    assert reverse("customers:merge_undo", args=[record.pk]) in body


def test_merge_form_with_a_stale_version_answers_409_and_writes_nothing(client, alice):
    first, second = _twins(alice)
    update_customer(alice, second.pk, {"notes": "changed meanwhile"})
    login(client, alice)

    response = client.post(
        reverse("customers:merge", args=[first.pk, second.pk]),
        {"survivor_version": first.version, "other_version": 1},
    )

    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    assert not MergeRecord.objects.exists()


def test_merge_form_shows_validation_errors_on_the_field(client, alice):
    person = create_customer(alice, {"name": "王伟", "id_number": "11010519491231002X"})
    company = create_customer(alice, {"kind": "company", "name": "锦城"})
    login(client, alice)

    response = client.post(
        reverse("customers:merge", args=[person.pk, company.pk]), {"choice-kind": "other"}
    )

    assert response.status_code == 422
    assert "invalid-feedback" in response.content.decode()
    assert not MergeRecord.objects.exists()


def test_recycle_bin_offers_undo_for_a_merged_customer_and_undo_restores_it(client, alice):
    first, second = _twins(alice)
    record = merge_customers(alice, first.pk, second.pk)
    login(client, alice)

    body = client.get(reverse("customers:recycle_bin")).content.decode()
    assert f"merged into #{first.pk}" in body
    assert reverse("customers:merge_undo", args=[record.pk]) in body
    assert reverse("customers:restore", args=[second.pk]) not in body

    response = client.post(reverse("customers:merge_undo", args=[record.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[second.pk])
    assert Customer.objects.get(pk=second.pk).deleted_at is None


def _namesakes(user):
    """Two customers of the same name, as duplicates mostly are."""
    return [create_customer(user, {"name": "彭秀", "phone": "13800138000"}) for _ in range(2)]


def test_the_merge_notification_tells_two_namesakes_apart_by_id(
    client, mike, alice, django_capture_on_commit_callbacks
):
    kept, merged = _namesakes(alice)
    login(client, mike)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("customers:merge", args=[kept.pk, merged.pk]),
            {"survivor_version": kept.version, "other_version": merged.version},
        )

    message = Notification.objects.get(recipient=alice, verb="merged").message
    assert message == f"Mike merged customer 彭秀 (#{merged.pk}) into 彭秀 (#{kept.pk})"


def test_the_undo_notification_tells_two_namesakes_apart_by_id(
    client, mike, alice, django_capture_on_commit_callbacks
):
    kept, merged = _namesakes(alice)
    record = merge_customers(mike, kept.pk, merged.pk)
    login(client, mike)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:merge_undo", args=[record.pk]))

    message = Notification.objects.get(recipient=alice, verb="unmerged").message
    assert message == f"Mike undid the merge of 彭秀 (#{merged.pk}) into 彭秀 (#{kept.pk})"


def test_refused_undo_says_why(client, alice):
    first, second = _twins(alice)
    record = merge_customers(alice, first.pk, second.pk)
    update_customer(alice, first.pk, {"email": "new@example.com"})
    login(client, alice)

    response = client.post(reverse("customers:merge_undo", args=[record.pk]), follow=True)

    assert "edited since the merge" in response.content.decode()
    assert Customer.objects.get(pk=second.pk).deleted_at is not None


def test_not_a_duplicate_button_hides_the_pair(client, alice):
    first, second = _twins(alice)
    scan_duplicates()
    login(client, alice)

    client.post(
        reverse("customers:duplicate_dismiss"), {"customer_a": first.pk, "customer_b": second.pk}
    )

    assert DuplicateDismissal.objects.filter(customer_a=first, customer_b=second).exists()
    assert "No duplicates found" in client.get(reverse("customers:duplicates")).content.decode()


def test_scan_again_finds_new_duplicates(client, alice, django_capture_on_commit_callbacks):
    _twins(alice)
    login(client, alice)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:duplicate_scan"))

    assert "王玮" in client.get(reverse("customers:duplicates")).content.decode()


def test_analyst_cannot_start_a_scan(client, nina):
    assert login(client, nina).post(reverse("customers:duplicate_scan")).status_code == 403


# --- API -----------------------------------------------------------------------------------


def test_api_lists_duplicates_with_cursor_pagination(client, alice):
    for i in range(3):
        create_customer(alice, {"name": f"甲{i}", "phone": "13800138000"})
    scan_duplicates()
    login(client, alice)

    first = client.get(f"{API}/duplicates", {"limit": 2}).json()
    second = client.get(f"{API}/duplicates", {"limit": 2, "cursor": first["next_cursor"]}).json()

    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert second["next_cursor"] is None
    item = first["items"][0]
    assert item["reason"] == "phone" and item["score"] == 98
    assert "138" in item["detail"]


def test_api_masks_matched_phones_for_a_rep_who_sees_them_masked(client, alice, bob):
    mine = create_customer(alice, {"name": "甲", "phone": "13800138000"})
    bobs = create_customer(bob, {"name": "乙", "phone": "13800138000"})
    from guanxi.customers.services import share_customer

    share_customer(bob, bobs.pk, to_user=alice)
    scan_duplicates()

    items = login(client, alice).get(f"{API}/duplicates").json()["items"]

    assert [i["customer_a"]["id"] for i in items] == [mine.pk]
    assert "****" in items[0]["detail"]


def test_api_merge_and_undo(client, alice):
    first, second = _twins(alice)
    login(client, alice)

    response = client.post(
        f"{API}/merge",
        {
            "survivor": first.pk,
            "other": second.pk,
            "choices": {"name": "other"},
            "survivor_version": first.version,
            "other_version": second.version,
        },
        content_type=JSON,
    )

    assert response.status_code == 201
    body = response.json()
    assert body["survivor"] == first.pk and set(body["changed_fields"]) == {"name", "email"}
    assert Customer.objects.get(pk=first.pk).name == "王玮"

    undone = client.post(f"{API}/merges/{body['id']}/undo")

    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert Customer.objects.get(pk=first.pk).name == "王伟"
    assert client.post(f"{API}/merges/{body['id']}/undo").status_code == 409


def test_api_merge_with_a_stale_version_is_409(client, alice):
    first, second = _twins(alice)
    update_customer(alice, first.pk, {"notes": "x"})
    login(client, alice)

    response = client.post(
        f"{API}/merge",
        {"survivor": first.pk, "other": second.pk, "survivor_version": 1},
        content_type=JSON,
    )

    assert response.status_code == 409
    assert response.json()["detail"]
    assert Customer.objects.get(pk=second.pk).deleted_at is None


def test_api_merge_of_another_reps_customer_is_404(client, alice, charlie):
    mine = create_customer(alice, {"name": "王伟"})
    theirs = create_customer(charlie, {"name": "王玮"})
    login(client, alice)

    response = client.post(
        f"{API}/merge", {"survivor": mine.pk, "other": theirs.pk}, content_type=JSON
    )

    assert response.status_code == 404
    assert Customer.objects.get(pk=theirs.pk).deleted_at is None


def test_api_merge_with_itself_is_422(client, alice):
    mine = create_customer(alice, {"name": "王伟"})

    response = login(client, alice).post(
        f"{API}/merge", {"survivor": mine.pk, "other": mine.pk}, content_type=JSON
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "other"


def test_api_merge_rejects_a_bad_choice_in_the_error_shape(client, alice):
    first, second = _twins(alice)

    response = login(client, alice).post(
        f"{API}/merge",
        {"survivor": first.pk, "other": second.pk, "choices": {"owner": "other"}},
        content_type=JSON,
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "choices.owner", "message": "Unknown field."}]


def test_api_undo_of_an_invisible_merge_is_404(client, alice, charlie):
    first, second = _twins(alice)
    record = merge_customers(alice, first.pk, second.pk)

    response = login(client, charlie).post(f"{API}/merges/{record.pk}/undo")

    assert response.status_code == 404


def test_api_dismiss(client, alice):
    first, second = _twins(alice)
    scan_duplicates()
    login(client, alice)

    response = client.post(
        f"{API}/duplicates/dismiss",
        {"customer_a": second.pk, "customer_b": first.pk},
        content_type=JSON,
    )

    assert response.status_code == 200 and response.json() == {"dismissed": True}
    assert client.get(f"{API}/duplicates").json()["items"] == []
