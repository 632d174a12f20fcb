"""The commands speak the configured language (LANGUAGE_CODE, Chinese by default), all of what
they print, not only the row reasons of an import."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guanxi.customers.models_import import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def _run(*args) -> str:
    out = io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=io.StringIO())
    except SystemExit:
        pass
    return out.getvalue()


def test_an_import_says_its_job_counts_and_report_in_chinese(alice, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("姓名,手机\n王伟,13800138000\n李娜,12345\n", encoding="utf-8")

    lines = _run("import", "customers", str(path), "--owner", "alice").splitlines()

    job = ImportJob.objects.get()
    assert lines[0] == f"任务 {job.pk}：正在导入 2 行…"
    assert lines[1] == f"已导入 1，更新 0，跳过 0，失败 1  （任务 {job.pk}）"
    assert lines[2] == f"报告：{job.report_path}"
    assert lines[3].startswith("  手机：1 行：")


def test_an_export_says_what_it_wrote_in_chinese(alice, alices_customer, tmp_path):
    path = tmp_path / "c.csv"
    assert _run("export", "customers", str(path), "--user", "alice") == (
        f"已导出 1 个客户到 {path}\n"
    )


def test_an_unknown_user_is_said_in_chinese(db):
    with pytest.raises(CommandError, match="没有名为“nobody”的用户。"):
        _run("access-log", "--user", "nobody")


def test_a_bad_date_is_said_in_chinese(db):
    with pytest.raises(CommandError, match="--since：请按 YYYY-MM-DD 输入日期"):
        _run("access-log", "--since", "2026-02-30")


def test_the_demo_says_what_it_loaded_in_chinese(db):
    out = _run("demo", "--customers", "0")
    assert "已载入演示公司：0 个客户、0 位联系人、" in out
    assert "演示账号（密码均为：" in out
