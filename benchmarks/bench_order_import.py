"""Benchmark the import of historical orders (sales.order_imports) from a CSV file.

    .venv/bin/python benchmarks/bench_order_import.py --lines 100000 [--db sqlite|postgres]
        [--database-url URL] [--customers 20000] [--as rep|admin] [--seed 2026]

Creates a fresh database (SQLite under benchmarks/data/order_import/, or PostgreSQL
``guanxi_bench_order_import`` at 127.0.0.1:5432 / ``--database-url``), migrates it and fills it
(not timed) with customers owned by 20 reps and 500 products. Writes a CSV (not timed) in the
shape of a shop's export: orders of 1–8 lines, the customer by phone (60 %), id (30 %) or name
(10 %), statuses paid / confirmed / shipped / cancelled, Chinese dates and channel names, and
about 1 % bad rows (an unknown SKU, a negative quantity, an impossible date).

Then times the dry run and the import of the whole file (``order_imports.process``), as the
admin (every customer) or, with ``--as rep``, as one rep importing a file of their own
customers (the visibility filter on every lookup).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data" / "order_import"
STATUSES = ["已付款"] * 6 + ["已确认"] * 2 + ["已发货", "已取消"]
CHANNELS = ["门店", "线上", "微信", "电话", ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/guanxi_bench_order_import"
    )
    parser.add_argument("--as", dest="actor", choices=["admin", "rep"], default="admin")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    DATA.mkdir(parents=True, exist_ok=True)
    os.environ["GUANXI_DATA_DIR"] = str(DATA)
    if args.db == "postgres":
        os.environ["DATABASE_URL"] = args.database_url
        _recreate_pg(args.database_url)
    else:
        os.environ.pop("DATABASE_URL", None)
        for suffix in ("", "-wal", "-shm"):
            path = DATA / f"guanxi.sqlite3{suffix}"
            if path.exists():
                path.unlink()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    started = time.perf_counter()
    customers, skus, admin, rep = _fill(args.customers, rng)
    if args.actor == "rep":
        customers = [c for c in customers if c[3] == rep.pk]
    path = DATA / "orders.csv"
    orders, bad = _write_csv(path, args.lines, customers, skus, rng)
    print(f"setup (not timed): {time.perf_counter() - started:.1f} s")

    from django.db import connection

    from guanxi.sales import order_imports
    from guanxi.sales.models import Order, OrderLine

    user = admin if args.actor == "admin" else rep
    timings = {}
    for dry_run in (True, False):
        job = order_imports.new_job(user, path)
        started, cpu = time.perf_counter(), time.process_time()
        outcome = order_imports.process(job, dry_run=dry_run)
        timings["dry run" if dry_run else "import"] = (
            time.perf_counter() - started,
            time.process_time() - cpu,
            outcome,
        )
    print(
        f"database: {connection.vendor}, file: {args.lines:,} lines in {orders:,} orders "
        f"({bad:,} orders with a bad row), acting: {args.actor}"
    )
    for label, (seconds, cpu, outcome) in timings.items():
        print(
            f"{label}: {seconds:.2f} s (this process's CPU {cpu:.2f} s; the rest is waiting for "
            f"the database and a busy machine) — {outcome.orders:,} orders / {outcome.lines:,} lines "
            f"accepted, {outcome.failed:,} orders / {outcome.failed_lines:,} lines refused "
            f"({args.lines / seconds:,.0f} lines/s)"
        )
    print(f"in the database: {Order.objects.count():,} orders, {OrderLine.objects.count():,} lines")


def _recreate_pg(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    base = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _fill(n: int, rng: random.Random):
    from decimal import Decimal

    from django.utils import timezone

    from guanxi.accounts.models import Team, User
    from guanxi.customers.models import Customer
    from guanxi.sales.models import Product

    team = Team.objects.create(name="Bench")
    admin = User.objects.create(username="bench_admin", role="admin", team=team)
    reps = [
        User.objects.create(username=f"bench_rep_{i}", role="rep", team=team) for i in range(1, 21)
    ]
    now = timezone.now()
    rows = []
    for i in range(n):
        rows.append(
            Customer(
                name=f"客户{i:06d}",
                phone=f"+86139{i:08d}",
                owner=reps[i % len(reps)],
                created_at=now,
                updated_at=now,
            )
        )
    Customer.objects.bulk_create(rows, batch_size=2000)
    customers = list(Customer.objects.values_list("pk", "phone", "name", "owner_id"))
    products = [
        Product(
            sku=f"SKU-{i:04d}",
            name=f"产品 {i}",
            list_price=Decimal(rng.randint(500, 50_000)) / 100,
            created_at=now,
            updated_at=now,
        )
        for i in range(500)
    ]
    Product.objects.bulk_create(products)
    return customers, [p.sku for p in products], admin, reps[0]


def _write_csv(path: Path, lines: int, customers, skus, rng: random.Random) -> tuple[int, int]:
    header = ["订单号", "客户ID", "客户电话", "客户", "订单日期", "状态", "渠道", "门店"]
    header += ["应付日期", "付款日期", "SKU", "数量", "单价", "折扣"]
    start = dt.date(2024, 1, 1)
    written = orders = bad = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        while written < lines:
            orders += 1
            pk, phone, name, _owner = rng.choice(customers)
            how = rng.random()
            who = ["", "", ""]
            if how < 0.6:
                who[1] = (
                    phone[3:] if rng.random() < 0.5 else f"{phone[3:6]} {phone[6:10]} {phone[10:]}"
                )
            elif how < 0.9:
                who[0] = str(pk)
            else:
                who[2] = name
            day = start + dt.timedelta(days=rng.randint(0, 700))
            status = rng.choice(STATUSES)
            paid = day + dt.timedelta(days=rng.randint(0, 20)) if status == "已付款" else None
            date_text = f"{day.year}年{day.month}月{day.day}日" if rng.random() < 0.3 else str(day)
            n = min(rng.randint(1, 8), lines - written)
            broken = rng.random() < 0.01
            bad += broken
            for i in range(n):
                first = i == 0
                quantity = str(rng.randint(1, 5))
                sku = rng.choice(skus)
                if broken and i == n - 1:
                    kind = rng.random()
                    if kind < 0.34:
                        sku = "NO-SUCH-SKU"
                    elif kind < 0.67:
                        quantity = "-1"
                    elif first:
                        date_text = "2025-02-30"
                    else:
                        sku = "NO-SUCH-SKU"
                out.writerow(
                    [
                        f"H{orders:07d}",
                        *(who if first else ["", "", ""]),
                        date_text if first else "",
                        status if first else "",
                        rng.choice(CHANNELS) if first else "",
                        "",
                        str(day + dt.timedelta(days=30)) if first else "",
                        str(paid) if first and paid else "",
                        sku,
                        quantity,
                        f"{rng.randint(500, 50_000) / 100:.2f}" if rng.random() < 0.7 else "",
                        str(rng.choice([0, 0, 0, 5, 10])),
                    ]
                )
                written += 1
    return orders, bad


if __name__ == "__main__":
    main()
