"""`guanxi --help` names every command of Guanxi's own and the options people look for."""

import pytest

from guanxi import cli


@pytest.mark.parametrize(
    "text",
    [
        "import customers FILE [--mapping NAME|FILE.json]",
        "import contacts FILE",
        "import orders FILE",
        "--resume JOB",
        "--user U",
        "customers duplicates",
        "pool recycle",
        "access-log [--user U]",
        "[--limit N]",
        "demo [--customers N] [--seed S] [--if-empty]",
        "[--q TEXT] [--city C] [--tag T]",
        "analytics refresh",
        "LANGUAGE_CODE",
    ],
)
def test_the_usage_names_it(text, capsys):
    cli.main(["--help"])
    assert text in capsys.readouterr().out
