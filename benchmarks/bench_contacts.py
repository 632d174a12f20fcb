"""The contacts list (page and API) at a million customers: unfiltered, a deep page, primary
contacts only, searched (common, rare and phone digits), filtered by an owner with many or no
customers, for an admin, reps, managers, the analyst and a new rep.

    .venv/bin/python benchmarks/bench_contacts.py [--db sqlite|postgres|both] [--runs 5]
        [--data DIR] [--pg-url URL] [--output benchmarks/results/contacts.md]

Through bench_pages.py's child (Django's test client, the web server's database options, each
path's median wall time of ``--runs`` after one warm-up), on the data of ``--data`` (SQLite,
default bench_load.py's) or the database of ``--pg-url``, migrated first. The contacts need a
realistic spread: bench_load.py's million copies the demo's 50,000 customers without their
contacts (15,000 contacts, all on the oldest 5 %). The figures in results/contacts.md were
taken on ``guanxi demo --customers 1000000`` (300,153 contacts) for SQLite, and for PostgreSQL
on bench_load.py's database with each copied customer given its original's contacts (300,040),
a new rep added to both (``guanxi user add bench.newcomer --role rep --team 广州销售组 …``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_load  # noqa: E402  (the same data and settings)
import bench_pages  # noqa: E402  (the same child)

USERS = [
    ("admin", "admin"),
    ("wang.fang", "rep owning 15 %"),
    ("lin.xiao", "rep of 客服部 (team shares), sees 7 %"),
    ("xu.ming", "manager, team of 48 %"),
    ("he.jing", "manager, team of 7 %"),
    ("guo.qiang", "analyst"),
    ("bench.newcomer", "new rep, none of her own"),
]
#: wang.fang is the demo's user 3; a new rep owns nothing (an owner filter finding none).
PATHS = [
    "/customers/contacts/",
    "/customers/contacts/?page=40",
    "/customers/contacts/?primary=1",
    "/customers/contacts/?q=zhang",
    "/customers/contacts/?q=wangfang",
    "/customers/contacts/?q=1390",
    "/customers/contacts/?owner=3",
    "/customers/contacts/?owner={newcomer}",
    "/api/v1/contacts?limit=50",
    "/api/v1/contacts?q=li&limit=50",
    # Found by their company's name (its pairs of characters, its pinyin): a word one
    # company in five holds, and a rarer one.
    "/customers/contacts/?q=服务",
    "/customers/contacts/?q=gongcheng",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data", default=str(bench_load.DATA), help="GUANXI_DATA_DIR")
    parser.add_argument("--pg-url", default=bench_load.PG_BENCH, help="PostgreSQL database")
    parser.add_argument("--newcomer", type=int, default=14, help="the new rep's user id")
    parser.add_argument("--output", default=str(ROOT / "benchmarks/results/contacts.md"))
    args = parser.parse_args()
    bench_load.DATA, bench_load.PG_BENCH = Path(args.data), args.pg_url
    bench_pages.USERS = USERS
    bench_pages.OTHER_PATHS = [p.format(newcomer=args.newcomer) for p in PATHS]
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    labels = dict(USERS)
    lines = [
        "# The contacts list at 1,000,000 customers",
        "",
        bench_load.ran("bench_contacts.py") + f". The whole request through Django's test "
        f"client, median of {args.runs} after one warm-up, in ms.",
        "",
    ]
    for db in dbs:
        rows = bench_pages.run(db, args.runs, ROOT / "src", migrate=True, tasks=0, others=True)
        lines += [f"## {db}", "", "| path | user | ms |", "|---|---|---:|"]
        for row in rows:
            status = "" if row["status"] == 200 else f" ({row['status']})"
            lines.append(f"| `{row['path']}` | {labels[row['user']]} | {row['ms']:.1f}{status} |")
        lines.append("")
    Path(args.output).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
