"""Benchmark `guanxi analytics refresh` at scale on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_refresh.py --customers 1000000 --orders 10000000 \\
        [--db sqlite|postgres|both] [--keep] [--reuse] [--repeat N] [--index] [--output PATH]

For each database: create it fresh (SQLite file under benchmarks/data/, PostgreSQL database
``guanxi_bench`` at 127.0.0.1:5432 user postgres), migrate it, fill it with
``benchmarks/datagen.py`` (timed, reported, not counted), then run ``refresh_metrics()`` in a
fresh process and report the total, the per-phase timings (``RefreshRun.params["timings"]``),
the peak RSS of the refresh process and the row counts.

``--reuse`` keeps an existing database of the same size instead of regenerating it; ``--keep``
leaves the database in place at the end (default: dropped); ``--index`` adds the covering
index on sales_order suggested in benchmarks/results/refresh.md before refreshing (by hand:
the migration belongs to the sales app); ``--repeat`` runs the refresh N times (each in a fresh
process). Writes a markdown report to benchmarks/results/refresh.md unless ``--output -``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data" / "refresh"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgres://postgres@127.0.0.1:5432/guanxi_bench"
COVERING_INDEX = (
    "CREATE INDEX IF NOT EXISTS order_customer_purchase ON sales_order"
    " (customer_id, order_date, status, total, due_date, paid_date)"
)


def _env(db: str) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="guanxi.settings", GUANXI_DATA_DIR=str(DATA))
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        env["DATABASE_URL"] = PG_BENCH
    return env


def _setup_django() -> None:
    # BENCH_SRC: measure another copy of the code (e.g. the version before a change).
    for path in (Path(os.environ.get("BENCH_SRC", ROOT / "src")), ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    import django

    django.setup()


def _peak_rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- workers (run in a child process, print one JSON line) -----------------------------------


def worker_generate(args) -> dict:
    _setup_django()
    from benchmarks.datagen import generate

    t = time.perf_counter()
    counts = generate(
        args.customers,
        args.orders,
        as_of=args.as_of,
        seed=args.seed,
        log=lambda m: print(m, file=sys.stderr, flush=True),
    )
    return {
        "seconds": round(time.perf_counter() - t, 1),
        "phases": counts.seconds,
        "users": counts.users,
        "products": counts.products,
        "customers": counts.customers,
        "orders": counts.orders,
        "order_lines": counts.order_lines,
        "peak_rss_mib": round(_peak_rss_mib()),
    }


def worker_refresh(args) -> dict:
    _setup_django()
    from django.db import connection

    from guanxi.analytics.models import AssociationRule, CustomerMetrics, LifecycleSnapshot
    from guanxi.analytics.refresh import refresh_metrics

    if args.index:
        t = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(COVERING_INDEX)
            if connection.vendor == "postgresql":
                cur.execute("ANALYZE sales_order")
        index_seconds = round(time.perf_counter() - t, 1)
    else:
        index_seconds = None
    load_before = os.getloadavg()
    t = time.perf_counter()
    run = refresh_metrics(args.as_of)
    wall = time.perf_counter() - t
    return {
        "seconds": run.seconds,
        "wall": round(wall, 2),
        "timings": run.params.get("timings", {}),
        "customers": run.customers,
        "orders": run.orders,
        "metrics_rows": CustomerMetrics.objects.count(),
        "snapshot_rows": LifecycleSnapshot.objects.filter(as_of=args.as_of).count(),
        "rules": AssociationRule.objects.count(),
        "baskets": run.params["rules"]["baskets"],
        "bgnbd": run.params.get("bgnbd"),
        "peak_rss_mib": round(_peak_rss_mib()),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "index_seconds": index_seconds,
    }


# --- driver --------------------------------------------------------------------------------


def _child(db: str, role: str, args) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        role,
        "--db",
        db,
        "--customers",
        str(args.customers),
        "--orders",
        str(args.orders),
        "--seed",
        str(args.seed),
        "--as-of",
        args.as_of.isoformat(),
    ]
    if args.index:
        cmd.append("--index")
    out = subprocess.run(cmd, env=_env(db), check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _marker(db: str) -> Path:
    return DATA / f"{db}.json"


def _fresh(db: str, args) -> dict | None:
    """Create, migrate and fill the database; or reuse one of the same size (``--reuse``)."""
    marker = _marker(db)
    want = {
        "customers": args.customers,
        "orders": args.orders,
        "seed": args.seed,
        "as_of": args.as_of.isoformat(),
    }
    if args.reuse and marker.exists():
        made = json.loads(marker.read_text())
        if all(made.get(k) == v for k, v in want.items()):
            print(f"[{db}] reusing the database generated earlier", file=sys.stderr)
            # The code under test may bring new migrations.
            subprocess.run(
                [str(ROOT / ".venv" / "bin" / "guanxi"), "migrate", "-v0"],
                env=_env(db),
                check=True,
                cwd=ROOT,
            )
            return made | {"reused": True}
    DATA.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    _drop(db)
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute("CREATE DATABASE guanxi_bench")
    t = time.perf_counter()
    subprocess.run(
        [str(ROOT / ".venv" / "bin" / "guanxi"), "migrate", "-v0"],
        env=_env(db),
        check=True,
        cwd=ROOT,
    )
    migrate = round(time.perf_counter() - t, 1)
    print(f"[{db}] migrated in {migrate} s; generating data", file=sys.stderr)
    made = _child(db, "generate", args) | {"migrate_seconds": migrate}
    marker.write_text(json.dumps(want | made))
    return want | made


def _drop(db: str) -> None:
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS guanxi_bench WITH (FORCE)")
    else:
        for suffix in ("", "-wal", "-shm"):
            (DATA / f"guanxi.sqlite3{suffix}").unlink(missing_ok=True)


def _size(db: str) -> str:
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG_BENCH) as conn:
            size = conn.execute("SELECT pg_database_size('guanxi_bench')").fetchone()[0]
    else:
        size = sum(p.stat().st_size for p in DATA.glob("guanxi.sqlite3*"))
    return f"{size / 2**30:.1f} GiB"


def _versions() -> str:
    import numpy
    import polars
    import psycopg

    sqlite_version = subprocess.run(
        [sys.executable, "-c", "import sqlite3; print(sqlite3.sqlite_version)"],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    ).stdout.strip()
    try:
        import psycopg as pg

        with pg.connect(PG_ADMIN) as conn:
            server = conn.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 - only for the report
        server = "?"
    return (
        f"Python {platform.python_version()}; SQLite {sqlite_version}; PostgreSQL {server}; "
        f"polars {polars.__version__}, numpy {numpy.__version__}, psycopg {psycopg.__version__}"
    )


def _report(args, results: dict) -> str:
    lines = [
        "# Analytics refresh at scale",
        "",
        f"- date: {dt.date.today().isoformat()}; as-of date of the refresh: {args.as_of}",
        f"- machine: {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"{platform.system()} {platform.machine()}",
        f"- {_versions()}",
        "- command: `.venv/bin/python benchmarks/bench_refresh.py " + " ".join(sys.argv[1:]) + "`",
        "",
    ]
    for db, res in results.items():
        gen, runs = res["generate"], res["refresh"]
        lines += [f"## {db}", ""]
        g = gen.get("phases", {})
        lines.append(
            f"Data: {gen['customers']:,} customers, {gen['orders']:,} orders, "
            f"{gen['order_lines']:,} order lines, {gen['products']:,} products, "
            f"{gen['users']:,} reps; database {res['size']}. Generated in {gen['seconds']:.0f} s "
            f"(customers {g.get('customers', 0):.0f} s, orders + lines "
            f"{g.get('orders_lines', 0):.0f} s, index rebuild {g.get('indexes', 0):.0f} s; "
            f"migrate {gen.get('migrate_seconds', 0):.0f} s; not counted)"
            + (" — reused from an earlier run" if gen.get("reused") else "")
            + "."
        )
        lines.append("")
        phases = list(runs[0]["timings"])
        head = (
            "| run | total | "
            + " | ".join(phases)
            + " | peak RSS | load avg (1 min) before → after |"
        )
        lines += [head, "|" + "---|" * (len(phases) + 4)]
        for i, r in enumerate(runs, 1):
            cells = " | ".join(f"{r['timings'].get(p, 0):.2f}" for p in phases)
            lines.append(
                f"| {i} | **{r['seconds']:.1f} s** | {cells} | {r['peak_rss_mib']:,} MiB"
                f" | {r['load_before'][0]:.1f} → {r['load_after'][0]:.1f} |"
            )
        r = runs[-1]
        lines += [
            "",
            f"Rows: {r['customers']:,} metrics rows ({r['metrics_rows']:,} in the "
            f"table), {r['orders']:,} purchase orders counted, {r['snapshot_rows']:,} "
            f"snapshot rows, {r['rules']:,} rules from {r['baskets']:,} baskets.",
        ]
        if r.get("bgnbd"):
            lines.append(
                "BG/NBD: " + ", ".join(f"{k}={v:.4g}" for k, v in r["bgnbd"].items()) + "."
            )
        if args.index:
            lines.append(
                f"With the covering index `{COVERING_INDEX}` "
                f"(built in {r['index_seconds']} s before the first run)."
            )
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seed", type=int, default=20241123)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 11, 23))
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--index", action="store_true")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "refresh.md"))
    parser.add_argument("--worker", choices=["generate", "refresh"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        result = (worker_generate if args.worker == "generate" else worker_refresh)(args)
        print(json.dumps(result))
        return 0

    results = {}
    for db in ["sqlite", "postgres"] if args.db == "both" else [args.db]:
        gen = _fresh(db, args)
        runs = []
        for i in range(args.repeat):
            print(f"[{db}] refresh {i + 1}/{args.repeat}", file=sys.stderr)
            runs.append(_child(db, "refresh", args))
            r = runs[-1]
            print(
                f"[{db}]   {r['seconds']:.1f} s {r['timings']} peak {r['peak_rss_mib']} MiB",
                file=sys.stderr,
            )
        results[db] = {"generate": gen, "refresh": runs, "size": _size(db)}
        if not args.keep:
            _drop(db)
            _marker(db).unlink(missing_ok=True)
    report = _report(args, results)
    print(report)
    if args.output != "-":
        Path(args.output).write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
