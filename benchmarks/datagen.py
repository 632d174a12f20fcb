"""Bulk synthetic CRM data for benchmarks: reps, products, customers, orders and order lines.

    from benchmarks.datagen import generate
    counts = generate(customers=1_000_000, orders=10_000_000, as_of=date(2026, 11, 23), seed=1)

Needs a migrated database and ``django.setup()`` (it writes through Django's connection
settings, SQLite or PostgreSQL). Rows are built column-wise with numpy / Polars and written in
big batches — ``executemany`` on a bulk-load SQLite connection, ``COPY`` on PostgreSQL — never
through the ORM. Secondary indexes of the big tables are dropped for the load and rebuilt after,
as a bulk loader does; PostgreSQL skips the per-row foreign-key triggers for the load
(``session_replication_role = replica``) because the generator keeps the references valid.
New ids start after the current maximum, so it may add to a database that has rows.

The purchase patterns are meant to look like a retail/B2B book, not uniform noise:

* 8 % of customers never buy; 35 % buy once (one-off buyers);
* 35 % are occasional buyers (BG/NBD-like: a Gamma-distributed rate, an exponential lifetime
  after which they stop buying);
* 15 % are loyal repeat buyers: regular intervals, active until today;
* 7 % are drifting: they bought often at first and less and less since;
* product popularity is Zipf-like; every second order line has a chance of being a product's
  companion (same category), so cross-sell rules exist;
* a third of customers are companies; their orders have payment terms (due date); about 10 %
  of customers pay late, some orders are still open, some past due; a few orders are drafts,
  cancelled or refunded (not purchases).

Order counts are exact (``orders``); order lines are about two per order. Orders are inserted
in date order (ids grow with time, as in a real book), so a customer's orders are spread over
the table.
"""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import time
from dataclasses import dataclass, field

import numpy as np
import polars as pl

YEARS = 5
N_PRODUCTS = 2_000
N_CATEGORIES = 40
PROVINCES = [
    ("广东", "广州"),
    ("广东", "深圳"),
    ("上海", "上海"),
    ("北京", "北京"),
    ("浙江", "杭州"),
    ("江苏", "南京"),
    ("四川", "成都"),
    ("湖北", "武汉"),
]
CHANNELS = ["store", "online", "phone", "wechat", "sales_rep", "distributor"]
# Share of customers per pattern: none, one-off, occasional, loyal, drifting.
PATTERNS = np.array([0.08, 0.35, 0.35, 0.15, 0.07])
NONE, ONE_OFF, OCCASIONAL, LOYAL, DRIFTING = range(5)
ORDER_CHUNK = 500_000


