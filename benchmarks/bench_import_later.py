"""What an import would gain by leaving work for later: the figures for the product decision the
import's target waits on (issue #6: 20,000 rows/s). Not what Guanxi does.

    .venv/bin/python benchmarks/bench_import_later.py [--db sqlite|postgres|both] [--rounds 2]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres]
        [--output benchmarks/results/import_later.md]

The same 100,000-row file and command path as bench_import.py (``guanxi import customers``,
batches of 2,000, a fresh migrated database and process each run), three ways, alternating:

- **as it is**: every customer written with its search-index entry and its history row;
- **search index later**: the index left out while the import runs (SQLite: the FTS5 insert
  trigger dropped; PostgreSQL: the trigram index dropped), then built over the imported rows
  (``search_index.install``), timed apart: how long search would lag behind the import;
- **search index and history later**: the same, and no history rows written.

On an empty table the index is built in one pass after the import, cheaper than rows added
to a million customers' index one batch at a time would be: the "later" figures are the most
that leaving the index for later could buy, not what an import into a full database would
see. The peer is not run here: bench_import.py gives its plain bulk mode on the same machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_import  # noqa: E402  (the same file, databases and command path)

WAYS = {
    "as it is": (),
    "search index later": ("search-index",),
    "search index and history later": ("search-index", "history"),
}


def child(csv_path: str, left_out: list[str]) -> None:
    sys.path.insert(0, str(ROOT))
    bench_import._prepare()
    from django.core.management import call_command
    from django.db import connection

    from guanxi.customers import bulk, search_index

    if "history" in left_out:
        bulk._insert_history = lambda *args, **kwargs: None
    if "search-index" in left_out:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER {search_index.FTS_TABLE}_insert")
            else:
                cursor.execute(f"DROP INDEX {search_index.TRGM_INDEX}")
    out = io.StringIO()

    def run():
        try:
            call_command(
                "import", "customers", csv_path, "--owner", "bench", "--batch-size", "2000",
                stdout=out, stderr=io.StringIO(),
            )  # fmt: skip
        except SystemExit:
            pass

    result = {"import": bench_import._timed(run), "later": None}
    if "search-index" in left_out:
        result["later"] = bench_import._timed(search_index.install)
    result["output"] = out.getvalue().strip().splitlines()[0]
    result.update(bench_import._counts())
    print(json.dumps(result))


def run_one(db: str, way: str, csv_path: Path, admin_url: str) -> dict:
    env = bench_import._fresh_database(db, "guanxi", admin_url)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(list(WAYS[way])), "--csv", str(csv_path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or "did not start" in done.stderr:
        raise SystemExit(f"{db} / {way} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--output", default=str(ROOT / "benchmarks/results/import_later.md"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--csv", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.csv, json.loads(args.child))
        return
    sys.path.insert(0, str(ROOT))
    from benchmarks.import_data import write_customers_csv

    bench_import.DATA.mkdir(parents=True, exist_ok=True)
    csv_path = bench_import.DATA / f"customers-{args.rows}-1.csv"
    stats_path = csv_path.with_suffix(".json")
    if not stats_path.exists():
        stats_path.write_text(json.dumps(write_customers_csv(csv_path, args.rows, 1)))
    started, load = dt.datetime.now(dt.UTC), os.getloadavg()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    rows = []
    for round_ in range(1, args.rounds + 1):
        for db in dbs:
            for way in WAYS:
                r = run_one(db, way, csv_path, args.database_url)
                imported, later = r["import"]["seconds"], (r["later"] or {}).get("seconds", 0.0)
                rows.append(
                    f"| {round_} | {db} | {way} | {args.rows / imported:,.0f} |"
                    f" {f'{later:.1f} s' if r['later'] else '—'} |"
                    f" {args.rows / (imported + later):,.0f} | {r['customers']:,} |"
                    f" {r['history_rows']:,} | {r['output']} |"
                )
                print(rows[-1], flush=True)
    lines = [
        "# What an import would gain by leaving work for later",
        "",
        f"`{' '.join(['benchmarks/bench_import_later.py', *sys.argv[1:]])}`, started"
        f" {started:%Y-%m-%d %H:%M} UTC: {os.cpu_count()} cores, {platform.machine()}, Python"
        f" {platform.python_version()}, load average {load[0]:.1f} at the start. File:"
        f" {args.rows:,} rows (`benchmarks/import_data.py`, seed 1), batches of 2,000; each run a"
        " fresh migrated database and process, the import timed as bench_import.py times it.",
        "",
        "| round | database | way | import rows/s (wall) | then the search index built |"
        " rows/s with it | customers | history rows | outcome |",
        "|---:|---|---|---:|---:|---:|---:|---:|---|",
        *rows,
    ]
    text = "\n".join(lines) + "\n"
    Path(args.output).write_text(text, encoding="utf-8")
    print(f"report: {args.output}")


if __name__ == "__main__":
    main()
