"""A merge's notifications name only the customers each owner may see: a manager merging
Bob's customer into Alice's tells Bob his went into "another customer", not its name, and
the undo tells Alice of "another customer" put back."""

import pytest
from django.urls import reverse

from guanxi.core.models import Notification
from guanxi.customers import merge
from guanxi.customers.services import create_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(alice, bob):
    """Alice's 王海建 and Bob's 王海健, one phone: Mike, their manager, merges Bob's into hers."""
    kept = create_customer(alice, {"name": "王海建", "phone": "13800138000"})
    merged = create_customer(bob, {"name": "王海健", "phone": "13800138000"})
    return kept, merged


def _message(user, verb: str) -> Notification:
    return Notification.objects.get(recipient=user, verb=verb)


def test_the_owner_of_the_merged_customer_is_not_told_the_name_of_one_she_cannot_see(
    mike, alice, bob, pair, django_capture_on_commit_callbacks
):
    kept, merged = pair
    with django_capture_on_commit_callbacks(execute=True):
        merge.merge_customers(mike, kept.pk, merged.pk)

    note = _message(bob, "merged")
    assert note.message == f"Mike merged customer 王海健 (#{merged.pk}) into another customer"
    assert "王海建" not in note.message and str(kept.pk) not in note.message
    assert note.url == ""


def test_the_survivors_owner_is_told_of_another_customer_merged_in(
    mike, alice, pair, django_capture_on_commit_callbacks
):
    kept, merged = pair
    with django_capture_on_commit_callbacks(execute=True):
        merge.merge_customers(mike, kept.pk, merged.pk)

    note = _message(alice, "merged")
    assert note.message == f"Mike merged another customer into 王海建 (#{kept.pk})"
    assert note.url == reverse("customers:detail", args=[kept.pk])


def test_the_undo_names_to_each_owner_only_her_own_customer(
    mike, alice, bob, pair, django_capture_on_commit_callbacks
):
    kept, merged = pair
    record = merge.merge_customers(mike, kept.pk, merged.pk)
    with django_capture_on_commit_callbacks(execute=True):
        merge.undo_merge(mike, record.pk)

    assert _message(alice, "unmerged").message == (
        f"Mike undid the merge of another customer into 王海建 (#{kept.pk})"
    )
    assert _message(bob, "unmerged").message == (
        f"Mike undid the merge of 王海健 (#{merged.pk}) into another customer"
    )
    assert _message(bob, "unmerged").url == reverse("customers:detail", args=[merged.pk])


def test_the_bell_shows_a_rep_no_name_of_a_colleagues_customer(
    client, mike, bob, pair, django_capture_on_commit_callbacks
):
    kept, merged = pair
    with django_capture_on_commit_callbacks(execute=True):
        merge.merge_customers(mike, kept.pk, merged.pk)

    page = login(client, bob).get(reverse("notifications")).content.decode()

    assert "王海健" in page and "王海建" not in page
