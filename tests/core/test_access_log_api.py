"""GET /api/v1/access-log: the page's entries, filters and permissions as JSON, paged by
cursor, with the API's one error shape."""

import pytest

from guanxi.accounts.services import issue_token
from tests.conftest import login
from tests.core.access_log_entries import entry

URL = "/api/v1/access-log"


def _details(response) -> list[str]:
    return [item["detail"] for item in response.json()["items"]]


def test_admin_lists_everyones_entries_newest_first(client, ada, alice, charlie, alices_customer):
    entry(alice, "reveal", alices_customer.pk, minutes=1, detail="phone")
    entry(charlie, "export", None, minutes=2, detail="3 rows, csv")
    login(client, ada)

    response = client.get(URL)

    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["detail"] for i in items] == ["3 rows, csv", "phone"]
    assert items[1] | {"id": None} == {
        "id": None,
        "at": "2026-11-20T02:01:00Z",
        "user_id": alice.pk,
        "user": "Alice",
        "action": "reveal",
        "action_label": "revealed",
        "object_type": "customer",
        "object_id": alices_customer.pk,
        "object_name": "王伟",
        "detail": "phone",
        "via": "web",
        "ip": "10.0.0.1",
    }
    assert items[0]["object_id"] is None
    assert response.json()["next_cursor"] is None


def test_manager_lists_only_her_teams_entries(client, mike, alice, bob, charlie):
    entry(alice, minutes=1, detail="alice's")
    entry(charlie, minutes=2, detail="charlie's")
    entry(bob, minutes=3, detail="bob's")
    login(client, mike)

    assert _details(client.get(URL)) == ["bob's", "alice's"]


@pytest.mark.parametrize("who", ["alice", "nina"])
def test_reps_and_analysts_get_a_403_in_the_error_shape(client, request, who):
    login(client, request.getfixturevalue(who))

    response = client.get(URL)

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only administrators and managers may read the access log.",
        "errors": [],
    }


def test_a_bearer_token_works_and_reads_days_in_its_users_time_zone(client, ada, alice):
    ada.time_zone = "UTC"
    ada.save(update_fields=["time_zone"])
    # 2026-11-20 01:00 in Shanghai is 2026-11-19 17:00 in UTC.
    entry(alice, minutes=-9 * 60, detail="the 19th in UTC")
    entry(alice, minutes=0, detail="the 20th in both")
    token = issue_token(ada, name="test")

    response = client.get(
        URL, {"until": "2026-11-19"}, headers={"Authorization": f"Bearer {token}"}
    )

    assert _details(response) == ["the 19th in UTC"]


def test_the_filters_narrow_the_list(client, ada, alice, bob, alices_customer):
    entry(alice, "view", alices_customer.pk, minutes=0, detail="match")
    entry(bob, "view", alices_customer.pk, minutes=1, detail="other user")
    entry(alice, "reveal", alices_customer.pk, minutes=2, detail="other action")
    entry(alice, "view", alices_customer.pk + 1, minutes=3, detail="other customer")
    entry(alice, "view", alices_customer.pk, minutes=60 * 24 * 3, detail="later day")
    login(client, ada)

    response = client.get(
        URL,
        {
            "user": alice.pk,
            "action": "view",
            "customer": alices_customer.pk,
            "since": "2026-11-20",
            "until": "2026-11-21",
        },
    )

    assert _details(response) == ["match"]


def test_a_customer_the_reader_cannot_see_has_no_name(client, mike, alice, charlies_customer):
    entry(alice, "view", charlies_customer.pk)
    login(client, mike)

    item = client.get(URL).json()["items"][0]

    assert item["object_id"] == charlies_customer.pk
    assert item["object_name"] is None
    assert charlies_customer.name not in str(item)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2026-02-30"}, "since"),
        ({"until": "0001-01-01"}, "until"),
        ({"action": "delete"}, "action"),
        ({"customer": "abc"}, "customer"),
        ({"user": "0"}, "user"),
        ({"since": "2026-11-21", "until": "2026-11-20"}, "until"),
        ({"limit": "500"}, "limit"),
    ],
)
def test_a_bad_filter_is_a_422_naming_the_field(client, ada, params, field):
    login(client, ada)

    response = client.get(URL, params)

    assert response.status_code == 422
    assert response.json()["detail"] == "Invalid input."
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_a_manager_asking_for_someone_outside_her_team_gets_a_422(client, mike, charlie):
    login(client, mike)

    response = client.get(URL, {"user": charlie.pk})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "user"


@pytest.mark.parametrize("who", ["ada", "mike"])
def test_walking_the_cursor_returns_every_entry_once_newest_first(client, request, who, alice, bob):
    # Pairs of entries at the same moment test the tie-break on the id.
    made = [entry(alice if i % 3 else bob, minutes=i // 2, detail=f"n{i}") for i in range(9)]
    login(client, request.getfixturevalue(who))

    seen, cursor = [], None
    while True:
        body = client.get(URL, {"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert seen == [e.pk for e in sorted(made, key=lambda e: (e.at, e.pk), reverse=True)]


def test_the_list_reads_a_fixed_number_of_queries(
    client, mike, alice, bob, alices_customer, django_assert_max_num_queries
):
    for minutes in range(30):
        entry(alice if minutes % 2 else bob, "view", alices_customer.pk, minutes=minutes)
    login(client, mike)
    with django_assert_max_num_queries(6):
        response = client.get(URL)
    assert len(response.json()["items"]) == 30
