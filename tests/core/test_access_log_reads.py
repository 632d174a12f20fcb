"""core.access_log's reads: a team's entries read member by member give what one read over the
whole log gives, and every action the code writes has a label."""

import ast
import datetime as dt
import random
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from guanxi.core import access_log
from guanxi.core.access_log import LogFilter, log_entries
from guanxi.core.models import AccessLog
from tests.core.access_log_entries import entry

SRC = Path(access_log.__file__).resolve().parents[1]


def test_every_action_the_code_writes_has_a_label():
    written = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "log_access"
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
            ):
                written.add(node.args[1].value)

    assert {"view", "reveal", "export", "merge", "unmerge"} <= written
    assert written <= set(AccessLog.Action.values)


def test_an_unknown_action_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as info:
        LogFilter(action="delete")
    assert "action" in info.value.message_dict


@pytest.mark.parametrize("per_query", [1, 2, 200])
@pytest.mark.parametrize(
    "f",
    [
        LogFilter(),
        LogFilter(action="view"),
        LogFilter(since=dt.date(2026, 11, 20), until=dt.date(2026, 11, 20)),
        LogFilter(customer=2),
    ],
    ids=["all", "views", "a day", "a customer"],
)
def test_a_teams_entries_read_member_by_member_are_those_of_one_read(
    monkeypatch, per_query, f, ada, mike, alice, bob, charlie
):
    monkeypatch.setattr(access_log, "MEMBERS_PER_QUERY", per_query)
    rng = random.Random(7)
    users = [ada, mike, alice, bob, charlie]
    for i in range(60):
        # Few distinct minutes: many entries share their moment (the id breaks the tie).
        entry(rng.choice(users), rng.choice(["view", "reveal"]), i % 4, minutes=rng.randrange(9))
    team = [mike.pk, alice.pk, bob.pk]
    everyone = log_entries(f, limit=1000)
    expected = [e.pk for e in everyone if e.user_id in team]

    for offset, limit in [(0, 5), (5, 5), (3, 40), (30, 100)]:
        read = log_entries(f, among=team, offset=offset, limit=limit)
        assert [e.pk for e in read] == expected[offset : offset + limit]


def test_a_cursor_position_continues_a_teams_read(alice, bob):
    made = [entry(alice if i % 2 else bob, minutes=i // 3) for i in range(10)]
    newest_first = sorted(made, key=lambda e: (e.at, e.pk), reverse=True)
    after = (newest_first[3].at, newest_first[3].pk)

    read = log_entries(LogFilter(), among=[alice.pk, bob.pk], limit=100, after=after)

    assert [e.pk for e in read] == [e.pk for e in newest_first[4:]]


def test_a_team_of_nobody_reads_nothing(alice):
    entry(alice)
    assert log_entries(LogFilter(), among=[], limit=10) == []
