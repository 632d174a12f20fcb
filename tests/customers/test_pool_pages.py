"""The pool pages, and every page, export and report that meets a customer without owner."""

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.analytics.refresh import refresh_metrics
from guanxi.customers import pool
from guanxi.customers.models import Customer, PoolRule
from guanxi.customers.services import create_customer
from guanxi.sales.services import create_order, create_product
from tests.conftest import login


@pytest.fixture
def rule(mike, teams):
    return pool.save_rule(mike, teams["east"], {"followup_days": 30, "daily_claim_cap": 5})


@pytest.fixture
def pooled(rule, alice, alices_customer):
    pool.release(alice, alices_customer.pk, "客户暂无需求")
    return Customer.objects.get(pk=alices_customer.pk)


def test_the_pool_page_lists_the_customer_with_reason_and_claim_button(client, bob, pooled):
    login(client, bob)

    page = client.get("/customers/pool/").content.decode()

    assert "王伟" in page
    assert "客户暂无需求" in page
    assert f"/customers/pool/{pooled.pk}/claim/" in page
    assert "Claimed today" in page


def test_the_pool_page_shows_an_empty_state(client, charlie, pooled):
    login(client, charlie)

    page = client.get("/customers/pool/").content.decode()

    assert "The pool is empty" in page
    assert "王伟" not in page


def test_the_pool_page_filters_by_days_in_the_pool(client, bob, pooled):
    login(client, bob)

    page = client.get("/customers/pool/", {"days": 5}).content.decode()

    assert "No pooled customer matches your filters." in page


def test_the_pool_page_answers_htmx_with_the_table_only(client, bob, pooled):
    login(client, bob)

    response = client.get(
        "/customers/pool/", {"city": "广州"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="pool-table"
    )

    assert "<html" not in response.content.decode()
    assert "王伟" in response.content.decode()


def test_the_pool_page_pins_its_query_count(
    client, bob, alice, rule, django_assert_max_num_queries
):
    for i in range(10):
        c = create_customer(alice, {"name": f"客户{i}", "phone": f"1390000000{i}"}, tags=["VIP"])
        pool.release(alice, c.pk, "整理")
    login(client, bob)

    with django_assert_max_num_queries(16):
        assert client.get("/customers/pool/").status_code == 200


def test_claiming_from_the_page_opens_the_customer(client, bob, pooled):
    login(client, bob)

    response = client.post(f"/customers/pool/{pooled.pk}/claim/")

    assert response.status_code == 302
    assert response["Location"] == f"/customers/{pooled.pk}/"
    assert Customer.objects.get(pk=pooled.pk).owner_id == bob.pk


def test_a_duplicate_claim_asks_for_confirmation(client, bob, pooled):
    create_customer(bob, {"name": "老王", "phone": "13800138000"})
    login(client, bob)

    response = client.post(f"/customers/pool/{pooled.pk}/claim/")

    assert response.status_code == 409
    assert "Claim anyway" in response.content.decode()
    assert Customer.objects.get(pk=pooled.pk).owner_id is None


def test_a_claim_past_the_cap_shows_the_error_on_the_pool_page(client, mike, teams, bob, pooled):
    PoolRule.objects.filter(team=teams["east"]).update(daily_claim_cap=0)
    login(client, bob)

    response = client.post(f"/customers/pool/{pooled.pk}/claim/", follow=True)

    assert "Daily claim limit of 0 reached" in response.content.decode()
    assert Customer.objects.get(pk=pooled.pk).owner_id is None


def test_the_card_of_a_pooled_customer_says_since_when_and_why(client, bob, pooled):
    login(client, bob)

    page = client.get(f"/customers/{pooled.pk}/").content.decode()

    assert "In the public pool since" in page
    assert "客户暂无需求" in page
    assert "none (in the public pool)" in page


def test_the_owner_releases_from_the_card(client, alice, alices_customer, rule):
    login(client, alice)
    form = client.get(f"/customers/{alices_customer.pk}/release/")

    response = client.post(f"/customers/{alices_customer.pk}/release/", {"reason": "换人跟进"})

    assert form.status_code == 200
    assert response.status_code == 302
    assert Customer.objects.get(pk=alices_customer.pk).pool_reason == "换人跟进"


def test_a_release_without_reason_shows_a_form_error(client, alice, alices_customer):
    login(client, alice)

    response = client.post(f"/customers/{alices_customer.pk}/release/", {"reason": ""})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Customer.objects.get(pk=alices_customer.pk).owner_id == alice.pk


def test_the_customer_list_shows_pool_in_the_owner_column(client, mike, pooled):
    login(client, mike)

    page = client.get("/customers/").content.decode()

    assert "None" not in page
    assert ">Pool<" in page


def test_the_history_tab_shows_the_release(client, alice, mike, pooled):
    login(client, mike)

    page = client.get(f"/customers/{pooled.pk}/tab/history/").content.decode()

    assert "客户暂无需求" in page
    assert "Sales East" in page  # the pool's team by name, not its id


# --- rules pages -------------------------------------------------------------------------------


def test_a_manager_sets_a_rule_on_the_page(client, mike, teams):
    login(client, mike)

    listing = client.get("/customers/pool/rules/")
    response = client.post(
        f"/customers/pool/rules/{teams['guangzhou'].pk}/",
        {"followup_days": 20, "warn_days": 2, "scope": "team", "active": "on"},
    )

    assert "Guangzhou" in listing.content.decode()
    assert response.status_code == 302
    assert PoolRule.objects.get(team=teams["guangzhou"]).followup_days == 20


def test_a_bad_rule_shows_the_error_and_saves_nothing(client, mike, teams):
    login(client, mike)

    response = client.post(
        f"/customers/pool/rules/{teams['east'].pk}/",
        {"followup_days": 5, "warn_days": 9, "scope": "team", "active": "on"},
    )

    assert response.status_code == 200
    assert "Warn fewer days ahead" in response.content.decode()
    assert not PoolRule.objects.exists()


def test_a_rep_gets_403_on_the_rules_page(client, alice):
    login(client, alice)

    assert client.get("/customers/pool/rules/").status_code == 403


def test_a_manager_cannot_edit_another_teams_rule_page(client, mike, teams):
    login(client, mike)

    assert client.get(f"/customers/pool/rules/{teams['west'].pk}/").status_code == 404


# --- owner-less customers everywhere else --------------------------------------------------------


def test_the_export_names_the_pool_as_owner(client, ada, pooled):
    login(client, ada)

    response = client.get("/customers/export/", {"format": "csv"})
    body = (
        b"".join(response.streaming_content).decode("utf-8-sig")
        if response.streaming
        else (response.content.decode("utf-8-sig"))
    )

    assert "王伟" in body
    assert ",None," not in body


def test_the_analytics_refresh_runs_with_pooled_customers(ada, alice, alices_customer, rule):
    product = create_product(ada, {"sku": "T-1", "name": "茶", "list_price": Decimal("10")})
    for day in (dt.date(2026, 3, 1), dt.date(2026, 5, 1)):
        create_order(
            alice,
            alices_customer.pk,
            [{"product": product.pk, "quantity": 1, "unit_price": Decimal("88")}],
            status="confirmed",
            order_date=day,
        )
    pool.release(alice, alices_customer.pk, "整理")

    run = refresh_metrics(dt.date(2026, 7, 1))

    assert run.error == ""
    assert run.customers == 1