@dataclass
class Counts:
    """What was written, and how long each table took (seconds)."""

    users: int = 0
    products: int = 0
    customers: int = 0
    orders: int = 0
    order_lines: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def generate(
    customers: int,
    orders: int,
    as_of: dt.date | None = None,
    seed: int = 1,
    reps: int | None = None,
    log=print,
) -> Counts:
    """Write ``customers`` customers and exactly ``orders`` orders (with their lines) dated
    up to ``as_of`` (default today) over the last five years. Deterministic for a seed."""
    from django.db import connection

    as_of = as_of or dt.date.today()
    rng = np.random.default_rng(seed)
    writer = (
        _SQLiteWriter(connection) if connection.vendor == "sqlite" else _PostgresWriter(connection)
    )
    counts = Counts()
    try:
        writer.begin()
        t = time.perf_counter()
        reps = reps or max(5, customers // 5_000)
        user_ids = _users(writer, reps, as_of)
        counts.users = reps
        product_ids, prices, categories = _products(writer, rng)
        counts.products = len(product_ids)
        counts.seconds["users_products"] = round(time.perf_counter() - t, 2)

        t = time.perf_counter()
        book = _customers(writer, rng, customers, user_ids, as_of)
        counts.customers = customers
        counts.seconds["customers"] = round(time.perf_counter() - t, 2)
        log(f"  customers: {customers:,} in {counts.seconds['customers']:.1f} s")

        t = time.perf_counter()
        counts.order_lines = _orders(
            writer, rng, book, orders, product_ids, prices, categories, as_of, log
        )
        counts.orders = orders
        counts.seconds["orders_lines"] = round(time.perf_counter() - t, 2)

        t = time.perf_counter()
        writer.finish()
        counts.seconds["indexes"] = round(time.perf_counter() - t, 2)
        log(f"  indexes rebuilt in {counts.seconds['indexes']:.1f} s")
    finally:
        writer.close()
    return counts


# --- writers -------------------------------------------------------------------------------

BIG_TABLES = ("customers_customer", "sales_order", "sales_orderline")


class _SQLiteWriter:
    """A separate bulk-load connection: no journal, no fsync, no FK checks during the load."""

    def __init__(self, connection):
        self.path = connection.settings_dict["NAME"]
        connection.close()
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.indexes: list[tuple[str, str]] = []

    def begin(self):
        db = self.db
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA foreign_keys=OFF")
        db.execute("PRAGMA cache_size=-1048576")  # 1 GiB while loading
        db.execute("PRAGMA temp_store=MEMORY")
        db.execute("PRAGMA threads=2")  # parallel sorter for the index rebuild
        marks = ",".join("?" * len(BIG_TABLES))
        self.indexes = db.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL"  # noqa: S608
            f" AND tbl_name IN ({marks})",
            BIG_TABLES,
        ).fetchall()
        for name, _ in self.indexes:
            db.execute(f'DROP INDEX "{name}"')

    def max_id(self, table: str) -> int:
        return self.db.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]  # noqa: S608

    def write(self, table: str, frame: pl.DataFrame) -> None:
        frame = frame.with_columns(
            pl.col(pl.Date).dt.to_string("%Y-%m-%d"),
            pl.col(pl.Datetime).dt.to_string("%Y-%m-%d %H:%M:%S"),
        )
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        marks = ", ".join("?" * frame.width)
        rows = zip(*(frame[c].to_list() for c in frame.columns), strict=True)
        self.db.execute("BEGIN")
        self.db.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
        self.db.execute("COMMIT")

    def finish(self):
        for _, sql in self.indexes:
            self.db.execute(sql)
        self.db.execute("PRAGMA journal_mode=WAL")

    def close(self):
        self.db.close()


class _PostgresWriter:
    """COPY in CSV through Django's psycopg connection; FK triggers off for the load."""

    def __init__(self, connection):
        connection.ensure_connection()
        self.conn = connection.connection
        self.conn.autocommit = True
        self.indexes: list[tuple[str, str]] = []

    def begin(self):
        with self.conn.cursor() as cur:
            cur.execute("SET session_replication_role = replica")
            cur.execute("SET maintenance_work_mem = '1GB'")
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)"
                " AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                [list(BIG_TABLES)],
            )
            self.indexes = cur.fetchall()
            for name, _ in self.indexes:
                cur.execute(f'DROP INDEX "{name}"')

    def max_id(self, table: str) -> int:
        with self.conn.cursor() as cur:
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
            return cur.fetchone()[0]

    def write(self, table: str, frame: pl.DataFrame) -> None:
        buf = io.BytesIO()
        frame.write_csv(
            buf,
            include_header=False,
            quote_style="non_numeric",
            datetime_format="%Y-%m-%d %H:%M:%S+00",
        )
        text_cols = [c for c, d in frame.schema.items() if d == pl.Utf8]
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        force = (
            ", FORCE_NOT_NULL (" + ", ".join(f'"{c}"' for c in text_cols) + ")" if text_cols else ""
        )
        with (
            self.conn.cursor() as cur,
            cur.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv{force})") as copy,
        ):
            copy.write(buf.getbuffer())

    def finish(self):
        with self.conn.cursor() as cur:
            for _, sql in self.indexes:
                cur.execute(sql)
            for table in ("accounts_user", "sales_product", *BIG_TABLES):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT MAX(id) FROM {table}))"
                )  # noqa: S608
            cur.execute("SET session_replication_role = DEFAULT")
            for table in ("accounts_user", "sales_product", *BIG_TABLES):
                cur.execute(f"VACUUM ANALYZE {table}")

    def close(self):
        pass


