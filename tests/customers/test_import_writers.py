"""PostgreSQL, a long import: batches written on two connections of their own while the next
is matched (``import_writers``), committed in the file's order: the same customers, history
rows, tags, report and counters as writing here; a batch that fails stops the job with the
batch after it rolled back too, and the job resumes; a batch's updates are committed before the
next batch is matched; the connections are closed at the end.

The tests commit (``transaction=True``): other connections see nothing of an open
transaction, so an import inside the caller's transaction writes here."""

import re

import pytest
from django.db import DatabaseError, connection
from django.utils import translation

from guanxi.customers import bulk, import_reports, import_writers, imports
from guanxi.customers.models import Customer
from guanxi.customers.models_import import ImportJob, OnDuplicate
from guanxi.customers.services import create_customer
from tests.customers import test_import_checking_process as checking
from tests.customers.test_import_checking_process import (
    BATCH,
    _existing,
    _file,
    _import,
    _outcome,
    _start_over,
)

custom_fields = checking.custom_fields  # the same fixture: the file's custom columns

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
]


@pytest.fixture
def aside(monkeypatch):
    """Every import of more than 10 rows writes aside; the batches submitted are counted."""
    monkeypatch.setattr(imports, "PROCESS_MIN_ROWS", 10)
    submitted = []
    real = import_writers.Writers.submit

    def counted(self, batch, begin, *args):
        submitted.append(begin)
        return real(self, batch, begin, *args)

    monkeypatch.setattr(import_writers.Writers, "submit", counted)
    return submitted


@pytest.mark.parametrize("on_duplicate", OnDuplicate.values)
def test_writing_on_two_connections_leaves_what_writing_here_leaves(
    alice, custom_fields, tmp_path, monkeypatch, aside, on_duplicate
):
    path = _file(tmp_path)
    _existing(alice)
    written_aside = _outcome(_import(alice, path, on_duplicate))
    assert aside == [0, 25, 50, 75, 100, 125]
    _start_over(alice)
    monkeypatch.setattr(imports, "PROCESS_MIN_ROWS", 10**9)
    written_here = _outcome(_import(alice, path, on_duplicate))

    assert len(aside) == 6  # none more
    assert written_aside == written_here
    assert written_here["job"][:2] == ("done", 140)


def test_a_batch_that_fails_stops_the_job_and_rolls_the_next_one_back(
    alice, custom_fields, tmp_path, monkeypatch, aside
):
    path = _file(tmp_path)
    real = bulk.insert_customers

    def failing_in_the_third_batch(rows, *args, **kwargs):
        numbers = {int(re.sub(r"\D", "", r["name"]) or -1) for r in rows}  # "王伟53": 53
        if any(2 * BATCH <= n < 3 * BATCH for n in numbers):
            raise DatabaseError("the disk is full")
        return real(rows, *args, **kwargs)

    monkeypatch.setattr(imports, "insert_customers", failing_in_the_third_batch)

    with pytest.raises(DatabaseError, match="the disk is full"):
        _import(alice, path)

    job = ImportJob.objects.get()
    assert (job.status, job.next_row, job.error) == ("failed", 2 * BATCH, "the disk is full")
    assert len(aside) >= 4  # the batch after it was matched too (and rolled back if sent)
    assert Customer.objects.count() == Customer.history.count() == job.imported
    assert job.imported + job.skipped + job.failed == 2 * BATCH
    report = import_reports.report_path_for(path).read_text(encoding="utf-8-sig").splitlines()[1:]
    assert all(int(line.split(",")[0]) < 2 * BATCH + 2 for line in report)

    monkeypatch.setattr(imports, "insert_customers", real)
    resumed = imports.process(job, resume=True, batch_size=BATCH)

    assert (resumed.status, resumed.next_row) == ("done", 140)
    assert resumed.imported == Customer.objects.count() == Customer.history.count()


def test_a_batch_that_updates_is_committed_before_the_next_one_is_matched(alice, tmp_path, aside):
    known = create_customer(
        alice, {"name": "老客户", "phone": "13900000007", "email": "old@example.com"}
    )
    rows = [f"客户{i},1380013{i:04d},,,\n" for i in range(30)]
    rows[3] = "老客户,13900000007,,深圳,\n"  # batch 1 moves the customer to 深圳
    rows[27] = "老客户,,old@example.com,,回访\n"  # batch 2 meets it by its e-mail
    path = tmp_path / "u.csv"
    path.write_text("姓名,手机,邮箱,城市,备注\n" + "".join(rows), encoding="utf-8")

    job = _import(alice, path, OnDuplicate.UPDATE)

    assert aside == [0, 25]
    assert (job.status, job.imported, job.updated, job.failed) == ("done", 28, 2, 0)
    known.refresh_from_db()
    assert (known.city, known.notes) == ("深圳市", "回访")  # batch 2 read batch 1's change


def test_the_writing_connections_are_closed_at_the_end(alice, custom_fields, tmp_path, aside):
    def connections_here() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            )
            return cursor.fetchone()[0]

    before = connections_here()
    job = _import(alice, _file(tmp_path))

    assert job.status == "done" and len(aside) == 6
    assert connections_here() == before


def test_a_batch_finding_the_job_moved_by_another_run_rolls_back(
    alice, custom_fields, tmp_path, monkeypatch, aside
):
    real = bulk.insert_customers

    def another_run_moves_the_job(rows, *args, **kwargs):
        numbers = {int(re.sub(r"\D", "", r["name"]) or -1) for r in rows}
        if any(BATCH <= n < 2 * BATCH for n in numbers):  # the second batch
            ImportJob.objects.update(next_row=140)
        return real(rows, *args, **kwargs)

    monkeypatch.setattr(imports, "insert_customers", another_run_moves_the_job)

    with translation.override("zh-hans"), pytest.raises(import_writers.OutOfOrder):
        _import(alice, _file(tmp_path))

    job = ImportJob.objects.get()
    assert (job.status, job.next_row) == ("failed", BATCH)
    assert job.error == f"此导入的另一次运行已从第 {BATCH + 2} 行继续。"
    assert Customer.objects.count() == job.imported
