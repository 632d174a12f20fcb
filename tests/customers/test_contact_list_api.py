"""GET /api/v1/contacts: the contacts of the customers you see, newest first, masked as their
customers, searched and filtered as the page, paged by cursor; a bad parameter is a 422 with
the one error shape."""

import pytest

from guanxi.accounts.services import issue_token
from tests.conftest import login

API = "/api/v1/contacts"


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def test_the_list_holds_the_contacts_of_the_customers_she_sees_newest_first(
    client, alice, huaxin, bobs_shared_company, charlies_company, either_reach
):
    response = login(client, alice).get(API)

    assert _names(response) == ["孙丽", "张经理", "李太太"]


def test_another_reps_contact_is_absent_for_a_bearer_token(client, alice, huaxin, charlies_company):
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(alice)}"}

    response = client.get(API, {"q": "赵敏"}, **bearer)

    assert _names(response) == []
    assert "13600136000" not in response.text


def test_an_item_carries_the_contact_and_its_customer(client, alice, huaxin):
    item = login(client, alice).get(API, {"q": "litaitai"}).json()["items"][0]

    assert {k: v for k, v in item.items() if k not in ("id", "created_at")} == {
        "name": "李太太",
        "title": "采购经理",
        "phone": "+8613900139000",
        "email": "litaitai@example.com",
        "wechat_id": "litaitai88",
        "is_primary": True,
        "notes": "",
        "customer": {"id": huaxin.pk, "name": "广州华信贸易有限公司"},
        "masked": False,
    }


def test_a_shared_customers_contact_phone_is_masked_for_a_rep(
    client, alice, bobs_shared_company, either_reach
):
    item = login(client, alice).get(API).json()["items"][0]

    assert (item["phone"], item["masked"]) == ("+86135****5000", True)
    assert "13500135000" not in client.get(API).text


def test_the_search_finds_by_pinyin_and_the_primary_filter_keeps_primaries(
    client, alice, huaxin, bobs_shared_company
):
    client = login(client, alice)

    assert _names(client.get(API, {"q": "zjl"})) == ["张经理"]
    assert _names(client.get(API, {"primary": "true"})) == ["孙丽", "李太太"]


def test_phone_digits_find_only_where_she_sees_phones_in_full(
    client, alice, huaxin, bobs_shared_company
):
    client = login(client, alice)

    assert _names(client.get(API, {"q": "1390013"})) == ["李太太"]
    assert _names(client.get(API, {"q": "1350013"})) == []


def test_the_cursor_pages_through_every_contact_once(client, alice, huaxin, bobs_shared_company):
    client = login(client, alice)
    names, cursor = [], None
    while True:
        body = client.get(API, {"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        names += [item["name"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert names == ["孙丽", "张经理", "李太太"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"primary": "perhaps"}, "primary"),
        ({"owner": 0}, "owner"),
        ({"cursor": "not-ours"}, "cursor"),
        ({"serach": "li"}, "serach"),
    ],
)
def test_a_bad_parameter_is_a_422_naming_it(client, alice, params, field):
    response = login(client, alice).get(API, params)

    assert response.status_code == 422
    body = response.json()
    assert body["detail"] and field in [e["field"] for e in body["errors"]]


def test_without_credentials_the_list_is_a_401(client, huaxin):
    response = client.get(API)

    assert response.status_code == 401
    assert response.json()["detail"]


def test_the_list_reads_a_bounded_number_of_queries(
    client, alice, huaxin, bobs_shared_company, django_assert_max_num_queries
):
    client = login(client, alice)
    client.get(API)

    with django_assert_max_num_queries(6):
        assert _names(client.get(API, {"q": "li"})) == ["李太太"]
