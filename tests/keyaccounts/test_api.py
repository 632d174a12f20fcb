"""The key-account API: plan CRUD, goals and the map, errors in the one shape, and the
permission matrix (another rep's customer → 404, an analyst reads only)."""

import json

import pytest

from guanxi.interactions.models import Task
from guanxi.keyaccounts import services
from guanxi.keyaccounts.models import AccountPlan, PlanGoal, Relationship
from tests.conftest import login

JSON = "application/json"


def _url(customer, tail=""):
    return f"/api/v1/customers/{customer.pk}/account-plan{tail}"


def _send(client, method, url, body=None):
    return getattr(client, method)(url, json.dumps(body or {}), content_type=JSON)


@pytest.fixture
def plan(alice, alices_company, contacts):
    plan = services.save_plan(
        alice, alices_company.pk, {"strategy": "深耕", "review_every_days": 30}
    )
    services.add_goal(alice, alices_company.pk, {"title": "年采购额", "target_value": "1000000"})
    services.add_relationship(
        alice, alices_company.pk, {"contact": contacts["张总"].pk, "role": "decision_maker"}
    )
    return plan


def test_put_creates_the_plan_with_its_review_task(client, alice, alices_company):
    login(client, alice)
    response = _send(
        client, "put", _url(alices_company), {"strategy": "扩大份额", "review_every_days": 30}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["strategy"], body["review_every_days"]) == ("扩大份额", 30)
    assert body["review"]["recurrence_days"] == 30
    assert body["review"]["task_id"] == Task.objects.get().pk


def test_put_again_updates_and_answers_200(client, alice, alices_company, plan):
    login(client, alice)
    response = _send(
        client, "put", _url(alices_company), {"strategy": "新", "review_every_days": 7}
    )
    assert response.status_code == 200
    assert response.json()["review"]["recurrence_days"] == 7
    assert Task.objects.count() == 1


def test_get_returns_goals_and_map(client, alice, alices_company, plan):
    login(client, alice)
    body = client.get(_url(alices_company)).json()
    assert [g["title"] for g in body["goals"]] == ["年采购额"]
    assert body["relationships"][0]["contact"]["name"] == "张总"
    assert body["relationships"][0]["role"] == "decision_maker"


def test_get_without_a_plan_is_404(client, alice, alices_company):
    login(client, alice)
    assert client.get(_url(alices_company)).status_code == 404


def test_a_person_customer_gets_a_clear_422(client, alice, alices_customer):
    login(client, alice)
    response = _send(client, "put", _url(alices_customer), {"strategy": "x"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "customer"


def test_a_goal_without_a_title_is_422_and_nothing_is_written(client, alice, alices_company, plan):
    login(client, alice)
    response = _send(client, "post", _url(alices_company, "/goals"), {"target_value": "5"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["title"]
    assert PlanGoal.objects.count() == 1


def test_an_influence_of_seven_is_422(client, alice, alices_company, plan, contacts):
    login(client, alice)
    response = _send(
        client,
        "post",
        _url(alices_company, "/relationships"),
        {"contact": contacts["李工"].pk, "role": "influencer", "influence": 7},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["influence"]
    assert Relationship.objects.count() == 1


def test_a_contact_of_another_customer_is_422(
    client, alice, alices_company, plan, charlie, charlies_customer
):
    from guanxi.customers.services import add_contact

    stranger = add_contact(charlie, charlies_customer, {"name": "外人"})
    login(client, alice)
    response = _send(
        client,
        "post",
        _url(alices_company, "/relationships"),
        {"contact": stranger.pk, "role": "user"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "contact"


def test_goals_and_relationships_are_patched_and_deleted(client, alice, alices_company, plan):
    login(client, alice)
    goal = PlanGoal.objects.get()
    rel = Relationship.objects.get()
    assert (
        _send(
            client, "patch", _url(alices_company, f"/goals/{goal.pk}"), {"status": "achieved"}
        ).json()["status"]
        == "achieved"
    )
    assert (
        _send(
            client, "patch", _url(alices_company, f"/relationships/{rel.pk}"), {"influence": 4}
        ).json()["influence"]
        == 4
    )
    assert client.delete(_url(alices_company, f"/goals/{goal.pk}")).status_code == 204
    assert client.delete(_url(alices_company, f"/relationships/{rel.pk}")).status_code == 204
    assert not PlanGoal.objects.exists() and not Relationship.objects.exists()


def test_patch_changes_the_cadence_only(client, alice, alices_company, plan):
    login(client, alice)
    body = _send(client, "patch", _url(alices_company), {"review_every_days": 14}).json()
    assert (body["strategy"], body["review_every_days"]) == ("深耕", 14)


def test_delete_removes_the_plan(client, alice, alices_company, plan):
    login(client, alice)
    assert client.delete(_url(alices_company)).status_code == 204
    assert not AccountPlan.objects.exists()


def test_the_list_shows_only_plans_of_visible_customers(
    client, alice, charlie, alices_company, plan, charlies_customer
):
    services.save_plan(charlie, charlies_customer.pk, {})
    login(client, alice)
    items = client.get("/api/v1/account-plans").json()["items"]
    assert [(i["customer_name"], i["goals"], i["relationships"]) for i in items] == [
        ("广州华南电子有限公司", 1, 1)
    ]


# --- the permission matrix -----------------------------------------------------------------

READS = [("get", "")]
WRITES = [
    ("put", ""),
    ("patch", ""),
    ("delete", ""),
    ("post", "/goals"),
    ("patch", "/goals/{goal}"),
    ("delete", "/goals/{goal}"),
    ("post", "/relationships"),
    ("patch", "/relationships/{rel}"),
    ("delete", "/relationships/{rel}"),
]


def _call(client, method, tail, customer):
    goal = PlanGoal.objects.first()
    rel = Relationship.objects.first()
    url = _url(customer, tail.format(goal=goal.pk, rel=rel.pk))
    body = {}
    if method == "post":
        body = {"title": "x"} if tail == "/goals" else {"contact": rel.contact_id, "role": "user"}
    if method in ("get", "delete"):
        return getattr(client, method)(url)
    return _send(client, method, url, body)


@pytest.mark.parametrize(("method", "tail"), READS + WRITES)
def test_another_reps_customer_plan_is_404_on_every_route(
    client, charlie, alices_company, plan, method, tail
):
    login(client, charlie)
    assert _call(client, method, tail, alices_company).status_code == 404


@pytest.mark.parametrize(("method", "tail"), WRITES)
def test_an_analyst_may_not_write_any_part_of_a_plan(
    client, nina, alices_company, plan, method, tail
):
    login(client, nina)
    assert _call(client, method, tail, alices_company).status_code == 403
    assert AccountPlan.objects.get().strategy == "深耕"
    assert PlanGoal.objects.count() == Relationship.objects.count() == 1


def test_an_analyst_reads_the_plan(client, nina, alices_company, plan):
    login(client, nina)
    assert client.get(_url(alices_company)).status_code == 200


def test_the_manager_of_the_owner_edits_the_plan(client, mike, alices_company, plan):
    login(client, mike)
    response = _send(client, "post", _url(alices_company, "/goals"), {"title": "经理的目标"})
    assert response.status_code == 201
