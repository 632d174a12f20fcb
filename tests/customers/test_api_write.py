"""Creating, editing, deleting, sharing, transferring and following customers through the API."""

import pytest

from guanxi.core.models import AccessLog, Notification
from guanxi.customers.models import Contact, Customer, CustomerShare, CustomField, Tag
from guanxi.customers.services import create_customer, share_customer
from tests.conftest import login

URL = "/api/v1/customers"
JSON = "application/json"


def _url(customer, suffix=""):
    return f"{URL}/{customer.pk}{suffix}"


# --- create --------------------------------------------------------------------------------


def test_create_answers_201_with_location_etag_and_the_customer(client, alice):
    login(client, alice)

    response = client.post(
        URL,
        {
            "name": "李娜",
            "phone": "139 1234 5678",
            "email": "LiNa@Example.com",
            "city": "广州",
            "tags": ["VIP", "车主"],
            "contacts": [{"name": "李父", "phone": "13812345678"}],
        },
        content_type=JSON,
    )

    assert response.status_code == 201
    body = response.json()
    customer = Customer.objects.get(pk=body["id"])
    assert response["Location"] == f"/api/v1/customers/{customer.pk}"
    assert response["ETag"] == '"1"'
    assert body["phone"] == "+8613912345678"
    assert body["email"] == "lina@example.com"
    assert sorted(body["tags"]) == ["VIP", "车主"]
    assert body["contacts"][0]["name"] == "李父"
    assert body["owner"]["username"] == "alice"


def test_manager_creates_a_customer_for_a_rep_of_the_team(client, mike, alice):
    login(client, mike)

    response = client.post(URL, {"name": "李娜", "owner": alice.pk}, content_type=JSON)

    assert response.status_code == 201
    assert Customer.objects.get().owner == alice


def test_rep_cannot_create_a_customer_for_someone_else(client, alice, bob):
    login(client, alice)

    response = client.post(URL, {"name": "李娜", "owner": bob.pk}, content_type=JSON)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "owner"
    assert not Customer.objects.exists()


BAD_INPUTS = [
    ({"name": "李娜", "phone": "12345"}, "phone"),
    ({"name": "李娜", "phone_alt": "abc"}, "phone_alt"),
    ({"name": "李娜", "email": "not-an-email"}, "email"),
    ({"name": "李娜", "id_number": "110105194912310021"}, "id_number"),
    ({"name": "x" * 121}, "name"),
    ({"name": "李娜", "city": "x" * 31}, "city"),
    ({"name": "李娜", "nickname": "娜娜"}, "nickname"),
    ({"name": "李娜", "birthday": "yesterday"}, "birthday"),
    ({"name": "李娜", "kind": "robot"}, "kind"),
    ({"name": ["李娜"]}, "name"),
    ({"name": "李娜", "tags": "VIP"}, "tags"),
    ({"name": "李娜", "tags": ["x" * 51]}, "tags.0"),
    ({"name": "   "}, "name"),
    ({"name": "李娜", "contacts": [{"name": "李父", "phone": "1"}]}, "contacts.0.phone"),
    ({"name": "李娜", "contacts": [{"name": "李父", "age": 60}]}, "contacts.0.age"),
    ({"name": "李娜", "custom": {"size": 3}}, "custom.size"),
]


@pytest.mark.parametrize(("payload", "field"), BAD_INPUTS, ids=[f for _p, f in BAD_INPUTS])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    client, alice, payload, field
):
    login(client, alice)
    before = (Customer.objects.count(), Contact.objects.count(), Tag.objects.count())

    response = client.post(URL, payload, content_type=JSON)

    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"]
    assert field in [e["field"] for e in body["errors"]], body
    assert all(e["message"] for e in body["errors"])
    assert (Customer.objects.count(), Contact.objects.count(), Tag.objects.count()) == before


def test_custom_field_errors_are_keyed_custom_dot_key(client, alice):
    CustomField.objects.create(
        key="car_model", label="车型", field_type="choice", choices=["A4", "Q5"]
    )
    login(client, alice)

    response = client.post(URL, {"name": "李娜", "custom": {"car_model": "X9"}}, content_type=JSON)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "custom.car_model"


# --- read ----------------------------------------------------------------------------------


def test_get_returns_the_customer_with_its_version_as_etag(client, alice, alices_customer):
    login(client, alice)

    response = client.get(_url(alices_customer))

    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    body = response.json()
    assert body["version"] == 1
    assert body["tags"] == ["VIP"]
    assert body["phone"] == "+8613800138000"
    assert body["shares"] == []


def test_get_writes_a_view_to_the_access_log(client, alice, alices_customer):
    login(client, alice)

    client.get(_url(alices_customer))

    log = AccessLog.objects.get(action="view")
    assert (log.user, log.object_id, log.via) == (alice, alices_customer.pk, "api")


def test_analyst_sees_phone_and_id_masked(client, nina, alices_customer):
    login(client, nina)

    body = client.get(_url(alices_customer)).json()

    assert body["masked"] is True
    assert body["phone"] == "+86138****8000"
    assert body["id_number"] == "110***********002X"
    assert body["shares"] is None


