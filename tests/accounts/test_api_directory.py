"""The current user, the user directory and the team tree through the API."""

from tests.conftest import login


def test_me_shows_role_team_and_permissions(client, nina):
    login(client, nina)

    body = client.get("/api/v1/me").json()

    assert body["role"] == "analyst"
    assert body["team"]["name"] == "HQ"
    assert body["can_write"] is False
    assert body["can_reveal"] is False


def test_users_list_pages_through_active_colleagues(client, ada, mike, alice, bob, charlie, nina):
    login(client, alice)
    charlie.is_active = False
    charlie.save()

    first = client.get("/api/v1/users?limit=3").json()
    second = client.get(f"/api/v1/users?limit=3&cursor={first['next_cursor']}").json()

    names = [u["username"] for u in first["items"] + second["items"]]
    assert names == ["ada", "alice", "bob", "mike", "nina"]
    assert second["next_cursor"] is None


def test_users_list_filters_by_team(client, teams, alice, bob, charlie):
    login(client, alice)

    body = client.get(f"/api/v1/users?team={teams['guangzhou'].pk}").json()

    assert [u["username"] for u in body["items"]] == ["alice", "bob"]


def test_user_detail_shows_one_colleague(client, alice, bob):
    login(client, alice)

    body = client.get(f"/api/v1/users/{bob.pk}").json()

    assert body["username"] == "bob"
    assert body["manager_id"] == bob.manager_id


def test_unknown_user_is_404(client, alice):
    login(client, alice)

    response = client.get("/api/v1/users/999999")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}


def test_teams_come_with_their_parent_ids(client, teams, alice):
    login(client, alice)

    body = client.get("/api/v1/teams").json()

    parents = {t["name"]: t["parent_id"] for t in body}
    assert parents == {
        "HQ": None,
        "Sales East": teams["hq"].pk,
        "Guangzhou": teams["east"].pk,
        "Sales West": teams["hq"].pk,
    }


def test_directory_needs_authentication(client, alice):
    assert client.get("/api/v1/users").status_code == 401
    assert client.get("/api/v1/teams").status_code == 401
