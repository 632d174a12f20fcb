"""The public pool through the JSON API: list, claim, release, assign, status and rules."""

import pytest

from guanxi.customers import pool
from guanxi.customers.models import Customer, OwnershipTransfer, PoolRule
from guanxi.customers.services import create_customer
from tests.conftest import login

JSON = "application/json"


@pytest.fixture
def rule(mike, teams):
    return pool.save_rule(
        mike, teams["east"], {"followup_days": 30, "daily_claim_cap": 1, "max_owned": 50}
    )


@pytest.fixture
def pooled(rule, alice, alices_customer):
    pool.release(alice, alices_customer.pk, "客户暂无需求")
    return Customer.objects.get(pk=alices_customer.pk)


def test_the_pool_lists_what_the_rep_sees_with_the_reason(client, bob, pooled):
    login(client, bob)

    body = client.get("/api/v1/pool").json()

    assert [i["id"] for i in body["items"]] == [pooled.pk]
    item = body["items"][0]
    assert item["pool_reason"] == "客户暂无需求"
    assert item["pool_team"]["name"] == "Sales East"
    assert item["phone"] != pooled.phone  # masked: bob does not own it
    assert body["next_cursor"] is None


def test_the_pool_filters_by_city_and_source(client, bob, alice, pooled):
    other = create_customer(alice, {"name": "李雷", "city": "深圳", "source_channel": "website"})
    pool.release(alice, other.pk, "转给公海")
    login(client, bob)

    by_city = client.get("/api/v1/pool", {"city": "深圳"}).json()["items"]
    by_source = client.get("/api/v1/pool", {"source": "website"}).json()["items"]

    assert [i["id"] for i in by_city] == [other.pk]
    assert [i["id"] for i in by_source] == [other.pk]


def test_the_pool_pages_by_cursor(client, bob, alice, rule):
    for i in range(3):
        c = create_customer(alice, {"name": f"客户{i}"})
        pool.release(alice, c.pk, "整理")
    login(client, bob)

    first = client.get("/api/v1/pool", {"limit": 2}).json()
    second = client.get("/api/v1/pool", {"limit": 2, "cursor": first["next_cursor"]}).json()

    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


def test_another_teams_rep_sees_an_empty_pool_and_gets_404_on_claim(client, charlie, pooled):
    login(client, charlie)

    assert client.get("/api/v1/pool").json()["items"] == []
    response = client.post(f"/api/v1/pool/{pooled.pk}/claim", {}, content_type=JSON)

    assert response.status_code == 404
    assert Customer.objects.get(pk=pooled.pk).owner_id is None


def test_a_claim_answers_the_new_owner(client, bob, pooled):
    login(client, bob)

    response = client.post(f"/api/v1/pool/{pooled.pk}/claim", {}, content_type=JSON)

    assert response.status_code == 200
    assert response.json()["owner"]["username"] == "bob"
    assert response.json()["pooled_at"] is None


def test_a_claim_past_the_daily_cap_is_403_with_a_clear_message(client, bob, alice, pooled):
    second = create_customer(alice, {"name": "第二位"})
    pool.release(alice, second.pk, "整理")
    login(client, bob)
    client.post(f"/api/v1/pool/{pooled.pk}/claim", {}, content_type=JSON)

    response = client.post(f"/api/v1/pool/{second.pk}/claim", {}, content_type=JSON)

    assert response.status_code == 403
    assert response.json()["detail"] == "Daily claim limit of 1 reached; claim again tomorrow."
    assert Customer.objects.get(pk=second.pk).owner_id is None


def test_the_late_claimer_gets_409(client, alice, bob, pooled):
    pool.claim(bob, pooled.pk)
    login(client, alice)

    response = client.post(f"/api/v1/pool/{pooled.pk}/claim", {}, content_type=JSON)

    assert response.status_code == 409
    assert "Bob has it now" in response.json()["detail"]


def test_a_likely_duplicate_is_409_until_confirmed(client, bob, pooled):
    create_customer(bob, {"name": "王伟", "email": "wangwei@example.com"})
    login(client, bob)

    refused = client.post(f"/api/v1/pool/{pooled.pk}/claim", {}, content_type=JSON)
    confirmed = client.post(
        f"/api/v1/pool/{pooled.pk}/claim", {"confirm_duplicate": True}, content_type=JSON
    )

    assert refused.status_code == 409
    assert refused.json()["errors"][0]["field"] == "email"
    assert confirmed.status_code == 200


