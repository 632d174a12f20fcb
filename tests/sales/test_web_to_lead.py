"""The public web-to-lead endpoint: capture and assignment, token, rate limit, honeypot,
field errors, duplicates, body cap; and the web-form pages for managers."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from guanxi.core.models import Notification
from guanxi.sales import lead_routing
from guanxi.sales.models import Lead, LeadForm
from guanxi.sales.services import create_lead
from tests.conftest import login


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def web_form(mike, teams, alice, bob):
    lead_routing.save_rule(
        mike, {"team": teams["guangzhou"].pk, "mode": "round_robin", "members": [alice.pk, bob.pk]}
    )
    return lead_routing.save_lead_form(
        mike,
        {
            "name": "官网咨询",
            "team": teams["guangzhou"].pk,
            "thank_you": "谢谢，我们会尽快联系您。",
        },
    )


def url(form) -> str:
    return reverse("public_lead_form", args=[form.token])


def post_json(client, target, body, **extra):
    return client.post(target, json.dumps(body), content_type="application/json", **extra)


LEAD = {"name": "陈静", "company": "广州茶行", "phone": "13922223333", "city": "广州"}


def test_a_visitor_posts_a_lead_that_the_rule_assigns(
    client, web_form, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(client, url(web_form), LEAD)
    assert response.status_code == 200
    assert response.json()["detail"] == "谢谢，我们会尽快联系您。"
    lead = Lead.objects.get()
    assert (lead.name, lead.phone, lead.source) == ("陈静", "+8613922223333", "website")
    assert lead.web_form == web_form
    assert lead.owner == alice
    assert lead.created_by is None
    assert Notification.objects.filter(recipient=alice, verb="assigned", event="assigned").exists()


def test_a_form_encoded_post_is_accepted_too(client, web_form):
    response = client.post(url(web_form), {**LEAD, "utm_source": "baidu"})
    assert response.status_code == 200
    assert Lead.objects.get().company == "广州茶行"


def test_a_browser_posting_the_hosted_form_gets_a_thank_you_page(client, web_form):
    response = client.post(url(web_form), LEAD, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert "谢谢，我们会尽快联系您。" in response.content.decode()


def test_the_hosted_form_page_renders_without_login(client, web_form):
    response = client.get(url(web_form))
    assert response.status_code == 200
    page = response.content.decode()
    assert "官网咨询" in page
    assert 'name="website"' in page


def test_the_endpoint_needs_no_csrf_token(web_form):
    from django.test import Client

    response = post_json(Client(enforce_csrf_checks=True), url(web_form), LEAD)
    assert response.status_code == 200


def test_an_unknown_token_is_404_and_writes_nothing(client, web_form):
    response = post_json(client, reverse("public_lead_form", args=["not-a-token"]), LEAD)
    assert response.status_code == 404
    assert response.json()["detail"]
    assert client.get(reverse("public_lead_form", args=["not-a-token"])).status_code == 404
    assert not Lead.objects.exists()


def test_a_rotated_token_is_404(client, web_form, mike):
    old = url(web_form)
    rotated = lead_routing.rotate_form_token(mike, web_form.pk)
    assert post_json(client, old, LEAD).status_code == 404
    assert post_json(client, url(rotated), LEAD).status_code == 200


def test_an_inactive_form_is_404(client, web_form, mike):
    lead_routing.save_lead_form(mike, {"active": False}, form_id=web_form.pk)
    assert post_json(client, url(web_form), LEAD).status_code == 404
    assert not Lead.objects.exists()


def test_too_many_posts_from_one_address_get_429(client, web_form, settings):
    settings.WEB_LEAD_RATE_LIMIT = 3
    for i in range(3):
        response = post_json(client, url(web_form), {**LEAD, "phone": f"1390000000{i}"})
        assert response.status_code == 200
    response = post_json(client, url(web_form), {**LEAD, "phone": "13900000009"})
    assert response.status_code == 429
    assert response.json()["detail"]
    assert response["Retry-After"]
    assert Lead.objects.count() == 3


def test_the_limit_is_per_address(client, web_form, settings):
    settings.WEB_LEAD_RATE_LIMIT = 1
    assert post_json(client, url(web_form), LEAD, REMOTE_ADDR="10.0.0.1").status_code == 200
    assert post_json(client, url(web_form), LEAD, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert post_json(client, url(web_form), LEAD, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_a_filled_honeypot_is_thanked_but_writes_nothing(client, web_form):
    response = post_json(client, url(web_form), {**LEAD, "website": "http://spam.example"})
    assert response.status_code == 200
    assert response.json()["detail"] == "谢谢，我们会尽快联系您。"
    assert not Lead.objects.exists()


def test_an_invalid_email_answers_400_naming_the_field(client, web_form):
    response = post_json(client, url(web_form), {**LEAD, "email": "not-an-email"})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["email"]
    assert not Lead.objects.exists()


def test_a_missing_name_answers_400_on_name(client, web_form):
    response = post_json(client, url(web_form), {"phone": "13922223333"})
    assert response.status_code == 400
    assert "name" in [e["field"] for e in response.json()["errors"]]


def test_a_lead_without_phone_or_email_answers_400_on_phone(client, web_form):
    response = post_json(client, url(web_form), {"name": "无联系方式"})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["phone"]


def test_a_non_text_value_answers_400_on_its_field(client, web_form):
    response = post_json(client, url(web_form), {**LEAD, "company": ["a", "b"]})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["company"]


def test_a_body_that_is_not_a_json_object_answers_400(client, web_form):
    response = client.post(url(web_form), "[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert not Lead.objects.exists()


def test_an_oversized_body_is_refused(client, web_form, settings):
    settings.WEB_LEAD_MAX_BODY = 1024
    response = post_json(client, url(web_form), {**LEAD, "notes": "x" * 2000})
    assert response.status_code == 413
    assert not Lead.objects.exists()


def test_a_duplicate_is_captured_and_flagged_for_the_rep(client, web_form, alice, bob):
    earlier = create_lead(bob, {"name": "陈静", "phone": "13922223333"})
    response = post_json(client, url(web_form), LEAD)
    assert response.status_code == 200
    lead = Lead.objects.exclude(pk=earlier.pk).get()
    assert lead.duplicate_of == earlier
    assert lead.owner == alice
    page = login(client, alice).get(reverse("sales:lead", args=[lead.pk])).content.decode()
    assert "Possible duplicate of a lead owned by Bob" in page
    listing = client.get(reverse("sales:leads")).content.decode()
    assert "possible duplicate" in listing


def test_a_duplicate_of_a_visible_customer_links_to_it(client, web_form, alices_customer, mike):
    post_json(client, url(web_form), {"name": "王伟", "phone": "13800138000"})
    lead = Lead.objects.get()
    assert lead.duplicate_customer == alices_customer
    page = login(client, mike).get(reverse("sales:lead", args=[lead.pk])).content.decode()
    assert reverse("customers:detail", args=[alices_customer.pk]) in page


def test_without_a_rule_the_lead_waits_unassigned_for_a_manager(client, ada, teams):
    form = lead_routing.save_lead_form(ada, {"name": "展会", "team": teams["west"].pk})
    assert post_json(client, url(form), LEAD).status_code == 200
    assert Lead.objects.get().owner is None


# --- the web-form pages ------------------------------------------------------------------------


def test_the_forms_page_shows_an_empty_state(client, mike):
    response = login(client, mike).get(reverse("sales:lead_forms"))
    assert response.status_code == 200
    assert "No web forms yet" in response.content.decode()


def test_a_manager_creates_a_form_and_sees_its_snippet(client, mike, teams):
    response = login(client, mike).post(
        reverse("sales:lead_form_create"),
        {"name": "官网", "team": teams["guangzhou"].pk, "source": "website", "active": "on"},
    )
    form = LeadForm.objects.get()
    assert response.url == reverse("sales:lead_form_edit", args=[form.pk])
    page = client.get(response.url).content.decode()
    assert f"/public/leads/{form.token}/" in page
    assert "&lt;form method=&quot;post&quot;" in page


def test_a_form_without_a_name_is_a_form_error(client, mike, teams):
    response = login(client, mike).post(
        reverse("sales:lead_form_create"), {"name": "", "team": teams["guangzhou"].pk}
    )
    assert response.status_code == 422
    assert response.context["form"].errors["name"]
    assert not LeadForm.objects.exists()


def test_rotating_on_the_page_changes_the_token(client, web_form, mike):
    old = web_form.token
    login(client, mike).post(reverse("sales:lead_form_rotate", args=[web_form.pk]))
    assert LeadForm.objects.get().token != old


def test_a_rep_may_not_open_the_forms_page(client, alice):
    assert login(client, alice).get(reverse("sales:lead_forms")).status_code == 403


def test_another_teams_manager_gets_404_on_the_form(client, web_form, teams):
    from tests.conftest import _user

    walter = _user("walter", "manager", teams["west"])
    login(client, walter)
    assert client.get(reverse("sales:lead_form_edit", args=[web_form.pk])).status_code == 404
    assert client.post(reverse("sales:lead_form_rotate", args=[web_form.pk])).status_code == 404


def test_the_forms_api_lists_the_public_url(client, web_form, mike):
    login(client, mike)
    body = client.get("/api/v1/leads/forms").json()
    assert body[0]["url"].endswith(f"/public/leads/{web_form.token}/")
