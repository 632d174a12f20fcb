"""Import of historical orders from CSV/XLSX: whole orders or nothing, a row-by-row report,
the page (upload → dry run → import), the command and its exit codes."""

import csv
import datetime as dt
from decimal import Decimal

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from guanxi.sales import order_imports
from guanxi.sales.models import Order, OrderLine
from guanxi.sales.queries import customer_value
from tests.conftest import login

HEADER = "订单号,客户电话,客户,订单日期,状态,渠道,门店,应付日期,付款日期,SKU,数量,单价,折扣\n"


def _write(tmp_path, text: str, name: str = "orders.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _run(user, path, *, dry_run=False):
    job = order_imports.new_job(user, path)
    return job, order_imports.process(job, dry_run=dry_run)


def _report(job) -> list[dict]:
    with open(job.report_path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _errors(job) -> list[tuple[str, str, str]]:
    """(row, column, reason) of the report, without the "not imported" lines of other rows."""
    return [
        (r["row"], r["column"], r["reason"])
        for r in _report(job)
        if not r["reason"].startswith("Not imported")
    ]


@pytest.fixture
def good_file(tmp_path, alices_customer, tea, cups):
    return _write(
        tmp_path,
        HEADER
        + "SO-H1,13800138000,,2025-03-01,已付款,门店,天河店,2025-03-31,2025-03-05,TEA-001,2,120,\n"
        + "SO-H1,,,,,,,,,CUP-006,1,,10\n"
        + "SO-H2,,王伟,2025/4/2,confirmed,online,,,,TEA-001,1,128.50,\n",
    )


def test_orders_are_imported_whole_with_their_lines_and_totals(alice, good_file, tea, cups):
    job, outcome = _run(alice, good_file)
    assert (outcome.orders, outcome.lines, outcome.failed) == (2, 3, 0)
    first = Order.objects.get(number="SO-H1")
    assert (first.status, first.channel, first.store) == ("paid", "store", "天河店")
    assert (first.order_date, first.paid_date) == (dt.date(2025, 3, 1), dt.date(2025, 3, 5))
    assert first.owner == alice and first.created_by == alice
    assert [(line.product, line.unit_price) for line in first.lines.all()] == [
        (tea, Decimal("120.00")),
        (cups, Decimal("59.90")),  # empty price: the list price
    ]
    assert first.total == Decimal("240.00") + Decimal("53.91")  # 59.90 − 10 %
    assert Order.objects.get(number="SO-H2").total == Decimal("128.50")
    assert (job.status, job.imported, job.failed, job.next_row) == ("done", 2, 0, 3)


def test_imported_confirmed_and_paid_orders_are_the_purchase_history(
    alice, good_file, alices_customer
):
    _run(alice, good_file)
    value = customer_value(alices_customer)
    assert value["order_count"] == 2
    assert value["total_spend"] == Decimal("293.91") + Decimal("128.50")


def test_a_dry_run_reports_and_writes_nothing(alice, good_file):
    job, outcome = _run(alice, good_file, dry_run=True)
    assert (outcome.orders, job.status) == (2, "checked")
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ("13800138000,,2025-03-01,,,,,,NOPE-1,1,,", "SKU", "Unknown SKU."),
        (
            "13800138000,,2025-03-01,,,,,,TEA-001,-2,,",
            "数量",
            "The quantity must be more than zero.",
        ),
        (
            "13800138000,,2025-13-45,,,,,,TEA-001,1,,",
            "订单日期",
            "There is no such day in the calendar.",
        ),
        (
            "13900000000,,2025-03-01,,,,,,TEA-001,1,,",
            "客户电话",
            "No customer you may edit has this customer phone.",
        ),
    ],
)
def test_a_bad_row_is_reported_with_row_and_column_and_its_order_is_not_written(
    alice, tmp_path, alices_customer, tea, cups, cells, column, reason
):
    path = _write(
        tmp_path,
        HEADER
        + f"SO-1,{cells}\n"
        + "SO-1,,,,,,,,,CUP-006,1,,\n"
        + "SO-2,13800138000,,2025-03-02,,,,,,TEA-001,1,,\n",
    )
    job, outcome = _run(alice, path)
    assert _errors(job) == [("2", column, reason)]
    assert [r["row"] for r in _report(job) if r["reason"].startswith("Not imported")] == ["3"]
    assert (outcome.orders, outcome.failed) == (1, 1)
    assert list(Order.objects.values_list("number", flat=True)) == ["SO-2"]
    assert OrderLine.objects.count() == 1


