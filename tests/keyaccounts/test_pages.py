"""The Key account tab of the customer card and its forms."""

import pytest
from django.urls import reverse

from guanxi.keyaccounts import services
from guanxi.keyaccounts.models import AccountPlan, PlanGoal, Relationship
from tests.conftest import login


@pytest.fixture
def plan(alice, alices_company, contacts):
    plan = services.save_plan(
        alice, alices_company.pk, {"strategy": "深耕华南", "review_every_days": 30}
    )
    services.add_goal(alice, alices_company.pk, {"title": "年采购额一百万"})
    services.add_relationship(
        alice,
        alices_company.pk,
        {
            "contact": contacts["张总"].pk,
            "role": "decision_maker",
            "influence": 5,
            "attitude": "supporter",
        },
    )
    return plan


def _tab(client, customer):
    return client.get(
        reverse("keyaccounts:customer_tab", args=[customer.pk]), HTTP_HX_REQUEST="true"
    )


def test_the_card_has_a_key_account_tab(client, alice, alices_company):
    login(client, alice)
    page = client.get(reverse("customers:detail", args=[alices_company.pk])).content.decode()
    assert reverse("keyaccounts:customer_tab", args=[alices_company.pk]) in page


def test_the_card_opened_on_the_tab_loads_it(client, alice, alices_company):
    login(client, alice)
    url = reverse("customers:detail", args=[alices_company.pk]) + "?tab=keyaccount"
    response = client.get(url)
    assert response.context["tab"] == "keyaccount"


def test_a_person_customer_gets_a_clear_message(client, alice, alices_customer):
    login(client, alice)
    assert "are for company customers" in _tab(client, alices_customer).content.decode()


def test_a_company_without_a_plan_offers_to_create_one(client, alice, alices_company):
    login(client, alice)
    page = _tab(client, alices_company).content.decode()
    assert reverse("keyaccounts:plan_edit", args=[alices_company.pk]) in page


def test_the_tab_shows_strategy_goals_the_map_table_and_the_diagram(
    client, alice, alices_company, plan, django_assert_max_num_queries
):
    login(client, alice)
    with django_assert_max_num_queries(20):
        response = _tab(client, alices_company)
    page = response.content.decode()
    for text in (
        "深耕华南",
        "年采购额一百万",
        "张总",
        "Decision maker",
        "Supporter",
        "relmap-chart",
        "keyaccounts.js",
    ):
        assert text in page
    assert response.context["graph"]["nodes"][1]["name"] == "张总"


def test_the_plan_form_creates_a_plan_with_a_review(client, alice, alices_company):
    login(client, alice)
    response = client.post(
        reverse("keyaccounts:plan_edit", args=[alices_company.pk]),
        {"strategy": "新计划", "review_every_days": "30"},
    )
    assert response.status_code == 302
    assert AccountPlan.objects.get().review_task.recurrence_days == 30


def test_the_goal_form_shows_the_error_for_a_missing_title(client, alice, alices_company, plan):
    login(client, alice)
    response = client.post(
        reverse("keyaccounts:goal_new", args=[alices_company.pk]), {"title": "", "status": "open"}
    )
    assert response.status_code == 422
    assert response.context["form"].errors["title"]
    assert PlanGoal.objects.count() == 1


def test_the_map_form_refuses_influence_seven(client, alice, alices_company, plan, contacts):
    login(client, alice)
    response = client.post(
        reverse("keyaccounts:relationship_new", args=[alices_company.pk]),
        {"contact": contacts["李工"].pk, "role": "user", "influence": "7", "attitude": "neutral"},
    )
    assert response.status_code == 422
    assert Relationship.objects.count() == 1


def test_the_map_form_adds_a_contact(client, alice, alices_company, plan, contacts):
    login(client, alice)
    response = client.post(
        reverse("keyaccounts:relationship_new", args=[alices_company.pk]),
        {
            "contact": contacts["王秘书"].pk,
            "role": "gatekeeper",
            "influence": "2",
            "attitude": "opponent",
        },
    )
    assert response.status_code == 302
    assert Relationship.objects.filter(contact=contacts["王秘书"], role="gatekeeper").exists()


def test_another_rep_gets_404_on_the_tab_and_the_forms(client, charlie, alices_company, plan):
    login(client, charlie)
    goal = PlanGoal.objects.get()
    for url in (
        reverse("keyaccounts:customer_tab", args=[alices_company.pk]),
        reverse("keyaccounts:plan_edit", args=[alices_company.pk]),
        reverse("keyaccounts:goal_edit", args=[alices_company.pk, goal.pk]),
        reverse("keyaccounts:relationship_new", args=[alices_company.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("keyaccounts:plan_delete", args=[alices_company.pk])).status_code == 404
    )


def test_an_analyst_sees_the_plan_without_edit_buttons_and_cannot_open_the_forms(
    client, nina, alices_company, plan
):
    login(client, nina)
    page = _tab(client, alices_company).content.decode()
    assert "深耕华南" in page
    assert reverse("keyaccounts:plan_edit", args=[alices_company.pk]) not in page
    assert client.get(reverse("keyaccounts:plan_edit", args=[alices_company.pk])).status_code == 403
