"""Every filtered search at a million customers: each list filter (none, a kind, a city, a tag,
an owner, a city and a kind) searched for each of eleven queries (common, rare, one that
matches nothing, Chinese, digits) by each of six users (the admin, two reps, two managers, a new
rep with none of her own): 528 reads, the whole read in Python as the list and the API run it
(``customer_rows(user, q=…, limit=50, …)``), median of the runs after the first.

    .venv/bin/python benchmarks/bench_filtered_search.py [--db sqlite|postgres|both]
        [--runs 3] [--src SRC ...] [--output benchmarks/results/filtered_search.md]

Uses the data bench_load.py prepares (``bench_load.py --prepare-only``), migrated to the code's
migrations; the new rep is added in a transaction that rolls back. ``--src`` runs the grid with
each given source tree in turn (another checkout's ``src``, to compare code on the same data
and machine; the first is the one migrated). The report gives, per database and source, the
spread of the 528 reads, how many took more than 50 ms, and the slowest; every read is kept
beside it as JSON (the output's name, ``.json``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_load import each_source, ran, run_on_data  # noqa: E402  (the same data and settings)

USERS = ["admin", "wang.fang", "lin.xiao", "he.jing", "xu.ming", "bench.newcomer"]
SHOWN = {
    "admin": "admin",
    "wang.fang": "rep 14 %",
    "lin.xiao": "rep 3 %",
    "he.jing": "manager 3 %",
    "xu.ming": "manager 33 %",
    "bench.newcomer": "new rep",
}
#: "<owner>" is wang.fang's id.
FILTERS = [
    {},
    {"kind": "company"},
    {"kind": "person"},
    {"city": "宁波市"},
    {"city": "上海市"},
    {"tag": "车主"},
    {"owner": "<owner>"},
    {"city": "宁波市", "kind": "company"},
]
QUERIES = ["li", "ww", "wang", "zhang", "a", "qq", "zz", "xyz", "138", "gongsi", "有限"]
SLOW_MS = 50.0

CHILD = r"""
import itertools, json, statistics, sys, time
import django
django.setup()
from django.db import transaction
from guanxi.accounts.models import User
from guanxi.accounts.services import create_user
from guanxi.customers.queries import customer_rows

runs = int(sys.argv[1])
USERS, FILTERS, QUERIES = (json.loads(a) for a in sys.argv[2:5])
cells = []
with transaction.atomic():  # rolled back: the new rep leaves no trace
    lin = User.objects.get(username="lin.xiao")
    create_user("bench.newcomer", "x" * 16, role="rep", team=lin.team, validate_password=False)
    owner_id = User.objects.get(username="wang.fang").pk
    for name in USERS:
        user = User.objects.get(username=name)
        for filters, q in itertools.product(FILTERS, QUERIES):
            narrowed = {k: (owner_id if v == "<owner>" else v) for k, v in filters.items()}
            times = []
            for _ in range(runs + 1):
                start = time.perf_counter()
                rows = customer_rows(user, q=q, limit=50, **narrowed)
                times.append(1000 * (time.perf_counter() - start))
            cells.append({"user": name, "filters": filters, "q": q,
                          "ms": statistics.median(times[1:]), "rows": len(rows)})
    transaction.set_rollback(True)
print(json.dumps(cells))
"""


def run(db: str, runs: int, src: Path, migrate: bool) -> list[dict]:
    args = [str(runs), json.dumps(USERS), json.dumps(FILTERS), json.dumps(QUERIES)]
    return run_on_data(db, CHILD, args, src=src, migrate=migrate)


def _label(cell: dict) -> str:
    shown = {k: ("wang.fang" if v == "<owner>" else v) for k, v in cell["filters"].items()}
    filters = ", ".join(f"{k} {v}" for k, v in shown.items()) or "no filter"
    return f'{SHOWN[cell["user"]]} | {filters} | "{cell["q"]}"'


def _spread(cells: list[dict]) -> str:
    times = sorted(c["ms"] for c in cells)
    p95 = times[int(0.95 * (len(times) - 1))]
    slow = sum(t > SLOW_MS for t in times)
    return (
        f"{len(times)} reads: median {statistics.median(times):.1f} ms, 95th percentile"
        f" {p95:.1f} ms, slowest {times[-1]:.1f} ms; **{slow}** above {SLOW_MS:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--src", nargs="+", default=[str(ROOT / "src")])
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--output", default=str(ROOT / "benchmarks/results/filtered_search.md"))
    args = parser.parse_args()
    sources = [Path(s).resolve() for s in args.src]
    results = each_source(run, args.db, args.src, args.runs)
    lines = [
        "# Every filtered search at a million customers",
        "",
        ran("bench_filtered_search.py", "finished") + f". {len(FILTERS)} filters × {len(QUERIES)}"
        f" queries × {len(USERS)} users, the whole read (`customer_rows(user, q=…, limit=50,"
        f" …)`), median of {args.runs} runs after the first (which also counts, once a minute per"
        " user, whether she sees few customers, and samples a short query). Queries: "
        + ", ".join(f'"{q}"' for q in QUERIES)
        + ".",
        "",
    ]
    for (db, src), cells in results.items():
        shown = src if len(sources) > 1 else "this checkout's code"
        lines += [f"## {db}, {shown}", "", _spread(cells) + ".", ""]
        lines += ["| user | filters | query | ms | rows |", "|---|---|---|---:|---:|"]
        for cell in sorted(cells, key=lambda c: -c["ms"])[: args.top]:
            lines.append(f"| {_label(cell)} | {cell['ms']:.1f} | {cell['rows']} |")
        lines.append("")
    Path(args.output).write_text("\n".join(lines) + "\n")
    every = [
        {"db": db, "src": src, **cell} for (db, src), cells in results.items() for cell in cells
    ]
    Path(args.output).with_suffix(".json").write_text(json.dumps(every, ensure_ascii=False))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