def test_another_reps_customer_is_refused_like_an_unknown_one(
    alice, tmp_path, charlies_customer, tea
):
    path = _write(
        tmp_path,
        "order number,customer id,order date,sku,quantity\n"
        f"X-1,{charlies_customer.pk},2025-01-01,TEA-001,1\n",
    )
    job, outcome = _run(alice, path)
    assert _errors(job) == [("2", "customer id", "No customer you may edit has this customer id.")]
    assert outcome.orders == 0 and not Order.objects.exists()


def test_a_manager_imports_for_the_teams_customers(mike, tmp_path, alices_customer, tea):
    path = _write(
        tmp_path,
        f"customer id,order date,sku,quantity\n{alices_customer.pk},2025-01-01,TEA-001,3\n",
    )
    _job, outcome = _run(mike, path)
    order = Order.objects.get()
    assert outcome.orders == 1 and order.status == "confirmed"
    assert order.number.startswith("IMP")  # no number in the file: one is made up


def test_an_existing_order_number_and_a_header_that_changes_are_refused(
    alice, tmp_path, good_file, tea
):
    _run(alice, good_file)
    path = _write(
        tmp_path,
        HEADER
        + "SO-H1,13800138000,,2025-03-01,,,,,,TEA-001,1,,\n"
        + "SO-3,13800138000,,2025-03-01,,,,,,TEA-001,1,,\n"
        + "SO-3,13800138000,,2025-03-09,,,,,,TEA-001,1,,\n",
        name="again.csv",
    )
    job, outcome = _run(alice, path)
    assert _errors(job) == [
        ("2", "订单号", "An order with this number already exists."),
        ("4", "订单日期", "Differs from row 3, the first row of this order."),
    ]
    assert outcome.orders == 0 and Order.objects.count() == 2


def test_a_gbk_csv_from_chinese_excel_is_read(alice, tmp_path, alices_customer, tea):
    path = _write(
        tmp_path,
        "订单号,客户,订单日期,状态,SKU,数量\r\nGBK-1,王伟,2025年5月1日,已确认,TEA-001,2\r\n",
        encoding="gbk",
    )
    _job, outcome = _run(alice, path)
    assert outcome.orders == 1
    assert Order.objects.get(number="GBK-1").status == "confirmed"


def test_an_xlsx_workbook_is_read(alice, tmp_path, alices_customer, tea):
    path = tmp_path / "orders.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, header in enumerate(["订单号", "客户电话", "订单日期", "SKU", "数量", "单价"]):
        sheet.write(0, col, header)
    sheet.write(1, 0, "XL-1")
    sheet.write(1, 1, "13800138000")
    sheet.write_datetime(1, 2, dt.datetime(2025, 6, 1), date_format)
    sheet.write(1, 3, "TEA-001")
    sheet.write_number(1, 4, 2)
    sheet.write_number(1, 5, 99.5)
    book.close()
    _job, outcome = _run(alice, path)
    order = Order.objects.get(number="XL-1")
    assert outcome.orders == 1 and order.order_date == dt.date(2025, 6, 1)
    assert order.total == Decimal("199.00")


