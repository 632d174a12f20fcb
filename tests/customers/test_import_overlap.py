"""A long import writes each batch in a second thread while the next one is checked: the same
outcome as one thread, and a failing batch stops the job with nothing of it written.

These tests commit (``transaction=True``): the writer thread has its own connection, which
does not see a test's open transaction."""

import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from guanxi.customers import bulk, imports
from guanxi.customers.models import Customer
from guanxi.customers.models_import import ImportJob

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def overlapped(monkeypatch):
    """Every import of more than 10 rows overlaps; the writer threads' names are recorded."""
    monkeypatch.setattr(imports, "OVERLAP_MIN_ROWS", 10)
    writers: set[str] = set()
    real = bulk.insert_customers

    def recording(*args, **kwargs):
        writers.add(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "insert_customers", recording)
    return writers


def _file(tmp_path, rows: int):
    path = tmp_path / "c.csv"
    lines = [f"客户{i},1380013{i:04d},u{i}@example.com\n" for i in range(rows)]
    lines.insert(30, "坏行,12345,bad@\n")  # row 32 of the file, in the second batch, fails
    path.write_text("姓名,手机,邮箱\n" + "".join(lines), "utf-8")
    return path


def _import(path, *args) -> str:
    out = io.StringIO()
    call_command(
        "import", "customers", str(path), "--owner", "alice", "--batch-size", "25", *args,
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    return out.getvalue()


def test_a_long_import_writes_in_a_second_thread_with_the_same_outcome(alice, tmp_path, overlapped):
    out = _import(_file(tmp_path, 120))

    assert "imported 120, updated 0, skipped 0, failed 1" in out
    assert overlapped and all(name.startswith("import-writer") for name in overlapped)
    assert Customer.objects.count() == 120
    assert Customer.history.count() == 120
    job = ImportJob.objects.get()
    assert (job.status, job.next_row, job.imported, job.failed) == ("done", 121, 120, 1)
    report = (tmp_path / "c.csv.errors.csv").read_text(encoding="utf-8-sig")
    assert report.count("\n") == 1 + 2  # header, the bad phone and the bad e-mail of row 32


def test_a_batch_that_fails_in_the_writer_stops_the_job_and_writes_nothing_of_it(
    alice, tmp_path, overlapped, monkeypatch
):
    real = imports.insert_customers
    calls = []

    def failing_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise DatabaseError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "insert_customers", failing_third)

    with pytest.raises(CommandError, match="stopped after row 51 .* disk full"):
        _import(_file(tmp_path, 120))

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and "disk full" in job.error
    assert job.next_row == 50 and Customer.objects.count() == 49  # two whole batches, one bad row