def with_defaults(frame: pl.DataFrame, model: str) -> pl.DataFrame:
    """Add the model's non-null columns the generator does not write, with the field's default,
    so that a field added to the model later does not break the bulk load."""
    import json

    from django.apps import apps
    from django.utils import timezone

    extra = []
    for f in apps.get_model(model)._meta.concrete_fields:
        if f.column in frame.columns or f.null or f.primary_key:
            continue
        value = f.get_default()
        if isinstance(value, dt.datetime) and timezone.is_aware(value):
            value = timezone.make_naive(value, dt.UTC)
        elif isinstance(value, dict | list):
            value = json.dumps(value)
        extra.append(pl.lit(value).alias(f.column))
    return frame.with_columns(extra) if extra else frame


# --- tables --------------------------------------------------------------------------------


def _stamp(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 0))


def _users(writer, n: int, as_of: dt.date) -> np.ndarray:
    start = writer.max_id("accounts_user") + 1
    ids = np.arange(start, start + n, dtype=np.int64)
    writer.write(
        "accounts_user",
        pl.DataFrame(
            {
                "id": ids,
                "password": "!",
                "is_superuser": False,
                "username": [f"bench_rep_{i}" for i in ids],
                "first_name": "",
                "last_name": "",
                "email": "",
                "is_staff": False,
                "is_active": True,
                "date_joined": _stamp(as_of - dt.timedelta(days=365 * YEARS)),
                "role": "rep",
                "display_name": [f"销售{i}" for i in ids],
                "language": "",
                "time_zone": "",
            }
        ).with_columns(pl.col("date_joined").cast(pl.Datetime)),
    )
    return ids


def _products(writer, rng):
    start = writer.max_id("sales_product") + 1
    ids = np.arange(start, start + N_PRODUCTS, dtype=np.int64)
    prices = np.round(np.exp(rng.normal(4.0, 0.9, N_PRODUCTS)), 2) + 1.0
    categories = np.arange(N_PRODUCTS) % N_CATEGORIES
    now = _stamp(dt.date.today())
    writer.write(
        "sales_product",
        pl.DataFrame(
            {
                "id": ids,
                "created_at": now,
                "updated_at": now,
                "sku": [f"BENCH-{i:07d}" for i in ids],
                "name": [f"商品 {i}" for i in ids],
                "category": [f"品类 {c:02d}" for c in categories],
                "unit": "件",
                "list_price": prices,
                "currency": "CNY",
                "active": True,
            }
        ).with_columns(pl.col("created_at", "updated_at").cast(pl.Datetime)),
    )
    return ids, prices, categories


@dataclass
class _Book:
    ids: np.ndarray
    pattern: np.ndarray
    first: np.ndarray  # day number of the first purchase (days since epoch)
    company: np.ndarray
    late_payer: np.ndarray
    spend: np.ndarray  # quantity level
    owner: np.ndarray  # the owning rep's user id


def _customers(writer, rng, n: int, user_ids: np.ndarray, as_of: dt.date) -> _Book:
    start = writer.max_id("customers_customer") + 1
    ids = np.arange(start, start + n, dtype=np.int64)
    end = (as_of - dt.date(1970, 1, 1)).days
    span = 365 * YEARS
    pattern = rng.choice(5, size=n, p=PATTERNS)
    # Acquisition grows over time: more customers joined recently.
    first = end - span + (span * rng.random(n) ** 0.7).astype(np.int64)
    company = rng.random(n) < 0.3
    book = _Book(
        ids=ids,
        pattern=pattern,
        first=first,
        company=company,
        late_payer=rng.random(n) < 0.10,
        spend=np.exp(rng.normal(0.0, 0.6, n)),
        owner=rng.choice(user_ids, n),
    )
    place = rng.integers(0, len(PROVINCES), n)
    provinces = np.array([p for p, _ in PROVINCES])[place]
    cities = np.array([c for _, c in PROVINCES])[place]
    created = pl.Series((first - rng.integers(0, 60, n)).astype("datetime64[D]")).cast(pl.Datetime)
    names = pl.Series(ids).cast(pl.Utf8)
    kind = np.where(company, "company", "person")
    phones = (13_000_000_000 + rng.integers(0, 999_999_999, n)).astype(str)
    frame = pl.DataFrame(
        {
            "id": ids,
            "created_at": created,
            "updated_at": created,
            "version": 1,
            "kind": kind,
            "name": ("客户" + names),
            "gender": "",
            "birthday_calendar": "solar",
            "id_number": "",
            "phone": phones,
            "phone_alt": "",
            "email": "",
            "wechat_id": "",
            "company_name": pl.Series(np.where(company, "公司", ""))
            + pl.Series(np.where(company, names.to_numpy(), "")),
            "province": provinces,
            "city": cities,
            "district": "",
            "address": "",
            "industry": "",
            "occupation": "",
            "income_band": "",
            "source_channel": rng.choice(["walk_in", "referral", "website", "wechat", ""], n),
            "value_orientation": "",
            "notes": "",
            "custom": "{}",
            "tag_names": "",
            "search_text": ("客户" + names + " " + pl.Series(phones)),
            "owner_id": book.owner,
            "owned_since": created,
        }
    )
    frame = with_defaults(frame, "customers.Customer")
    for lo in range(0, n, ORDER_CHUNK):
        writer.write("customers_customer", frame.slice(lo, ORDER_CHUNK))
    return book


