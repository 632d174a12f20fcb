"""A customer list's first page for every kind of user at a million customers: read way by way
(what Guanxi does, ``visible_to(user, newest=50)``) beside the newest-first walk it replaced;
and the list filtered and searched.

    .venv/bin/python benchmarks/bench_rep_list.py [--db sqlite|postgres|both] [--runs 40]
        [--output benchmarks/results/rep_list.md]

Uses the data bench_load.py prepares (``bench_load.py --prepare-only``: the SQLite file under
benchmarks/data/search/, the PostgreSQL database ``guanxi_bench_search``), migrated to the
code's migrations. In a transaction it rolls back it adds ``bench.newcomer``, a rep with no
customer of her own yet (a new hire), and later ``bench.importer``, a rep who then owns the
newest 20,000 customers (as after her import); on PostgreSQL it vacuums the table afterwards.
For each user it times, in one process, the SQL of the list's first page of 50 both ways,
prepared as the list runs it (on PostgreSQL the walk with the plans chosen as before,
``plan_cache_mode=auto``, the new read with one kept plan, as the settings now ask), median of
``--runs`` after five warm-up runs, and checks both give the same ids. Then the list filtered
(tag, city, kind, owner) and searched ("zhang", "ww", "li", alone and in a filtered list) by
the admin, two reps, two managers and the new rep: the whole read in Python as the list runs it
now, beside the read it ran before the sixteenth session (``old_rows``), both checked to give
the same ids.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_load import PG_BENCH, ran, run_on_data  # noqa: E402  (the same data and settings)

USERS = [
    ("admin", "admin"),
    ("wang.fang", "rep owning 14 %"),
    ("lin.xiao", "rep owning 3 %"),
    ("he.jing", "manager, team of 3 %"),
    ("xu.ming", "manager, team of 28 %"),
    ("bench.newcomer", "new rep, none of her own"),
    ("wang.fang*", "rep owning 14 %, after another's 20,000-row import"),
]
IMPORTED = 20_000
#: The list filtered and searched: (label, filters, query); "<owner>" is wang.fang's id.
CASES = [
    ("tag 车主 (on the oldest 5 %)", {"tag": "车主"}, ""),
    ("tag 展会2026", {"tag": "展会2026"}, ""),
    ("city 上海市 (25 %)", {"city": "上海市"}, ""),
    ("city 宁波市 (1.9 %)", {"city": "宁波市"}, ""),
    ("companies (15 %)", {"kind": "company"}, ""),
    ("宁波市 companies", {"city": "宁波市", "kind": "company"}, ""),
    ("owner wang.fang", {"owner": "<owner>"}, ""),
    ('search "zhang"', {}, "zhang"),
    ('search "ww"', {}, "ww"),
    ('search "li"', {}, "li"),
    ('companies, search "wang"', {"kind": "company"}, "wang"),
    ('上海市, search "ww"', {"city": "上海市"}, "ww"),
    ('tag 车主, search "wang"', {"tag": "车主"}, "wang"),
]
FILTER_USERS = ["admin", "wang.fang", "lin.xiao", "he.jing", "xu.ming", "bench.newcomer"]

CHILD = r"""
import json, statistics, sys, time
import django
django.setup()
from django.db import connection, transaction
from guanxi.accounts.models import User
from guanxi.accounts.services import create_user
from guanxi.core.hot_reads import cursor as hot_cursor
from guanxi.customers import queries
from guanxi.customers.models import Customer
from guanxi.customers.queries import customer_rows, customers_for, list_columns

runs, imported = int(sys.argv[1]), int(sys.argv[2])
users, CASES, FILTER_USERS = json.loads(sys.argv[3]), json.loads(sys.argv[4]), json.loads(sys.argv[5])

def timed(sql, params, plans=None):
    # Median ms of the runs after 5, and the ids; plans: PostgreSQL's plan_cache_mode for the
    # runs (the settings' otherwise).
    times = []
    if plans and connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute(f"SET plan_cache_mode = {plans}")
    for i in range(runs + 5):
        with hot_cursor() as c:
            start = time.perf_counter()
            c.execute(sql, params)
            rows = c.fetchall()
            times.append(1000 * (time.perf_counter() - start))
    if plans and connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("RESET plan_cache_mode")
    return statistics.median(times[5:]), [r[0] for r in rows]

