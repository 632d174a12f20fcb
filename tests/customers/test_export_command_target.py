"""`guanxi export customers FILE`: a FILE that cannot be written is one clear error, before the
export starts, so the access log records only the exports that were written."""

import io
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guanxi.core.models import AccessLog
from guanxi.customers import exports

pytestmark = pytest.mark.django_db


def _export(path, *args) -> str:
    out = io.StringIO()
    call_command("export", "customers", str(path), "--user", "alice", *args, stdout=out)
    return out.getvalue()


def test_a_file_in_a_folder_that_does_not_exist_is_refused_and_not_logged(
    alice, alices_customer, tmp_path
):
    with pytest.raises(CommandError, match="There is no folder .*nowhere"):
        _export(tmp_path / "nowhere" / "c.csv")
    assert not AccessLog.objects.filter(action="export").exists()


def test_a_folder_given_as_the_file_is_refused_and_not_logged(alice, alices_customer, tmp_path):
    with pytest.raises(CommandError, match="is a folder: give a file name"):
        _export(tmp_path)
    assert not AccessLog.objects.filter(action="export").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_file_that_may_not_be_written_is_refused_and_not_logged(alice, alices_customer, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("")
    path.chmod(0o444)
    with pytest.raises(CommandError, match="cannot be written"):
        _export(path)
    assert not AccessLog.objects.filter(action="export").exists()


def test_a_written_export_is_logged_once_and_counted_in_the_singular(
    alice, alices_customer, tmp_path
):
    path = tmp_path / "c.csv"
    assert _export(path) == f"exported 1 customer to {path}\n"
    assert path.exists()
    assert AccessLog.objects.filter(action="export").count() == 1


def test_a_write_that_fails_midway_is_one_line(alice, alices_customer, tmp_path, monkeypatch):
    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exports, "write_file", disk_full)
    with pytest.raises(CommandError, match="Writing .*c.csv failed: No space left on device"):
        _export(tmp_path / "c.csv")


def test_an_unknown_owner_is_said_as_every_command_says_it(alice, tmp_path):
    with pytest.raises(CommandError, match="No user is called 'nobody'"):
        _export(tmp_path / "c.csv", "--owner", "nobody")
