"""A bad lead e-mail is reported once: by the service, on the lead form and in the API."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from guanxi.sales.models import Lead
from guanxi.sales.services import create_lead
from tests.conftest import login

BAD = "not-an-address"


def test_the_service_names_a_bad_email_once(alice):
    with pytest.raises(ValidationError) as err:
        create_lead(alice, {"name": "赵磊", "email": BAD})
    assert len(err.value.message_dict["email"]) == 1
    assert not Lead.objects.exists()


def test_the_lead_form_shows_a_bad_email_error_once(client, alice):
    login(client, alice)
    response = client.post(reverse("sales:lead_create"), {"name": "赵磊", "email": BAD})
    assert response.status_code == 200
    assert len(response.context["form"].errors["email"]) == 1
    assert not Lead.objects.exists()


def test_the_api_answers_a_bad_email_with_one_error(api_client, alice):
    login(api_client, alice)
    response = api_client.post(
        "/api/v1/leads",
        json.dumps({"name": "赵磊", "email": BAD}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["email"]
    assert not Lead.objects.exists()


def test_an_email_with_capitals_and_spaces_is_stored_trimmed_and_lower_case(alice):
    lead = create_lead(alice, {"name": "赵磊", "email": "  Zhao.Lei@MingDa.CN "})
    assert lead.email == "zhao.lei@mingda.cn"
