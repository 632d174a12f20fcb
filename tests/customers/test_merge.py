"""Merging two customers: chosen values, every related row moved and nothing lost, history,
access log, notification, permissions, stale versions — and undo."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone, translation

from guanxi.analytics.models import CustomerMetrics
from guanxi.core.models import AccessLog, Notification
from guanxi.customers import merge
from guanxi.customers.models import (
    Contact,
    Customer,
    CustomerShare,
    CustomField,
    DuplicatePair,
    MergeRecord,
    OwnershipTransfer,
)
from guanxi.customers.services import (
    StaleVersion,
    add_contact,
    create_customer,
    follow_customer,
    restore_customer,
    share_customer,
    transfer_customer,
    update_customer,
)
from guanxi.interactions.models import Interaction, Task
from guanxi.interactions.services import create_task, log_interaction
from guanxi.sales.models import Opportunity, Order
from guanxi.sales.services import create_opportunity, create_order, create_product


@pytest.fixture
def survivor(alice):
    return create_customer(
        alice,
        {"name": "王伟", "phone": "13800138000", "city": "广州", "occupation": ""},
        tags=["VIP", "车主"],
    )


@pytest.fixture
def other(alice):
    return create_customer(
        alice,
        {
            "name": "王玮",
            "phone": "13900139000",
            "email": "wangwei@example.com",
            "city": "广州",
            "occupation": "工程师",
        },
        tags=["车主", "广交会"],
    )


@pytest.fixture
def filled(ada, alice, bob, mike, teams, survivor, other):
    """The other customer with one of everything: contact, interaction, task, opportunity,
    order, shares (one clashing with the survivor's), follower (one clashing), metrics."""
    tea = create_product(
        ada, {"sku": "TEA-1", "name": "铁观音", "unit": "box", "list_price": Decimal("128.00")}
    )
    add_contact(alice, other, {"name": "王父", "phone": "13812345678"})
    log_interaction(alice, other.pk, {"kind": "call", "subject": "回访"})
    create_task(alice, {"title": "回访王玮", "customer": other.pk, "due_at": "2026-12-01 15:00"})
    create_opportunity(alice, other.pk, {"name": "年度采购"})
    create_order(alice, other.pk, [{"product": tea.pk, "quantity": 2}])
    share_customer(alice, survivor.pk, to_user=bob, level="read")
    share_customer(alice, other.pk, to_user=bob, level="edit")
    share_customer(alice, other.pk, to_team=teams["east"], level="read")
    follow_customer(bob, survivor.pk)
    follow_customer(bob, other.pk)
    follow_customer(mike, other.pk)
    CustomerMetrics.objects.create(
        customer=other, computed_at=timezone.now(), as_of=dt.date(2026, 11, 1)
    )
    return other


def _rows(customer):
    return {
        "contacts": Contact.objects.filter(customer=customer).count(),
        "interactions": Interaction.objects.filter(customer=customer).count(),
        "tasks": Task.objects.filter(customer=customer).count(),
        "opportunities": Opportunity.objects.filter(customer=customer).count(),
        "orders": Order.objects.filter(customer=customer).count(),
        "shares": CustomerShare.objects.filter(customer=customer).count(),
        "tags": sorted(customer.tags.values_list("name", flat=True)),
        "followers": sorted(customer.followers.values_list("username", flat=True)),
    }


def test_merge_moves_every_related_record_to_the_survivor(alice, survivor, filled):
    merge.merge_customers(alice, survivor.pk, filled.pk)

    assert _rows(survivor) == {
        "contacts": 1,
        "interactions": 1,
        "tasks": 1,
        "opportunities": 1,
        "orders": 1,
        "shares": 2,  # bob (the survivor's, deduplicated) and the East team
        "tags": ["VIP", "广交会", "车主"],
        "followers": ["bob", "mike"],
    }
    assert _rows(filled) == {
        "contacts": 0,
        "interactions": 0,
        "tasks": 0,
        "opportunities": 0,
        "orders": 0,
        "shares": 0,
        "tags": [],
        "followers": [],
    }
    survivor.refresh_from_db()
    assert survivor.tag_names == "VIP, 广交会, 车主"


def test_merge_drops_the_others_analytics_metrics(alice, survivor, filled):
    merge.merge_customers(alice, survivor.pk, filled.pk)

    assert not CustomerMetrics.objects.filter(customer_id=filled.pk).exists()


def test_merge_soft_deletes_the_other_with_a_marker_in_both_histories(alice, survivor, other):
    record = merge.merge_customers(alice, survivor.pk, other.pk)

    other.refresh_from_db()
    assert other.deleted_at is not None and other.deleted_by == alice
    assert other.history.first().history_change_reason == f"merged into #{survivor.pk}"
    assert survivor.history.first().history_change_reason == (
        f"merged #{other.pk} into this customer"
    )
    assert merge.merge_for(other.pk) == record


def test_merge_applies_the_chosen_values_and_fills_empty_ones(alice, survivor, other):
    merge.merge_customers(alice, survivor.pk, other.pk, {"name": "other"})

    survivor.refresh_from_db()
    assert survivor.name == "王玮"  # chosen
    assert survivor.phone == "+8613800138000"  # the survivor's by default
    assert survivor.email == "wangwei@example.com"  # empty on the survivor: the other's
    assert survivor.occupation == "工程师"
    assert "wangwei@example.com" in survivor.search_text


def test_merge_chooses_custom_fields_one_by_one(alice, survivor, other):
    CustomField.objects.create(key="car", label="车型", field_type="text")
    CustomField.objects.create(key="plate", label="车牌", field_type="text")
    update_customer(alice, survivor.pk, {"custom": {"car": "雅阁"}})
    update_customer(alice, other.pk, {"custom": {"car": "凯美瑞", "plate": "粤A12345"}})

    merge.merge_customers(alice, survivor.pk, other.pk, {"custom.car": "other"})

    survivor.refresh_from_db()
    assert survivor.custom == {"car": "凯美瑞", "plate": "粤A12345"}


def test_chosen_values_are_validated_like_an_update(alice, survivor, other):
    other_company = create_customer(
        alice, {"kind": "company", "name": "锦城", "id_number": "91110000600037341L"}
    )
    update_customer(alice, survivor.pk, {"id_number": "11010519491231002X"})

    with pytest.raises(ValidationError) as caught:
        merge.merge_customers(alice, survivor.pk, other_company.pk, {"kind": "other"})

    assert "id_number" in caught.value.message_dict
    assert Customer.objects.get(pk=other_company.pk).deleted_at is None
    assert not MergeRecord.objects.exists()


def test_unknown_fields_and_sides_are_refused(alice, survivor, other):
    with pytest.raises(ValidationError) as unknown:
        merge.merge_customers(alice, survivor.pk, other.pk, {"owner": "other"})
    with pytest.raises(ValidationError) as bad_side:
        merge.merge_customers(alice, survivor.pk, other.pk, {"name": "both"})

    assert list(unknown.value.message_dict) == ["owner"]
    assert list(bad_side.value.message_dict) == ["name"]


def test_merge_writes_a_record_an_access_log_entry_and_notifies_the_other_owner(
    django_capture_on_commit_callbacks, mike, alice, bob
):
    mine = create_customer(alice, {"name": "王伟"})
    bobs = create_customer(bob, {"name": "王玮"})

    with django_capture_on_commit_callbacks(execute=True):
        record = merge.merge_customers(mike, mine.pk, bobs.pk)

    assert record.by == mike and record.survivor_before == {}
    log = AccessLog.objects.get(action="merge")
    assert (log.user, log.object_id) == (mike, mine.pk)
    assert set(
        Notification.objects.filter(verb="merged").values_list("recipient__username", flat=True)
    ) == {"alice", "bob"}


def test_merge_removes_the_others_stored_duplicate_pairs(alice, survivor, other):
    DuplicatePair.objects.create(
        customer_a=survivor, customer_b=other, reason="name", reasons="name", score=90
    )

    merge.merge_customers(alice, survivor.pk, other.pk)

    assert not DuplicatePair.objects.exists()


def test_rep_cannot_merge_another_reps_customer(alice, charlie, survivor):
    theirs = create_customer(charlie, {"name": "王玮"})

    with pytest.raises(Http404):
        merge.merge_customers(alice, survivor.pk, theirs.pk)
    with pytest.raises(Http404):
        merge.merge_customers(alice, theirs.pk, survivor.pk)
    assert Customer.objects.get(pk=theirs.pk).deleted_at is None


def test_read_share_is_not_enough_to_merge(alice, bob, survivor):
    bobs = create_customer(bob, {"name": "王玮"})
    share_customer(bob, bobs.pk, to_user=alice, level="read")

    with pytest.raises(PermissionDenied):
        merge.merge_customers(alice, survivor.pk, bobs.pk)


def test_stale_version_is_refused(alice, survivor, other):
    update_customer(alice, other.pk, {"notes": "changed meanwhile"})

    with pytest.raises(StaleVersion):
        merge.merge_customers(
            alice, survivor.pk, other.pk, survivor_version=survivor.version, other_version=1
        )
    assert Customer.objects.get(pk=other.pk).deleted_at is None


def test_a_customer_cannot_be_merged_with_itself(alice, survivor):
    with pytest.raises(ValidationError):
        merge.merge_customers(alice, survivor.pk, survivor.pk)


def test_a_merged_customer_cannot_be_restored_alone(alice, survivor, other):
    merge.merge_customers(alice, survivor.pk, other.pk)

    with pytest.raises(ValidationError, match="undo the merge"):
        restore_customer(alice, other.pk)


def test_related_counts_list_what_each_side_has(alice, survivor, filled):
    counts = {row["label"]: row["counts"] for row in merge.related_counts(survivor, filled)}

    assert counts["contacts"] == [0, 1]
    assert counts["orders"] == [0, 1]
    assert counts["tags"] == [2, 2]
    assert counts["followers"] == [1, 2]


def test_related_counts_name_every_kind_in_the_users_language(alice, survivor, filled):
    with translation.override("zh-hans"):
        labels = [row["label"] for row in merge.related_counts(survivor, filled)]
    assert "标签" in labels and "关注人" in labels
    assert not [label for label in labels if re.search("[A-Za-z]", label)]


# --- undo ----------------------------------------------------------------------------------


def test_undo_restores_both_sides(alice, survivor, filled):
    before_survivor, before_other = _rows(survivor), _rows(filled)
    record = merge.merge_customers(alice, survivor.pk, filled.pk, {"name": "other"})

    merge.undo_merge(alice, record.pk)

    survivor.refresh_from_db()
    filled.refresh_from_db()
    assert filled.deleted_at is None
    assert survivor.name == "王伟" and survivor.email == "" and survivor.occupation == ""
    assert _rows(survivor) == before_survivor
    assert _rows(filled) == before_other
    assert CustomerShare.objects.get(customer=filled, user__username="bob").level == "edit"
    assert survivor.tag_names == "VIP, 车主" and filled.tag_names == "广交会, 车主"
    assert filled.history.first().history_change_reason == f"merge into #{survivor.pk} undone"
    assert MergeRecord.objects.get(pk=record.pk).undone_by == alice
    assert AccessLog.objects.filter(action="unmerge", object_id=survivor.pk).exists()


def test_undo_keeps_what_was_added_to_the_survivor_since(alice, survivor, other):
    record = merge.merge_customers(alice, survivor.pk, other.pk)
    add_contact(alice, survivor, {"name": "新联系人"})

    merge.undo_merge(alice, record.pk)

    assert list(survivor.contacts.values_list("name", flat=True)) == ["新联系人"]


def test_undo_is_refused_when_a_merged_field_was_edited_since(alice, survivor, other):
    record = merge.merge_customers(alice, survivor.pk, other.pk)
    update_customer(alice, survivor.pk, {"email": "new@example.com"})

    with pytest.raises(merge.UndoRefused, match="edited since the merge"):
        merge.undo_merge(alice, record.pk)
    assert Customer.objects.get(pk=other.pk).deleted_at is not None


def test_undo_ignores_edits_to_fields_the_merge_did_not_change(alice, survivor, other):
    record = merge.merge_customers(alice, survivor.pk, other.pk)
    update_customer(alice, survivor.pk, {"notes": "回访过"})

    merge.undo_merge(alice, record.pk)

    assert Customer.objects.get(pk=survivor.pk).notes == "回访过"


def test_undo_is_refused_after_the_recycle_bin_window(alice, survivor, other, settings):
    record = merge.merge_customers(alice, survivor.pk, other.pk)

    later = record.at + dt.timedelta(days=settings.RECYCLE_BIN_DAYS, seconds=1)
    with pytest.raises(merge.UndoRefused, match="older than"):
        merge.undo_merge(alice, record.pk, now=later)


def test_undo_twice_is_refused(alice, survivor, other):
    record = merge.merge_customers(alice, survivor.pk, other.pk)
    merge.undo_merge(alice, record.pk)

    with pytest.raises(merge.UndoRefused, match="already undone"):
        merge.undo_merge(alice, record.pk)


def test_undo_is_refused_while_the_survivor_is_merged_into_a_third(alice, survivor, other):
    third = create_customer(alice, {"name": "王卫"})
    record = merge.merge_customers(alice, survivor.pk, other.pk)
    merge.merge_customers(alice, third.pk, survivor.pk)

    with pytest.raises(merge.UndoRefused, match="recycle bin"):
        merge.undo_merge(alice, record.pk)


def test_another_rep_cannot_see_or_undo_a_merge(alice, charlie, survivor, other):
    record = merge.merge_customers(alice, survivor.pk, other.pk)

    with pytest.raises(Http404):
        merge.undo_merge(charlie, record.pk)


def test_ownership_transfers_move_and_come_back(alice, bob, survivor, other, mike):
    transfer_customer(mike, other.pk, bob)
    record = merge.merge_customers(mike, survivor.pk, other.pk)

    assert OwnershipTransfer.objects.filter(customer=survivor).count() == 1

    merge.undo_merge(mike, record.pk)

    assert OwnershipTransfer.objects.filter(customer=other).count() == 1
