"""A totals row at the bottom of a sheet ("合计 | 共20人") is no customer: skipped, with a report
line saying why; a customer whose name merely starts with 合计 is imported."""

import pytest

from guanxi.customers import import_fixes, import_reports, imports
from guanxi.customers.models import Customer

pytestmark = pytest.mark.django_db

REASON = "Looks like a totals row; not imported."


def _run(user, tmp_path, text: str, **options):
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    job = imports.new_job(user, path, owner=user, **options)
    imports.process(job, dry_run=options.pop("dry_run", False))
    return job, import_reports.read_report(job)


def test_a_totals_row_under_the_customers_is_skipped_with_its_reason(alice, tmp_path):
    text = "序号,客户名称,手机\n1,王伟,13800138000\n2,李娜,13912345678\n合计,共2人,\n"

    job, report = _run(alice, tmp_path, text)

    assert (job.imported, job.skipped, job.failed) == (2, 1, 0)
    assert report == [["4", "客户名称", "共2人", REASON]]
    assert not Customer.objects.filter(name="共2人").exists()


def test_a_dry_run_counts_the_totals_row_as_skipped(alice, tmp_path):
    text = "客户名称,手机\n王伟,13800138000\n总计：1,\n"
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    job = imports.new_job(alice, path, owner=alice)

    imports.process(job, dry_run=True)

    assert (job.imported, job.skipped, job.failed) == (1, 1, 0)


@pytest.mark.parametrize(
    "last",
    ["Total,,", "合计：,,", "小计,3,", ",合计 3 家,", "SUM,,", "共计,,"],
)
def test_the_usual_ways_of_writing_a_total_are_recognised(alice, tmp_path, last):
    text = f"客户名称,手机,备注\n王伟,13800138000,\n{last}\n"

    job, _report = _run(alice, tmp_path, text)

    assert (job.imported, job.skipped) == (1, 1)


def test_a_customer_whose_name_starts_with_a_total_word_is_imported(alice, tmp_path):
    text = "客户名称,手机\n王伟,13800138000\n合计科技有限公司,13912345678\n"

    job, report = _run(alice, tmp_path, text)

    assert (job.imported, job.skipped) == (2, 0)
    assert Customer.objects.filter(name="合计科技有限公司").exists()


def test_a_total_word_above_the_last_rows_is_no_totals_row(alice, tmp_path):
    text = "客户名称,备注\n合计,\n王伟,\n"

    job, _report = _run(alice, tmp_path, text)

    assert (job.imported, job.skipped) == (2, 0)


def test_a_named_customer_in_the_last_row_whose_note_says_total_is_imported(alice, tmp_path):
    text = "客户名称,备注\n王伟,合计\n"

    job, _report = _run(alice, tmp_path, text)

    assert (job.imported, job.skipped) == (1, 0)


def test_a_skipped_totals_row_is_no_row_to_fix(alice, tmp_path):
    job, _report = _run(alice, tmp_path, "客户名称\n王伟\n合计\n")

    assert import_fixes.failed_rows(job) == {}
