"""`guanxi` on conditions a person fixes outside the code: one line saying what to do, not a
traceback (a database not migrated or not reached, a bad DATABASE_URL or LANGUAGE_CODE, a reader
that stops reading); any other error keeps its traceback."""

import os
import subprocess
import sys

import pytest

GUANXI = [sys.executable, "-m", "guanxi.cli"]


def _env(tmp_path, **extra) -> dict:
    """A fresh data directory of its own, the real settings, SQLite unless told otherwise."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "LANGUAGE_CODE")
    }
    env.update(GUANXI_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="guanxi.settings")
    env.update(extra)
    return env


def _guanxi(tmp_path, *args, **env) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - a fixed argument list, no shell
        [*GUANXI, *args],
        env=_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_command_on_a_database_never_migrated_says_to_migrate(tmp_path):
    done = _guanxi(tmp_path, "demo", "--customers", "0", LANGUAGE_CODE="en")
    assert done.returncode == 1
    assert done.stderr == "The database has no tables yet: run `guanxi migrate` first.\n"


def test_a_database_url_of_no_known_form_names_the_variable_and_the_forms(tmp_path):
    done = _guanxi(tmp_path, "user", "list", DATABASE_URL="garbage")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("DATABASE_URL is not a database URL")
    assert "postgres://USER:PASSWORD@HOST:5432/NAME" in done.stderr


def test_a_database_that_cannot_be_reached_is_one_line_naming_it(tmp_path):
    url = "postgres://postgres@127.0.0.1:1/guanxi"  # nothing listens on port 1
    done = _guanxi(tmp_path, "user", "list", DATABASE_URL=url, LANGUAGE_CODE="en")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(
        "Cannot connect to the database 127.0.0.1:1/guanxi (DATABASE_URL)"
    )


@pytest.mark.parametrize("spelling", ["zh_CN", "zh-cn", "en_US"])
def test_common_spellings_of_the_two_languages_are_accepted(tmp_path, spelling):
    done = _guanxi(tmp_path, "check", LANGUAGE_CODE=spelling)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


def test_a_language_guanxi_does_not_speak_is_refused_in_one_line(tmp_path):
    done = _guanxi(tmp_path, "check", LANGUAGE_CODE="fr")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("LANGUAGE_CODE='fr' is not a language Guanxi speaks")


def test_a_reader_that_stops_reading_ends_the_command_quietly(tmp_path):
    # `guanxi --help | head -0`: the pipe's reader is gone before the command writes.
    command = subprocess.Popen(  # noqa: S603
        [*GUANXI, "help"],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    command.stdout.close()
    errors = command.stderr.read().decode()
    assert command.wait(timeout=120) == 0
    assert errors == ""


def test_any_other_error_keeps_its_traceback(tmp_path):
    done = _guanxi(tmp_path, "shell", "-c", "raise ValueError('a real bug')")
    assert done.returncode == 1
    assert "Traceback" in done.stderr and "ValueError: a real bug" in done.stderr
