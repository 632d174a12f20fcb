"""A merge of two customers that each have an account plan keeps the survivor's plan and
brings the other's goals and relationship map into it (they had gone down with the other's
plan, unrecorded: lost even to an undo); an undo gives the other its plan back with them."""

import pytest

from guanxi.customers import merge
from guanxi.customers.services import add_contact, create_customer
from guanxi.keyaccounts.models import AccountPlan, PlanGoal, Relationship
from guanxi.keyaccounts.services import add_goal, add_relationship, save_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(alice):
    survivor = create_customer(alice, {"name": "华信科技", "kind": "company"})
    other = create_customer(alice, {"name": "华信科技有限公司", "kind": "company"})
    save_plan(alice, survivor.pk, {"strategy": "深耕"})
    save_plan(alice, other.pk, {"strategy": "拓展"})
    goal = add_goal(alice, other.pk, {"title": "年采购 100 万", "target_value": "1000000"})
    contact = add_contact(alice, other, {"name": "刘总", "phone": "13911112222"})
    rel = add_relationship(alice, other.pk, {"contact": contact.pk, "role": "decision_maker"})
    return survivor, other, goal, rel


def test_the_others_goals_and_relationships_join_the_survivors_plan(alice, plans):
    survivor, other, goal, rel = plans

    merge.merge_customers(alice, survivor.pk, other.pk)

    kept = AccountPlan.objects.get(customer=survivor)
    assert PlanGoal.objects.get(pk=goal.pk).plan_id == kept.pk
    assert Relationship.objects.get(pk=rel.pk).plan_id == kept.pk
    assert AccountPlan.objects.filter(customer=survivor).count() == 1


def test_an_undo_gives_the_other_its_plan_back_with_its_goals_and_relationships(alice, plans):
    survivor, other, goal, rel = plans
    record = merge.merge_customers(alice, survivor.pk, other.pk)

    merge.undo_merge(alice, record.pk)

    theirs = AccountPlan.objects.get(customer=other)
    assert theirs.strategy == "拓展"
    assert PlanGoal.objects.get(pk=goal.pk).plan_id == theirs.pk
    assert Relationship.objects.get(pk=rel.pk).plan_id == theirs.pk
    assert AccountPlan.objects.get(customer=survivor).goals.count() == 0
