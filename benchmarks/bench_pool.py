"""Public pool benchmark: what the pool branch of ``visible_to`` costs the list pages, the pool
page's speed, and the nightly job's first run after a rule is switched on.

    .venv/bin/python benchmarks/bench_pool.py [--customers 500000] [--demo-customers 5000]
        [--pooled-share 0.05] [--reuse]

Uses the PostgreSQL database ``guanxi_bench_pool`` at 127.0.0.1:5432 (user postgres). It

1. prepares the data (skipped with ``--reuse``): a fresh database, ``guanxi migrate``,
   ``guanxi demo --customers DEMO``, then copies the demo's customers in SQL until there are
   ``--customers`` of them, and puts ``--pooled-share`` of them in the pool (a third in the
   company-wide pool, the rest in 华南销售部's);
2. times (median of 7) a rep's and a manager's customer list page (count + first 25 rows by
   -id) with ``visible_to`` with and without the pool branch, and the pool page;
3. switches on a 30-day rule at the top team and times ``pool.recycle`` 400 days on (every
   owned customer is warned: the worst first night), then 4 days later (every one moves).

Figures go to stdout; the machine is shared, so compare runs made side by side.
"""

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgres://postgres@127.0.0.1:5432/guanxi_bench_pool"
GUANXI = str(Path(sys.executable).parent / "guanxi")


def _prepare(customers: int, demo: int, pooled_share: float) -> None:
    env = {**os.environ, "DATABASE_URL": PG_BENCH}
    subprocess.run(
        ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "guanxi_bench_pool"],
        check=True,
    )  # noqa: S603,S607
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", "guanxi_bench_pool"], check=True
    )  # noqa: S603,S607
    subprocess.run([GUANXI, "migrate", "-v", "0"], env=env, check=True)  # noqa: S603
    subprocess.run(
        [GUANXI, "demo", "--customers", str(demo)], env=env, check=True, stdout=subprocess.DEVNULL
    )  # noqa: S603
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "select string_agg(quote_ident(column_name), ',') from information_schema.columns "
            "where table_name = 'customers_customer' and column_name <> 'id'"
        )
        cols = cur.fetchone()[0]
        copies = max(customers // demo - 1, 0)
        cur.execute(
            f"insert into customers_customer ({cols}) select {cols} from customers_customer, "  # noqa: S608
            "generate_series(1, %s)",
            [copies],
        )
        every = max(int(round(1 / pooled_share)), 1)
        cur.execute(
            "update customers_customer set owner_id = null, pooled_at = now() - (id %% 90) * "
            "interval '1 day', pool_reason = 'No follow-up for 30 days', pool_team_id = (case "
            "when id %% 3 = 0 then null else (select id from accounts_team where name = "
            "'华南销售部') end) where id %% %s = 0",
            [every],
        )
        cur.execute("analyze customers_customer")


def _median_ms(fn, n: int = 7) -> float:
    times = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=500_000)
    parser.add_argument("--demo-customers", type=int, default=5_000)
    parser.add_argument("--pooled-share", type=float, default=0.05)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = PG_BENCH
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    import django

    django.setup()
    if not args.reuse:
        _prepare(args.customers, args.demo_customers, args.pooled_share)

    from django.utils import timezone

    from guanxi.accounts.models import User
    from guanxi.customers import pool
    from guanxi.customers.models import Customer, ShareLevel

    def without_pool(user):
        reach = Customer.objects._queryset_class._reach(
            user, levels=(ShareLevel.READ, ShareLevel.EDIT)
        )
        return Customer.objects.alive().filter(reach)

    def page(qs):
        qs = qs.select_related("owner").order_by("-id")
        return lambda: (qs.count(), list(qs[:25]))

    print(f"{Customer.objects.count():,} customers, {Customer.objects.pooled().count():,} pooled")
    for username in ("wang.fang", "zhou.jie"):
        user = User.objects.get(username=username)
        before = _median_ms(page(without_pool(user)))
        after = _median_ms(page(Customer.objects.visible_to(user)))
        pool_page = _median_ms(page(pool.pool_for(user)))
        print(
            f"{username} ({user.role}): list page {before:.0f} ms without the pool branch, "
            f"{after:.0f} ms with it; pool page {pool_page:.0f} ms"
        )
    admin = User.objects.get(username="admin")
    pool.save_rule(admin, admin.team, {"followup_days": 30, "warn_days": 3})
    now = timezone.now() + dt.timedelta(days=400)
    for label, at in (("warn", now), ("recycle", now + dt.timedelta(days=4))):
        started = time.perf_counter()
        run = pool.recycle(at)
        seconds = time.perf_counter() - started
        count = len(run.warned) if label == "warn" else len(run.recycled)
        print(f"nightly job, first night ({label}): {count:,} customers in {seconds:.1f} s")


if __name__ == "__main__":
    main()