def measure(name):
    user = User.objects.get(username=name.rstrip("*"))
    walk = list_columns(Customer.objects.visible_to(user)).order_by("-id")[:50]
    ways = list_columns(Customer.objects.visible_to(user, newest=50)).order_by("-id")[:50]
    walk_ms, walk_ids = timed(*walk.query.sql_with_params(), plans="auto")  # as it ran before
    ways_ms, ways_ids = timed(*ways.query.sql_with_params())
    return {"user": name, "walk_ms": walk_ms, "ways_ms": ways_ms, "same": walk_ids == ways_ids}

def old_rows(user, q, narrowed):
    # What the list read before this session's change (5956a9a): a filtered list the plain
    # filtered query newest first; a search in a filtered list customers_for's (the index's
    # newest matches, else the walk); a search alone customer_rows without sees_few.
    if not q:
        plain = queries._narrowed(Customer.objects.visible_to(user), **narrowed)
        return list(list_columns(plain).order_by("-id")[:50])
    if narrowed:
        return list(list_columns(customers_for(user, q=q, **narrowed, newest=50))[:50])
    saved, queries.sees_few = queries.sees_few, lambda user, **kwargs: False
    try:
        return customer_rows(user, q=q, limit=50)
    finally:
        queries.sees_few = saved

def filtered(name, label, narrowed, q):
    # The list filtered and searched: customer_rows as the list runs it now, beside the read
    # it ran before; median of filter_runs after one.
    user = User.objects.get(username=name)
    narrowed = {k: (owner_id if v == "<owner>" else v) for k, v in narrowed.items()}
    timings = {}
    for key, read in (
        ("now", lambda: customer_rows(user, q=q, limit=50, **narrowed)),
        ("before", lambda: old_rows(user, q, narrowed)),
    ):
        times = []
        for i in range(filter_runs + 1):
            start = time.perf_counter()
            rows = read()
            times.append(1000 * (time.perf_counter() - start))
        timings[key] = (statistics.median(times[1:]), [c.pk for c in rows])
    return {"user": name, "case": label, "before_ms": timings["before"][0],
            "now_ms": timings["now"][0], "rows": len(timings["now"][1]),
            "same": timings["before"][1] == timings["now"][1]}

def probe(name):
    # queries.sees_few's count, which a process runs once a minute per user who searches.
    user = User.objects.get(username=name)
    times = []
    for i in range(filter_runs + 1):
        queries.forget_reach()
        start = time.perf_counter()
        few = queries.sees_few(user)
        times.append(1000 * (time.perf_counter() - start))
    return {"user": name, "ms": statistics.median(times[1:]), "few": few}

