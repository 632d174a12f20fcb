"""The lead pages: list, capture with the duplicate warning, status, conversion."""

import pytest
from django.urls import reverse

from guanxi.customers.models import Customer
from guanxi.sales.models import Lead, Opportunity
from guanxi.sales.services import create_lead
from tests.conftest import login

CREATE = reverse("sales:lead_create")
LIST = reverse("sales:leads")


@pytest.fixture
def lead(alice):
    return create_lead(
        alice,
        {"name": "赵磊", "company": "广州新华书店", "phone": "13911112222", "source": "website"},
    )


def test_lead_list_shows_own_leads_and_filters_by_status(client, alice, lead, charlie):
    create_lead(charlie, {"name": "别人的线索"})
    login(client, alice)
    assert [x.name for x in client.get(LIST).context["page"].object_list] == ["赵磊"]
    assert list(client.get(LIST, {"status": "qualified"}).context["page"].object_list) == []


def test_lead_list_query_count_is_pinned(client, alice, django_assert_max_num_queries):
    for i in range(30):
        create_lead(alice, {"name": f"lead {i}"})
    login(client, alice)
    with django_assert_max_num_queries(7):
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 25


def test_a_duplicate_lead_is_warned_about_then_created_anyway(client, alice, lead):
    data = {"name": "赵磊", "company": "广州新华书店", "phone": "13911112222"}
    first = login(client, alice).post(CREATE, data)
    assert first.status_code == 200
    assert "This looks like someone you already have" in first.content.decode()
    assert "Lead 赵磊" in first.content.decode()
    assert Lead.objects.count() == 1
    assert first.context["form"]["allow_duplicate"].value()
    second = client.post(CREATE, {**data, "allow_duplicate": "True"})
    assert second.status_code == 302
    assert Lead.objects.count() == 2


def test_a_new_lead_without_a_match_is_created_directly(client, alice):
    response = login(client, alice).post(CREATE, {"name": "新人", "email": "x@example.com"})
    lead = Lead.objects.get(name="新人")
    assert response.url == reverse("sales:lead", args=[lead.pk])
    assert lead.owner == alice


def test_a_bad_email_is_a_field_error(client, alice):
    response = login(client, alice).post(CREATE, {"name": "新人", "email": "not-an-email"})
    assert "email" in response.context["form"].errors
    assert not Lead.objects.exists()


def test_disqualifying_needs_a_reason(client, alice, lead):
    url = reverse("sales:lead_status", args=[lead.pk])
    response = login(client, alice).post(url, {"status": "disqualified", "reason": ""})
    assert response.status_code == 422
    assert "reason" in response.context["status_form"].errors
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW
    client.post(url, {"status": "disqualified", "reason": "没有预算"})
    lead.refresh_from_db()
    assert (lead.status, lead.disqualified_reason) == (Lead.Status.DISQUALIFIED, "没有预算")


def test_converting_a_lead_from_the_page_opens_the_new_opportunity(client, alice, lead):
    response = login(client, alice).post(
        reverse("sales:lead_convert", args=[lead.pk]),
        {"target": "match", "name": "书店年度采购", "amount": "8000"},
    )
    opp = Opportunity.objects.get(name="书店年度采购")
    assert response.url == reverse("sales:opportunity", args=[opp.pk])
    lead.refresh_from_db()
    assert lead.status == Lead.Status.CONVERTED
    assert lead.converted_opportunity == opp
    assert Customer.objects.get(pk=opp.customer_id).name == "广州新华书店"


def test_converting_into_an_existing_customer_needs_the_customer(client, alice, lead):
    response = login(client, alice).post(
        reverse("sales:lead_convert", args=[lead.pk]), {"target": "existing"}
    )
    assert response.status_code == 422
    assert "customer" in response.context["convert_form"].errors
    assert not Opportunity.objects.exists()


def test_converting_into_a_chosen_existing_customer(client, alice, lead, alices_customer):
    login(client, alice).post(
        reverse("sales:lead_convert", args=[lead.pk]),
        {"target": "existing", "customer": alices_customer.pk},
    )
    assert Opportunity.objects.get().customer == alices_customer


def test_a_converted_lead_offers_no_more_conversion(client, alice, lead):
    url = reverse("sales:lead_convert", args=[lead.pk])
    login(client, alice).post(url, {"target": "new"})
    page = client.get(reverse("sales:lead", args=[lead.pk]))
    assert "This lead has been converted." in page.content.decode()
    assert page.context.get("convert_form") is None