def test_rep_sees_a_shared_customers_phone_masked(client, alice, charlie, charlies_customer):
    share_customer(charlie, charlies_customer.pk, to_user=alice)
    login(client, alice)

    body = client.get(_url(charlies_customer)).json()

    assert body["masked"] is True
    assert "****" in body["phone"]
    assert body["id_number"].startswith("911") and "*" in body["id_number"]


def test_rep_reveals_a_masked_phone_and_the_reveal_is_logged(
    client, alice, charlie, charlies_customer
):
    share_customer(charlie, charlies_customer.pk, to_user=alice)
    login(client, alice)

    response = client.post(
        _url(charlies_customer, "/reveal"), {"field": "phone"}, content_type=JSON
    )

    assert response.json() == {"field": "phone", "value": "+862887654321"}
    log = AccessLog.objects.get(action="reveal")
    assert (log.user, log.detail, log.via) == (alice, "phone", "api")


def test_reveal_refuses_fields_that_are_not_masked(client, alice, alices_customer):
    login(client, alice)

    response = client.post(_url(alices_customer, "/reveal"), {"field": "email"}, content_type=JSON)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "field"
    assert not AccessLog.objects.filter(action="reveal").exists()


# --- edit ----------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(client, alice, alices_customer):
    login(client, alice)

    response = client.patch(_url(alices_customer), {"city": "深圳"}, content_type=JSON)

    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    alices_customer.refresh_from_db()
    assert (alices_customer.city, alices_customer.province) == ("深圳市", "广东")


def test_second_patch_with_the_same_if_match_is_412(client, alice, alices_customer):
    login(client, alice)
    etag = client.get(_url(alices_customer))["ETag"]

    first = client.patch(
        _url(alices_customer), {"city": "深圳"}, content_type=JSON, headers={"If-Match": etag}
    )
    second = client.patch(
        _url(alices_customer), {"city": "佛山"}, content_type=JSON, headers={"If-Match": etag}
    )

    assert first.status_code == 200
    assert second.status_code == 412
    assert second.json()["errors"] == []
    assert second["ETag"] == '"2"'
    alices_customer.refresh_from_db()
    assert alices_customer.city == "深圳市"


def test_version_in_the_body_works_like_if_match(client, alice, alices_customer):
    login(client, alice)

    client.patch(_url(alices_customer), {"city": "深圳", "version": 1}, content_type=JSON)
    stale = client.patch(_url(alices_customer), {"city": "佛山", "version": 1}, content_type=JSON)

    assert stale.status_code == 412


def test_malformed_if_match_is_refused(client, alice, alices_customer):
    login(client, alice)

    response = client.patch(
        _url(alices_customer),
        {"city": "深圳"},
        content_type=JSON,
        headers={"If-Match": "yesterday"},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "If-Match"


def test_patch_with_an_invalid_phone_writes_nothing(client, alice, alices_customer):
    login(client, alice)

    response = client.patch(
        _url(alices_customer), {"city": "深圳", "phone": "12"}, content_type=JSON
    )

    assert response.status_code == 422
    alices_customer.refresh_from_db()
    assert (alices_customer.city, alices_customer.version) == ("广州市", 1)


def test_patch_refuses_unknown_fields_and_the_owner(client, alice, alices_customer, bob):
    login(client, alice)

    response = client.patch(_url(alices_customer), {"owner": bob.pk}, content_type=JSON)

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "owner", "message": "Unknown field."}]


def test_patch_replaces_tags(client, alice, alices_customer):
    login(client, alice)

    body = client.patch(_url(alices_customer), {"tags": ["车主"]}, content_type=JSON).json()

    assert body["tags"] == ["车主"]


def test_patch_merges_custom_fields(client, alice):
    CustomField.objects.create(key="car_model", label="车型", field_type="text")
    CustomField.objects.create(key="plate", label="车牌", field_type="text")
    customer = create_customer(
        alice, {"name": "李娜", "custom": {"car_model": "A4", "plate": "粤A12345"}}
    )
    login(client, alice)

    body = client.patch(
        _url(customer), {"custom": {"car_model": "Q5", "plate": None}}, content_type=JSON
    ).json()

    assert body["custom"] == {"car_model": "Q5"}


def test_patch_notifies_followers(
    client, alice, alices_customer, mike, django_capture_on_commit_callbacks
):
    login(client, mike)
    client.post(_url(alices_customer, "/follow"))
    login(client, alice)

    with django_capture_on_commit_callbacks(execute=True):
        client.patch(_url(alices_customer), {"city": "深圳"}, content_type=JSON)

    assert Notification.objects.filter(recipient=mike, verb="changed").exists()


def test_history_shows_the_change(client, alice, alices_customer):
    login(client, alice)
    client.patch(_url(alices_customer), {"city": "深圳"}, content_type=JSON)

    items = client.get(_url(alices_customer, "/history")).json()["items"]

    assert items[0]["type"] == "changed"
    assert items[0]["user"]["username"] == "alice"
    assert items[0]["changes"] == [{"field": "city", "old": "广州市", "new": "深圳市"}]
    assert items[-1]["type"] == "created"