def test_a_title_row_above_an_orders_header_is_skipped(alice, tmp_path, alices_customer, tea):
    path = _write(
        tmp_path,
        "天河店 2025 年订单,,,,\n"
        "订单号,客户电话,订单日期,SKU,数量\n"
        "T-1,13800138000,2025-03-01,TEA-001,2\n"
        "T-2,13800138000,2025-03-02,NO-SUCH-SKU,1\n",
    )
    job, outcome = _run(alice, path)
    assert outcome.orders == 1 and Order.objects.filter(number="T-1").exists()
    assert [(row, column) for row, column, _reason in _errors(job)] == [("4", "SKU")]


def test_an_empty_file_is_refused(alice, tmp_path):
    with pytest.raises(order_imports.OrderImportError, match="The file is empty."):
        order_imports.new_job(alice, _write(tmp_path, ""))


def test_a_header_without_lines_is_refused(alice, tmp_path):
    with pytest.raises(order_imports.OrderImportError, match="no order lines"):
        order_imports.new_job(alice, _write(tmp_path, HEADER))


def test_a_missing_header_names_the_missing_columns(alice, tmp_path):
    path = _write(tmp_path, "订单号,日期,数量\nA,2025-01-01,1\n")
    with pytest.raises(order_imports.OrderImportError) as caught:
        order_imports.new_job(alice, path)
    assert "customer, SKU" in str(caught.value)


# --- the command ---------------------------------------------------------------------------------


def test_the_command_imports_and_prints_the_counts(alice, good_file, capsys):
    call_command("import", "orders", str(good_file), "--owner", "alice")
    out = capsys.readouterr().out
    assert "imported 2 orders (3 lines), failed 0 orders" in out
    assert Order.objects.filter(owner=alice).count() == 2


def test_the_command_writes_the_report_beside_the_file_and_exits_1_when_nothing_imports(
    alice, tmp_path, tea, capsys
):
    path = _write(tmp_path, HEADER + "B-1,13900000000,,2025-03-01,,,,,,TEA-001,1,,\n")
    with pytest.raises(SystemExit) as exited:
        call_command("import", "orders", str(path), "--owner", "alice")
    assert exited.value.code == 1
    assert f"report: {path}.errors.csv" in capsys.readouterr().out
    assert (tmp_path / "orders.csv.errors.csv").exists()


def test_the_command_dry_run_writes_nothing(alice, good_file, capsys):
    call_command("import_orders", str(good_file), "--owner", "alice", "--dry-run")
    assert "would import 2 orders" in capsys.readouterr().out
    assert not Order.objects.exists()


def test_the_command_refuses_an_unreadable_file_with_an_error(alice, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="The file is empty."):
        call_command("import", "orders", str(_write(tmp_path, "")), "--owner", "alice")


# --- the page ------------------------------------------------------------------------------------


def test_the_order_list_links_to_the_import(client, alice):
    page = login(client, alice).get(reverse("sales:orders"))
    assert reverse("sales:order_import") in page.content.decode()


