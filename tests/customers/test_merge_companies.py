"""The merge page of two companies leaves out the fields only a person has (gender, birthday,
birthday calendar); the merge still keeps those fields' default side."""

import pytest
from django.urls import reverse

from guanxi.customers.models import Customer, MergeRecord
from guanxi.customers.services import create_customer
from tests.conftest import login

PERSON_ONLY = ("gender", "birthday", "birthday_calendar")


@pytest.fixture
def companies(alice):
    first = create_customer(
        alice, {"kind": "company", "name": "广州华信贸易有限公司", "phone": "02087654321"}
    )
    second = create_customer(
        alice,
        {
            "kind": "company",
            "name": "广州华信贸易公司",
            "phone": "02087654321",
            "birthday_calendar": "lunar",
            "city": "广州",
        },
    )
    return first, second


def _page(client, survivor, other) -> str:
    response = client.get(reverse("customers:merge", args=[survivor.pk, other.pk]))
    assert response.status_code == 200
    return response.text


def test_two_companies_are_compared_without_the_fields_only_a_person_has(client, alice, companies):
    page = _page(login(client, alice), *companies)

    assert 'name="choice-name"' in page
    for name in PERSON_ONLY:
        assert f'name="choice-{name}"' not in page
    assert "Birthday" not in page and "Gender" not in page


def test_a_person_and_a_company_are_compared_with_them(client, alice, companies):
    person = create_customer(alice, {"name": "王伟", "phone": "02087654321"})

    page = _page(login(client, alice), person, companies[0])

    for name in PERSON_ONLY:
        assert f'name="choice-{name}"' in page


def test_two_companies_merge_with_the_hidden_fields_at_their_default(client, alice, companies):
    first, second = companies
    login(client, alice)

    response = client.post(
        reverse("customers:merge", args=[first.pk, second.pk]),
        {
            "choice-name": "other",
            "choice-city": "other",
            "survivor_version": first.version,
            "other_version": second.version,
        },
    )

    assert response.status_code == 302
    merged = Customer.objects.get(pk=first.pk)
    assert (merged.name, merged.city, merged.birthday_calendar) == (
        "广州华信贸易公司",
        "广州市",
        "solar",  # the survivor's: no choice was offered
    )
    assert MergeRecord.objects.get().other_id == second.pk
