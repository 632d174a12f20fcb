"""The API describes itself: an OpenAPI schema and a docs page that needs no CDN."""

import re

from django.conf import settings


def test_openapi_schema_loads_and_lists_the_routes(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/customers" in paths
    assert "/api/v1/customers/{customer_id}" in paths
    assert "/api/v1/auth/token" in paths


def test_openapi_schema_declares_bearer_and_session_auth(client):
    schemes = client.get("/api/v1/openapi.json").json()["components"]["securitySchemes"]

    kinds = {(s["type"], s.get("scheme") or s.get("in")) for s in schemes.values()}
    assert ("http", "bearer") in kinds
    assert ("apiKey", "cookie") in kinds


def test_docs_page_loads_no_asset_from_another_host(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources, "the docs page should load swagger's script and stylesheet"
    assert all(s.startswith(settings.STATIC_URL) for s in sources), sources
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html)