def test_the_page_uploads_checks_then_imports(
    client, alice, alices_customer, tea, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    login(client, alice)
    text = (
        HEADER
        + "P-1,13800138000,,2025-03-01,,,,,,TEA-001,1,,\nP-2,13800138000,,bad,,,,,,TEA-001,1,,\n"
    )
    upload = SimpleUploadedFile("history.csv", text.encode(), content_type="text/csv")
    response = client.post(reverse("sales:order_import"), {"file": upload})
    job = order_imports.jobs_for(alice).get()
    assert response.url == reverse("sales:order_import_job", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert "Enter a date as YYYY-MM-DD." in page and 'id="import-now"' in page
    assert not Order.objects.exists()
    report = client.get(reverse("sales:order_import_report", args=[job.pk]))
    assert b"".join(report.streaming_content).decode("utf-8-sig").startswith("row,column,value")
    client.post(reverse("sales:order_import_run", args=[job.pk]))
    assert list(Order.objects.values_list("number", flat=True)) == ["P-1"]
    job.refresh_from_db()
    assert (job.status, job.imported, job.failed) == ("done", 1, 1)


def test_the_job_page_sums_up_the_report_by_column(client, alice, alices_customer, tea, tmp_path):
    path = _write(
        tmp_path,
        HEADER
        + "P-1,13800138000,,bad,,,,,,TEA-001,1,,\n"
        + "P-2,13800138000,,2025-13-01,,,,,,TEA-001,1,,\n",
    )
    job, _outcome = _run(alice, path, dry_run=True)
    page = login(client, alice).get(reverse("sales:order_import_job", args=[job.pk])).text
    table = page[page.index("Why rows failed, by column") : page.index("Rows not imported")]
    assert ">订单日期</td>" in table
    assert '<td class="text-end">2</td>' in table
    assert "change the mapping" not in table  # an order import has no mapping step


def test_the_page_refuses_a_file_without_the_required_columns(client, alice, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    upload = SimpleUploadedFile("x.csv", b"name,phone\nA,1\n", content_type="text/csv")
    response = login(client, alice).post(reverse("sales:order_import"), {"file": upload})
    assert response.status_code == 400
    assert "The header row lacks these columns" in response.content.decode()


def test_another_user_cannot_open_an_import_job(client, alice, bob, good_file):
    job = order_imports.new_job(alice, good_file)
    assert (
        login(client, bob).get(reverse("sales:order_import_job", args=[job.pk])).status_code == 404
    )


def test_the_analyst_cannot_import(client, nina):
    assert login(client, nina).get(reverse("sales:order_import")).status_code == 403


def test_a_bad_second_line_keeps_the_whole_order_out(alice, tmp_path, alices_customer, tea):
    path = _write(
        tmp_path,
        HEADER + "SO-9,13800138000,,2025-03-01,,,,,,TEA-001,1,,\n" + "SO-9,,,,,,,,,TEA-001,-1,,\n",
    )
    job, outcome = _run(alice, path)
    assert _report(job) == [
        {
            "row": "2",
            "column": "",
            "value": "",
            "reason": "Not imported: row 3 of the same order has an error.",
        },
        {
            "row": "3",
            "column": "数量",
            "value": "'-1",  # formula-like cells are defused in the report
            "reason": "The quantity must be more than zero.",
        },
    ]
    assert outcome.failed == 1 and not Order.objects.exists() and not OrderLine.objects.exists()


def test_small_batches_keep_every_order_whole(alice, good_file):
    job = order_imports.new_job(alice, good_file)
    outcome = order_imports.process(job, batch_lines=1)
    assert (outcome.orders, outcome.lines) == (2, 3)
    assert [o.lines.count() for o in Order.objects.order_by("number")] == [2, 1]


def test_a_resumed_job_skips_the_batches_already_committed(alice, good_file):
    job = order_imports.new_job(alice, good_file)
    order_imports.process(job, batch_lines=1)
    job.status = "failed"  # as if it had stopped after its last batch
    job.save()
    outcome = order_imports.process(job, resume=True, batch_lines=1)
    assert outcome.orders == 0 and Order.objects.count() == 2


def test_a_batch_that_fails_to_write_stops_the_job_after_the_last_batch_written(
    alice, good_file, monkeypatch
):
    from django.db import DatabaseError

    real = order_imports._Batch.write

    def full_at_the_second_order(self, orders):
        if any(o.key == "SO-H2" for o in orders):
            raise DatabaseError("the disk is full")
        return real(self, orders)

    monkeypatch.setattr(order_imports._Batch, "write", full_at_the_second_order)
    job = order_imports.new_job(alice, good_file)

    with pytest.raises(DatabaseError):
        order_imports.process(job, batch_lines=1)  # an order a batch

    job.refresh_from_db()
    assert (job.status, job.next_row, job.imported, job.error) == (
        "failed",
        2,
        1,
        "the disk is full",
    )
    assert list(Order.objects.values_list("number", flat=True)) == ["SO-H1"]
