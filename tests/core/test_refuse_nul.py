"""A NUL character in a query parameter or an API body: refused naming the parameter or
field (PostgreSQL refuses it in any query, so a filter, a search or a save with it used to
answer 500)."""

import json

import pytest

from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_a_page_filter_with_a_nul_is_refused(client, alice):
    response = login(client, alice).get("/customers/?city=%00")

    assert response.status_code == 400
    assert "“city”" in response.content.decode()


def test_an_api_search_with_a_nul_gets_the_error_shape(client, alice):
    response = login(client, alice).get("/api/v1/customers?q=wang%00wei")

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "q", "message": "Must not contain a NUL character."}
    ]


def test_the_global_search_with_a_nul_is_refused(client, alice):
    response = login(client, alice).get("/api/v1/search?q=%E9%87%87%00")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "q"


def test_an_escaped_percent_before_00_is_plain_text(client, alice):
    response = login(client, alice).get("/customers/?q=%2500")

    assert response.status_code == 200


def test_the_refusal_is_in_chinese_for_a_chinese_user(client, alice):
    client.cookies["django_language"] = "zh-hans"

    response = login(client, alice).get("/api/v1/customers?q=%00")

    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "不能包含 NUL 字符。"


def _post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_an_api_body_field_with_a_nul_is_refused_and_nothing_saved(client, alice):
    from guanxi.customers.models import Customer

    response = _post(login(client, alice), "/api/v1/customers", {"name": "王\u0000伟"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"
    assert not Customer.objects.exists()


def test_a_nested_body_field_is_named_by_its_path(client, alice):
    body = {"name": "王伟", "contacts": [{"name": "王芳"}, {"name": "李\u0000娜"}]}

    response = _post(login(client, alice), "/api/v1/customers", body)

    assert response.json()["errors"][0]["field"] == "contacts.1.name"


def test_an_escaped_backslash_before_u0000_is_plain_text(client, alice):
    response = _post(login(client, alice), "/api/v1/customers", {"name": "C:\\u0000 王伟"})

    assert response.status_code == 201


def test_an_api_body_with_a_nul_sent_as_plain_text_is_refused_too(client, alice):
    from guanxi.customers.models import Customer

    response = login(client, alice).post(
        "/api/v1/customers", data=json.dumps({"name": "王\u0000伟"}), content_type="text/plain"
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "name"
    assert not Customer.objects.exists()
