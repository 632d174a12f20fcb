"""Import historical orders from CSV and XLSX files, with a row-by-row error report.

The file handling is the customer import's (customers.import_tables, import_reports): reading CSV in UTF-8, UTF-16 or
GBK/GB18030 and XLSX through python-calamine, the upload, the ImportJob that records progress
(kind "orders") and the report (row, column, value, reason) written beside the file. What is
specific to orders lives here.

The file has one row per order line and a header row; the headers are recognised in Chinese or
English (see COLUMNS). Rows with the same order number are the lines of one order; a row
without a number is an order of its own. The order's header (customer, dates, status, channel,
store, currency) comes from its first row; a later row of the same order that says otherwise
is an error.

The customer is found, among the customers the importing user may edit, by the first of these
columns that is filled in: ``customer id`` (the number in the customer's address), ``customer
phone`` (the mobile phone on the card) or ``customer`` (the exact name, which must be unique).
A customer the user may not edit is reported exactly like one that does not exist.

An order is written whole or not at all: every row of it is checked first, and one bad row
keeps the whole order out (its other rows are listed as "not imported"). Orders are written in
batches, each one transaction with the job's progress, using bulk inserts; a stopped job
continues after its last committed batch.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache, partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.core.phones import normalize_phone
from guanxi.customers import import_mapping, import_reports, import_rows, import_tables, imports
from guanxi.customers.models import Customer
from guanxi.customers.models_import import ImportJob
from guanxi.sales import services
from guanxi.sales.models import Order, OrderLine, Product
from guanxi.sales.pricing import document_totals, line_amounts

KIND = "orders"
BATCH_LINES = 5000  # rows per transaction (whole orders: a batch may run a little over)
IN_CHUNK = 900  # values per IN (...) list, under SQLite's parameter limit
NUMBER_LENGTH = Order._meta.get_field("number").max_length
STORE_LENGTH = Order._meta.get_field("store").max_length
NOTES_LENGTH = 5000
MAX_QUANTITY = Decimal("999999999.999")
MAX_MONEY = Decimal("999999999999.99")

# target: words a header may use (compared without spaces, punctuation or case).
COLUMNS = {
    "number": "订单号 订单编号 单号 订单 ordernumber orderno order number no",
    "customer_id": "客户id 客户编号 customerid custid",
    "customer_phone": "客户电话 客户手机 手机 手机号 电话 customerphone phone mobile",
    "customer": "客户 客户名称 客户姓名 customer customername",
    "order_date": "订单日期 下单日期 日期 orderdate date",
    "status": "状态 订单状态 status orderstatus",
    "channel": "渠道 销售渠道 channel",
    "store": "门店 店铺 store shop",
    "due_date": "应付日期 付款期限 到期日 账期 duedate paymentdue due",
    "paid_date": "付款日期 支付日期 paiddate paidon paid",
    "currency": "币种 货币 currency",
    "sku": "sku 产品编码 商品编码 货号 产品编号 productcode",
    "quantity": "数量 qty quantity",
    "unit_price": "单价 unitprice price",
    "discount": "折扣 折扣率 discount discountpercent",
    "tax_rate": "税率 taxrate tax",
    "notes": "备注 notes note remark",
}
HEADER_FIELDS = (
    "number",
    "customer_id",
    "customer_phone",
    "customer",
    "order_date",
    "status",
    "channel",
    "store",
    "due_date",
    "paid_date",
    "currency",
    "notes",
)
CUSTOMER_COLUMNS = ("customer_id", "customer_phone", "customer")
STATUS_WORDS = {
    "草稿": "draft",
    "确认": "confirmed",
    "已确认": "confirmed",
    "已下单": "confirmed",
    "付款": "paid",
    "已付款": "paid",
    "已支付": "paid",
    "已付": "paid",
    "发货": "shipped",
    "已发货": "shipped",
    "取消": "cancelled",
    "已取消": "cancelled",
    "canceled": "cancelled",
    "退款": "refunded",
    "已退款": "refunded",
}
CHANNEL_WORDS = {
    "门店": "store",
    "实体店": "store",
    "线上": "online",
    "网店": "online",
    "电商": "online",
    "电话": "phone",
    "微信": "wechat",
    "销售代表": "sales_rep",
    "业务员": "sales_rep",
    "经销商": "distributor",
    "分销商": "distributor",
    "其他": "other",
}


class OrderImportError(import_tables.ImportFileError):
    """The file as a whole cannot be imported (unreadable, empty, a required column missing)."""


# --- columns --------------------------------------------------------------------------------


def column_label(target: str) -> str:
    labels = {
        "number": _("order number"),
        "customer_id": _("customer id"),
        "customer_phone": _("customer phone"),
        "customer": _("customer"),
        "order_date": _("order date"),
        "status": _("status"),
        "channel": _("channel"),
        "store": _("store"),
        "due_date": _("payment due"),
        "paid_date": _("paid on"),
        "currency": _("currency"),
        "sku": _("SKU"),
        "quantity": _("quantity"),
        "unit_price": _("unit price"),
        "discount": _("discount %"),
        "tax_rate": _("tax rate %"),
        "notes": _("notes"),
    }
    return str(labels[target])


@cache
def _column_index() -> dict[str, str]:
    """{header's key: target}: COLUMNS' words and each column's label in both languages."""
    index: dict[str, str] = {}
    for target, words in COLUMNS.items():
        for word in words.split():
            index.setdefault(import_mapping.header_key(word), target)
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for target in COLUMNS:
                index.setdefault(import_mapping.header_key(column_label(target)), target)
    return index


def _named_columns(headers: list[str]) -> dict[str, int]:
    """{target: column index} of the headers that name a column; the first one wins."""
    index = _column_index()
    found: dict[str, int] = {}
    for position, header in enumerate(headers):
        target = index.get(import_mapping.header_key(header))
        if target and target not in found:
            found[target] = position
    return found


def map_columns(headers: list[str]) -> dict[str, int]:
    """{target: column index} from the header row; the first column naming a target wins.

    Raises OrderImportError naming the missing required columns (order date, SKU, quantity and
    one customer column)."""
    found = _named_columns(headers)
    missing = [t for t in ("order_date", "sku", "quantity") if t not in found]
    if not any(t in found for t in CUSTOMER_COLUMNS):
        missing.insert(0, "customer")
    if missing:
        raise OrderImportError(
            _("The header row lacks these columns: %(columns)s. See the column list on the page.")
            % {"columns": ", ".join(column_label(t) for t in missing)}
        )
    return found


def read_orders_table(path: str | Path) -> import_tables.Table:
    try:
        return import_tables.read_table(
            path,
            no_rows=_("The file has a header row but no order lines."),
            names=lambda texts: len(_named_columns(texts)),
        )
    except import_tables.ImportFileError as exc:
        raise OrderImportError(str(exc)) from None


# --- parsing cells --------------------------------------------------------------------------


class _Cells:
    """Cell parsers with memories: a history file repeats the same dates, SKUs and customers
    thousands of times, so each distinct text is parsed once."""

    def __init__(self):
        self.dates: dict[str, dt.date | str] = {}
        self.numbers: dict[str, Decimal | None] = {}
        self.phones: dict[str, str | ValidationError] = {}
        self._labels: dict[str, dict[str, str]] = {}

    def date(self, value) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = import_tables.cell_text(value)
        found = self.dates.get(text)
        if found is None:
            try:
                found = import_rows.cell_date(text)
            except ValidationError as exc:
                found = exc.messages[0]
            self.dates[text] = found
        if isinstance(found, str):
            raise ValidationError(found)
        return found

    def phone(self, text: str) -> str:
        found = self.phones.get(text)
        if found is None:
            try:
                found = normalize_phone(text)
            except ValidationError as exc:
                found = ValidationError(exc.messages[0])
            self.phones[text] = found
        if isinstance(found, ValidationError):
            raise found
        return found

    def number(self, text: str) -> Decimal:
        if text not in self.numbers:
            cleaned = text.replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
            cleaned = cleaned.rstrip("%").strip()
            try:
                number = Decimal(cleaned)
            except (InvalidOperation, ValueError):
                number = None
            self.numbers[text] = number if number is not None and number.is_finite() else None
        number = self.numbers[text]
        if number is None:
            raise ValidationError(_("Enter a number."))
        return number

    def _label_index(self, kind: str) -> dict[str, str]:
        if kind not in self._labels:
            choices = Order.Status if kind == "status" else Order.Channel
            words = STATUS_WORDS if kind == "status" else CHANNEL_WORDS
            index = {k.lower(): v for k, v in words.items()}
            for value, label in choices.choices:
                if value:
                    index.setdefault(value.lower(), value)
                for language in ("en", "zh-hans"):
                    with translation.override(language):
                        index.setdefault(str(label).lower(), value)
            self._labels[kind] = index
        return self._labels[kind]

    def choice(self, kind: str, text: str) -> str:
        value = self._label_index(kind).get(text.lower())
        if value is None:
            raise ValidationError(_("Unknown %(what)s.") % {"what": column_label(kind)})
        return value


def _places(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


# --- grouping rows into orders --------------------------------------------------------------


@dataclass
class Line:
    row: int  # as the spreadsheet shows it (header = 1)
    raw: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    values: dict = field(default_factory=dict)


@dataclass
class PendingOrder:
    key: str  # the order number, or NUL + row for a row without one
    lines: list[Line] = field(default_factory=list)

    @property
    def first(self) -> Line:
        return self.lines[0]

    @property
    def failed(self) -> bool:
        return any(line.errors for line in self.lines)


def group_rows(table: import_tables.Table, columns: dict[str, int]) -> list[PendingOrder]:
    """The orders of the file in the order of their first row, each with its lines."""
    orders: dict[str, PendingOrder] = {}
    numbers = table.numbers_of(0, len(table.rows))
    for row, cells in zip(numbers, table.rows, strict=True):
        raw = {target: import_tables.cell_text(cells[i]) for target, i in columns.items()}
        key = raw.get("number", "") or f"\x00{row}"  # no number: an order of its own
        pending = orders.get(key)
        if pending is None:
            pending = orders[key] = PendingOrder(key=key)
        pending.lines.append(Line(row=row, raw=raw, errors=_cell_problems(cells, columns)))
    return list(orders.values())


def _cell_problems(cells: list, columns: dict[str, int]) -> dict[str, list[str]]:
    """The cells of a row that hold no value the file can give (``import_rows.cell_problem``:
    a formula without a saved result, an error value such as #N/A, a number whose last digits
    Excel lost), each with why: read as empty, they would have been a quantity or a price
    missing without a word. The checks then say nothing more of those columns."""
    problems = {}
    for target, i in columns.items():
        value = cells[i]
        if type(value) is not str and (problem := import_rows.cell_problem(value, target)):
            problems[target] = [problem]
    return problems


# --- checking -------------------------------------------------------------------------------


@dataclass
class Outcome:
    orders: int = 0
    lines: int = 0
    failed: int = 0  # orders refused
    failed_lines: int = 0


class _Batch:
    """Checks a batch of whole orders against the file's rules and the database, then writes
    the good ones with two bulk inserts (unless a dry run)."""

    def __init__(self, job: ImportJob, user, cells: _Cells, products: dict[str, Product]):
        self.job, self.user, self.cells, self.products = job, user, cells, products
        self.default_currency = settings.DEFAULT_CURRENCY

    # header of one order (its first row), every row's line values
    def _check_header(self, order: PendingOrder) -> None:
        first = order.first
        raw, errors, values = first.raw, first.errors, first.values
        unread = set(errors)  # cells without a value (``_cell_problems``): said already

        def fail(target: str, message: str) -> None:
            if target not in unread:
                errors.setdefault(target, []).append(str(message))

        number = raw.get("number", "")
        if len(number) > NUMBER_LENGTH:
            fail("number", _("At most %(n)d characters.") % {"n": NUMBER_LENGTH})
        values["number"] = number
        if not any(raw.get(t) for t in CUSTOMER_COLUMNS):
            target = next(t for t in CUSTOMER_COLUMNS if t in raw)
            fail(target, _("Say who the customer is."))
        for target in ("order_date", "due_date", "paid_date"):
            text = raw.get(target, "")
            if not text:
                values[target] = None
                if target == "order_date":
                    fail(target, _("This field is required."))
                continue
            try:
                values[target] = self.cells.date(text)
            except ValidationError as exc:
                fail(target, exc.messages[0])
        for target in ("status", "channel"):
            text = raw.get(target, "")
            values[target] = ""
            if text:
                try:
                    values[target] = self.cells.choice(target, text)
                except ValidationError as exc:
                    fail(target, exc.messages[0])
        if not values["status"] and "status" not in errors:
            # A history without a status: paid when a payment date is given, else confirmed.
            values["status"] = (
                Order.Status.PAID if values.get("paid_date") else Order.Status.CONFIRMED
            )
        currency = raw.get("currency", "").upper() or self.default_currency
        if len(currency) != 3 or not currency.isascii() or not currency.isalpha():
            fail("currency", _("Enter a three-letter currency code."))
        values["currency"] = currency
        store = raw.get("store", "")
        if len(store) > STORE_LENGTH:
            fail("store", _("At most %(n)d characters.") % {"n": STORE_LENGTH})
        values["store"] = store
        notes = raw.get("notes", "")
        if len(notes) > NOTES_LENGTH:
            fail("notes", _("At most %(n)d characters.") % {"n": NOTES_LENGTH})
        values["notes"] = notes
        order_date = values.get("order_date")
        if order_date and values.get("due_date") and values["due_date"] < order_date:
            fail("due_date", _("The due date is before the order date."))
        if order_date and values.get("paid_date") and values["paid_date"] < order_date:
            fail("paid_date", _("The payment date is before the order date."))
        if values["status"] in (Order.Status.PAID, Order.Status.REFUNDED) and not values.get(
            "paid_date"
        ):
            if "paid_date" not in errors:
                fail("paid_date", _("A paid order needs its payment date."))
        # Later rows repeat the header or leave it empty; a different value is a mistake.
        for line in order.lines[1:]:
            for target in HEADER_FIELDS:
                text = line.raw.get(target, "")
                if text and target != "number" and text != raw.get(target, ""):
                    line.errors.setdefault(target, []).append(
                        _("Differs from row %(row)d, the first row of this order.")
                        % {"row": first.row}
                    )

    def _check_line(self, line: Line, currency: str) -> None:
        raw, errors, values = line.raw, line.errors, line.values
        unread = {t for t, messages in errors.items() if messages and t not in HEADER_FIELDS}

        def fail(target: str, message: str) -> None:
            if target not in unread:
                errors.setdefault(target, []).append(str(message))

        sku = raw.get("sku", "")
        product = self.products.get(sku) if sku else None
        if not sku:
            fail("sku", _("This field is required."))
        elif product is None:
            fail("sku", _("Unknown SKU."))
        values["product"] = product
        quantity = None
        text = raw.get("quantity", "")
        if not text:
            fail("quantity", _("This field is required."))
        else:
            try:
                quantity = self.cells.number(text)
                if quantity <= 0:
                    fail("quantity", _("The quantity must be more than zero."))
                elif quantity > MAX_QUANTITY or _places(quantity) > 3:
                    fail("quantity", _("Use at most 3 decimal places and 9 digits."))
            except ValidationError as exc:
                fail("quantity", exc.messages[0])
        values["quantity"] = quantity
        text = raw.get("unit_price", "")
        unit_price = None
        if text:
            try:
                unit_price = self.cells.number(text)
                if unit_price < 0:
                    fail("unit_price", _("This cannot be negative."))
                elif unit_price > MAX_MONEY or _places(unit_price) > 2:
                    fail("unit_price", _("Use at most 2 decimal places."))
            except ValidationError as exc:
                fail("unit_price", exc.messages[0])
        elif product is not None:
            if product.currency != currency:
                fail(
                    "unit_price",
                    _("The product is priced in %(cur)s; give a price in %(doc)s.")
                    % {"cur": product.currency, "doc": currency},
                )
            unit_price = product.list_price
        values["unit_price"] = unit_price
        for target in ("discount", "tax_rate"):
            text = raw.get(target, "")
            values[target] = Decimal(0)
            if not text:
                continue
            try:
                number = self.cells.number(text)
                if not 0 <= number <= 100 or _places(number) > 2:
                    fail(target, _("Enter a percentage between 0 and 100."))
                values[target] = number
            except ValidationError as exc:
                fail(target, exc.messages[0])

    def _customers(self, orders: list[PendingOrder]) -> None:
        """Resolve each order's customer among those the user may edit, in bulk."""
        wanted: dict[str, set] = {"customer_id": set(), "customer_phone": set(), "customer": set()}
        choice: dict[str, tuple[str, object]] = {}
        for order in orders:
            first = order.first
            for target in CUSTOMER_COLUMNS:
                text = first.raw.get(target, "")
                if not text:
                    continue
                if target == "customer_id":
                    digits = text[1:] if text.startswith("#") else text
                    if not digits.isdigit():
                        first.errors.setdefault(target, []).append(_("Enter a whole number."))
                        break
                    key: object = int(digits)
                elif target == "customer_phone":
                    try:
                        key = self.cells.phone(text)
                    except ValidationError as exc:
                        first.errors.setdefault(target, []).append(exc.messages[0])
                        break
                else:
                    key = text
                wanted[target].add(key)
                choice[order.key] = (target, key)
                break
        editable = Customer.objects.editable_by(self.user)
        found: dict[tuple[str, object], list[int]] = {}
        lookups = (("customer_id", "pk"), ("customer_phone", "phone"), ("customer", "name"))
        for target, column in lookups:
            keys = list(wanted[target])
            for start in range(0, len(keys), IN_CHUNK):
                chunk = keys[start : start + IN_CHUNK]
                rows = editable.filter(**{f"{column}__in": chunk}).values_list(column, "pk")
                for value, pk in rows:
                    found.setdefault((target, value), []).append(pk)
        for order in orders:
            picked = choice.get(order.key)
            if picked is None:
                continue
            target, key = picked
            ids = found.get(picked, [])
            if len(ids) == 1:
                order.first.values["customer"] = ids[0]
            elif not ids:
                order.first.errors.setdefault(target, []).append(
                    _("No customer you may edit has this %(what)s.")
                    % {"what": column_label(target)}
                )
            else:
                order.first.errors.setdefault(target, []).append(
                    _("%(n)d of your customers have this %(what)s; use the customer id instead.")
                    % {"n": len(ids), "what": column_label(target)}
                )

    def _numbers(self, orders: list[PendingOrder]) -> None:
        numbers = [o.first.values["number"] for o in orders if o.first.values.get("number")]
        taken: set[str] = set()
        for start in range(0, len(numbers), IN_CHUNK):
            chunk = numbers[start : start + IN_CHUNK]
            taken.update(Order.objects.filter(number__in=chunk).values_list("number", flat=True))
        for order in orders:
            if order.first.values.get("number") in taken:
                order.first.errors.setdefault("number", []).append(
                    _("An order with this number already exists.")
                )

    def check(self, orders: list[PendingOrder]) -> None:
        for order in orders:
            self._check_header(order)
            for line in order.lines:
                self._check_line(line, order.first.values["currency"])
        self._customers(orders)
        self._numbers(orders)

    def write(self, orders: list[PendingOrder]) -> None:
        """Two bulk inserts: the orders (their ids come back by number), then every line.

        Rows go to the database as plain tuples through ``_Inserter``: building 100,000 model
        instances and letting Django compile each value costs several times the insert itself.
        """
        now = timezone.now()
        owner_id = (self.job.owner or self.user).pk
        order_rows = []
        line_rows: list[tuple[str, dict]] = []
        for order in orders:
            header = order.first.values
            number = header["number"] or f"IMP{self.job.pk}-{order.first.row}"
            amounts = []
            for position, line in enumerate(order.lines):
                v = line.values
                a = line_amounts(v["quantity"], v["unit_price"], v["discount"], v["tax_rate"])
                amounts.append(a)
                line_rows.append(
                    (
                        number,
                        {
                            "position": position,
                            "product_id": v["product"].pk,
                            "description": v["product"].name[:200],
                            "quantity": v["quantity"],
                            "unit_price": v["unit_price"],
                            "discount_percent": v["discount"],
                            "tax_rate": v["tax_rate"],
                            "subtotal": a.subtotal,
                            "discount": a.discount,
                            "tax": a.tax,
                            "total": a.total,
                        },
                    )
                )
            totals = document_totals(amounts)
            order_rows.append(
                {
                    "customer_id": header["customer"],
                    "owner_id": owner_id,
                    "created_by_id": self.user.pk,
                    "number": number,
                    "status": header["status"],
                    "order_date": header["order_date"],
                    "due_date": header["due_date"],
                    "paid_date": header["paid_date"],
                    "channel": header["channel"],
                    "store": header["store"],
                    "currency": header["currency"],
                    "notes": header["notes"],
                    "subtotal": totals.subtotal,
                    "discount_total": totals.discount,
                    "tax_total": totals.tax,
                    "total": totals.total,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        ids = _Inserter(Order).insert(order_rows, returning="number")
        for number, line in line_rows:
            line["order_id"] = ids[number]
        _Inserter(OrderLine).insert([line for _number, line in line_rows])

    def run(self, orders: list[PendingOrder], report, *, write: bool) -> Outcome:
        self.check(orders)
        outcome = Outcome()
        good = []
        for order in orders:
            if order.failed:
                outcome.failed += 1
                outcome.failed_lines += len(order.lines)
                _report_order(order, report)
            else:
                good.append(order)
                outcome.orders += 1
                outcome.lines += len(order.lines)
        if write and good:
            self.write(good)
        return outcome


class _Inserter:
    """Multi-row INSERTs of plain dicts into one model's table, each value adapted for the
    database the way its field would be; columns not given take the field's default."""

    def __init__(self, model):
        ops = connection.ops
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.adapters: list = []
        for f in self.fields:
            kind = f.get_internal_type()
            if kind == "DateTimeField":
                adapt = ops.adapt_datetimefield_value
            elif kind == "DateField":
                adapt = ops.adapt_datefield_value
            elif kind == "DecimalField":
                adapt = partial(
                    ops.adapt_decimalfield_value,
                    max_digits=f.max_digits,
                    decimal_places=f.decimal_places,
                )
            elif kind in PLAIN_TYPES:
                adapt = None
            else:
                adapt = partial(f.get_db_prep_save, connection=connection)
            self.adapters.append((f.attname, adapt, f.get_default()))

    def _row(self, values: dict) -> list:
        row = []
        for attname, adapt, default in self.adapters:
            value = values.get(attname, default)
            row.append(value if adapt is None or value is None else adapt(value))
        return row

    def insert(self, rows: list[dict], returning: str = "") -> dict:
        """Insert ``rows``; with ``returning`` (a unique column), {its value: new id}."""
        qn = connection.ops.quote_name
        table = qn(self.model._meta.db_table)
        columns = ", ".join(qn(f.column) for f in self.fields)
        if connection.vendor == "postgresql":
            return self._copy(rows, returning, table, columns)
        one = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        limit = connection.features.max_query_params or 65535
        size = max(1, min(1000, limit // len(self.fields)))
        ids: dict = {}
        with connection.cursor() as cursor:
            for start in range(0, len(rows), size):
                chunk = rows[start : start + size]
                values = ", ".join([one] * len(chunk))
                # Identifiers come from the model, every value is a parameter.
                sql = f"INSERT INTO {table} ({columns}) VALUES {values}"  # noqa: S608
                params = [value for values in chunk for value in self._row(values)]
                if returning:
                    # Matched by a unique column: RETURNING's row order is not promised.
                    cursor.execute(f"{sql} RETURNING {qn('id')}, {qn(returning)}", params)
                    ids.update((key, pk) for pk, key in cursor.fetchall())
                else:
                    cursor.execute(sql, params)
        return ids

    def _copy(self, rows: list[dict], returning: str, table: str, columns: str) -> dict:
        """PostgreSQL: COPY the rows in (psycopg would parse a long multi-row INSERT on every
        call), then read the new ids back by the unique column."""
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(self._row(values))
            if not returning:
                return {}
            key = qn(returning)
            cursor.execute(
                f"SELECT {key}, {qn('id')} FROM {table} WHERE {key} = ANY(%s)",  # noqa: S608
                [[values[returning] for values in rows]],
            )
            return dict(cursor.fetchall())


# Field types whose Python value the database driver takes as it is.
PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}


def _report_order(order: PendingOrder, report) -> None:
    bad = [line.row for line in order.lines if line.errors]
    for line in order.lines:
        for target, messages in line.errors.items():
            header = report.headers.get(target, column_label(target))
            report.add(line.row, header, line.raw.get(target, ""), " ".join(messages))
        if not line.errors:
            report.add(
                line.row,
                "",
                "",
                _("Not imported: row %(row)d of the same order has an error.") % {"row": bad[0]},
            )


def _products(orders: list[PendingOrder]) -> dict[str, Product]:
    skus = sorted({line.raw.get("sku", "") for o in orders for line in o.lines} - {""})
    products: dict[str, Product] = {}
    for start in range(0, len(skus), IN_CHUNK):
        chunk = skus[start : start + IN_CHUNK]
        for product in Product.objects.filter(sku__in=chunk).only(
            "pk", "sku", "name", "currency", "list_price"
        ):
            products[product.sku] = product
    return products


# --- jobs -----------------------------------------------------------------------------------


def new_job(user, file_path: str | Path, *, file_name: str = "", owner=None) -> ImportJob:
    """An order import job for a file on disk, checked to be readable and to have the
    required columns (OrderImportError otherwise)."""
    if not user.can_write:
        raise PermissionDenied(_("Your role is read-only."))
    if owner is not None and owner.pk != user.pk:
        services._check_assignee(user, owner)  # the rule of create_order's owner
    table = read_orders_table(file_path)
    map_columns(table.headers)
    return ImportJob.objects.create(
        kind=KIND,
        created_by=user,
        owner=owner,
        file_path=str(file_path),
        file_name=file_name or Path(file_path).name,
        total_rows=len(table.rows),
    )


def save_upload(user, upload) -> ImportJob:
    """Keep an uploaded file (the customer import's checks and place) and open an order job."""
    return imports.save_upload(user, upload, open_job=new_job)


def jobs_for(user):
    return imports.jobs_for(user, kind=KIND)


def _batches(orders: list[PendingOrder], size: int):
    """Consecutive whole orders of about ``size`` lines, with the row count before each."""
    batch: list[PendingOrder] = []
    lines = done = 0
    for order in orders:
        batch.append(order)
        lines += len(order.lines)
        if lines >= size:
            yield done, batch
            done += lines
            batch, lines = [], 0
    if batch:
        yield done, batch


class _Headers:
    """The report wrapper: the file's own header for each target."""

    def __init__(self, report, headers: dict[str, str]):
        self.report, self.headers = report, headers

    def add(self, row: int, column: str, value: str, reason: str) -> None:
        self.report.add(row, column, value, reason)


def process(
    job: ImportJob,
    *,
    dry_run: bool = False,
    resume: bool = False,
    batch_lines: int = BATCH_LINES,
    progress: Callable[[ImportJob], None] | None = None,
) -> Outcome:
    """Check (dry run) or import the job's file, batch by batch, and return the counts.

    ``job.imported`` / ``job.failed`` count orders, ``job.next_row`` the rows (lines) done. Each
    batch is one transaction with the job's counters, so a stopped job resumes (``resume``)
    after its last committed batch; nothing of a failed batch is written."""
    if job.kind != KIND:
        raise OrderImportError(_("This is not an order import."))
    user = job.created_by
    if not user.can_write:
        raise PermissionDenied(_("Your role is read-only."))
    table = read_orders_table(job.file_path)
    columns = map_columns(table.headers)
    orders = group_rows(table, columns)
    if dry_run or not resume:
        job.next_row = 0
        job.imported = job.updated = job.skipped = job.failed = 0
        job.report_offset = 0
    job.total_rows = len(table.rows)
    job.report_path = str(import_reports.report_path_for(job.file_path))
    job.status = ImportJob.Status.RUNNING
    job.error = ""
    job.save()
    report = import_reports.Report(Path(job.report_path), job.report_offset)
    headers = _Headers(report, {t: table.headers[i] for t, i in columns.items()})
    cells = _Cells()
    products = _products(orders)
    total = Outcome()
    try:
        for done, batch in _batches(orders, batch_lines):
            lines = sum(len(o.lines) for o in batch)
            if done + lines <= job.next_row:
                continue  # committed before the job stopped
            before = job.report_offset
            try:
                with transaction.atomic():
                    outcome = _Batch(job, user, cells, products).run(
                        batch, headers, write=not dry_run
                    )
                    job.next_row = done + lines
                    job.imported += outcome.orders
                    job.failed += outcome.failed
                    job.report_offset = report.offset()
                    job.save(update_fields=["next_row", "imported", "failed", "report_offset"])
            except Exception as exc:
                imports.stop_failed(job, report, before, exc)
                raise
            total.orders += outcome.orders
            total.lines += outcome.lines
            total.failed += outcome.failed
            total.failed_lines += outcome.failed_lines
            if progress:
                progress(job)
    finally:
        report.close()
    job.status = ImportJob.Status.CHECKED if dry_run else ImportJob.Status.DONE
    job.finished_at = timezone.now()
    job.save()
    return total


def read_report(job: ImportJob, limit: int = 50) -> list[list[str]]:
    return import_reports.read_report(job, limit, shown=True)
