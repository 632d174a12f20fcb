"""Every API error has one shape: {"detail": ..., "errors": [{"field", "message"}]}."""

import pytest
from django.core.exceptions import ValidationError

from guanxi.core.api_errors import django_errors, field_name
from tests.conftest import login


def _is_error_shape(body):
    return (
        set(body) == {"detail", "errors"}
        and isinstance(body["detail"], str)
        and all(set(e) == {"field", "message"} for e in body["errors"])
    )


def test_unknown_record_is_404_with_the_error_shape(client, alice):
    login(client, alice)

    response = client.get("/api/v1/customers/424242")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}


def test_body_that_is_not_json_is_400(client, alice):
    login(client, alice)

    response = client.post("/api/v1/customers", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert _is_error_shape(response.json())


def test_query_parameter_error_names_the_parameter(client, alice):
    login(client, alice)

    response = client.get("/api/v1/customers?limit=abc")

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "limit", "message": "Enter a whole number."}]


def test_missing_required_field_is_named(client, alice):
    login(client, alice)

    response = client.post("/api/v1/customers", {}, content_type="application/json")

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "name", "message": "This field is required."}]


def test_permission_denied_is_403_with_the_error_shape(client, nina):
    login(client, nina)

    response = client.post("/api/v1/customers", {"name": "李娜"}, content_type="application/json")

    assert response.status_code == 403
    assert _is_error_shape(response.json())


@pytest.mark.parametrize(
    ("loc", "field"),
    [
        (("body", "payload", "name"), "name"),
        (("body", "payload", "contacts", 0, "phone"), "contacts.0.phone"),
        (("query", "limit"), "limit"),
        (("header", "If-Match"), "If-Match"),
    ],
)
def test_error_locations_become_dotted_field_names(loc, field):
    assert field_name(loc) == field


def test_django_errors_keep_their_field_keys():
    exc = ValidationError({"custom.size": ["Enter a number."], "phone": ["Bad.", "Worse."]})

    assert django_errors(exc) == [
        ("custom.size", "Enter a number."),
        ("phone", "Bad."),
        ("phone", "Worse."),
    ]


def test_django_errors_without_field_are_keyed_all():
    assert django_errors(ValidationError("Nope.")) == [("__all__", "Nope.")]
