"""Customer services: validation, concurrency, history, sharing, transfers, notifications."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from guanxi.core.models import AccessLog, Notification
from guanxi.customers.models import Customer, CustomField, OwnershipTransfer
from guanxi.customers.queries import customers_for, history_for
from guanxi.customers.services import (
    StaleVersion,
    create_customer,
    delete_customer,
    follow_customer,
    purge_customer,
    restore_customer,
    reveal_field,
    transfer_all,
    transfer_customer,
    update_customer,
)


def test_phones_are_stored_in_e164(alice):
    customer = create_customer(alice, {"name": "李娜", "phone": "138 0013 8000"})
    assert customer.phone == "+8613800138000"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "12345"),
        ("email", "not-an-email"),
        ("id_number", "110105194912310021"),
        ("name", ""),
        ("name", "   "),
        ("name", "长" * 121),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(alice, field, value):
    data = {"name": "李娜", field: value}
    with pytest.raises(ValidationError) as err:
        create_customer(alice, data)
    assert field in err.value.message_dict
    assert Customer.objects.count() == 0


@pytest.mark.parametrize("name", ["", "  "])
def test_a_missing_name_is_said_once(alice, name):
    with pytest.raises(ValidationError) as err:
        create_customer(alice, {"name": name})
    assert len(err.value.message_dict["name"]) == 1


def test_an_unknown_field_is_refused(alice):
    with pytest.raises(ValidationError) as err:
        create_customer(alice, {"name": "李娜", "favourite_colour": "red"})
    assert "favourite_colour" in err.value.message_dict


def test_a_company_takes_a_unified_social_credit_code(alice):
    customer = create_customer(
        alice, {"kind": "company", "name": "广州明达", "id_number": "91110000600037341l"}
    )
    assert customer.id_number == "91110000600037341L"


def test_custom_fields_are_validated_by_their_type(alice):
    CustomField.objects.create(key="warranty_end", label="保修到期", field_type="date")
    with pytest.raises(ValidationError) as err:
        create_customer(alice, {"name": "李娜", "custom": {"warranty_end": "next year"}})
    assert "custom.warranty_end" in err.value.message_dict
    customer = create_customer(alice, {"name": "李娜", "custom": {"warranty_end": "2027-03-01"}})
    assert customer.custom == {"warranty_end": "2027-03-01"}


def test_an_edit_based_on_a_stale_version_is_refused(alices_customer, alice, mike):
    update_customer(mike, alices_customer.pk, {"city": "深圳"}, expected_version=1)
    with pytest.raises(StaleVersion):
        update_customer(alice, alices_customer.pk, {"city": "北京"}, expected_version=1)
    alices_customer.refresh_from_db()
    assert alices_customer.city == "深圳市"
    assert alices_customer.version == 2


def test_every_change_is_kept_in_the_history_with_who_and_what(alices_customer, alice):
    update_customer(alice, alices_customer.pk, {"city": "深圳"})
    latest = history_for(alices_customer)[0]
    assert latest["user"] == alice
    assert ("city", "广州市", "深圳市") in latest["changes"]


def test_a_change_notifies_the_owner_and_followers_but_not_the_actor(
    alices_customer, alice, bob, mike, django_capture_on_commit_callbacks
):
    from guanxi.customers.services import share_customer

    share_customer(alice, alices_customer.pk, to_user=bob)
    follow_customer(bob, alices_customer.pk)
    with django_capture_on_commit_callbacks(execute=True):
        update_customer(mike, alices_customer.pk, {"city": "深圳"})
    recipients = set(
        Notification.objects.filter(verb="changed").values_list("recipient__username", flat=True)
    )
    assert recipients == {"alice", "bob"}


def test_search_finds_a_customer_by_pinyin_initials_hanzi_and_phone_digits(alices_customer, alice):
    for q in ("wangwei", "ww", "王伟", "1380013", "wangwei@example.com"):
        assert list(customers_for(alice, q=q)) == [alices_customer], q


def test_transfer_moves_the_owner_and_records_it(alices_customer, alice, bob):
    transfer_customer(alice, alices_customer.pk, bob, reason="holiday cover")
    alices_customer.refresh_from_db()
    assert alices_customer.owner == bob
    record = OwnershipTransfer.objects.get()
    assert (record.from_user, record.to_user, record.reason) == (alice, bob, "holiday cover")


def test_a_rep_cannot_transfer_a_customer_only_shared_with_them(alices_customer, alice, bob):
    from guanxi.customers.services import share_customer

    share_customer(alice, alices_customer.pk, to_user=bob, level="edit")
    with pytest.raises(PermissionDenied):
        transfer_customer(bob, alices_customer.pk, bob)


def test_a_leaving_reps_customers_all_go_to_a_colleague_in_one_batch(alice, bob, mike):
    for i in range(5):
        create_customer(alice, {"name": f"客户{i}"})
    moved = transfer_all(mike, alice, bob, reason="alice left")
    assert moved == 5
    assert Customer.objects.filter(owner=bob).count() == 5
    assert OwnershipTransfer.objects.values("batch").distinct().count() == 1
    assert all(
        h["changes"] == [("owner", alice.pk, bob.pk)]
        for h in [history_for(c)[0] for c in Customer.objects.all()]
    )


def test_a_rep_cannot_transfer_all_of_a_colleagues_customers(alice, bob):
    with pytest.raises(PermissionDenied):
        transfer_all(bob, alice, bob)


def test_delete_goes_to_the_recycle_bin_and_restore_brings_it_back(alices_customer, alice):
    delete_customer(alice, alices_customer.pk)
    assert not Customer.objects.visible_to(alice).exists()
    restore_customer(alice, alices_customer.pk)
    assert Customer.objects.visible_to(alice).get() == alices_customer


def test_only_an_admin_purges(alices_customer, alice, ada):
    delete_customer(alice, alices_customer.pk)
    with pytest.raises(PermissionDenied):
        purge_customer(alice, alices_customer.pk)
    purge_customer(ada, alices_customer.pk)
    assert not Customer.objects.exists()


def test_an_analyst_cannot_create_customers(nina):
    with pytest.raises(PermissionDenied):
        create_customer(nina, {"name": "李娜"})


def test_a_reveal_is_logged_and_returns_the_full_value(alices_customer, mike):
    assert reveal_field(mike, alices_customer.pk, "phone") == "+8613800138000"
    log = AccessLog.objects.get(action="reveal")
    assert (log.user, log.object_id, log.detail) == (mike, alices_customer.pk, "phone")


def test_an_analyst_may_not_reveal(alices_customer, nina):
    with pytest.raises(PermissionDenied):
        reveal_field(nina, alices_customer.pk, "phone")


def test_notes_longer_than_5000_characters_are_refused(alice):
    with pytest.raises(ValidationError) as err:
        create_customer(alice, {"name": "李娜", "notes": "记" * 5001})
    assert "notes" in err.value.message_dict
    assert Customer.objects.count() == 0


def test_a_rep_is_told_she_may_assign_customers_to_herself_only(alice, bob):
    with pytest.raises(ValidationError) as caught:
        create_customer(alice, {"name": "王伟"}, owner=bob)

    assert caught.value.message_dict == {"owner": ["You can only assign customers to yourself."]}


def test_a_manager_is_told_she_may_assign_customers_to_her_team(mike, charlie):
    with pytest.raises(ValidationError) as caught:
        create_customer(mike, {"name": "王伟"}, owner=charlie)

    assert caught.value.message_dict == {
        "owner": ["You can only assign customers to yourself or your team."]
    }
