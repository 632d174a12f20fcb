"""A long import converts and checks its rows in a second process while this one matches and
writes them: the same customers, history rows, tags, report and counters as checking here;
a checking process that dies stops the job with nothing of the waiting batch written; one
that cannot start leaves the checking here.

Most tests commit (``transaction=True``): an import inside the caller's transaction, as
every other test runs, checks in its own process."""

import multiprocessing
import re

import pytest
from django.db import connection
from django.utils import translation

from guanxi.customers import bulk, import_checker, import_reports, imports
from guanxi.customers.models import Customer, CustomField
from guanxi.customers.models_import import ImportJob, OnDuplicate
from guanxi.customers.services import create_customer

BATCH = 25
HEADER = "姓名,类型,性别,手机,邮箱,身份证号,公司,城市,生日,标签,车型,会员等级,年消费,备注\n"
EXISTING = [  # (name, phone): customers the file meets again
    ("曾单", "13800138003"),
    ("老客户", "13900000007"),
]


def _lines() -> list[str]:
    """Rows of every kind: good ones, failing ones, ones the quick check leaves to the full
    one, in-file duplicates and duplicates of EXISTING."""
    lines = []
    for i in range(140):
        name = ("曾单", "长孙无忌", "重庆", "王伟", "李娜")[i % 5] + str(i)
        phone = (f"138 0013 8{i:03d}", f"+86 139-0000-{i:04d}", "12345", "")[i % 4]
        email = ("", f"U{i}@Example.COM", "not-an-email", f"u{i}@example.com")[i % 4]
        birthday = ("", "1990/5/1", "1990年5月1日", "2999-01-01", "1990-02-30", "19900501")[i % 6]
        gender = ("男", "女", "", "robot")[i % 4] if i % 9 else ""
        kind, company = ("公司", "") if i % 11 == 0 else ("个人", ("", "长城汽车")[i % 2])
        id_number = ("", "11010519491231002X", "11010519491231002A")[i % 3] if i % 7 == 0 else ""
        tags = ("", "VIP，老客户", "重点;VIP", "t" * 60)[i % 4]
        level = ("", "金卡", "银卡", "钻石卡")[i % 4]
        spend = ("", "12.50", "lots", "3")[i % 4]
        notes = "'=SUM(A1)" if i % 13 == 0 else ""
        lines.append(
            f"{name},{kind},{gender},{phone},{email},{id_number},{company},北京,{birthday},"
            f'"{tags}",Model Y,{level},{spend},{notes}\n'
        )
    lines[30] = lines[5]  # an in-file duplicate in another batch
    lines[60] = "老客户,个人,,13900000007,,,,上海,,,,,,\n"  # an existing customer's phone
    lines[61] = "曾单,个人,,13800138003,,,,上海,,,,,,\n"
    return lines


@pytest.fixture
def custom_fields(db):
    CustomField.objects.create(key="car_model", label="车型", field_type="text")
    CustomField.objects.create(
        key="membership", label="会员等级", field_type="choice", choices=["金卡", "银卡", "普通"]
    )
    CustomField.objects.create(key="yearly_spend", label="年消费", field_type="number")


@pytest.fixture
def in_the_process(monkeypatch):
    """Every import of more than 10 rows checks every batch in the second process; the
    batches checked here are counted."""
    monkeypatch.setattr(imports, "PROCESS_MIN_ROWS", 10)
    monkeypatch.setattr(import_checker, "CHECK_HERE_WHILE_STARTING", False)
    here = []
    real = imports.checked_batch

    def counted(*args, **kwargs):
        here.append(args[3])
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "checked_batch", counted)
    return here


def _file(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "".join(_lines()), "utf-8")
    return path


def _existing(user) -> None:
    for name, phone in EXISTING:
        create_customer(user, {"name": name, "phone": phone}, owner=user)


def _import(user, path, on_duplicate=OnDuplicate.SKIP, **kwargs) -> ImportJob:
    job = imports.new_job(user, path, owner=user, on_duplicate=on_duplicate)
    return imports.process(job, batch_size=BATCH, **kwargs)


def _outcome(job: ImportJob) -> dict:
    """What an import leaves, without ids (a report's "#id" named by the customer)."""
    names = dict(Customer.objects.values_list("id", "name"))
    report = import_reports.report_path_for(job.file_path).read_text(encoding="utf-8-sig")
    fields = [*bulk.ROW_FIELDS, "owner_id", "created_by_id"]
    return {
        "job": (job.status, job.next_row, job.imported, job.updated, job.skipped, job.failed),
        "report": re.sub(r"#(\d+)", lambda m: "#" + names[int(m[1])], report),
        "customers": sorted(
            (c[fields[1]], c["phone"], repr(sorted(c.items())))
            for c in Customer.objects.values(*fields)
        ),
        "history": sorted(
            Customer.history.values_list("name", "history_type", "phone", "tag_names")
        ),
        "tags": sorted(Customer.tags.through.objects.values_list("customer__name", "tag__name")),
    }


