"""A query parameter the customer list or export does not take is a 422 naming it: a misspelt
filter was ignored, and the unfiltered list (or an export of everything) answered."""

from tests.conftest import login

API = "/api/v1/customers"


def test_a_misspelt_filter_of_the_list_is_a_422_naming_it(client, alice, alices_customer):
    response = login(client, alice).get(f"{API}?search=王伟")

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["search"]
    assert "q" in response.json()["errors"][0]["message"]


def test_a_misspelt_filter_of_the_export_exports_nothing(client, alice, alices_customer):
    response = login(client, alice).get(f"{API}/export?phone=13800138000")

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["phone"]


def test_the_lists_own_parameters_are_taken(client, alice, alices_customer):
    response = login(client, alice).get(f"{API}?q=王伟&limit=5&ordering=-id&city=&tag=&kind=person")

    assert response.status_code == 200 and response.json()["items"]
