"""The admin's users and teams pages: who may open them, creating and editing users, the tree."""

import pytest
from django.urls import reverse

from guanxi.accounts.models import Role, Team, TeamClosure, User
from tests.conftest import login

STRONG = "Harbour-lights-2026"


@pytest.mark.parametrize("persona", ["mike", "alice", "nina"])
@pytest.mark.parametrize("url", ["accounts:users", "accounts:user_create", "accounts:teams"])
def test_non_admin_gets_403_on_users_and_teams_pages(client, request, persona, url):
    login(client, request.getfixturevalue(persona))
    assert client.get(reverse(url)).status_code == 403


def test_non_admin_gets_403_on_a_user_edit_page(client, alice, bob):
    login(client, alice)
    assert client.get(reverse("accounts:user_edit", args=[bob.pk])).status_code == 403


def test_non_admin_cannot_create_a_user_by_posting(client, alice):
    login(client, alice)
    response = client.post(reverse("accounts:user_create"), {"username": "mallory"})
    assert response.status_code == 403
    assert not User.objects.filter(username="mallory").exists()


def test_stranger_is_sent_to_sign_in_from_users_page(client, db):
    response = client.get(reverse("accounts:users"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_admin_sees_the_users_list_with_team_and_manager(
    client, ada, alice, bob, charlie, nina, django_assert_max_num_queries
):
    login(client, ada)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("accounts:users"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Ada", "Alice", "Bob", "Charlie", "Nina", "Mike", "Guangzhou"):
        assert name in html


def test_users_list_query_count_does_not_grow_with_users(
    client, ada, teams, mike, django_assert_max_num_queries
):
    for i in range(30):
        User.objects.create(username=f"rep{i}", team=teams["guangzhou"], manager=mike)
    login(client, ada)
    with django_assert_max_num_queries(8):
        client.get(reverse("accounts:users"))


def test_users_list_hides_deactivated_users_by_default(client, ada, alice, bob):
    User.objects.filter(pk=bob.pk).update(is_active=False)
    login(client, ada)
    users = list(client.get(reverse("accounts:users")).context["page"])
    assert alice in users and bob not in users
    users = list(client.get(reverse("accounts:users"), {"status": "inactive"}).context["page"])
    assert users == [bob]


def test_users_list_filters_by_team(client, ada, alice, bob, charlie, teams):
    login(client, ada)
    response = client.get(reverse("accounts:users"), {"team": teams["west"].pk})
    assert list(response.context["page"]) == [charlie]


# --- creating users ------------------------------------------------------------------------


def new_user_data(teams, manager, **overrides):
    data = {
        "username": "dora",
        "display_name": "Dora",
        "email": "dora@example.com",
        "role": Role.REP,
        "team": teams["guangzhou"].pk,
        "manager": manager.pk,
        "password1": STRONG,
        "password2": STRONG,
    }
    return {**data, **overrides}


def test_admin_creates_a_user(client, ada, mike, teams):
    login(client, ada)
    response = client.post(reverse("accounts:user_create"), new_user_data(teams, mike))
    assert response.status_code == 302
    dora = User.objects.get(username="dora")
    assert (dora.role, dora.team, dora.manager) == (Role.REP, teams["guangzhou"], mike)
    assert dora.check_password(STRONG)


def test_duplicate_username_is_a_field_error_and_nothing_is_created(
    client, ada, mike, teams, alice
):
    login(client, ada)
    before = User.objects.count()
    response = client.post(
        reverse("accounts:user_create"), new_user_data(teams, mike, username="alice")
    )
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    assert User.objects.count() == before


def test_weak_password_is_a_field_error_and_nothing_is_created(client, ada, mike, teams):
    login(client, ada)
    response = client.post(
        reverse("accounts:user_create"),
        new_user_data(teams, mike, password1="12345678", password2="12345678"),
    )
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(username="dora").exists()


def test_mismatched_passwords_are_refused(client, ada, mike, teams):
    login(client, ada)
    response = client.post(
        reverse("accounts:user_create"), new_user_data(teams, mike, password2=STRONG + "!")
    )
    assert "password2" in response.context["form"].errors
    assert not User.objects.filter(username="dora").exists()


def test_bad_username_characters_are_a_field_error(client, ada, mike, teams):
    login(client, ada)
    response = client.post(
        reverse("accounts:user_create"), new_user_data(teams, mike, username="dora smith!")
    )
    assert "username" in response.context["form"].errors
    assert not User.objects.filter(username="dora smith!").exists()


# --- editing users -------------------------------------------------------------------------


def edit_data(user, **overrides):
    data = {
        "display_name": user.display_name,
        "email": user.email,
        "role": user.role,
        "team": user.team_id or "",
        "manager": user.manager_id or "",
        "is_active": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_edit_page_links_to_transferring_the_users_customers(client, ada, bob):
    login(client, ada)
    response = client.get(reverse("accounts:user_edit", args=[bob.pk]))
    assert f"{reverse('customers:list')}?owner={bob.pk}" in response.content.decode()


def test_admin_moves_a_rep_to_another_team(client, ada, bob, teams):
    login(client, ada)
    response = client.post(
        reverse("accounts:user_edit", args=[bob.pk]),
        edit_data(bob, team=teams["west"].pk, manager=""),
    )
    assert response.status_code == 302
    bob.refresh_from_db()
    assert bob.team == teams["west"] and bob.manager is None


def test_admin_deactivates_a_leaving_rep(client, ada, bob):
    login(client, ada)
    client.post(reverse("accounts:user_edit", args=[bob.pk]), edit_data(bob, is_active=None))
    bob.refresh_from_db()
    assert not bob.is_active


def test_promoting_to_admin_grants_and_demoting_removes_admin_rights(client, ada, bob):
    login(client, ada)
    client.post(reverse("accounts:user_edit", args=[bob.pk]), edit_data(bob, role=Role.ADMIN))
    bob.refresh_from_db()
    assert bob.is_admin
    client.post(reverse("accounts:user_edit", args=[bob.pk]), edit_data(bob, role=Role.REP))
    bob.refresh_from_db()
    assert not bob.is_admin and not bob.is_superuser


def test_admin_cannot_deactivate_themself(client, ada):
    login(client, ada)
    response = client.post(
        reverse("accounts:user_edit", args=[ada.pk]), edit_data(ada, is_active=None)
    )
    assert "is_active" in response.context["form"].errors
    ada.refresh_from_db()
    assert ada.is_active


def test_manager_loop_is_refused(client, ada, mike, alice):
    login(client, ada)
    response = client.post(
        reverse("accounts:user_edit", args=[mike.pk]), edit_data(mike, manager=alice.pk)
    )
    assert "manager" in response.context["form"].errors
    mike.refresh_from_db()
    assert mike.manager is None


def test_editing_an_unknown_user_is_404(client, ada):
    login(client, ada)
    assert client.get(reverse("accounts:user_edit", args=[999999])).status_code == 404


# --- teams ---------------------------------------------------------------------------------


def test_teams_page_shows_the_tree_indented(client, ada, teams):
    login(client, ada)
    response = client.get(reverse("accounts:teams"))
    tree = response.context["tree"]
    assert [(t.name, t.depth) for t in tree] == [
        ("HQ", 0),
        ("Sales East", 1),
        ("Guangzhou", 2),
        ("Sales West", 1),
    ]


def test_admin_creates_a_team_under_a_parent(client, ada, teams):
    login(client, ada)
    response = client.post(
        reverse("accounts:teams"),
        {"action": "create", "create-name": "Shenzhen", "create-parent": teams["east"].pk},
    )
    assert response.status_code == 302
    shenzhen = Team.objects.get(name="Shenzhen")
    assert shenzhen.parent == teams["east"]
    assert TeamClosure.objects.filter(ancestor=teams["hq"], descendant=shenzhen).exists()


def test_duplicate_team_name_is_a_field_error(client, ada, teams):
    login(client, ada)
    response = client.post(
        reverse("accounts:teams"), {"action": "create", "create-name": "guangzhou"}
    )
    assert "name" in response.context["create_form"].errors
    assert Team.objects.count() == 4


def test_admin_moves_a_team(client, ada, teams):
    login(client, ada)
    response = client.post(
        reverse("accounts:teams"),
        {"action": "move", "move-team": teams["guangzhou"].pk, "move-parent": teams["west"].pk},
    )
    assert response.status_code == 302
    teams["guangzhou"].refresh_from_db()
    assert teams["guangzhou"].parent == teams["west"]
    assert not TeamClosure.objects.filter(
        ancestor=teams["east"], descendant=teams["guangzhou"]
    ).exists()


def test_moving_a_team_under_its_own_sub_team_is_refused_with_a_message(client, ada, teams):
    login(client, ada)
    response = client.post(
        reverse("accounts:teams"),
        {"action": "move", "move-team": teams["east"].pk, "move-parent": teams["guangzhou"].pk},
    )
    assert response.status_code == 200
    assert "parent" in response.context["move_form"].errors
    assert "cannot be moved under itself" in response.content.decode()
    teams["east"].refresh_from_db()
    assert teams["east"].parent == teams["hq"]


def test_non_admin_cannot_move_a_team(client, mike, teams):
    login(client, mike)
    response = client.post(
        reverse("accounts:teams"),
        {"action": "move", "move-team": teams["guangzhou"].pk, "move-parent": ""},
    )
    assert response.status_code == 403
    teams["guangzhou"].refresh_from_db()
    assert teams["guangzhou"].parent == teams["east"]


def test_duplicate_username_and_weak_password_are_reported_together(
    client, ada, mike, teams, alice
):
    login(client, ada)
    response = client.post(
        reverse("accounts:user_create"),
        new_user_data(teams, mike, username="alice", password1="12345678", password2="12345678"),
    )
    errors = response.context["form"].errors
    assert "username" in errors and "password1" in errors
