"""Benchmark: ``guanxi demo --customers N`` (load + analytics refresh) into a fresh database.

Usage::

    .venv/bin/python benchmarks/bench_demo.py --customers 1000000 --db both
    .venv/bin/python benchmarks/bench_demo.py --customers 20000 --db sqlite --no-write

For each database it makes a fresh one (a new SQLite file under ``--dir``; the PostgreSQL
database ``--pg-db``, dropped and created again), runs ``guanxi migrate`` (timed apart), then
``guanxi demo --customers N --seed S`` in a child process and reports its wall seconds and CPU
seconds (user + system of the command and every process it waited for, from ``wait4``), the
load and refresh seconds it prints, the load average around the run, and what it created,
counted in the database afterwards: customers, contacts, their history rows, orders, order
lines, opportunities, stage changes, leads, metrics rows, plus a search check (a sampled
customer's name and phone find it through the app's search). Runs are appended to
``benchmarks/results/demo.md`` unless ``--no-write``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "demo.md"
GUANXI = [sys.executable, "-m", "guanxi.cli"]

COUNT_SCRIPT = """
import json, django
django.setup()
from django.db import connection
from guanxi.accounts.models import User
from guanxi.customers.models import Contact, Customer
from guanxi.customers.queries import customers_for, search_customers
from guanxi.sales.models import Lead, Opportunity, Order, OrderLine, StageChange
from guanxi.analytics.models import CustomerMetrics
admin = User.objects.get(username="admin")
found = 0
ids = list(Customer.objects.exclude(phone="").order_by("id").values_list("pk", flat=True))
sample = list(Customer.objects.filter(pk__in=ids[:: max(1, len(ids) // 20)][:20]))
for c in sample:
    by_name = customers_for(admin, q=c.name).filter(pk=c.pk).exists()
    by_phone = c in search_customers(admin, c.phone.removeprefix("+86"))
    found += by_name and by_phone
print(json.dumps({
    "customers": Customer.objects.count(),
    "customer history": Customer.history.count(),
    "contacts": Contact.objects.count(),
    "contact history": Contact.history.count(),
    "orders": Order.objects.count(),
    "order lines": OrderLine.objects.count(),
    "opportunities": Opportunity.objects.count(),
    "stage changes": StageChange.objects.count(),
    "leads": Lead.objects.count(),
    "metrics rows": CustomerMetrics.objects.count(),
    "search found": f"{found}/{len(sample)}",
}))
"""


def _pg(sql: str, url: str) -> None:
    base = url.rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", base, "-qc", sql], check=True)


def fresh_env(db: str, customers: int, args) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "guanxi.settings"
    env["PYTHONPATH"] = args.src
    data_dir = Path(args.dir) / f"{db}-{customers}"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env["GUANXI_DATA_DIR"] = str(data_dir)  # the SQLite file (and the job queue) go here
    if db == "postgresql":
        url = f"{args.pg_url.rstrip('/')}/{args.pg_db}"
        _pg(f"DROP DATABASE IF EXISTS {args.pg_db}", url)
        _pg(f"CREATE DATABASE {args.pg_db}", url)
        env["DATABASE_URL"] = url
    return env


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU seconds (the command and the processes it waited for) and its output."""
    started = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own command
        cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    out = proc.stdout.read() if proc.stdout else ""
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode:
        sys.stderr.write(out)
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode})")
    return wall, usage.ru_utime + usage.ru_stime, out


def run(db: str, customers: int, args) -> dict:
    env = fresh_env(db, customers, args)
    migrate_wall, _cpu, _out = timed([*GUANXI, "migrate", "-v", "0"], env)
    load_before = os.getloadavg()
    at = datetime.datetime.now(datetime.UTC)
    cmd = [*GUANXI, "demo", "--customers", str(customers), "--seed", str(args.seed)]
    wall, cpu, out = timed(cmd, env)
    load_after = os.getloadavg()
    loaded = re.search(r"in ([\d.]+) s \(seed", out)
    refreshed = re.search(r"\(([\d.]+) s\)\.", out)
    counts = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "-c", COUNT_SCRIPT],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if counts.returncode:
        raise SystemExit(counts.stderr)
    result = {
        "db": db,
        "customers": customers,
        "at": at.strftime("%Y-%m-%d %H:%M UTC"),
        "wall": wall,
        "cpu": cpu,
        "load seconds": float(loaded.group(1)) if loaded else None,
        "refresh seconds": float(refreshed.group(1)) if refreshed else None,
        "migrate seconds": migrate_wall,
        "load average": f"{load_before[0]:.1f} → {load_after[0]:.1f}",
        "created": json.loads(counts.stdout.strip().splitlines()[-1]),
    }
    if db == "sqlite" and not args.keep:
        shutil.rmtree(env["GUANXI_DATA_DIR"], ignore_errors=True)
    if db == "postgresql" and not args.keep:
        _pg(f"DROP DATABASE IF EXISTS {args.pg_db}", env["DATABASE_URL"])
    return result


def markdown(results: list[dict], note: str) -> str:
    lines = [
        f"## Runs of {results[0]['at']} ({platform.node()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()})",
        "",
        *([note, ""] if note else []),
        "| database | customers | wall s | CPU s | load s | refresh s | load average | created |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        created = ", ".join(
            f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in r["created"].items()
        )
        lines.append(
            f"| {r['db']} | {r['customers']:,} | {r['wall']:.1f} | {r['cpu']:.1f} | "
            f"{r['load seconds']} | {r['refresh seconds']} | {r['load average']} | {created} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[100_000])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--dir", default="/tmp/guanxi-bench-demo", help="where SQLite files go")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-db", default="guanxi_bench_demo")
    parser.add_argument(
        "--src", default=str(ROOT / "src"), help="the code to run (another checkout's src)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--note", default="", help="a line written above the table")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = []
    for customers in args.customers:
        for db in dbs:  # one after the other: the machine has two cores
            result = run(db, customers, args)
            print(json.dumps(result, ensure_ascii=False), flush=True)
            results.append(result)
    text = markdown(results, args.note)
    print(text)
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        if not RESULTS.exists():
            RESULTS.write_text("# `guanxi demo` at scale: load + analytics refresh\n\n")
        with RESULTS.open("a") as f:
            f.write("\n" + text)


if __name__ == "__main__":
    main()
