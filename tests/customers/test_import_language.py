"""A background import writes its report in the language of whoever queued it: the worker has
no request to take a language from."""

import csv
import io

import pytest
from django.core.management import call_command
from django.utils import translation

from guanxi.customers import tasks
from guanxi.customers.models_import import ImportJob

PHONE_MESSAGE_ZH = (
    "请输入有效的电话号码：手机号（如 13800138000）、带区号的固定电话（如 020-87654321）"
    "或带国家/地区代码的号码（如 +852 9123 4567）。"
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(alice, tmp_path) -> ImportJob:
    """A checked job of a good row and one with a bad phone (the command runs in English)."""
    path = tmp_path / "c.csv"
    path.write_text("姓名,手机\n李娜,13800138000\n王伟,12345\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import", "customers", str(path), "--owner", "alice", "--dry-run", stdout=out)
    return ImportJob.objects.get()


def _report(job: ImportJob) -> list[list[str]]:
    with open(job.report_path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_queuing_keeps_the_language_of_who_queued(job):
    with translation.override("zh-hans"):
        job.mark_queued(fresh=True)

    assert ImportJob.objects.get().language == "zh-hans"


def test_the_worker_writes_the_report_in_the_queuers_language(job):
    with translation.override("zh-hans"):
        job.mark_queued(fresh=True)

    tasks.run_import_job(job.pk, dry_run=True)  # run here in English

    header, line = _report(job)
    assert header == ["行", "列", "值", "原因"]
    assert line[3] == PHONE_MESSAGE_ZH
