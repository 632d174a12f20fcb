"""The SQLite file paths of the refresh: Arrow reads and writes through ADBC.

A SQLite file is read through ADBC (Arrow columns); inside a transaction or on the in-memory
test database the group_concat reader runs instead. Both must agree value for value, NULL
dates included. The metrics table of a file is replaced through ADBC too. The driver runs in
a child process (it links its own SQLite, and two copies in one process corrupt files).
"""

import datetime as dt
import random
import sqlite3

import polars as pl
import pytest
from django.db import transaction

from guanxi.analytics import aggregates, sqlite_arrow
from guanxi.analytics.aggregates import DAY, INT, MONEY, NO_DATE

COLUMNS = {
    "order_id": ("id", INT),
    "customer_id": ("customer_id", INT),
    "day": ("order_date", DAY),
    "due": ("due_date", DAY),
    "total": ("total", MONEY),
}


@pytest.fixture
def order_file(tmp_path):
    path = tmp_path / "orders.sqlite3"
    rng = random.Random(7)
    start = dt.date(2024, 1, 1)
    rows = [
        (
            i,
            rng.randint(1, 50),
            (start + dt.timedelta(days=rng.randint(0, 700))).isoformat(),
            None if i % 3 else (start + dt.timedelta(days=rng.randint(0, 760))).isoformat(),
            f"{rng.randint(0, 99999) / 100:.2f}",
            rng.choice(["paid", "draft"]),
        )
        for i in range(1, 501)
    ]
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE orders (id integer PRIMARY KEY, customer_id bigint NOT NULL,"
            " order_date date NOT NULL, due_date date NULL, total decimal NOT NULL,"
            " status varchar(10) NOT NULL)"
        )
        db.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?)", rows)
    return path


def test_arrow_and_group_concat_readers_agree(order_file):
    where = "status = 'paid' AND order_date <= '2025-06-30'"
    arrow = aggregates._load_adbc(str(order_file), "orders", COLUMNS, where)
    with sqlite3.connect(order_file) as db:
        concat = aggregates._load_group_concat(db.cursor(), "orders", COLUMNS, where)
    assert arrow.height > 100
    assert arrow.schema == concat.schema
    assert arrow.sort("order_id").equals(concat.sort("order_id"))


def test_missing_dates_read_as_the_no_date_marker(order_file):
    frame = aggregates._load_adbc(str(order_file), "orders", COLUMNS, "1 = 1")
    assert (frame["due"] == NO_DATE).sum() == 500 - 500 // 3


def test_an_empty_result_has_the_typed_columns(order_file):
    frame = aggregates._load_adbc(str(order_file), "orders", COLUMNS, "1 = 0")
    assert frame.height == 0
    assert frame.schema == aggregates._schema(COLUMNS)


@pytest.mark.django_db
def test_inside_a_transaction_the_reader_stays_on_the_connection():
    with transaction.atomic():
        assert aggregates.sqlite_file() is None


def test_a_table_is_replaced_through_adbc_with_its_indexes_rebuilt(tmp_path):
    path = tmp_path / "metrics.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE metrics (customer_id bigint PRIMARY KEY, segment varchar(20) NOT NULL,"
            " revenue real NOT NULL, last_purchase date NULL)"
        )
        db.execute("CREATE INDEX metrics_segment ON metrics (segment)")
        db.execute("INSERT INTO metrics VALUES (99, 'old', 1.0, NULL)")
    frame = pl.DataFrame(
        {
            "customer_id": [1, 2, 3],
            "segment": ["champions", "", "lost"],
            "revenue": [10.5, 0.0, 3.25],
            "last_purchase": ["2026-01-02", None, "2025-12-31"],
        }
    )

    sqlite_arrow.replace(str(path), "metrics", frame)

    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT * FROM metrics ORDER BY customer_id").fetchall()
        indexes = db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'metrics'"
            " AND sql IS NOT NULL"
        ).fetchall()
    assert rows == [
        (1, "champions", 10.5, "2026-01-02"),
        (2, "", 0.0, None),
        (3, "lost", 3.25, "2025-12-31"),
    ]
    assert indexes == [("metrics_segment",)]


def test_a_failing_child_names_the_problem(order_file):
    with pytest.raises(RuntimeError, match="no such table"):
        sqlite_arrow.read(str(order_file), "SELECT id FROM missing_table")