out, search, probes = [], [], []
filter_runs = max(3, runs // 8)
with transaction.atomic():  # rolled back: the two users and the owners changed leave no trace
    lin = User.objects.get(username="lin.xiao")
    create_user("bench.newcomer", "x" * 16, role="rep", team=lin.team, validate_password=False)
    for name in users:
        if not name.endswith("*"):
            out.append(measure(name))
    owner_id = User.objects.get(username="wang.fang").pk
    for name in FILTER_USERS:
        for label, narrowed, q in CASES:
            search.append(filtered(name, label, narrowed, q))
        probes.append(probe(name))
    importer = create_user(
        "bench.importer", "x" * 16, role="rep", team=lin.team, validate_password=False
    )
    top = Customer.objects.order_by("-id").values_list("id", flat=True)[imported - 1]
    Customer.objects.filter(pk__gte=top).update(owner=importer)
    for name in users:
        if name.endswith("*"):
            out.append(measure(name))
    transaction.set_rollback(True)
print(json.dumps({"list": out, "search": search, "probes": probes}))
"""


def run(db: str, runs: int, users: list[str]) -> dict:
    args = [str(runs), str(IMPORTED), *map(json.dumps, (users, CASES, FILTER_USERS))]
    result = run_on_data(db, CHILD, args, src=ROOT / "src", migrate=True)
    if db == "postgres":
        # The import rolled back leaves 20,000 dead rows and the trigram index's pending list
        # behind: every later search would read them (bench_load's database CPU per request
        # doubled) until autovacuum came by.
        subprocess.run(
            ["psql", PG_BENCH, "-qc", "VACUUM ANALYZE customers_customer"],
            check=True,
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--output", default=str(ROOT / "benchmarks/results/rep_list.md"))
    args = parser.parse_args()
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    labels = dict(USERS)
    names = [u for u, _ in USERS]  # "wang.fang*": wang.fang once another owns the newest
    results = {db: run(db, args.runs, names) for db in dbs}
    lines = [
        "# A customer list's first page for every kind of user (1,000,000 customers)",
        "",
        ran("bench_rep_list.py") + f". The SQL of the first page of 50, prepared as the"
        " list runs it (PostgreSQL: the walk with its plans chosen per run as before, the read"
        f" per way with one plan kept, as the settings now ask), median of {args.runs} runs after"
        " 5 warm-up runs, in one process; the same column says whether both gave the same ids.",
        "",
        "- **walk**: the newest customers of `visible_to(user)`, read newest first, skipping"
        " those the user may not see (the list before);",
        "- **per way**: each way the user sees customers read newest first on its own, 50 of"
        " each at most (`visible_to(user, newest=50)`, the list now).",
        "",
        "| user | database | walk | per way | same ids |",
        "|---|---|---:|---:|---|",
    ]
    for db, result in results.items():
        for row in result["list"]:
            lines.append(
                f"| {labels[row['user']]} | {db} | {row['walk_ms']:.2f} ms |"
                f" {row['ways_ms']:.2f} ms | {'yes' if row['same'] else '**no**'} |"
            )
    lines += [
        "",
        "## The list filtered and searched",
        "",
        "The whole read in Python (`customer_rows(user, limit=50, …)` as the list and the API"
        f" run it), median of {max(3, args.runs // 8)} runs after one, each cell the read before"
        " this change → now, and the rows found (of 50). **Before** is what the list ran at"
        " 5956a9a: a filtered list the plain filtered query newest first (`visible_to(user)`"
        " and the filters); a search the index's newest matches among the user's customers,"
        " else every customer newest first, each tested. **Now** a list filtered by a tag reads"
        " the tag's customers newest first through its links, checked a batch at a time; by a"
        " city, the plain query, which reads the city's customers newest first through the"
        " index of (city, -id) of migration 0020 (the before column runs on that index too:"
        " with the index of the city alone PostgreSQL took 72 / 20 / 20 ms for 宁波市 and 226 /"
        " 141 / 116 ms for its companies for the 14 % rep, the 3 % rep and the 3 % manager,"
        " 2026-11-24 23:38 UTC); by owner or kind, each way the user sees customers newest"
        " first, the filters tested row by row (a manager's team member by member); a user who"
        " sees at most 5,000 customers (the new rep) has every filtered list and search read"
        " her ways. Every cell gave the same ids both ways unless marked. Users: the admin;"
        " reps owning 14 % and 3 %; managers of teams owning 3 % and 33 %; a new rep with"
        " none of her own (the pool is empty in this data: she sees her team's shares).",
        "",
    ]
    users_shown = ["admin", "rep 14 %", "rep 3 %", "manager 3 %", "manager 33 %", "new rep"]
    for db, result in results.items():
        cells: dict[str, dict[str, str]] = {}
        for row in result["search"]:
            mark = "" if row["same"] else " **differ**"
            cells.setdefault(row["case"], {})[row["user"]] = (
                f"{row['before_ms']:.1f} → **{row['now_ms']:.1f}** ({row['rows']}){mark}"
            )
        lines += [
            f"### {db}",
            "",
            "| list | " + " | ".join(users_shown) + " |",
            "|---|" + "---:|" * len(users_shown),
        ]
        for label, _narrowed, _q in CASES:
            row = cells[label]
            lines.append(f"| {label} | " + " | ".join(row[u] for u in FILTER_USERS) + " |")
        lines += [
            "",
            "Whether the user sees few customers (`sees_few`, counted once a minute per process"
            " and user before a search): "
            + ", ".join(
                f"{shown} {p['ms']:.1f} ms"
                for shown, p in zip(users_shown, result["probes"], strict=True)
            )
            + ".",
            "",
        ]
    Path(args.output).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
