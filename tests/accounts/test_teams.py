"""The team tree and its closure table."""

import pytest
from django.core.exceptions import ValidationError

from guanxi.accounts.models import TeamClosure
from guanxi.accounts.queries import is_manager_of
from guanxi.accounts.services import create_team, move_team, subteam_ids


def _subtree(team):
    return set(subteam_ids(team.pk).values_list("descendant_id", flat=True))


def test_a_team_and_all_its_sub_teams_come_from_one_lookup(teams):
    assert _subtree(teams["hq"]) == {t.pk for t in teams.values()}
    assert _subtree(teams["east"]) == {teams["east"].pk, teams["guangzhou"].pk}
    assert _subtree(teams["guangzhou"]) == {teams["guangzhou"].pk}


def test_moving_a_team_moves_its_whole_subtree(teams):
    shenzhen = create_team("Shenzhen", teams["guangzhou"])
    move_team(teams["guangzhou"], teams["west"])
    assert _subtree(teams["west"]) == {teams["west"].pk, teams["guangzhou"].pk, shenzhen.pk}
    assert _subtree(teams["east"]) == {teams["east"].pk}
    depth = TeamClosure.objects.get(ancestor=teams["hq"], descendant=shenzhen).depth
    assert depth == 3


def test_a_team_cannot_be_moved_under_its_own_sub_team(teams):
    with pytest.raises(ValidationError):
        move_team(teams["east"], teams["guangzhou"])
    assert _subtree(teams["east"]) == {teams["east"].pk, teams["guangzhou"].pk}


def test_a_manager_manages_the_reps_of_sub_teams_but_not_other_teams(mike, alice, charlie):
    assert is_manager_of(mike, alice)
    assert not is_manager_of(mike, charlie)
