"""Leads: duplicate check on capture, qualification, and conversion that loses nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from guanxi.customers.models import Customer
from guanxi.sales.models import Lead, Opportunity
from guanxi.sales.services import (
    DuplicateFound,
    access_lead,
    convert_lead,
    create_lead,
    set_lead_status,
)

FAIR_LEAD = {
    "name": "张三",
    "company": "广州明达贸易",
    "title": "采购经理",
    "phone": "139 0013 9000",
    "email": "Zhang@MingDa.cn",
    "source": "exhibition",
    "province": "广东",
    "city": "广州",
    "notes": "广交会上认识，想要 200 盒铁观音",
}


def test_a_lead_phone_is_stored_in_e164(alice):
    assert create_lead(alice, FAIR_LEAD).phone == "+8613900139000"


def test_a_lead_with_a_customers_phone_is_refused_as_a_duplicate(alice, alices_customer):
    with pytest.raises(DuplicateFound) as err:
        create_lead(alice, {"name": "王先生", "phone": "13800138000"})
    assert "王伟" in err.value.message_dict["phone"][0]
    assert not Lead.objects.exists()


def test_a_duplicate_of_a_customer_you_cannot_see_names_only_its_owner(bob, alices_customer):
    with pytest.raises(DuplicateFound) as err:
        create_lead(bob, {"name": "王先生", "email": "wangwei@example.com"})
    message = err.value.message_dict["email"][0]
    assert "Alice" in message and "王伟" not in message


def test_a_lead_with_the_same_name_and_company_as_a_lead_is_a_duplicate(alice):
    create_lead(alice, FAIR_LEAD)
    with pytest.raises(DuplicateFound) as err:
        create_lead(alice, {"name": "张三", "company": "广州明达贸易"})
    assert "name" in err.value.message_dict


def test_a_duplicate_can_be_kept_on_purpose(alice, alices_customer):
    lead = create_lead(alice, {"name": "王先生", "phone": "13800138000"}, allow_duplicate=True)
    assert lead.pk


def test_disqualifying_needs_a_reason(alice):
    lead = create_lead(alice, FAIR_LEAD)
    with pytest.raises(ValidationError) as err:
        set_lead_status(alice, lead.pk, "disqualified")
    assert "disqualified_reason" in err.value.message_dict
    assert (
        set_lead_status(alice, lead.pk, "disqualified", "预算不足").disqualified_reason
        == "预算不足"
    )


def test_conversion_keeps_everything_the_lead_held(alice, stages):
    lead = create_lead(alice, FAIR_LEAD)
    customer, opp = convert_lead(
        alice, lead.pk, opportunity={"amount": "25600", "expected_close_date": "2026-12-15"}
    )
    customer = Customer.objects.get(pk=customer.pk)
    assert (customer.kind, customer.name, customer.phone, customer.email) == (
        "company",
        "广州明达贸易",
        "+8613900139000",
        "zhang@mingda.cn",
    )
    assert (customer.province, customer.city, customer.source_channel) == (
        "广东",
        "广州市",
        "exhibition",
    )
    assert FAIR_LEAD["notes"] in customer.notes
    contact = customer.contacts.get()
    assert (contact.name, contact.title, contact.phone, contact.email, contact.is_primary) == (
        "张三",
        "采购经理",
        "+8613900139000",
        "zhang@mingda.cn",
        True,
    )
    assert (opp.customer, opp.owner, opp.source, opp.lead, opp.stage) == (
        customer,
        alice,
        "exhibition",
        lead,
        stages["Prospecting"],
    )
    assert str(opp.amount) == "25600" and FAIR_LEAD["notes"] in opp.notes
    lead.refresh_from_db()
    assert (lead.status, lead.converted_customer, lead.converted_opportunity) == (
        "converted",
        customer,
        opp,
    )
    assert lead.notes == FAIR_LEAD["notes"]


def test_conversion_links_the_matching_existing_customer(alice, alices_customer):
    lead = create_lead(
        alice, {"name": "王伟", "phone": "13800138000", "notes": "回头客"}, allow_duplicate=True
    )
    customer, opp = convert_lead(alice, lead.pk)
    assert customer == alices_customer and Customer.objects.count() == 1
    assert opp.customer == alices_customer and "回头客" in opp.notes


def test_conversion_adds_the_person_as_a_contact_of_an_existing_company(alice):
    from guanxi.customers.services import create_customer

    company = create_customer(alice, {"kind": "company", "name": "广州明达贸易"})
    lead = create_lead(alice, {"name": "张三", "company": "广州明达贸易", "phone": "13900139000"})
    customer, _opp = convert_lead(alice, lead.pk, customer_id=company.pk)
    assert customer == company
    assert list(company.contacts.values_list("name", "phone")) == [("张三", "+8613900139000")]


def test_conversion_into_a_customer_you_cannot_change_is_refused_and_writes_nothing(
    bob, alices_customer
):
    lead = create_lead(bob, {"name": "王伟", "phone": "13800138000"}, allow_duplicate=True)
    with pytest.raises(ValidationError) as err:
        convert_lead(bob, lead.pk)
    assert "customer" in err.value.message_dict
    assert Lead.objects.get(pk=lead.pk).status == "new"
    assert not Opportunity.objects.exists() and Customer.objects.count() == 1


def test_a_failed_conversion_leaves_no_new_customer_behind(alice):
    lead = create_lead(alice, FAIR_LEAD)
    with pytest.raises(ValidationError):
        convert_lead(alice, lead.pk, opportunity={"amount": "-5"})
    assert not Customer.objects.exists() and not Opportunity.objects.exists()
    assert Lead.objects.get(pk=lead.pk).status == "new"


def test_a_lead_converts_once(alice):
    lead = create_lead(alice, FAIR_LEAD)
    convert_lead(alice, lead.pk)
    with pytest.raises(ValidationError):
        convert_lead(alice, lead.pk)


def test_a_rep_sees_own_leads_a_manager_the_teams_and_another_rep_404(alice, bob, mike, charlie):
    lead = create_lead(alice, FAIR_LEAD)
    assert access_lead(mike, lead.pk) == lead
    for other in (bob, charlie):
        with pytest.raises(Http404):
            access_lead(other, lead.pk)