def _start_over(user) -> None:
    Customer.objects.all().delete()
    Customer.history.all().delete()
    ImportJob.objects.all().delete()
    _existing(user)


pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("on_duplicate", OnDuplicate.values)
def test_checking_in_a_second_process_leaves_what_checking_here_leaves(
    alice, custom_fields, tmp_path, monkeypatch, in_the_process, on_duplicate
):
    path = _file(tmp_path)
    _existing(alice)
    with translation.override("zh-hans"):  # the report's words come from the other process
        checked_there = _outcome(_import(alice, path, on_duplicate))
        assert in_the_process == []  # no batch was checked here
        _start_over(alice)
        monkeypatch.setattr(imports, "PROCESS_MIN_ROWS", 10**9)
        checked_here = _outcome(_import(alice, path, on_duplicate))

    assert len(in_the_process) == 6  # now every batch was
    assert checked_there == checked_here
    status, _next, imported, updated, skipped, failed = checked_here["job"]
    assert status == "done" and imported > 30 and failed > 30
    assert updated == {"skip": 0, "update": 2, "create": 0}[on_duplicate]
    # Under "skip", the two existing customers and the file's own repeats of new ones.
    assert (skipped > 2) if on_duplicate == "skip" else (skipped == 0)
    assert "日历上没有这一天" in checked_here["report"]  # "There is no such day", in Chinese


def test_a_dry_run_checks_in_the_second_process_too(alice, custom_fields, tmp_path, in_the_process):
    job = _import(alice, _file(tmp_path), dry_run=True)

    assert in_the_process == [] and Customer.objects.count() == 0
    assert (job.status, job.next_row) == ("checked", 140)
    assert job.imported + job.skipped + job.failed == 140 and job.failed > 10


def test_a_checking_process_that_dies_stops_the_job_with_the_waiting_batch_unwritten(
    alice, custom_fields, tmp_path, in_the_process
):
    path = _file(tmp_path)

    def kill_the_checker(job):
        if job.next_row == BATCH:  # after the first batch: the worker has the next ones
            for child in multiprocessing.active_children():
                child.kill()

    with pytest.raises(Exception, match="terminated abruptly|not usable anymore") as error:
        _import(alice, path, progress=kill_the_checker)

    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED and str(error.value)[:50] in job.error
    assert job.next_row % BATCH == 0 and BATCH <= job.next_row < 140
    written = job.imported + job.skipped + job.failed
    assert written == job.next_row and Customer.objects.count() == job.imported
    assert Customer.history.count() == job.imported
    report = import_reports.report_path_for(path).read_text(encoding="utf-8-sig").splitlines()[1:]
    assert report and all(int(line.split(",")[0]) < job.next_row + 2 for line in report)

    resumed = imports.process(job, resume=True, batch_size=BATCH)  # continues, checking here

    assert (resumed.status, resumed.next_row) == ("done", 140)
    assert resumed.imported == Customer.objects.count() == Customer.history.count()


def test_a_checking_process_that_cannot_start_leaves_the_checking_here(
    alice, custom_fields, tmp_path, in_the_process, monkeypatch, caplog
):
    def no_processes(*args, **kwargs):
        raise OSError("no more processes")

    monkeypatch.setattr(import_checker, "ProcessPoolExecutor", no_processes)

    job = _import(alice, _file(tmp_path))

    assert job.status == "done" and len(in_the_process) == 6
    assert "cannot start (no more processes)" in caplog.text


def test_a_checking_process_that_fails_to_set_up_leaves_the_checking_here(
    alice, custom_fields, tmp_path, in_the_process, monkeypatch, caplog
):
    real = import_checker._setup

    def broken(*args):
        setup = real(*args)
        setup["definitions"][0]["no_such_field"] = 1  # CustomField() refuses it over there
        return setup

    monkeypatch.setattr(import_checker, "_setup", broken)

    job = _import(alice, _file(tmp_path))

    assert job.status == "done" and len(in_the_process) == 6
    assert "did not start" in caplog.text


@pytest.mark.django_db(transaction=False)
def test_an_import_inside_the_callers_transaction_checks_here(
    alice, tmp_path, in_the_process, monkeypatch
):
    monkeypatch.setattr(import_checker, "start", lambda *a: pytest.fail("started a process"))

    assert connection.in_atomic_block
    job = _import(alice, _file(tmp_path))

    assert job.status == "done" and len(in_the_process) == 6
