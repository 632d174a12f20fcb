"""The public customer pool (客户公海) under a controlled clock: warnings, recycling, claims,
releases, assignment and who sees which pool."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from guanxi.core.models import Notification
from guanxi.customers import pool
from guanxi.customers.models import Customer, OwnershipTransfer
from guanxi.customers.services import create_customer, transfer_customer
from guanxi.interactions.services import log_interaction
from guanxi.sales.models import Stage
from guanxi.sales.services import create_opportunity, default_pipeline, move_opportunity

DAY = dt.timedelta(days=1)


@pytest.fixture
def rule(mike, teams):
    """Sales East (and so Guangzhou): 30 days without follow-up, warned 3 days before."""
    return pool.save_rule(
        mike,
        teams["east"],
        {"followup_days": 30, "warn_days": 3, "daily_claim_cap": 2, "max_owned": 10},
    )


@pytest.fixture
def t0(alices_customer):
    """The moment Alice got 王伟: every clock in these tests counts from here."""
    return alices_customer.owned_since


def _reload(customer):
    return Customer.objects.get(pk=customer.pk)


def _pooled(customer_or_pk, reason="不再跟进", by=None, now=None):
    """Put a customer in the pool through the release service."""
    customer = _reload(customer_or_pk) if hasattr(customer_or_pk, "pk") else None
    pk = customer.pk if customer else customer_or_pk
    return pool.release(by or customer.owner, pk, reason, now=now)


def _warnings(user):
    return Notification.objects.filter(recipient=user, verb="pool_warning")


# --- recycling -------------------------------------------------------------------------------


def test_nothing_happens_before_the_warning_window(rule, alice, alices_customer, t0):
    run = pool.recycle(t0 + 26 * DAY)

    assert run.warned == [] and run.recycled == []
    assert _reload(alices_customer).owner_id == alice.pk


def test_the_owner_is_warned_once_before_recycling(rule, alice, alices_customer, t0):
    pool.recycle(t0 + 27 * DAY)
    pool.recycle(t0 + 28 * DAY)
    pool.recycle(t0 + 29 * DAY)

    assert _warnings(alice).count() == 1
    assert "王伟" in _warnings(alice).get().message
    assert _reload(alices_customer).owner_id == alice.pk


def test_a_customer_not_followed_up_for_n_days_returns_to_the_pool(
    rule, alice, alices_customer, t0, teams
):
    pool.recycle(t0 + 27 * DAY)

    run = pool.recycle(t0 + 30 * DAY)

    customer = _reload(alices_customer)
    assert [row[0] for row in run.recycled] == [customer.pk]
    assert customer.owner_id is None
    assert customer.pooled_at == t0 + 30 * DAY
    assert customer.pool_reason == "No follow-up for 30 days"
    assert customer.pool_team_id == teams["east"].pk
    assert Notification.objects.filter(recipient=alice, verb="pool_recycled").count() == 1


def test_the_warning_and_the_recycling_are_told_in_the_owners_language(
    rule, alice, alices_customer, t0
):
    alice.language = "zh-hans"
    alice.save(update_fields=["language"])

    pool.recycle(t0 + 27 * DAY)
    pool.recycle(t0 + 30 * DAY)

    assert "公海" in _warnings(alice).get().message
    recycled = Notification.objects.get(recipient=alice, verb="pool_recycled").message
    assert "公海" in recycled


def test_the_move_is_in_the_history_and_the_transfer_log(rule, alice, alices_customer, t0):
    pool.recycle(t0 + 27 * DAY)
    pool.recycle(t0 + 30 * DAY)

    latest = alices_customer.history.order_by("-history_id").first()
    assert latest.owner_id is None
    assert latest.history_change_reason == "No follow-up for 30 days"
    assert latest.history_date == t0 + 30 * DAY
    transfer = OwnershipTransfer.objects.get(customer=alices_customer)
    assert (transfer.kind, transfer.from_user_id, transfer.to_user_id) == (
        "recycle",
        alice.pk,
        None,
    )


def test_recycling_twice_at_the_same_time_does_nothing_more(rule, alices_customer, t0):
    pool.recycle(t0 + 27 * DAY)
    pool.recycle(t0 + 30 * DAY)

    again = pool.recycle(t0 + 30 * DAY)

    assert again.recycled == [] and again.warned == []
    assert OwnershipTransfer.objects.filter(customer=alices_customer).count() == 1


def test_a_customer_is_never_recycled_without_a_warning_days_ahead(
    rule, alice, alices_customer, t0
):
    """A rule switched on long after the last follow-up warns first and waits warn_days."""
    pool.recycle(t0 + 90 * DAY)
    pool.recycle(t0 + 92 * DAY)
    assert _reload(alices_customer).owner_id == alice.pk

    pool.recycle(t0 + 93 * DAY)

    assert _reload(alices_customer).owner_id is None
    assert _warnings(alice).count() == 1


def test_a_follow_up_resets_the_clock(rule, alice, alices_customer, t0):
    pool.recycle(t0 + 27 * DAY)
    log_interaction(alice, alices_customer.pk, {"kind": "call"}, now=t0 + 28 * DAY)

    pool.recycle(t0 + 30 * DAY)
    pool.recycle(t0 + 54 * DAY)

    assert _reload(alices_customer).owner_id == alice.pk
    assert _reload(alices_customer).last_followup_at == t0 + 28 * DAY
    assert _warnings(alice).count() == 1  # the follow-up ended the first cycle unrecycled


def test_a_new_cycle_warns_again(rule, alice, alices_customer, t0):
    pool.recycle(t0 + 27 * DAY)
    log_interaction(alice, alices_customer.pk, {"kind": "call"}, now=t0 + 28 * DAY)

    pool.recycle(t0 + 55 * DAY)

    assert _warnings(alice).count() == 2


def test_an_older_backdated_follow_up_does_not_move_the_clock_back(alice, alices_customer, t0):
    log_interaction(alice, alices_customer.pk, {"kind": "visit"}, now=t0 + 10 * DAY)
    log_interaction(
        alice,
        alices_customer.pk,
        {"kind": "note", "occurred_at": (t0 + 2 * DAY).isoformat()},
        now=t0 + 11 * DAY,
    )

    assert _reload(alices_customer).last_followup_at == t0 + 10 * DAY


def test_a_won_opportunity_resets_the_won_clock(mike, alice, alices_customer, teams, t0):
    pool.save_rule(mike, teams["east"], {"followup_days": 300, "won_days": 60, "warn_days": 5})
    won = default_pipeline().stages.get(kind=Stage.Kind.WON)
    opp = create_opportunity(alice, alices_customer.pk, {"name": "年度采购"}, at=t0 + DAY)
    move_opportunity(alice, opp.pk, won.pk, at=t0 + 50 * DAY)

    pool.recycle(t0 + 56 * DAY)
    pool.recycle(t0 + 61 * DAY)

    customer = _reload(alices_customer)
    assert customer.last_won_at == t0 + 50 * DAY
    assert customer.owner_id == alice.pk
    assert _warnings(alice).count() == 0


def test_no_won_opportunity_for_m_days_recycles_with_its_reason(
    mike, alice, alices_customer, teams, t0
):
    pool.save_rule(mike, teams["east"], {"followup_days": 300, "won_days": 60, "warn_days": 5})
    log_interaction(alice, alices_customer.pk, {"kind": "call"}, now=t0 + 40 * DAY)

    pool.recycle(t0 + 55 * DAY)
    pool.recycle(t0 + 60 * DAY)

    customer = _reload(alices_customer)
    assert customer.owner_id is None
    assert customer.pool_reason == "No won opportunity for 60 days"


def test_a_dry_run_lists_and_writes_nothing(rule, alice, alices_customer, t0):
    pool.recycle(t0 + 27 * DAY)

    run = pool.recycle(t0 + 30 * DAY, dry_run=True)

    assert [row[1] for row in run.recycled] == ["王伟"]
    assert _reload(alices_customer).owner_id == alice.pk


def test_a_sub_team_rule_overrides_the_parent_one(rule, mike, alice, alices_customer, teams, t0):
    pool.save_rule(mike, teams["guangzhou"], {"followup_days": 90, "warn_days": 3})

    pool.recycle(t0 + 27 * DAY)
    pool.recycle(t0 + 31 * DAY)

    assert _reload(alices_customer).owner_id == alice.pk
    assert pool.rule_for(alice).team == teams["guangzhou"]


def test_customers_of_a_team_without_rule_stay(rule, charlie, charlies_customer):
    t = charlies_customer.owned_since
    pool.recycle(t + 400 * DAY)
    pool.recycle(t + 500 * DAY)

    assert _reload(charlies_customer).owner_id == charlie.pk


def test_a_transfer_restarts_the_clock_for_the_new_owner(
    rule, mike, bob, alice, alices_customer, t0
):
    transfer_customer(mike, alices_customer.pk, bob)
    since = _reload(alices_customer).owned_since

    pool.recycle(since + 27 * DAY)

    assert since > t0
    assert _warnings(bob).count() == 1
    assert _warnings(alice).count() == 0


# --- visibility --------------------------------------------------------------------------------


def test_team_pool_is_seen_by_the_team_and_not_by_another_team(
    rule, alice, bob, mike, charlie, ada, alices_customer
):
    _pooled(alices_customer)

    seen = {
        u.username
        for u in (alice, bob, mike, charlie, ada)
        if Customer.objects.visible_to(u).filter(pk=alices_customer.pk).exists()
    }

    assert seen == {"alice", "bob", "mike", "ada"}


def test_a_company_wide_pool_is_seen_by_everyone(mike, charlie, teams, alices_customer):
    pool.save_rule(mike, teams["east"], {"followup_days": 30, "scope": "company"})
    _pooled(alices_customer)

    assert Customer.objects.visible_to(charlie).filter(pk=alices_customer.pk).exists()


def test_another_teams_rep_cannot_claim_a_team_pool_customer(rule, charlie, alices_customer):
    _pooled(alices_customer)

    with pytest.raises(Http404):
        pool.claim(charlie, alices_customer.pk)

    assert _reload(alices_customer).owner_id is None


def test_a_pooled_customer_is_read_only_to_reps(rule, bob, alices_customer):
    _pooled(alices_customer)

    assert not Customer.objects.editable_by(bob).filter(pk=alices_customer.pk).exists()


# --- claim -----------------------------------------------------------------------------------


def test_a_rep_claims_a_pooled_customer(rule, bob, alices_customer):
    _pooled(alices_customer)

    pool.claim(bob, alices_customer.pk)

    customer = _reload(alices_customer)
    assert customer.owner_id == bob.pk
    assert customer.pooled_at is None
    transfer = OwnershipTransfer.objects.filter(customer=customer).first()
    assert (transfer.kind, transfer.to_user_id, transfer.by_id) == ("claim", bob.pk, bob.pk)


def test_the_daily_claim_cap_refuses_with_a_clear_error_and_writes_nothing(rule, bob, alice):
    ids = [
        create_customer(alice, {"name": f"客户{i}", "phone": f"1390000000{i}"}).pk for i in range(3)
    ]
    for pk in ids:
        _pooled(pk, by=alice)
    now = Customer.objects.get(pk=ids[0]).pooled_at + DAY
    pool.claim(bob, ids[0], now=now)
    pool.claim(bob, ids[1], now=now)
    before = OwnershipTransfer.objects.count()

    with pytest.raises(PermissionDenied, match="Daily claim limit of 2 reached"):
        pool.claim(bob, ids[2], now=now)

    assert Customer.objects.get(pk=ids[2]).owner_id is None
    assert OwnershipTransfer.objects.count() == before


def test_the_claim_cap_starts_again_the_next_day(rule, bob, alice):
    ids = [create_customer(alice, {"name": f"客户{i}"}).pk for i in range(3)]
    for pk in ids:
        _pooled(pk, by=alice)
    now = Customer.objects.get(pk=ids[0]).pooled_at + DAY
    pool.claim(bob, ids[0], now=now)
    pool.claim(bob, ids[1], now=now)

    pool.claim(bob, ids[2], now=now + DAY)

    assert Customer.objects.get(pk=ids[2]).owner_id == bob.pk


def test_the_most_owned_customers_cap_refuses(mike, teams, bob, alice, alices_customer):
    pool.save_rule(mike, teams["east"], {"followup_days": 30, "max_owned": 1})
    create_customer(bob, {"name": "鲍勃的客户"})
    _pooled(alices_customer)

    with pytest.raises(PermissionDenied, match=r"owns 1 customers, the most the team allows \(1\)"):
        pool.claim(bob, alices_customer.pk)

    assert _reload(alices_customer).owner_id is None


def test_claiming_a_duplicate_of_ones_own_customer_needs_confirmation(rule, bob, alices_customer):
    mine = create_customer(bob, {"name": "王伟 (旧)", "phone": "13800138000"})
    _pooled(alices_customer)

    with pytest.raises(pool.DuplicateOwned) as refused:
        pool.claim(bob, alices_customer.pk)
    assert f"#{mine.pk}" in refused.value.message_dict["phone"][0]
    assert _reload(alices_customer).owner_id is None

    pool.claim(bob, alices_customer.pk, confirm_duplicate=True)
    assert _reload(alices_customer).owner_id == bob.pk


def test_the_second_claimer_gets_a_conflict(rule, alice, bob, mike, alices_customer):
    _pooled(alices_customer)
    pool.claim(bob, alices_customer.pk)

    with pytest.raises(pool.ClaimConflict, match="no longer in the pool"):
        pool.claim(alice, alices_customer.pk)

    assert _reload(alices_customer).owner_id == bob.pk


@pytest.mark.django_db(transaction=True)
def test_two_reps_claiming_at_once_one_wins_the_other_gets_a_conflict(
    rule, alice, bob, alices_customer
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL's row locks")
    _pooled(alices_customer)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def claim_as(user):
        try:
            barrier.wait()
            pool.claim(user, alices_customer.pk)
            outcomes[user.username] = "won"
        except pool.ClaimConflict:
            outcomes[user.username] = "conflict"
        finally:
            connection.close()

    threads = [threading.Thread(target=claim_as, args=(u,)) for u in (alice, bob)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes.values()) == ["conflict", "won"]
    winner = next(name for name, result in outcomes.items() if result == "won")
    assert _reload(alices_customer).owner.username == winner
    assert OwnershipTransfer.objects.filter(customer=alices_customer, kind="claim").count() == 1


def test_an_analyst_cannot_claim(rule, nina, alices_customer):
    _pooled(alices_customer)

    with pytest.raises(PermissionDenied):
        pool.claim(nina, alices_customer.pk)


# --- release and assign ----------------------------------------------------------------------


def test_a_release_needs_a_reason(rule, alice, alices_customer):
    with pytest.raises(ValidationError) as refused:
        pool.release(alice, alices_customer.pk, "  ")

    assert "reason" in refused.value.message_dict
    assert _reload(alices_customer).owner_id == alice.pk


def test_a_rep_cannot_release_a_colleagues_customer(rule, bob, alices_customer):
    with pytest.raises(Http404):
        pool.release(bob, alices_customer.pk, "不要了")


def test_without_a_rule_a_release_goes_to_the_owners_team_pool(
    charlie, charlies_customer, teams, ada
):
    pool.release(charlie, charlies_customer.pk, "客户搬走了")

    assert _reload(charlies_customer).pool_team_id == teams["west"].pk


def test_a_manager_assigns_a_pooled_customer_to_a_rep(rule, mike, bob, alices_customer):
    _pooled(alices_customer)

    pool.assign(mike, alices_customer.pk, bob, reason="熟悉该客户")

    assert _reload(alices_customer).owner_id == bob.pk
    transfer = OwnershipTransfer.objects.filter(customer=alices_customer).first()
    assert (transfer.kind, transfer.by_id) == ("assign", mike.pk)


def test_a_manager_cannot_assign_to_another_teams_rep(rule, mike, charlie, alices_customer):
    _pooled(alices_customer)

    with pytest.raises(ValidationError):
        pool.assign(mike, alices_customer.pk, charlie)


def test_a_rep_cannot_assign(rule, alice, bob, alices_customer):
    _pooled(alices_customer)

    with pytest.raises(PermissionDenied):
        pool.assign(alice, alices_customer.pk, bob)


# --- rules -----------------------------------------------------------------------------------


def test_a_rep_cannot_set_a_pool_rule(alice, teams):
    with pytest.raises(PermissionDenied):
        pool.save_rule(alice, teams["guangzhou"], {"followup_days": 30})


def test_a_manager_cannot_set_another_teams_rule(mike, teams):
    with pytest.raises(PermissionDenied):
        pool.save_rule(mike, teams["west"], {"followup_days": 30})


def test_the_warning_must_come_before_the_deadline(mike, teams):
    with pytest.raises(ValidationError) as refused:
        pool.save_rule(mike, teams["east"], {"followup_days": 5, "warn_days": 5})

    assert "warn_days" in refused.value.message_dict


# --- backfill ---------------------------------------------------------------------------------


def test_the_backfill_computes_the_facts_from_existing_rows(alice, alices_customer, t0):
    from guanxi.ops.pool_facts import backfill_pool_facts

    log_interaction(alice, alices_customer.pk, {"kind": "call"}, now=t0 + 5 * DAY)
    Customer.objects.filter(pk=alices_customer.pk).update(last_followup_at=None)

    backfill_pool_facts()

    assert _reload(alices_customer).last_followup_at == t0 + 5 * DAY


# --- the command -------------------------------------------------------------------------------


def test_the_command_dry_run_lists_and_then_recycles(rule, alice, alices_customer, t0):
    from io import StringIO

    from django.core.management import call_command

    pool.recycle(t0 + 27 * DAY)
    when = (t0 + 30 * DAY).isoformat()
    dry, real = StringIO(), StringIO()

    call_command("pool", "recycle", "--dry-run", "--now", when, stdout=dry)
    assert _reload(alices_customer).owner_id == alice.pk
    call_command("pool", "recycle", "--now", when, stdout=real)

    assert "would recycle: #" in dry.getvalue() and "王伟" in dry.getvalue()
    assert "0 warned, 1 recycled." in real.getvalue()
    assert _reload(alices_customer).owner_id is None
