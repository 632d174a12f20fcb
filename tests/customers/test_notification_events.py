"""The customer events reach the right people once, through notify(), after the commit:
shared with you, assigned to you (one per batch), a customer you own or follow changed."""

import pytest

from guanxi.core.models import Notification
from guanxi.core.notifications import set_preferences
from guanxi.customers.services import (
    create_customer,
    follow_customer,
    share_customer,
    transfer_all,
    transfer_customer,
    transfer_customers,
    update_customer,
)


def _events():
    return sorted(Notification.objects.values_list("recipient__username", "event"))


@pytest.fixture
def alices_three(alice):
    return [create_customer(alice, {"name": f"客户{i}"}) for i in range(3)]


def test_sharing_tells_the_colleague_once_and_not_the_actor(
    alice, bob, alices_customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        share_customer(alice, alices_customer.pk, to_user=bob)
    assert _events() == [("bob", "shared")]
    assert "王伟" in Notification.objects.get().message


def test_sharing_with_a_team_tells_every_member_but_the_actor(
    alice, bob, teams, alices_customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        share_customer(alice, alices_customer.pk, to_team=teams["guangzhou"])
    assert _events() == [("bob", "shared")]


def test_nothing_is_sent_when_the_share_is_rolled_back(alice, bob, alices_customer):
    # Without the commit callbacks running, notify() is never called.
    share_customer(alice, alices_customer.pk, to_user=bob)
    assert _events() == []


def test_a_shared_notification_is_not_written_when_switched_off(
    alice, bob, alices_customer, django_capture_on_commit_callbacks
):
    set_preferences(bob, {"shared": {"in_app": False}})
    with django_capture_on_commit_callbacks(execute=True):
        share_customer(alice, alices_customer.pk, to_user=bob)
    assert _events() == []


def test_a_transfer_tells_the_new_owner(
    alice, bob, alices_customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        transfer_customer(alice, alices_customer.pk, bob)
    assert _events() == [("bob", "assigned")]


def test_a_batch_transfer_sends_one_notification_naming_the_count(
    mike, bob, alices_three, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        moved = transfer_customers(mike, [c.pk for c in alices_three], bob)
    assert moved == 3
    assert _events() == [("bob", "assigned")]
    assert "3" in Notification.objects.get().message


def test_transfer_all_sends_one_notification_to_the_new_owner(
    mike, alice, bob, alices_three, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert transfer_all(mike, alice, bob) == 3
    assert _events() == [("bob", "assigned")]


def test_a_change_tells_followers_and_owner_but_not_the_actor_and_names_the_fields(
    alice, bob, mike, alices_customer, django_capture_on_commit_callbacks
):
    share_customer(alice, alices_customer.pk, to_user=bob)
    follow_customer(bob, alices_customer.pk)
    follow_customer(mike, alices_customer.pk)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        update_customer(mike, alices_customer.pk, {"city": "深圳", "industry": "零售"})
    assert _events() == [("alice", "customer_changed"), ("bob", "customer_changed")]
    message = Notification.objects.filter(recipient=bob).get().message
    assert "city" in message and "industry" in message and "王伟" in message


def test_an_edit_that_changes_nothing_notifies_nobody(
    alice, mike, alices_customer, django_capture_on_commit_callbacks
):
    follow_customer(mike, alices_customer.pk)
    with django_capture_on_commit_callbacks(execute=True):
        update_customer(alice, alices_customer.pk, {"city": alices_customer.city})
    assert _events() == []


def test_a_tag_change_is_named_in_the_message(
    alice, mike, alices_customer, django_capture_on_commit_callbacks
):
    follow_customer(mike, alices_customer.pk)
    with django_capture_on_commit_callbacks(execute=True):
        update_customer(alice, alices_customer.pk, {}, tags=["VIP", "老客户"])
    assert "tags" in Notification.objects.get(recipient=mike).message