def test_history_masks_phone_changes_for_the_analyst(client, alice, nina, alices_customer):
    login(client, alice)
    client.patch(_url(alices_customer), {"phone": "13912345678"}, content_type=JSON)
    login(client, nina)

    change = client.get(_url(alices_customer, "/history")).json()["items"][0]["changes"][0]

    assert change == {"field": "phone", "old": "+86138****8000", "new": "+86139****5678"}


# --- delete and restore --------------------------------------------------------------------


def test_delete_is_soft_and_restore_brings_it_back(client, alice, alices_customer):
    login(client, alice)

    deleted = client.delete(_url(alices_customer))
    gone = client.get(_url(alices_customer))
    restored = client.post(_url(alices_customer, "/restore"))

    assert deleted.status_code == 204
    assert gone.status_code == 404
    assert restored.status_code == 200
    assert client.get(_url(alices_customer)).status_code == 200
    assert Customer.objects.filter(pk=alices_customer.pk).exists()


def test_restoring_a_customer_not_in_the_bin_is_refused(client, alice, alices_customer):
    login(client, alice)

    response = client.post(_url(alices_customer, "/restore"))

    assert response.status_code == 422


# --- share, transfer, follow ---------------------------------------------------------------


def test_owner_shares_with_a_colleague_and_unshares(client, alice, bob, alices_customer):
    login(client, alice)

    shared = client.post(
        _url(alices_customer, "/share"), {"user": bob.pk, "level": "edit"}, content_type=JSON
    )
    share_id = shared.json()["id"]
    removed = client.delete(_url(alices_customer, f"/share/{share_id}"))

    assert shared.status_code == 201
    assert shared.json()["user"]["username"] == "bob"
    assert shared.json()["level"] == "edit"
    assert removed.status_code == 204
    assert not CustomerShare.objects.exists()


def test_share_with_a_team(client, alice, teams, alices_customer):
    login(client, alice)

    response = client.post(
        _url(alices_customer, "/share"),
        {"team": teams["west"].pk, "level": "read"},
        content_type=JSON,
    )

    assert response.status_code == 201
    assert response.json()["team"]["name"] == "Sales West"


def test_share_needs_a_user_or_a_team(client, alice, alices_customer):
    login(client, alice)

    response = client.post(_url(alices_customer, "/share"), {"level": "read"}, content_type=JSON)

    assert response.status_code == 422


def test_share_with_an_unknown_user_is_refused(client, alice, alices_customer):
    login(client, alice)

    response = client.post(_url(alices_customer, "/share"), {"user": 99999}, content_type=JSON)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "user"


def test_share_level_must_be_read_or_edit(client, alice, bob, alices_customer):
    login(client, alice)

    response = client.post(
        _url(alices_customer, "/share"), {"user": bob.pk, "level": "own"}, content_type=JSON
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "level"


def test_manager_transfers_one_customer(client, mike, alice, bob, alices_customer):
    login(client, mike)

    response = client.post(
        _url(alices_customer, "/transfer"),
        {"to_user": bob.pk, "reason": "alice on leave"},
        content_type=JSON,
    )

    assert response.status_code == 200
    assert response.json()["owner"]["username"] == "bob"
    alices_customer.refresh_from_db()
    assert alices_customer.owner == bob
    assert alices_customer.transfers.get().reason == "alice on leave"


def test_transfer_to_an_unknown_user_is_refused(client, mike, alices_customer):
    login(client, mike)

    response = client.post(
        _url(alices_customer, "/transfer"), {"to_user": 99999}, content_type=JSON
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "to_user"


def test_bulk_transfer_moves_every_customer_of_a_leaving_rep(client, ada, alice, bob):
    for i in range(3):
        create_customer(alice, {"name": f"客户{i}"})
    alice.is_active = False
    alice.save()
    login(client, ada)

    response = client.post(
        f"{URL}/transfer",
        {"from_user": alice.pk, "to_user": bob.pk, "reason": "left"},
        content_type=JSON,
    )

    assert response.json() == {"transferred": 3}
    assert Customer.objects.filter(owner=bob).count() == 3


def test_rep_cannot_bulk_transfer(client, alice, bob, alices_customer):
    login(client, alice)

    response = client.post(
        f"{URL}/transfer", {"from_user": alice.pk, "to_user": bob.pk}, content_type=JSON
    )

    assert response.status_code == 403
    alices_customer.refresh_from_db()
    assert alices_customer.owner == alice


def test_follow_and_unfollow(client, mike, alices_customer):
    login(client, mike)

    followed = client.post(_url(alices_customer, "/follow")).json()
    shown = client.get(_url(alices_customer)).json()["following"]
    unfollowed = client.delete(_url(alices_customer, "/follow")).json()

    assert followed == {"following": True}
    assert shown is True
    assert unfollowed == {"following": False}
    assert not alices_customer.followers.exists()
