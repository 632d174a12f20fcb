"""Assignment rules: round robin order and fairness, region routing and its fallback, the
notification, who may configure rules on the pages and through the API."""

import json
from collections import Counter

import pytest
from django.urls import reverse

from guanxi.core.models import Notification
from guanxi.sales import lead_routing
from guanxi.sales.models import AssignmentRule, Lead
from guanxi.sales.services import assign_lead, create_lead
from tests.conftest import _user, login

RULES = reverse("sales:lead_rules")
API = "/api/v1"


@pytest.fixture
def carol(teams, mike):
    """A third Guangzhou rep."""
    return _user("carol", "rep", teams["guangzhou"], mike)


@pytest.fixture
def walter(teams):
    """The manager of Sales West: no say over East's teams."""
    return _user("walter", "manager", teams["west"])


@pytest.fixture
def round_robin(mike, teams, alice, bob, carol):
    return lead_routing.save_rule(
        mike,
        {
            "team": teams["guangzhou"].pk,
            "mode": "round_robin",
            "members": [alice.pk, bob.pk, carol.pk],
        },
    )


@pytest.fixture
def by_region(mike, teams, alice, bob, carol):
    return lead_routing.save_rule(
        mike,
        {
            "team": teams["guangzhou"].pk,
            "mode": "region",
            "members": [alice.pk, bob.pk],
            "routes": [
                {"province": "广东", "city": "深圳", "member": carol.pk},
                {"province": "广东", "city": "", "member": bob.pk},
            ],
        },
    )


def _unowned(name, **fields) -> Lead:
    return Lead.objects.create(name=name, **fields)


def test_round_robin_hands_leads_to_members_in_turn(round_robin, teams, alice, bob, carol):
    owners = [assign_lead(_unowned(f"lead {i}"), team_id=teams["guangzhou"].pk) for i in range(6)]
    assert owners == [alice, bob, carol, alice, bob, carol]


def test_round_robin_is_fair_over_many_leads(round_robin, teams, alice, bob, carol):
    counts = Counter(
        assign_lead(_unowned(f"lead {i}"), team_id=teams["guangzhou"].pk).username
        for i in range(31)
    )
    assert sorted(counts.values()) == [10, 10, 11]


def test_the_cursor_lives_in_the_rule_row(round_robin, teams, bob):
    assign_lead(_unowned("a"), team_id=teams["guangzhou"].pk)
    assign_lead(_unowned("b"), team_id=teams["guangzhou"].pk)
    rule = AssignmentRule.objects.get(pk=round_robin.pk)
    assert rule.last_assigned == bob
    assert rule.assigned_count == 2


def test_a_member_removed_from_the_rule_loses_the_turn(round_robin, mike, teams, alice, bob, carol):
    assign_lead(_unowned("a"), team_id=teams["guangzhou"].pk)  # alice
    lead_routing.save_rule(mike, {"members": [alice.pk, carol.pk]}, rule_id=round_robin.pk)
    assert assign_lead(_unowned("b"), team_id=teams["guangzhou"].pk) == carol


def test_region_sends_a_city_to_its_member(by_region, teams, carol):
    lead = _unowned("深圳客户", province="广东", city="深圳")
    assert assign_lead(lead, team_id=teams["guangzhou"].pk) == carol
    assert Lead.objects.get(pk=lead.pk).owner == carol


def test_region_matches_the_province_when_the_city_has_no_route(by_region, teams, bob):
    lead = _unowned("佛山客户", province="广东省", city="佛山市")
    assert assign_lead(lead, team_id=teams["guangzhou"].pk) == bob


def test_region_falls_back_to_round_robin(by_region, teams, alice, bob):
    owners = [
        assign_lead(_unowned(f"x{i}", province="四川", city="成都"), team_id=teams["guangzhou"].pk)
        for i in range(3)
    ]
    assert owners == [alice, bob, alice]


def test_a_sub_team_without_a_rule_uses_the_rule_above(mike, teams, alice, bob):
    lead_routing.save_rule(mike, {"team": teams["east"].pk, "members": [bob.pk]})
    assert assign_lead(_unowned("x"), team_id=teams["guangzhou"].pk) == bob


def test_an_inactive_rule_assigns_nobody(round_robin, mike, teams):
    lead_routing.save_rule(mike, {"active": False}, rule_id=round_robin.pk)
    lead = _unowned("x")
    assert assign_lead(lead, team_id=teams["guangzhou"].pk) is None
    assert Lead.objects.get(pk=lead.pk).owner is None


