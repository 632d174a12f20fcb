"""Signing in to the API: tokens, bearer and session authentication, lockout."""

import pytest
from django.test import Client

from guanxi.accounts.models import ApiToken
from guanxi.accounts.services import issue_token, revoke_token
from tests.conftest import PASSWORD, login

TOKEN_URL = "/api/v1/auth/token"
CSRF_SECRET = "A" * 32


def _ask_token(client, username, password=PASSWORD):
    return client.post(
        TOKEN_URL, {"username": username, "password": password}, content_type="application/json"
    )


def test_right_credentials_get_a_bearer_token(client, alice):
    response = _ask_token(client, "alice")

    assert response.status_code == 200
    assert response.json()["token"].startswith("gx_")
    assert ApiToken.objects.filter(user=alice).count() == 1


def test_wrong_password_is_refused_with_the_error_shape(client, alice):
    response = _ask_token(client, "alice", "wrong")

    assert response.status_code == 401
    assert response.json() == {"detail": "Wrong username or password.", "errors": []}
    assert not ApiToken.objects.exists()


def test_too_many_failures_lock_the_username_with_429(client, alice):
    for _ in range(5):
        _ask_token(client, "alice", "wrong")

    response = _ask_token(client, "alice")

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.json()["detail"]
    assert response.json()["errors"] == []
    assert int(response["Retry-After"]) > 0
    assert not ApiToken.objects.exists()


def test_token_request_refuses_unknown_fields(client, alice):
    response = client.post(
        TOKEN_URL,
        {"username": "alice", "password": PASSWORD, "admin": True},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "admin", "message": "Unknown field."}]


def test_bearer_token_authenticates(client, alice):
    token = _ask_token(client, "alice").json()["token"]

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.json()["username"] == "alice"


def test_revoked_token_is_refused(client, alice):
    token = issue_token(alice)
    revoke_token(alice, ApiToken.objects.get(user=alice).pk)

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


def test_made_up_token_is_refused_with_the_error_shape(client, alice):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer gx_nonsense"})

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required.", "errors": []}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_no_credentials_get_401(client, alice):
    assert client.get("/api/v1/customers").status_code == 401
    assert (
        client.post("/api/v1/customers", {"name": "x"}, content_type="application/json").status_code
        == 401
    )


def test_session_authenticates_reads(client, alice):
    login(client, alice)

    assert client.get("/api/v1/me").json()["username"] == "alice"


@pytest.fixture
def csrf_client(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    return client


def test_session_write_without_csrf_token_is_refused(csrf_client):
    response = csrf_client.post(
        "/api/v1/customers", {"name": "李娜"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_session_write_with_csrf_token_succeeds(csrf_client):
    csrf_client.cookies["csrftoken"] = CSRF_SECRET

    response = csrf_client.post(
        "/api/v1/customers",
        {"name": "李娜"},
        content_type="application/json",
        headers={"X-CSRFToken": CSRF_SECRET},
    )

    assert response.status_code == 201


def test_bearer_write_needs_no_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/api/v1/customers",
        {"name": "李娜"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {issue_token(alice)}"},
    )

    assert response.status_code == 201


def test_inactive_users_token_stops_working(client, alice):
    token = issue_token(alice)
    alice.is_active = False
    alice.save()

    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
