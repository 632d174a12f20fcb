"""Per-customer aggregates of the purchase history.

The database filters and projects (purchase orders up to the as-of date, a few narrow columns,
in one sequential pass per table); Polars does the grouping, the per-customer ordering and the
gaps between purchase days. At a million customers and ten million orders this is several
times faster than the equivalent GROUP BY / window-function SQL on SQLite (whose temporary
B-trees and index-driven row lookups dominate) and no slower on PostgreSQL; see
benchmarks/results/refresh.md. Rows travel in bulk, never as one Python object per value:
PostgreSQL streams ``COPY ... TO STDOUT`` CSV; a SQLite file is read through ADBC, which hands
Polars Arrow columns (the orders come from the covering index ``order_purchase_facts``, a
fifth of the table's width); inside a transaction or on an in-memory database (the tests) each
chunk of rows comes back as a few ``group_concat`` strings that Polars splits.

The public functions each load what they need; the refresh loads the orders and lines once
(:func:`purchase_orders`, :func:`order_lines`) and passes them to the ``*_from`` functions.
"""

import datetime as dt
import io
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import connection

from guanxi.analytics import sqlite_arrow
from guanxi.sales.models import PURCHASE_STATUSES, Order, OrderLine, Product

EPOCH = dt.date(1970, 1, 1)
# Rows per SQLite round trip: each chunk comes back as one string per column.
CHUNK = 1_000_000
NO_DATE = -(10**6)  # stands for a NULL date in group_concat, which would skip NULLs


def _statuses() -> str:
    return ", ".join(f"'{s}'" for s in PURCHASE_STATUSES)  # fixed enum values, not user input


# Column kinds of the loaders: each backend renders them to SQL its own way.
INT, DAY, MONEY = "int", "day", "money"
_DTYPES = {INT: pl.Int64, DAY: pl.Int32, MONEY: pl.Float64}


def _date_literal(value: dt.date) -> str:
    return (
        f"DATE '{value.isoformat()}'"
        if connection.vendor == "postgresql"
        else (f"'{value.isoformat()}'")
    )


def _load(table: str, columns: dict[str, tuple[str, str]], where: str) -> pl.DataFrame:
    """SELECT ``columns`` (name: (column, kind)) FROM ``table`` WHERE ``where`` as a Polars
    frame, in bulk. Day columns come back as whole days since 1970-01-01, NULL as NO_DATE."""
    if connection.vendor == "postgresql":
        return _load_copy(table, columns, where)
    path = sqlite_file()
    if path is not None:
        return _load_adbc(path, table, columns, where)
    with connection.cursor() as cursor:
        return _load_group_concat(cursor, table, columns, where)


def _schema(columns: dict[str, tuple[str, str]]) -> dict[str, pl.DataType]:
    return {name: _DTYPES[kind] for name, (_, kind) in columns.items()}


def _load_copy(table: str, columns: dict[str, tuple[str, str]], where: str) -> pl.DataFrame:
    """PostgreSQL: ``COPY (SELECT ...) TO STDOUT`` as CSV, parsed by Polars."""
    schema = _schema(columns)
    select = ", ".join(
        f"COALESCE({col} - DATE '1970-01-01', {NO_DATE})" if kind == DAY else col
        for col, kind in columns.values()
    )
    buf = io.BytesIO()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY (SELECT {select} FROM {table} WHERE {where}) TO STDOUT (FORMAT csv)"  # noqa: S608
        ) as copy,
    ):
        for block in copy:
            buf.write(block)
    if not buf.tell():
        return pl.DataFrame(schema=schema)
    buf.seek(0)
    return pl.read_csv(buf, has_header=False, new_columns=list(schema), schema_overrides=schema)