def test_the_assignee_is_notified(round_robin, teams, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lead = _unowned("赵磊")
        assign_lead(lead, team_id=teams["guangzhou"].pk)
    note = Notification.objects.get(recipient=alice)
    assert (note.verb, note.event) == ("assigned", "assigned")
    assert "赵磊" in note.message
    assert note.url == reverse("sales:lead", args=[lead.pk])


def test_a_manager_capturing_without_an_owner_uses_the_rule(mike, teams, alice, bob):
    lead_routing.save_rule(mike, {"team": teams["east"].pk, "members": [alice.pk, bob.pk]})
    first = create_lead(mike, {"name": "甲"})
    second = create_lead(mike, {"name": "乙"})
    assert (first.owner, second.owner) == (alice, bob)


def test_a_named_owner_is_not_overridden_by_the_rule(mike, teams, alice, bob):
    lead_routing.save_rule(mike, {"team": teams["east"].pk, "members": [alice.pk]})
    assert create_lead(mike, {"name": "甲"}, owner=bob.pk).owner == bob


def test_a_reps_own_capture_stays_with_the_rep(round_robin, bob):
    assert create_lead(bob, {"name": "自己的"}).owner == bob


def test_a_manager_without_a_rule_keeps_the_lead(mike):
    assert create_lead(mike, {"name": "甲"}).owner == mike


def test_a_member_outside_the_team_is_refused(mike, teams, alice, charlie):
    with pytest.raises(Exception) as exc:
        lead_routing.save_rule(
            mike, {"team": teams["guangzhou"].pk, "members": [alice.pk, charlie.pk]}
        )
    assert "members" in exc.value.message_dict
    assert not AssignmentRule.objects.exists()


# --- pages -------------------------------------------------------------------------------------


def test_the_rules_page_shows_an_empty_state(client, mike):
    response = login(client, mike).get(RULES)
    assert response.status_code == 200
    assert "No assignment rules yet" in response.content.decode()


def test_a_manager_creates_a_rule_on_the_page(client, mike, teams, alice, bob):
    response = login(client, mike).post(
        reverse("sales:lead_rule_create"),
        {
            "team": teams["guangzhou"].pk,
            "mode": "region",
            "members": [alice.pk, bob.pk],
            "routes": "广东， 深圳， bob\n广东, , alice",
            "active": "on",
        },
    )
    assert response.status_code == 302
    rule = AssignmentRule.objects.get(team=teams["guangzhou"])
    assert rule.mode == "region"
    assert {(r.province, r.city, r.member.username) for r in rule.routes.all()} == {
        ("广东", "深圳", "bob"),
        ("广东", "", "alice"),
    }
    assert "Guangzhou" in client.get(RULES).content.decode()


def test_a_rule_without_members_is_a_form_error(client, mike, teams):
    response = login(client, mike).post(
        reverse("sales:lead_rule_create"),
        {"team": teams["guangzhou"].pk, "mode": "round_robin", "active": "on"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["members"]
    assert not AssignmentRule.objects.exists()


def test_a_route_to_an_unknown_user_is_a_form_error_naming_the_line(client, mike, teams, alice):
    response = login(client, mike).post(
        reverse("sales:lead_rule_create"),
        {
            "team": teams["guangzhou"].pk,
            "mode": "region",
            "members": [alice.pk],
            "routes": "广东, 广州, alice\n广东, 深圳, nobody",
        },
    )
    assert response.status_code == 422
    assert "Line 2" in response.context["form"].errors["routes"][0]


def test_a_route_to_someone_outside_the_team_is_a_form_error(client, mike, teams, alice, charlie):
    response = login(client, mike).post(
        reverse("sales:lead_rule_create"),
        {
            "team": teams["guangzhou"].pk,
            "mode": "region",
            "members": [alice.pk],
            "routes": "四川, 成都, charlie",
        },
    )
    assert response.status_code == 422
    assert "Line 1" in response.context["form"].errors["routes"][0]


@pytest.mark.parametrize("persona", ["alice", "nina"])
def test_a_rep_or_analyst_may_not_open_the_rules_page(client, persona, request):
    login(client, request.getfixturevalue(persona))
    assert client.get(RULES).status_code == 403


def test_a_rep_cannot_open_a_rule(client, round_robin, alice):
    login(client, alice)
    assert client.get(reverse("sales:lead_rule_edit", args=[round_robin.pk])).status_code == 403


def test_another_teams_manager_gets_404_on_the_rule(client, round_robin, walter):
    login(client, walter)
    assert client.get(reverse("sales:lead_rule_edit", args=[round_robin.pk])).status_code == 404
    response = client.post(reverse("sales:lead_rule_delete", args=[round_robin.pk]))
    assert response.status_code == 404
    assert AssignmentRule.objects.filter(pk=round_robin.pk).exists()
    assert "Guangzhou" not in client.get(RULES).content.decode()


def test_another_teams_manager_cannot_create_a_rule_for_it(client, walter, teams, alice):
    response = login(client, walter).post(
        reverse("sales:lead_rule_create"),
        {"team": teams["guangzhou"].pk, "mode": "round_robin", "members": [alice.pk]},
    )
    assert response.status_code == 422
    assert not AssignmentRule.objects.exists()


def test_an_admin_edits_any_teams_rule(client, round_robin, ada, alice):
    response = login(client, ada).post(
        reverse("sales:lead_rule_edit", args=[round_robin.pk]),
        {"mode": "round_robin", "members": [alice.pk], "routes": "", "active": ""},
    )
    assert response.status_code == 302
    rule = AssignmentRule.objects.get(pk=round_robin.pk)
    assert not rule.active
    assert list(rule.members.all()) == [alice]


def test_the_lead_form_offers_the_rule_to_a_manager(client, mike):
    response = login(client, mike).get(reverse("sales:lead_create"))
    assert "By the assignment rule, else me" in response.content.decode()


# --- API ---------------------------------------------------------------------------------------


def _post(client, url, body):
    return client.post(API + url, json.dumps(body), content_type="application/json")


def test_a_manager_creates_and_reads_a_rule_over_the_api(client, mike, teams, alice, bob):
    login(client, mike)
    response = _post(
        client,
        "/leads/rules",
        {
            "team": teams["guangzhou"].pk,
            "mode": "region",
            "members": [alice.pk, bob.pk],
            "routes": [{"province": "广东", "city": "广州", "member": bob.pk}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [m["username"] for m in body["members"]] == ["alice", "bob"]
    assert body["routes"][0]["member"]["username"] == "bob"
    listed = client.get(API + "/leads/rules").json()
    assert [r["id"] for r in listed] == [body["id"]]


def test_an_api_rule_with_an_outsider_answers_400_on_members(client, mike, teams, charlie):
    login(client, mike)
    response = _post(
        client, "/leads/rules", {"team": teams["guangzhou"].pk, "members": [charlie.pk]}
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["members"]


def test_a_rep_gets_403_from_the_rules_api(client, alice):
    login(client, alice)
    assert client.get(API + "/leads/rules").status_code == 403


def test_another_teams_manager_gets_404_from_the_rule_api(client, round_robin, walter):
    login(client, walter)
    assert client.get(f"{API}/leads/rules/{round_robin.pk}").status_code == 404
    response = client.patch(
        f"{API}/leads/rules/{round_robin.pk}",
        json.dumps({"active": False}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert AssignmentRule.objects.get(pk=round_robin.pk).active


def test_a_lead_posted_to_the_api_without_owner_by_a_manager_follows_the_rule(
    client, mike, teams, carol
):
    lead_routing.save_rule(mike, {"team": teams["east"].pk, "members": [carol.pk]})
    login(client, mike)
    response = _post(client, "/leads", {"name": "API 线索"})
    assert response.status_code == 201
    assert response.json()["owner"]["username"] == "carol"


@pytest.mark.django_db(transaction=True)
def test_concurrent_assignments_take_distinct_turns(teams, mike, alice, bob):
    """Leads arriving together from several threads still alternate exactly (row lock)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("needs a database with concurrent writers (PostgreSQL)")
    lead_routing.save_rule(mike, {"team": teams["guangzhou"].pk, "members": [alice.pk, bob.pk]})
    ids = [_unowned(f"lead {i}").pk for i in range(20)]

    def assign(pk):
        try:
            with transaction.atomic():
                return assign_lead(Lead.objects.get(pk=pk), team_id=teams["guangzhou"].pk).pk
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        owners = list(pool.map(assign, ids))
    assert Counter(owners) == {alice.pk: 10, bob.pk: 10}
    assert AssignmentRule.objects.get().assigned_count == 20
