"""The other list pages at a million customers: orders, quotes, the recycle bin and the pool,
as pages and through the API, for an admin, reps and a manager, with one source tree or two
(the code before and after a change, run in turn on the same data).

    .venv/bin/python benchmarks/bench_pages.py [--db sqlite|postgres|both] [--runs 5]
        [--src DIR ...] [--others] [--output benchmarks/results/pages.md]

``--others`` times the other pages of a working day instead (OTHER_PATHS: analytics and its
API, My Day, the task calendar, the deals' board and list, leads, funnel, forecast, the
duplicates, the notifications, the contacts list and its API; write them to
results/other_pages.md; ``bench_contacts.py`` times the contacts list searched and filtered).

Uses the data bench_load.py prepares (``bench_load.py --prepare-only``: 1,000,000 customers,
about 200,000 orders), migrated to each tree's migrations before it runs (to compare with code
whose migrations are older, first take the data back to them: ``guanxi migrate customers
0024`` for the code before the pool's index). In one process per database
and tree, through Django's test client (the whole request: middleware, view, SQL, template)
with the web server's database options (``GUANXI_PROCESS=web``), each path's median wall
time of ``--runs`` after one warm-up, and its status. The recycle bin
is timed twice: as the data has it (empty), and holding 2,000 customers deleted in a
transaction that is rolled back afterwards; the task list and the account plans likewise,
with 100,000 tasks on every tenth customer, due over the next two months (``--no-tasks``: not
timed; the code before the tasks' index took 125 s a request on PostgreSQL). On PostgreSQL
the tasks' table is analysed once filled, as autovacuum would (without its statistics the
planner sorted all of them: 0.8 s for the manager).
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_load import each_source, ran, run_on_data  # noqa: E402  (the same data and settings)
from bench_rep_list import USERS as LIST_USERS  # noqa: E402  (the same users, labelled alike)

#: An admin, two reps and a manager, as bench_rep_list names them.
USERS = [
    (name, label)
    for name, label in LIST_USERS
    if name in ("admin", "wang.fang", "lin.xiao", "xu.ming")
]
PATHS = [
    "/sales/orders/",
    "/api/v1/orders?limit=50",
    "/sales/quotes/",
    "/api/v1/quotes?limit=50",
    "/customers/recycle-bin/",
    "/api/v1/customers/deleted?limit=50",
    "/customers/pool/",
]
#: Every other page a user opens daily (``--others``): analytics, My Day, the calendar,
#: the deals, the leads, the funnel and forecast, the duplicates, the notifications, the
#: contacts list.
OTHER_PATHS = [
    "/tasks/calendar/",
    "/analytics/",
    "/api/v1/analytics/segments?by=tier",
    "/api/v1/analytics/pareto",
    "/my-day/",
    "/sales/opportunities/board/",
    "/sales/opportunities/",
    "/sales/leads/",
    "/sales/funnel/",
    "/sales/forecast/",
    "/customers/duplicates/",
    "/notifications/",
    "/customers/contacts/",
    "/api/v1/contacts?limit=50",
]
BIN = "/customers/recycle-bin/"
DELETED = 2_000

CHILD = r"""
import datetime as dt, json, os, statistics, sys, time
os.environ["GUANXI_PROCESS"] = "web"  # the database options of the web server's processes
import django
django.setup()
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from guanxi.accounts.models import User
from guanxi.customers.models import Customer

runs, users, paths, deleted = int(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4])
settings.ALLOWED_HOSTS = ["*"]

def timed(client, path):
    client.get(path)
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        walls.append((time.perf_counter() - start) * 1000)
    return {"ms": statistics.median(walls), "status": response.status_code}

clients = {}
for name in users:
    clients[name] = Client()
    clients[name].force_login(User.objects.get(username=name))
out = []
for name in users:
    for path in paths:
        out.append({"user": name, "path": path, **timed(clients[name], path)})
if deleted:
    with transaction.atomic():
        ids = list(Customer.objects.order_by("id").values_list("id", flat=True)[: deleted * 100 : 100])
        Customer.objects.filter(pk__in=ids).update(deleted_at=timezone.now())
        for name in users:
            out.append({"user": name, "path": sys.argv[5], **timed(clients[name], sys.argv[5])})
        transaction.set_rollback(True)
