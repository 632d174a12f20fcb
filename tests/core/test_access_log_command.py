"""`guanxi access-log`: the log newest first on the terminal or as CSV, filtered."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from tests.core.access_log_entries import entry


def run(*args) -> str:
    out = io.StringIO()
    call_command("access-log", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_it_prints_the_entries_newest_first(alice, bob):
    entry(alice, "view", 7, minutes=1)
    entry(bob, "export", None, minutes=2, detail="10 rows, csv, q=zhang")

    lines = run().splitlines()

    assert len(lines) == 2
    assert lines[0].startswith("2026-11-20 10:02:00  bob")
    assert "export" in lines[0] and lines[0].endswith("10 rows, csv, q=zhang")
    assert lines[1].startswith("2026-11-20 10:01:00  alice")
    assert "customer #7" in lines[1] and "10.0.0.1" in lines[1]


def test_it_filters_by_user_action_customer_and_days(alice, bob):
    entry(alice, "view", 7, minutes=0, detail="match")
    entry(bob, "view", 7, minutes=1, detail="other user")
    entry(alice, "reveal", 7, minutes=2, detail="other action")
    entry(alice, "view", 8, minutes=3, detail="other customer")
    entry(alice, "view", 7, minutes=60 * 24, detail="next day")

    out = run(
        "--user",
        "alice",
        "--action",
        "view",
        "--customer",
        "7",
        "--since",
        "2026-11-20",
        "--until",
        "2026-11-20",
    )

    assert [line.rsplit("  ", 1)[-1] for line in out.splitlines()] == ["match"]


def test_limit_keeps_the_newest(alice):
    for minutes in range(5):
        entry(alice, minutes=minutes, detail=f"n{minutes}")

    out = run("--limit", "2")

    assert [line.rsplit("  ", 1)[-1] for line in out.splitlines()] == ["n4", "n3"]


def test_csv_has_a_header_and_a_row_per_entry(alice):
    entry(alice, "reveal", 7, detail="phone, masked")

    rows = list(csv.reader(io.StringIO(run("--csv"))))

    assert rows == [
        ["at", "user", "action", "object_type", "object_id", "detail", "via", "ip"],
        [
            "2026-11-20T10:00:00+08:00",
            "alice",
            "reveal",
            "customer",
            "7",
            "phone, masked",
            "web",
            "10.0.0.1",
        ],
    ]


def test_an_empty_log_prints_nothing_on_stdout(db):
    assert run() == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody"], "No user is called 'nobody'"),
        (["--since", "2026-02-30"], "--since: enter a date"),
        (["--since", "2026-11-21", "--until", "2026-11-20"], "before the start date"),
        (["--limit", "-1"], "--limit"),
    ],
)
def test_a_bad_option_is_an_error(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_an_unknown_action_is_refused(db):
    with pytest.raises(CommandError, match="invalid choice"):
        run("--action", "delete")