def sqlite_file() -> str | None:
    """The SQLite database file that the ADBC child process may read and write
    (:mod:`guanxi.analytics.sqlite_arrow`), or None: only when the database is a file and this
    connection is outside a transaction (another connection would not see its uncommitted
    rows, so inside one we stay on this connection). ``ANALYTICS_SQLITE_ARROW = False`` in the
    settings turns the ADBC path off."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return None
    if not getattr(settings, "ANALYTICS_SQLITE_ARROW", True) or not sqlite_arrow.available():
        return None
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or not Path(name).is_file():
        return None
    return name


def _load_adbc(
    path: str, table: str, columns: dict[str, tuple[str, str]], where: str
) -> pl.DataFrame:
    """SQLite file: through ADBC (:mod:`guanxi.analytics.sqlite_arrow`), which hands Polars
    Arrow columns, several times faster than fetching Python tuples (or the group_concat
    strings below). Dates travel as their ISO text and are parsed by Polars; every column is
    made non-NULL in SQL because the driver infers each column's type from the first rows.
    """
    schema = _schema(columns)
    select = ", ".join(
        f"COALESCE({col}, '')"
        if kind == DAY
        else f"CAST({col} AS REAL)"
        if kind == MONEY
        else f"CAST({col} AS INTEGER)"
        for col, kind in columns.values()
    )
    frame = sqlite_arrow.read(path, f"SELECT {select} FROM {table} WHERE {where}")  # noqa: S608
    if frame.height == 0:
        return pl.DataFrame(schema=schema)
    frame.columns = list(schema)
    return frame.with_columns(
        pl.col(name).str.to_date("%Y-%m-%d", strict=False).cast(pl.Int32).fill_null(NO_DATE)
        if kind == DAY
        else pl.col(name).cast(_DTYPES[kind])
        for name, (_, kind) in columns.items()
    )


def _load_group_concat(
    cursor, table: str, columns: dict[str, tuple[str, str]], where: str
) -> pl.DataFrame:
    """SQLite on a DB-API ``cursor``: each chunk of rows comes back as one ``group_concat``
    string per column, which Polars splits and parses (building one Python object per value is
    the slow part of a cursor fetch)."""
    schema = _schema(columns)
    select = ", ".join(
        "group_concat("
        + (
            f"COALESCE(CAST(julianday({col}) - 2440587.5 AS INTEGER), {NO_DATE})"
            if kind == DAY
            else col
        )
        + ", ',')"
        for col, kind in columns.values()
    )
    frames = []
    cursor.execute(f"SELECT MIN(id), MAX(id) FROM {table}")  # noqa: S608
    low, high = cursor.fetchone()
    if low is None:
        return pl.DataFrame(schema=schema)
    # Ranges of the rowid: a sequential pass; every aggregate sees the rows in one order.
    for start in range(low, high + 1, CHUNK):
        cursor.execute(
            f"SELECT {select} FROM {table} "  # noqa: S608
            f"WHERE id >= {int(start)} AND id < {int(start + CHUNK)} AND ({where})"
        )
        row = cursor.fetchone()
        if row[0] is None:
            continue
        frames.append(
            pl.DataFrame(
                {
                    name: pl.Series([text]).str.split(",").explode().cast(dtype)
                    for name, text, dtype in zip(schema, row, schema.values(), strict=True)
                }
            )
        )
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


def purchase_orders(as_of: dt.date) -> pl.DataFrame:
    """The purchase orders (confirmed, paid, shipped) dated on or before ``as_of``: order_id,
    customer_id, day, due, paid (whole days since 1970-01-01; due / paid null when unset)
    and total."""
    frame = _load(
        Order._meta.db_table,
        {
            "order_id": ("id", INT),
            "customer_id": ("customer_id", INT),
            "day": ("order_date", DAY),
            "due": ("due_date", DAY),
            "paid": ("paid_date", DAY),
            "total": ("total", MONEY),
        },
        f"status IN ({_statuses()}) AND order_date <= {_date_literal(as_of)}",
    )
    return frame.with_columns(
        pl.when(pl.col(c) != NO_DATE).then(pl.col(c)).alias(c) for c in ("due", "paid")
    )


def order_lines() -> pl.DataFrame:
    """Every order line's order_id and product_id."""
    return _load(
        OrderLine._meta.db_table,
        {"order_id": ("order_id", INT), "product_id": ("product_id", INT)},
        "1 = 1",
    )


