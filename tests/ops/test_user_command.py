"""`guanxi user add|list`: users from the command line, with clear errors."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from guanxi.accounts.models import Team, User
from guanxi.cli import main

pytestmark = pytest.mark.django_db
GOOD = "Quiet-harbour-2026"


def _user(*args):
    out = io.StringIO()
    call_command("user", *args, stdout=out)
    return out.getvalue()


def test_user_add_creates_a_rep_in_a_team_under_a_manager(teams, mike):
    output = _user(
        "add",
        "dora",
        "--role",
        "rep",
        "--team",
        "Guangzhou",
        "--manager",
        "mike",
        "--password",
        GOOD,
    )
    dora = User.objects.get(username="dora")
    assert (dora.role, dora.team, dora.manager) == ("rep", teams["guangzhou"], mike)
    assert dora.check_password(GOOD)
    assert "Created rep dora" in output


def test_user_add_creates_a_missing_team_and_says_so(db):
    output = _user("add", "erin", "--role", "manager", "--team", "成都销售组", "--password", GOOD)
    assert User.objects.get(username="erin").team.name == "成都销售组"
    assert "Created team" in output


def test_user_add_rejects_an_unknown_role(db):
    with pytest.raises(CommandError, match="invalid choice: 'boss'"):
        _user("add", "fred", "--role", "boss", "--password", GOOD)
    assert not User.objects.filter(username="fred").exists()


def test_user_add_rejects_a_duplicate_username(alice):
    with pytest.raises(CommandError, match="username: "):
        _user("add", "alice", "--role", "rep", "--password", GOOD)


def test_user_add_rejects_a_weak_password_and_leaves_no_new_team(db):
    with pytest.raises(CommandError, match="(?i)password"):
        _user("add", "gina", "--role", "rep", "--team", "New team", "--password", "123")
    assert not User.objects.filter(username="gina").exists()
    assert not Team.objects.filter(name="New team").exists()


def test_user_add_rejects_an_unknown_manager(db):
    with pytest.raises(CommandError, match="No user is called 'nobody'"):
        _user("add", "hank", "--role", "rep", "--manager", "nobody", "--password", GOOD)


def test_user_list_shows_each_user_with_role_and_team(alice):
    output = _user("list")
    assert "alice" in output and "rep" in output and "Guangzhou" in output


@pytest.mark.django_db(transaction=True)
def test_the_guanxi_command_exits_non_zero_with_a_message_on_bad_input(alice, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["user", "add", "alice", "--role", "rep", "--password", GOOD])
    assert exit_info.value.code == 1
    assert "username" in capsys.readouterr().err


def test_guanxi_without_a_command_lists_its_own_verbs(capsys):
    main([])
    usage = capsys.readouterr().out
    for verb in ("serve", "demo", "user add", "token"):
        assert verb in usage


def test_user_list_reads_in_chinese_and_names_no_manager_where_there_is_none(ada):
    with translation.override("zh-hans"):
        output = _user("list")

    line = next(line for line in output.splitlines() if line.startswith("ada"))
    assert "admin" not in line.split()[1:] and "经理" not in line
