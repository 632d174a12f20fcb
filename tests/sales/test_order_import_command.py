"""`guanxi import orders FILE`: its job's number, Ctrl-C, the options it does not take, and its
--help listing the order file's columns."""

import io

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.utils import translation

from guanxi.customers import import_commands
from guanxi.customers.models_import import ImportJob
from guanxi.sales import order_imports
from guanxi.sales.models import Order

pytestmark = pytest.mark.django_db

FILE = (
    "订单号,客户电话,订单日期,SKU,数量\n"
    "SO-1,13800138000,2025-03-01,TEA-001,2\n"
    "SO-2,13800138000,2025-03-02,TEA-001,1\n"
    "SO-3,13800138000,2025-03-03,TEA-001,1\n"
)


@pytest.fixture
def orders_file(tmp_path, alices_customer, tea):
    path = tmp_path / "orders.csv"
    path.write_text(FILE, encoding="utf-8")
    return path


def run(path, *args) -> str:
    out = io.StringIO()
    call_command("import", "orders", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_jobs_number_is_printed_first(alice, orders_file):
    out = run(orders_file, "--owner", "alice")
    job = ImportJob.objects.get()
    assert out.splitlines()[0] == f"Job {job.pk}: importing 3 rows…"
    assert f"imported 3 orders (3 lines), failed 0 orders (0 lines)  (job {job.pk})" in out


def test_ctrl_c_stops_with_exit_130_and_the_command_that_continues(alice, orders_file, monkeypatch):
    def interrupt(self, job):
        raise KeyboardInterrupt

    monkeypatch.setattr(import_commands.Progress, "__call__", interrupt)
    with pytest.raises(CommandError) as stopped:
        run(orders_file, "--owner", "alice", "--batch-size", "1")
    job = ImportJob.objects.get()
    assert stopped.value.returncode == 130
    assert str(stopped.value).endswith(f"guanxi import orders {orders_file} --resume {job.pk}")
    assert (job.status, Order.objects.count()) == ("failed", 1)

    monkeypatch.undo()
    run(orders_file, "--resume", str(job.pk), "--batch-size", "1")
    assert Order.objects.count() == 3


@pytest.mark.parametrize("option", ["--on-duplicate", "--mapping"])
def test_an_option_orders_do_not_take_is_refused(alice, orders_file, option):
    value = "update" if option == "--on-duplicate" else "old-crm"
    with pytest.raises(CommandError, match=f"import orders takes no {option}"):
        run(orders_file, "--owner", "alice", option, value)
    assert not ImportJob.objects.exists()


def test_the_import_help_lists_every_column_of_an_order_file():
    command = load_command_class("guanxi.customers", "import")
    text = command.create_parser("guanxi", "import").format_help()
    with translation.override("en"):
        labels = [order_imports.column_label(t) for t in order_imports.COLUMNS]
    missing = [label for label in labels if label.lower() not in text.lower()]
    assert missing == []