def _day_number(value: dt.date) -> int:
    return (value - EPOCH).days


# Money is summed in whole cents (amounts have two decimals): exact, like the database's
# DECIMAL sums, and the same on every backend whatever the order of the rows.
CENTS = (pl.col("total") * 100).round(0).cast(pl.Int64)


def _money(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.Float64) / 100


def purchase_summary(as_of: dt.date, window_days: int = 90) -> pl.DataFrame:
    """One row per customer who bought on or before ``as_of``.

    Columns: customer_id, first_purchase, last_purchase (dates), order_count, revenue,
    frequency / recency / T / monetary_value in days under the BG/NBD conventions (a day with
    several orders counts once, its amounts summed), mean and standard deviation of the gaps
    between purchase days, the gap before the last purchase, and revenue in the current and
    the previous window of ``window_days``.
    """
    return purchase_summary_from(purchase_orders(as_of), as_of, window_days)


def purchase_summary_from(
    orders: pl.DataFrame, as_of: dt.date, window_days: int = 90
) -> pl.DataFrame:
    """:func:`purchase_summary` over ``orders`` from :func:`purchase_orders`."""
    end = _day_number(as_of)
    cur_from = end - window_days
    prev_from = end - 2 * window_days
    day, amt = pl.col("day"), pl.col("amt")
    daily = (
        orders.group_by("customer_id", "day")
        .agg(amt=CENTS.sum(), n=pl.len())
        .sort("customer_id", "day")
    )
    # Sorted by customer and day, each customer's first and last day are where the customer id
    # changes; every per-customer figure is then a plain sum / min / max (vectorised), with no
    # per-group ordering or filtering inside the aggregation.
    cid = pl.col("customer_id")
    first_row, last_row = cid != cid.shift(1), cid != cid.shift(-1)
    gap = pl.when(first_row.not_()).then(day - day.shift(1)).cast(pl.Float64)
    daily = daily.with_columns(
        gap=gap,
        first_amt=pl.when(first_row.fill_null(True)).then(amt).otherwise(0),
        last_gap=pl.when(last_row.fill_null(True)).then(gap),
        cur=pl.when(day > cur_from).then(amt).otherwise(0),
        prev=pl.when((day > prev_from) & (day <= cur_from)).then(amt).otherwise(0),
    )
    frame = (
        daily.group_by("customer_id")
        .agg(
            first_purchase=day.min(),
            last_purchase=day.max(),
            order_count=pl.col("n").sum().cast(pl.Int64),
            purchase_days=pl.len().cast(pl.Int64),
            revenue=_money(amt.sum()),
            first_day_amount=_money(pl.col("first_amt").sum()),
            sum_gap=pl.col("gap").sum(),
            sum_gap_sq=(pl.col("gap") ** 2).sum(),
            last_gap=pl.col("last_gap").max(),
            revenue_current=_money(pl.col("cur").sum()),
            revenue_previous=_money(pl.col("prev").sum()),
        )
        .sort("customer_id")
        .with_columns(pl.col("first_purchase", "last_purchase").cast(pl.Date))
    )
    endl = pl.lit(as_of)
    repeat = (pl.col("purchase_days") - 1).cast(pl.Int64)
    mean_gap = pl.when(repeat > 0).then(pl.col("sum_gap") / repeat).otherwise(None)
    var_gap = (
        pl.when(repeat > 1)
        .then((pl.col("sum_gap_sq") - pl.col("sum_gap") ** 2 / repeat) / (repeat - 1))
        .otherwise(None)
    )
    return frame.with_columns(
        frequency=repeat,
        recency=(pl.col("last_purchase") - pl.col("first_purchase"))
        .dt.total_days()
        .cast(pl.Float64),
        T=(endl - pl.col("first_purchase")).dt.total_days().cast(pl.Float64),
        monetary_value=pl.when(repeat > 0)
        .then((pl.col("revenue") - pl.col("first_day_amount")) / repeat)
        .otherwise(0.0),
        mean_interval_days=mean_gap,
        std_interval_days=var_gap.clip(lower_bound=0).sqrt(),
        days_since_last=(endl - pl.col("last_purchase")).dt.total_days().cast(pl.Float64),
    ).drop("sum_gap", "sum_gap_sq")


