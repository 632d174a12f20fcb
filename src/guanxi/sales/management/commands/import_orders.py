"""`guanxi import orders FILE [--owner USER] [--user USER] [--dry-run] [--resume JOB]`: import
(or check) historical orders from a CSV/XLSX file; the error report goes beside the file. Exits
non-zero when no order was imported (or would be, in a dry run)."""

import sys

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.customers.import_commands import (
    HelpFormatter,
    ImportErrors,
    Progress,
    acting_users,
    announce,
    file_option,
    number,
    resumable_job,
    write_report,
)
from guanxi.customers.models_import import ImportJob
from guanxi.sales import order_imports
from guanxi.sales.order_import_columns import ignored_columns

#: The order file's columns (order_imports.COLUMNS), as `guanxi import --help`, this command's
#: help and the README list them; the page's import form has the same table.
COLUMNS_HELP = """\
orders: one row per order line under a header row; headers in Chinese or English:
  订单号 / order number: optional, unique; the rows with one number are the
    lines of one order, a row without a number is an order of its own
  客户ID / customer id, 客户电话 / customer phone, 客户 / customer: one of
    them: the customer's id, mobile phone or exact (unique) name, among the
    customers the user may edit
  订单日期 / order date: required (2026-03-01, 2026/3/1 or 2026年3月1日)
  SKU, 数量 / quantity: required on every row: a known product's SKU, a
    quantity above zero
  状态 / status: draft, confirmed, paid, shipped, cancelled, refunded (or
    已确认, 已付款…); empty: paid when a payment date is given, else confirmed
  渠道 / channel: store, online, phone, wechat, sales_rep, distributor, other
    (or 门店, 线上…)
  门店 / store: the store's name
  应付日期 / payment due, 付款日期 / paid on: optional, not before the order
    date; a paid or refunded order needs its payment date
  币种 / currency: optional three-letter code (default: DEFAULT_CURRENCY)
  单价 / unit price, 折扣 / discount %, 税率 / tax rate %: optional; no price
    takes the product's list price; discount and tax in percent (0-100)
  备注 / notes: optional
An order is imported whole or not at all; an order number already imported is
  an error of its rows."""


class Command(BaseCommand):
    help = (
        "Import historical orders from a CSV or XLSX file (prints the job's number, then the "
        "orders imported and failed; the error report goes beside FILE)."
    )
    COLUMNS_HELP = COLUMNS_HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, epilog=COLUMNS_HELP, **kwargs)
        parser.formatter_class = HelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument("--owner", help="username owning the imported orders")
        parser.add_argument(
            "--user",
            help="username acting: only customers they may edit are accepted "
            "(default: the owner, else the first admin)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--resume",
            type=int,
            metavar="JOB",
            help="continue job JOB, stopped by an error or Ctrl-C (the same FILE)",
        )
        parser.add_argument("--batch-size", type=int, default=order_imports.BATCH_LINES)

    def handle(self, *args, **options):
        errors = ImportErrors(
            order_imports.OrderImportError,
            what="orders",
            file=options["file"],
            dry_run=options["dry_run"],
        )
        with errors:
            errors.job = job = self._job(options)
            announce(self.stdout, job, resume=bool(options["resume"]), dry_run=options["dry_run"])
            outcome = order_imports.process(
                job,
                dry_run=options["dry_run"],
                resume=bool(options["resume"]),
                batch_lines=options["batch_size"] or order_imports.BATCH_LINES,
                progress=Progress(self.stderr, 5 * order_imports.BATCH_LINES),
            )
        values = {
            "orders": _orders(outcome.orders),
            "lines": _lines(outcome.lines),
            "failed": _orders(outcome.failed),
            "failed_lines": _lines(outcome.failed_lines),
            "job": job.pk,
        }
        if options["dry_run"]:
            line = _(
                "would import %(orders)s (%(lines)s), failed %(failed)s (%(failed_lines)s)  "
                "(job %(job)s)"
            )
        else:
            line = _(
                "imported %(orders)s (%(lines)s), failed %(failed)s (%(failed_lines)s)  "
                "(job %(job)s)"
            )
        self.stdout.write(line % values)
        write_report(self.stdout, job, ignored_columns(job))
        if not outcome.orders:
            sys.exit(1)

    def _job(self, options) -> ImportJob:
        if options["resume"]:
            return resumable_job(
                options, order_imports.KIND, _("There is no order import job %(job)s.")
            )
        user, owner = acting_users(options)
        return order_imports.new_job(user, file_option(options), owner=owner)


def _orders(n: int) -> str:
    return ngettext("%(n)s order", "%(n)s orders", n) % {"n": number(n)}


def _lines(n: int) -> str:
    return ngettext("%(n)s line", "%(n)s lines", n) % {"n": number(n)}
