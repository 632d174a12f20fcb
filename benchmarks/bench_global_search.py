"""The global search's three groups at a million customers: customers, contacts and deals found
for the queries the load benchmark sends, by the admin, two reps and a manager, 50 rows a group
as the results page asks (``global_search(user, q, limit=50)``), each group's CPU and wall time.

    .venv/bin/python benchmarks/bench_global_search.py [--db sqlite|postgres|both]
        [--runs 30] [--src SRC ...] [--output benchmarks/results/global_search.md]

Uses the data bench_load.py prepares (``bench_load.py --prepare-only``), migrated to the code's
migrations. In one process per database and source, with what Django loaded frozen out of the
garbage collector's reach as ``guanxi.wsgi`` does, each group is run five times and then
``--runs`` times; the report gives the mean per run of the process's CPU time and of the wall
time (the wall time includes the database's), and whether the sources found the same rows. ``--src`` runs with each given source tree in
turn (another checkout's ``src``, to compare code on the same data and machine; the first is
the one migrated).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_load import NO_HIT, WORDS, each_source, ran, run_on_data  # noqa: E402  (the same data, settings, queries)

USERS = {
    "admin": "admin",
    "wang.fang": "rep 14 %",
    "lin.xiao": "rep 3 %",
    "xu.ming": "manager 33 %",
}
QUERIES = [*WORDS, NO_HIT, "1380013"]
GROUPS = ["customers", "contacts", "deals"]

CHILD = r"""
import gc, json, sys, time
import django
django.setup()
from guanxi.accounts.models import User
from guanxi.customers.queries import search_customers
from guanxi.ops import search

runs, users, queries = int(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
read = {
    "customers": search_customers,
    "contacts": search.search_contacts,
    "deals": search.search_opportunities,
}
gc.collect()
gc.freeze()  # as guanxi.wsgi does after loading
cells = []
for name in users:
    user = User.objects.get(username=name)
    for q in queries:
        for group, find in read.items():
            for _ in range(5):
                rows = find(user, q, limit=50)
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(runs):
                find(user, q, limit=50)
            cells.append({"user": name, "q": q, "group": group, "rows": len(rows),
                          "ids": [row.pk for row in rows],
                          "cpu_ms": 1000 * (time.process_time() - cpu) / runs,
                          "wall_ms": 1000 * (time.perf_counter() - wall) / runs})
print(json.dumps(cells))
"""


def run(db: str, runs: int, src: Path, migrate: bool) -> list[dict]:
    args = [str(runs), json.dumps(list(USERS)), json.dumps(QUERIES, ensure_ascii=False)]
    return run_on_data(db, CHILD, args, src=src, migrate=migrate)


def _table(results: dict, db: str, sources: list[Path]) -> list[str]:
    """One row per user and query: each group's CPU / wall ms per source, the rows found."""
    runs = {
        src: {(c["user"], c["q"], c["group"]): c for c in results[db, str(src)]} for src in sources
    }
    names = [f"source {i + 1}" for i in range(len(sources))] if len(sources) > 1 else ["ms"]
    head = "| user | query | " + " | ".join(
        f"{group} CPU / wall ({name})" for group in GROUPS for name in names
    )
    lines = [head + " | rows |", "|---|---|" + "---:|" * (len(GROUPS) * len(names)) + "---:|"]
    totals = {str(src): [0.0, 0.0] for src in sources}
    for user, shown in USERS.items():
        for q in QUERIES:
            cells, rows = [], ""
            for group in GROUPS:
                for src in sources:
                    cell = runs[src][user, q, group]
                    cells.append(f"{cell['cpu_ms']:.2f} / {cell['wall_ms']:.2f}")
                    totals[str(src)][0] += cell["cpu_ms"]
                    totals[str(src)][1] += cell["wall_ms"]
            rows = "/".join(str(runs[sources[-1]][user, q, g]["rows"]) for g in GROUPS)
            lines.append(f'| {shown} | "{q}" | ' + " | ".join(cells) + f" | {rows} |")
    lines.append("")
    differ = [
        f'{USERS[user]} "{q}" {group}'
        for (user, q, group), cell in runs[sources[0]].items()
        if any(runs[src][user, q, group]["ids"] != cell["ids"] for src in sources[1:])
    ]
    if len(sources) > 1:
        lines.append(
            "- every source found the same rows, in the same order"
            if not differ
            else f"- **the sources found different rows**: {', '.join(differ)}"
        )
    count = len(USERS) * len(QUERIES)
    for i, src in enumerate(sources):
        cpu, wall = totals[str(src)]
        label = f"source {i + 1} ({src})" if len(sources) > 1 else "this checkout's code"
        lines.append(
            f"- {label}: a search's three groups take on average **{cpu / count:.2f} ms** of CPU,"
            f" **{wall / count:.2f} ms** of wall time"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--src", nargs="+", default=[str(ROOT / "src")])
    parser.add_argument("--output", default=str(ROOT / "benchmarks/results/global_search.md"))
    args = parser.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    sources = [Path(s).resolve() for s in args.src]
    results = each_source(run, args.db, args.src, args.runs)
    lines = [
        "# The global search's groups at a million customers",
        "",
        ran("bench_global_search.py", "finished") + f". Each group read by"
        f" `global_search`'s own functions, 50 rows, mean of {args.runs} runs after five; CPU"
        " is this process's, wall includes the database's work.",
        "",
    ]
    for db in dbs:
        lines += [f"## {db}", ""] + _table(results, db, sources) + [""]
    Path(args.output).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