def _order_counts(rng, book: _Book, total: int, end: int) -> np.ndarray:
    """Orders per customer by pattern, scaled so that they sum to exactly ``total``."""
    n = len(book.ids)
    years = (end - book.first + 1) / 365.0
    rate = np.zeros(n)
    rate[book.pattern == OCCASIONAL] = rng.gamma(0.8, 3.0, (book.pattern == OCCASIONAL).sum())
    rate[book.pattern == LOYAL] = rng.gamma(4.0, 4.0, (book.pattern == LOYAL).sum())
    rate[book.pattern == DRIFTING] = rng.gamma(3.0, 4.0, (book.pattern == DRIFTING).sum())
    repeat = np.isin(book.pattern, (OCCASIONAL, LOYAL, DRIFTING))
    raw = rng.poisson(rate * years)
    fixed = (book.pattern == ONE_OFF).sum()
    if total < fixed:
        raise ValueError(f"{total:,} orders are fewer than the {fixed:,} one-off buyers")
    wanted = total - fixed - repeat.sum()  # every repeat buyer has at least one order
    scale = wanted / max(1, raw[repeat].sum())
    counts = np.zeros(n, dtype=np.int64)
    counts[book.pattern == ONE_OFF] = 1
    counts[repeat] = 1 + np.floor(raw[repeat] * scale).astype(np.int64)
    short = total - counts.sum()
    if short and repeat.any():
        # Hand out the rounding remainder one order at a time, weighted by rate.
        weights = rate[repeat] / rate[repeat].sum()
        extra = rng.multinomial(short, weights)
        counts[np.flatnonzero(repeat)] += extra
    return counts