def test_the_owner_releases_with_a_reason(client, alice, alices_customer, rule):
    login(client, alice)

    response = client.post(
        f"/api/v1/customers/{alices_customer.pk}/release",
        {"reason": "客户不再合作"},
        content_type=JSON,
    )

    assert response.status_code == 200
    assert response.json()["owner"] is None
    assert response.json()["pool_reason"] == "客户不再合作"


def test_a_release_without_reason_is_422_and_writes_nothing(client, alice, alices_customer):
    login(client, alice)

    response = client.post(
        f"/api/v1/customers/{alices_customer.pk}/release", {"reason": ""}, content_type=JSON
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"
    assert Customer.objects.get(pk=alices_customer.pk).owner_id is not None


def test_a_rep_cannot_release_a_colleagues_customer(client, charlie, alices_customer):
    login(client, charlie)

    response = client.post(
        f"/api/v1/customers/{alices_customer.pk}/release", {"reason": "x"}, content_type=JSON
    )

    assert response.status_code == 404


def test_a_manager_assigns_from_the_pool(client, mike, bob, pooled):
    login(client, mike)

    response = client.post(
        f"/api/v1/pool/{pooled.pk}/assign", {"to_user": bob.pk}, content_type=JSON
    )

    assert response.status_code == 200
    assert OwnershipTransfer.objects.filter(customer=pooled, kind="assign", by=mike).exists()


def test_the_claim_status_shows_the_caps(client, bob, rule):
    login(client, bob)

    body = client.get("/api/v1/pool/status").json()

    assert body == {
        "claims_today": 0,
        "daily_cap": 1,
        "owned": 0,
        "max_owned": 50,
        "rule_team": {"id": rule.team_id, "name": "Sales East"},
    }


def test_a_pooled_customer_reads_with_a_null_owner(client, bob, pooled):
    login(client, bob)

    body = client.get(f"/api/v1/customers/{pooled.pk}").json()
    listed = client.get("/api/v1/customers").json()["items"]

    assert body["owner"] is None and body["pooled_at"] is not None
    assert [i["owner"] for i in listed if i["id"] == pooled.pk] == [None]


# --- rules -----------------------------------------------------------------------------------


def test_a_manager_creates_reads_changes_and_deletes_a_rule(client, mike, teams):
    login(client, mike)

    created = client.post(
        "/api/v1/pool/rules",
        {"team": teams["guangzhou"].pk, "followup_days": 45, "won_days": 120, "warn_days": 5},
        content_type=JSON,
    )
    rule_id = created.json()["id"]
    changed = client.patch(
        f"/api/v1/pool/rules/{rule_id}", {"daily_claim_cap": 3}, content_type=JSON
    )
    listed = client.get("/api/v1/pool/rules").json()
    deleted = client.delete(f"/api/v1/pool/rules/{rule_id}")

    assert created.status_code == 201
    assert changed.json()["daily_claim_cap"] == 3
    assert [r["team"]["name"] for r in listed] == ["Guangzhou"]
    assert deleted.status_code == 204
    assert not PoolRule.objects.exists()


def test_a_second_rule_for_a_team_is_409(client, mike, rule):
    login(client, mike)

    response = client.post(
        "/api/v1/pool/rules", {"team": rule.team_id, "followup_days": 10}, content_type=JSON
    )

    assert response.status_code == 409


def test_a_rep_cannot_create_a_rule(client, alice, teams):
    login(client, alice)

    response = client.post(
        "/api/v1/pool/rules",
        {"team": teams["guangzhou"].pk, "followup_days": 10},
        content_type=JSON,
    )

    assert response.status_code == 422
    assert not PoolRule.objects.exists()


def test_a_rule_warning_too_late_is_422(client, mike, teams):
    login(client, mike)

    response = client.post(
        "/api/v1/pool/rules",
        {"team": teams["east"].pk, "followup_days": 5, "warn_days": 7},
        content_type=JSON,
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "warn_days"


def test_another_teams_rule_is_404_to_a_rep(client, charlie, rule):
    login(client, charlie)

    assert client.get(f"/api/v1/pool/rules/{rule.pk}").status_code == 404
    assert (
        client.patch(
            f"/api/v1/pool/rules/{rule.pk}", {"warn_days": 2}, content_type=JSON
        ).status_code
        == 404
    )


def test_a_rep_reads_but_cannot_change_their_teams_rule(client, alice, rule):
    login(client, alice)

    assert client.get(f"/api/v1/pool/rules/{rule.pk}").status_code == 200
    assert (
        client.patch(
            f"/api/v1/pool/rules/{rule.pk}", {"warn_days": 2}, content_type=JSON
        ).status_code
        == 403
    )