def credit_summary(as_of: dt.date) -> pl.DataFrame:
    """Payment behaviour per customer over orders with a due date.

    An order is late by (paid date − due date) when paid after its due date, by
    (as_of − due date) while unpaid past due, else 0; overdue = unpaid past due.
    """
    return credit_summary_from(purchase_orders(as_of), as_of)


def credit_summary_from(orders: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """:func:`credit_summary` over ``orders`` from :func:`purchase_orders`."""
    end = _day_number(as_of)
    due, paid = pl.col("due"), pl.col("paid")
    late = (
        pl.when(paid.is_not_null())
        .then(pl.when(paid > due).then(paid - due).otherwise(0))
        .when(due < end)
        .then(end - due)
        .otherwise(0)
    )
    open_overdue = paid.is_null() & (due < end)
    raw = (
        orders.filter(due.is_not_null())
        .with_columns(late=late.cast(pl.Int64))
        .group_by("customer_id")
        .agg(
            invoices=pl.len().cast(pl.Int64),
            invoiced_amount=_money(CENTS.sum()),
            avg_days_late=pl.col("late").mean(),
            max_days_late=pl.col("late").max().cast(pl.Float64),
            overdue_amount=_money(pl.when(open_overdue).then(CENTS).otherwise(0).sum()),
            late_invoices=(pl.col("late") > 0).sum().cast(pl.Int64),
        )
        .sort("customer_id")
    )
    return raw.with_columns(
        overdue_ratio=pl.when(pl.col("invoiced_amount") > 0)
        .then(pl.col("overdue_amount") / pl.col("invoiced_amount"))
        .otherwise(0.0)
        .clip(0.0, 1.0),
        late_share=pl.col("late_invoices") / pl.col("invoices"),
    ).drop("late_invoices")


def purchase_breadth(as_of: dt.date) -> pl.DataFrame:
    """How many distinct products and categories each customer has bought (cross-purchase)."""
    return purchase_breadth_from(purchase_orders(as_of), order_lines())


def _categories() -> pl.DataFrame:
    rows = Product.objects.values_list("id", "category")
    return pl.DataFrame(
        list(rows), schema=[("product_id", pl.Int64), ("category", pl.Utf8)], orient="row"
    )


def purchase_breadth_from(orders: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """:func:`purchase_breadth` over ``orders`` and ``lines`` from :func:`purchase_orders` and
    :func:`order_lines`."""
    bought = lines.join(orders.select("order_id", "customer_id"), on="order_id").join(
        _categories(), on="product_id"
    )
    return (
        bought.group_by("customer_id")
        .agg(
            products=pl.col("product_id").n_unique().cast(pl.Int64),
            categories=pl.col("category").n_unique().cast(pl.Int64),
        )
        .sort("customer_id")
    )


def basket_lines(as_of: dt.date, days: int) -> pl.DataFrame:
    """(basket_id, item) pairs: the products of each purchase order in the last ``days``."""
    return basket_lines_from(purchase_orders(as_of), order_lines(), as_of, days)


def basket_lines_from(
    orders: pl.DataFrame, lines: pl.DataFrame, as_of: dt.date, days: int
) -> pl.DataFrame:
    """:func:`basket_lines` over ``orders`` and ``lines`` from :func:`purchase_orders` and
    :func:`order_lines`."""
    since = _day_number(as_of) - days
    recent = orders.filter(pl.col("day") > since).select("order_id")
    return lines.join(recent, on="order_id", how="semi").select(
        pl.col("order_id").alias("basket_id"), pl.col("product_id").alias("item")
    )
