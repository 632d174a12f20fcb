"""Key-account plans through the services: the plan, goals, the relationship map, and the
review as a recurring task, with the validation errors that write nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from guanxi.customers.services import add_contact, share_customer, transfer_customer
from guanxi.interactions import services as task_services
from guanxi.interactions.models import Task, TaskStatus
from guanxi.keyaccounts import services
from guanxi.keyaccounts.models import AccountPlan, PlanGoal, Relationship
from tests.keyaccounts.conftest import at


def test_a_plan_is_created_for_a_company_with_its_strategy(alice, alices_company):
    plan = services.save_plan(alice, alices_company.pk, {"strategy": "  扩大份额  "})
    assert (plan.customer, plan.strategy, plan.review_task) == (alices_company, "扩大份额", None)


def test_a_person_customer_cannot_have_a_plan(alice, alices_customer):
    with pytest.raises(ValidationError) as exc:
        services.save_plan(alice, alices_customer.pk, {"strategy": "x"})
    assert "customer" in exc.value.message_dict
    assert not AccountPlan.objects.exists()


def test_a_review_cadence_creates_a_recurring_task_for_the_owner(mike, alice, alices_company):
    services.save_plan(
        mike, alices_company.pk, {"review_every_days": 30}, now=at("2026-11-23 15:00")
    )
    task = Task.objects.get()
    assert (task.customer, task.assignee, task.recurrence_days) == (alices_company, alice, 30)
    assert task.due_at == at("2026-12-23 09:00")
    assert task.remind_at == task.due_at
    assert AccountPlan.objects.get().review_task == task


def test_changing_the_cadence_updates_the_open_review_instead_of_adding_one(alice, alices_company):
    services.save_plan(
        alice, alices_company.pk, {"review_every_days": 30}, now=at("2026-11-23 15:00")
    )
    Task.objects.update(created_at=at("2026-11-23 15:00"))
    services.save_plan(alice, alices_company.pk, {"review_every_days": 14})
    task = Task.objects.get()
    assert task.recurrence_days == 14
    assert task.due_at == at("2026-12-07 09:00")


def test_a_completed_review_is_followed_and_a_new_cadence_applies_to_the_next_one(
    alice, alices_company
):
    services.save_plan(
        alice, alices_company.pk, {"review_every_days": 30}, now=at("2026-11-23 15:00")
    )
    first = Task.objects.get()
    task_services.complete_task(alice, first.pk, now=at("2026-12-20 10:00"))
    services.save_plan(alice, alices_company.pk, {"review_every_days": 7})
    second = Task.objects.get(previous=first)
    assert (second.status, second.recurrence_days) == (TaskStatus.OPEN, 7)
    assert second.due_at == at("2026-12-27 09:00")  # seven days after the last review was done
    assert Task.objects.count() == 2


def test_clearing_the_cadence_stops_the_series(alice, alices_company):
    services.save_plan(alice, alices_company.pk, {"review_every_days": 30})
    services.save_plan(alice, alices_company.pk, {"review_every_days": None})
    task = Task.objects.get()
    task_services.complete_task(alice, task.pk)
    assert Task.objects.count() == 1


def test_saving_the_strategy_alone_leaves_the_review_task_alone(alice, alices_company):
    services.save_plan(alice, alices_company.pk, {"review_every_days": 30})
    before = Task.objects.get()
    services.save_plan(alice, alices_company.pk, {"strategy": "新策略"})
    assert list(Task.objects.all()) == [before]
    assert Task.objects.get().updated_at == before.updated_at


def test_a_review_cadence_of_zero_or_over_a_year_is_refused(alice, alices_company):
    for days in (0, 366):
        with pytest.raises(ValidationError) as exc:
            services.save_plan(alice, alices_company.pk, {"review_every_days": days})
        assert "review_every_days" in exc.value.message_dict
    assert not AccountPlan.objects.exists()
    assert not Task.objects.exists()


def test_after_a_transfer_a_new_cadence_moves_the_review_to_the_new_owner(
    alice, bob, mike, alices_company
):
    services.save_plan(alice, alices_company.pk, {"review_every_days": 30})
    transfer_customer(alice, alices_company.pk, bob)
    services.save_plan(mike, alices_company.pk, {"review_every_days": 10})
    task = Task.objects.get()
    assert (task.assignee, task.recurrence_days) == (bob, 10)


# --- goals ---------------------------------------------------------------------------------


@pytest.fixture
def plan(alice, alices_company):
    return services.save_plan(alice, alices_company.pk, {"strategy": "深耕"})


def test_a_goal_is_added_with_target_due_date_and_status(alice, alices_company, plan):
    goal = services.add_goal(
        alice,
        alices_company.pk,
        {"title": "年采购额", "target_value": "1200000.00", "due_date": "2027-06-30"},
    )
    goal.refresh_from_db()
    assert (goal.title, str(goal.target_value), goal.due_date, goal.status) == (
        "年采购额",
        "1200000.00",
        dt.date(2027, 6, 30),
        "open",
    )


def test_a_goal_without_a_title_is_refused(alice, alices_company, plan):
    with pytest.raises(ValidationError) as exc:
        services.add_goal(alice, alices_company.pk, {"title": "   ", "target_value": "10"})
    assert "title" in exc.value.message_dict
    assert not PlanGoal.objects.exists()


def test_a_goal_with_a_negative_target_or_a_bad_date_is_refused(alice, alices_company, plan):
    with pytest.raises(ValidationError) as exc:
        services.add_goal(
            alice, alices_company.pk, {"title": "x", "target_value": "-1", "due_date": "明年"}
        )
    assert {"target_value", "due_date"} <= set(exc.value.message_dict)


def test_a_goal_is_updated_and_deleted(alice, alices_company, plan):
    goal = services.add_goal(alice, alices_company.pk, {"title": "签约"})
    services.update_goal(alice, alices_company.pk, goal.pk, {"status": "achieved"})
    assert PlanGoal.objects.get().status == "achieved"
    services.delete_goal(alice, alices_company.pk, goal.pk)
    assert not PlanGoal.objects.exists()


def test_a_goal_of_another_plan_is_not_found(
    alice, charlie, charlies_customer, alices_company, plan
):
    services.save_plan(charlie, charlies_customer.pk, {})
    theirs = services.add_goal(charlie, charlies_customer.pk, {"title": "theirs"})
    with pytest.raises(Http404):
        services.update_goal(alice, alices_company.pk, theirs.pk, {"title": "mine"})


# --- the relationship map ------------------------------------------------------------------


def test_a_contact_goes_on_the_map_with_role_influence_attitude_and_owner(
    alice, bob, alices_company, plan, contacts
):
    rel = services.add_relationship(
        alice,
        alices_company.pk,
        {
            "contact": contacts["张总"].pk,
            "role": "decision_maker",
            "influence": 5,
            "attitude": "supporter",
            "owner": bob.pk,
            "notes": "喜欢打高尔夫",
        },
    )
    assert (rel.contact, rel.role, rel.influence, rel.attitude, rel.owner) == (
        contacts["张总"],
        "decision_maker",
        5,
        "supporter",
        bob,
    )


def test_an_influence_of_seven_is_refused(alice, alices_company, plan, contacts):
    with pytest.raises(ValidationError) as exc:
        services.add_relationship(
            alice,
            alices_company.pk,
            {"contact": contacts["李工"].pk, "role": "influencer", "influence": 7},
        )
    assert "influence" in exc.value.message_dict
    assert not Relationship.objects.exists()


def test_a_contact_of_another_customer_is_refused(
    alice, charlie, alices_company, charlies_customer, plan
):
    stranger = add_contact(charlie, charlies_customer, {"name": "外人"})
    with pytest.raises(ValidationError) as exc:
        services.add_relationship(
            alice, alices_company.pk, {"contact": stranger.pk, "role": "user"}
        )
    assert exc.value.message_dict["contact"] == ["Choose a contact of this customer."]
    assert not Relationship.objects.exists()


def test_a_contact_is_on_the_map_only_once(alice, alices_company, plan, contacts):
    data = {"contact": contacts["李工"].pk, "role": "user"}
    services.add_relationship(alice, alices_company.pk, data)
    with pytest.raises(ValidationError) as exc:
        services.add_relationship(alice, alices_company.pk, data)
    assert "contact" in exc.value.message_dict


def test_an_unknown_role_or_attitude_is_refused(alice, alices_company, plan, contacts):
    with pytest.raises(ValidationError) as exc:
        services.add_relationship(
            alice,
            alices_company.pk,
            {"contact": contacts["李工"].pk, "role": "boss", "attitude": "hostile"},
        )
    assert {"role", "attitude"} <= set(exc.value.message_dict)


def test_a_relationship_is_updated_and_removed(alice, alices_company, plan, contacts):
    rel = services.add_relationship(
        alice, alices_company.pk, {"contact": contacts["王秘书"].pk, "role": "gatekeeper"}
    )
    services.update_relationship(alice, alices_company.pk, rel.pk, {"attitude": "opponent"})
    assert Relationship.objects.get().attitude == "opponent"
    services.delete_relationship(alice, alices_company.pk, rel.pk)
    assert not Relationship.objects.exists()


def test_deleting_the_plan_removes_goals_and_map(alice, alices_company, plan, contacts):
    services.add_goal(alice, alices_company.pk, {"title": "g"})
    services.add_relationship(
        alice, alices_company.pk, {"contact": contacts["张总"].pk, "role": "user"}
    )
    services.delete_plan(alice, alices_company.pk)
    assert not (
        AccountPlan.objects.exists() or PlanGoal.objects.exists() or Relationship.objects.exists()
    )


# --- who may -------------------------------------------------------------------------------


def test_another_reps_customer_plan_is_not_found(charlie, alices_company, plan):
    with pytest.raises(Http404):
        services.access_plan(charlie, alices_company.pk)
    with pytest.raises(Http404):
        services.add_goal(charlie, alices_company.pk, {"title": "x"})


def test_an_analyst_reads_but_cannot_write(nina, alices_company, plan):
    assert services.access_plan(nina, alices_company.pk) == plan
    with pytest.raises(PermissionDenied):
        services.add_goal(nina, alices_company.pk, {"title": "x"})
    with pytest.raises(PermissionDenied):
        services.save_plan(nina, alices_company.pk, {"strategy": "x"})


def test_a_colleague_with_a_read_share_reads_but_cannot_write(alice, bob, alices_company, plan):
    share_customer(alice, alices_company.pk, to_user=bob)
    assert services.access_plan(bob, alices_company.pk) == plan
    with pytest.raises(PermissionDenied):
        services.add_goal(bob, alices_company.pk, {"title": "x"})


def test_a_colleague_with_an_edit_share_cannot_change_the_owners_review_cadence(
    alice, bob, alices_company
):
    services.save_plan(alice, alices_company.pk, {"review_every_days": 30})
    share_customer(alice, alices_company.pk, to_user=bob, level="edit")
    services.add_goal(bob, alices_company.pk, {"title": "bob's goal"})
    with pytest.raises(PermissionDenied):
        services.save_plan(bob, alices_company.pk, {"review_every_days": 7})
    assert Task.objects.get().recurrence_days == 30
