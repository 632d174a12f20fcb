"""Every API answer that is an error is JSON in the one error shape, even where no route of
the API answered: an unknown address, a trailing slash, a method a route does not take."""

import pytest

from tests.conftest import login


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/customers/abc",
        "/api/v1/customers/1.5",
        "/api/v1/customers/1/",
        "/api/v1/nonexistent",
    ],
)
def test_an_address_no_route_answers_is_a_json_404(client, alice, path):
    response = login(client, alice).get(path)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}


def test_a_method_a_route_does_not_take_is_a_json_405_naming_the_allowed_ones(
    client, alice, alices_customer
):
    response = login(client, alice).put(
        f"/api/v1/customers/{alices_customer.pk}", {}, content_type="application/json"
    )

    assert response.status_code == 405
    body = response.json()
    assert "GET" in body["detail"] and body["errors"] == []
    assert "GET" in response["Allow"]


def test_the_api_404_is_in_the_callers_language(client, alice):
    response = login(client, alice).get("/api/v1/nonexistent", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.json()["detail"] != "Not found."


def test_a_page_404_stays_the_sites_page(client, alice):
    response = login(client, alice).get("/customers/999999/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