tasks = int(sys.argv[6])
if tasks:
    from guanxi.interactions.models import Task
    with transaction.atomic():
        now = timezone.now()
        step = max(1, Customer.objects.count() // tasks)
        owners = Customer.objects.order_by("id").values_list("id", "owner_id")[: tasks * step : step]
        Task.objects.bulk_create(
            [
                Task(customer_id=c, title="回访", due_at=now + dt.timedelta(hours=i % 1440),
                     assignee_id=o, created_by_id=o)
                for i, (c, o) in enumerate(owners)
            ],
            batch_size=5000,
        )
        if connection.vendor == "postgresql":  # the statistics autovacuum would gather
            connection.cursor().execute("ANALYZE interactions_task")
        for name in users:
            for path in ("/api/v1/tasks?limit=50", "/api/v1/account-plans"):
                out.append({"user": name, "path": path + " (tasks)", **timed(clients[name], path)})
        transaction.set_rollback(True)
print(json.dumps(out))
"""


TASKS = 100_000


def run(
    db: str, runs: int, src: Path, *, migrate: bool, tasks: int = TASKS, others: bool = False
) -> list[dict]:
    """One tree's rows on ``db``. Every tree migrates the data first (``migrate`` is not
    heeded): a migration only a later tree has (an index) is applied when that tree runs, so
    give the trees oldest first, and the data without the newer migrations. ``others``: the
    OTHER_PATHS instead of the lists (no recycle bin filled, no tasks)."""
    users = json.dumps([u for u, _ in USERS])
    if others:
        args = [str(runs), users, json.dumps(OTHER_PATHS), "0", BIN, "0"]
        return run_on_data(db, CHILD, args, src=src, migrate=True)
    args = [str(runs), users, json.dumps(PATHS), str(DELETED), BIN, str(tasks)]
    rows = run_on_data(db, CHILD, args, src=src, migrate=True)
    first = len(USERS) * len(PATHS)
    for row in rows[first : first + len(USERS)]:
        row["path"] = f"{BIN} ({DELETED:,} deleted)"
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--src", nargs="+", default=[str(ROOT / "src")], help="source trees, in this order"
    )
    parser.add_argument("--output", default=str(ROOT / "benchmarks/results/pages.md"))
    parser.add_argument("--no-tasks", action="store_true", help="leave out the task list")
    parser.add_argument(
        "--others",
        action="store_true",
        help="the other daily pages (dashboard, analytics, My Day, deals…) instead of the lists",
    )
    args = parser.parse_args()
    results = each_source(
        partial(run, tasks=0 if args.no_tasks else TASKS, others=args.others),
        args.db,
        args.src,
        args.runs,
    )
    trees = list(dict.fromkeys(src for _db, src in results))
    dbs = list(dict.fromkeys(db for db, _src in results))
    labels = dict(USERS)
    head = " | ".join(f"tree {i + 1}" for i in range(len(trees)))
    lines = [
        "# Other daily pages at 1,000,000 customers"
        if args.others
        else "# List pages at 1,000,000 customers: orders, quotes, recycle bin, pool",
        "",
        ran("bench_pages.py") + f". The whole request through Django's test client, median of"
        f" {args.runs} after one warm-up, in ms; trees: "
        + ", ".join(f"{i + 1}. `{t}`" for i, t in enumerate(trees))
        + ".",
        "",
    ]
    for db in dbs:
        by_tree = [{(r["user"], r["path"]): r for r in results[(db, t)]} for t in trees]
        lines += [f"## {db}", "", f"| path | user | {head} |", "|---|---|" + "---:|" * len(trees)]
        for user, path in by_tree[0]:
            cells = []
            for rows in by_tree:
                row = rows[(user, path)]
                status = "" if row["status"] == 200 else f" ({row['status']})"
                cells.append(f"{row['ms']:.1f}{status}")
            lines.append(f"| `{path}` | {labels[user]} | " + " | ".join(cells) + " |")
        lines.append("")
    Path(args.output).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