def _orders(
    writer, rng, book: _Book, total: int, product_ids, prices, categories, as_of: dt.date, log
) -> int:
    end = (as_of - dt.date(1970, 1, 1)).days
    counts = _order_counts(rng, book, total, end)
    owner = np.repeat(np.arange(len(book.ids)), counts)  # customer index per order
    j = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)  # index within customer
    k = counts[owner]
    first = book.first[owner]
    pattern = book.pattern[owner]
    u = rng.random(total)
    # Occasional buyers stop after an exponential lifetime (mean two years).
    life = np.minimum(end, book.first + rng.exponential(730, len(book.ids)).astype(np.int64))
    stop = np.where(book.pattern == OCCASIONAL, life, end)[owner]
    pos = np.where(
        pattern == LOYAL,
        (j + 0.5 + 0.6 * (u - 0.5)) / np.maximum(k, 1),
        np.where(pattern == DRIFTING, 1.0 - np.sqrt(u), u),
    )
    day = first + np.floor(pos * (stop - first + 1)).astype(np.int64)
    day = np.where(j == 0, first, np.clip(day, first, end))
    order = np.argsort(day, kind="stable")
    del j, k, pattern, u, pos, first
    cust = owner[order]
    day = day[order]
    del owner, order

    # Zipf-like popularity over a shuffled product list.
    popularity = 1.0 / np.arange(1, len(product_ids) + 1) ** 1.07
    popularity = rng.permutation(popularity / popularity.sum())
    cdf = np.cumsum(popularity)
    # Each product's companion: the next product of its category (a stable "goes with").
    mate = np.empty(len(product_ids), dtype=np.int64)
    for c in range(N_CATEGORIES):
        group = np.flatnonzero(categories == c)
        mate[group] = np.roll(group, -1)

    order_start = writer.max_id("sales_order") + 1
    line_start = writer.max_id("sales_orderline") + 1
    statuses = np.array(["confirmed", "paid", "shipped", "cancelled", "refunded", "draft"])
    status_p = np.array([0.09, 0.50, 0.35, 0.03, 0.02, 0.01])
    lines_written = 0
    started = time.perf_counter()
    for lo in range(0, total, ORDER_CHUNK):
        hi = min(total, lo + ORDER_CHUNK)
        n = hi - lo
        c = cust[lo:hi]
        d = day[lo:hi]
        ids = np.arange(order_start + lo, order_start + hi, dtype=np.int64)
        # Lines: 1 + Poisson(1); the first product by popularity, later ones often a companion.
        n_lines = 1 + rng.poisson(1.0, n)
        line_order = np.repeat(np.arange(n), n_lines)
        line_pos = np.arange(len(line_order)) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines)
        prod = np.minimum(np.searchsorted(cdf, rng.random(len(line_order))), len(cdf) - 1)
        companion = (line_pos > 0) & (rng.random(len(line_order)) < 0.5)
        anchor = prod[np.repeat(np.cumsum(n_lines) - n_lines, n_lines)]
        prod[companion] = mate[anchor[companion]]
        qty = 1 + rng.poisson(book.spend[c][line_order])
        price = prices[prod]
        line_total = np.round(qty * price, 2)
        totals = np.round(np.bincount(line_order, weights=line_total, minlength=n), 2)

        status = statuses[rng.choice(len(statuses), n, p=status_p)]
        is_company = book.company[c]
        has_terms = is_company | (rng.random(n) < 0.15)
        due = np.where(has_terms, d + 30, -1)
        late = book.late_payer[c] & (rng.random(n) < 0.6)
        paid = np.where(
            late, due + 1 + rng.exponential(20, n).astype(np.int64), d + rng.integers(0, 30, n)
        )
        paid = np.where(has_terms, paid, d)
        paid_known = np.isin(status, ("paid", "shipped")) & (
            paid <= (as_of - dt.date(1970, 1, 1)).days
        )
        created = pl.Series(d.astype("datetime64[D]")).cast(pl.Datetime)
        order_frame = pl.DataFrame(
            {
                "id": ids,
                "created_at": created,
                "updated_at": created,
                "version": 1,
                "currency": "CNY",
                "subtotal": totals,
                "discount_total": 0.0,
                "tax_total": 0.0,
                "total": totals,
                "number": pl.Series(ids).cast(pl.Utf8).str.zfill(10),
                "status": status,
                "order_date": pl.Series(d.astype("datetime64[D]")),
                "due_date": pl.Series(np.where(has_terms, due, 0).astype("datetime64[D]")),
                "paid_date": pl.Series(np.where(paid_known, paid, 0).astype("datetime64[D]")),
                "channel": np.array(CHANNELS)[c % len(CHANNELS)],
                "store": "",
                "notes": "",
                "customer_id": book.ids[c],
                "owner_id": book.owner[c],
            }
        ).with_columns(
            pl.col("order_date").cast(pl.Date),
            pl.when(pl.Series(has_terms)).then(pl.col("due_date").cast(pl.Date)).alias("due_date"),
            pl.when(pl.Series(paid_known))
            .then(pl.col("paid_date").cast(pl.Date))
            .alias("paid_date"),
            pl.lit("SO").add(pl.col("number")).alias("number"),
        )
        writer.write("sales_order", order_frame)

        lid = np.arange(
            line_start + lines_written, line_start + lines_written + len(line_order), dtype=np.int64
        )
        writer.write(
            "sales_orderline",
            pl.DataFrame(
                {
                    "id": lid,
                    "position": line_pos.astype(np.int64),
                    "description": "",
                    "quantity": qty.astype(np.float64),
                    "unit_price": price,
                    "discount_percent": 0.0,
                    "tax_rate": 0.0,
                    "subtotal": line_total,
                    "discount": 0.0,
                    "tax": 0.0,
                    "total": line_total,
                    "order_id": ids[line_order],
                    "product_id": product_ids[prod],
                }
            ),
        )
        lines_written += len(line_order)
        if (hi // ORDER_CHUNK) % 4 == 0 or hi == total:
            log(
                f"  orders: {hi:,} / {total:,}, lines {lines_written:,}"
                f" ({time.perf_counter() - started:.0f} s)"
            )
    return lines_written
