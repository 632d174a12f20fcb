"""Load benchmark: the real server under 8 concurrent clients, list and search at 1M customers.

    .venv/bin/python benchmarks/bench_load.py [--db sqlite|postgres|both] [--customers 1000000]
        [--demo-customers 1000000] [--duration 60] [--clients 8] [--reuse] [--output PATH]

For each database it

1. prepares the data (skipped with ``--reuse`` when the database already holds enough
   customers): a fresh database (SQLite file under benchmarks/data/search/, PostgreSQL
   database ``guanxi_bench_search`` at 127.0.0.1:5432 user postgres), ``guanxi migrate``,
   the demo's load (``load_demo``, what ``guanxi demo --customers DEMO`` runs before its
   analytics refresh; timed, wall and CPU), and when
   ``--customers`` is larger than ``--demo-customers`` copies the demo's customers in SQL until
   there are that many (a benchmark-only shortcut that keeps the demo's names, pinyin, owners
   and the search index's triggers honest, and costs seconds instead of the demo's minutes),
   then merges the search indexes' pending writes as the nightly job does;
2. starts ``guanxi serve --no-jobs`` (its default processes and threads) on 127.0.0.1:8109
   (``--workers``, ``--threads``, ``--port`` to change);
3. runs ``--clients`` keep-alive HTTP clients on loopback (asyncio, no dependency) for
   ``--duration`` seconds, each cycling through the customer list page, the API list (first
   page and a cursor page), the customer search API, the global search API and page, with a
   mix of queries (pinyin, initials, Chinese, phone digits, an exact e-mail, no hit), as the
   admin and as a rep;
4. reports p50 / p95 / p99 / slowest latency and requests/s per endpoint, the server's CPU time
   per request and its processes' memory (resident, and private: not shared between them)
   into benchmarks/results/load.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from guanxi.ops.management.commands.serve import DEFAULT_THREADS, DEFAULT_WORKERS

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data" / "search"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgres://postgres@127.0.0.1:5432/guanxi_bench_search"
HOST, PORT = "127.0.0.1", 8109
GUANXI = [str(Path(sys.executable).parent / "guanxi")]
REP = "wang.fang"
ADMIN = "admin"


def _env(db: str) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="guanxi.settings", GUANXI_DATA_DIR=str(DATA))
    env.pop("DATABASE_URL", None)
    env["PYTHONPATH"] = str(ROOT / "src")
    if db == "postgres":
        env["DATABASE_URL"] = PG_BENCH
    return env


def _guanxi(db: str, *args: str, capture: bool = False) -> str:
    done = subprocess.run(
        [*GUANXI, *args], env=_env(db), check=True, text=True, capture_output=capture
    )
    return done.stdout if capture else ""


def _python(db: str, code: str) -> dict:
    """Run ``code`` in a child process with Django set up; it prints one JSON line."""
    prelude = "import django, json; django.setup()\n"
    out = subprocess.run(
        [sys.executable, "-c", prelude + code],
        env=_env(db),
        check=True,
        text=True,
        capture_output=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_on_data(db: str, code: str, args: list[str], *, src: Path, migrate: bool) -> object:
    """Run ``code`` (a script that sets Django up and prints one JSON line last) in a child
    process on this benchmark's data for ``db``, with the source tree ``src`` (another
    checkout's, to compare code), migrated first when ``migrate``; what it printed, parsed."""
    env = _env(db)
    env["PYTHONPATH"] = str(src)
    if migrate:
        subprocess.run(
            [str(Path(sys.executable).parent / "guanxi"), "migrate", "--no-input"],
            env=env,
            check=True,
            capture_output=True,
        )
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, text=True, capture_output=True
    )
    if done.returncode:
        sys.exit(
            f"{db}: {done.stderr.strip().splitlines()[-1]}\nThe benchmark reads the demo's users"
            f" at a million customers: run benchmarks/bench_load.py --db {db} --prepare-only"
            " first."
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def each_source(run, db_choice: str, sources: list[str], runs: int) -> dict:
    """``{(db, src): run(db, runs, src, migrate=…)}`` for each database of ``db_choice``
    (sqlite, postgres or both) and each source tree in turn, the first migrating the data."""
    dbs = ["sqlite", "postgres"] if db_choice == "both" else [db_choice]
    trees = [Path(s).resolve() for s in sources]
    return {
        (db, str(src)): run(db, runs, src, migrate=i == 0)
        for db in dbs
        for i, src in enumerate(trees)
    }


def ran(script: str, when: str = "on") -> str:
    """The opening of a results file: the command as run, ``when`` ("on", "finished") now, and
    the machine (cores, architecture, Python, load average)."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"`{' '.join([f'benchmarks/{script}', *sys.argv[1:]])}` {when} {now}:"
        f" {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()},"
        f" load average {os.getloadavg()[0]:.1f}"
    )


# --- data -------------------------------------------------------------------------------------

COUNT = """
from guanxi.customers.models import Customer
print(json.dumps({"customers": Customer.objects.count()}))
"""

# The demo's load (what `guanxi demo` times), without the analytics refresh that follows it.
LOAD = """
import time
from guanxi.ops.demo import load_demo
cpu = time.process_time()
result = load_demo(customers=%d)
print(json.dumps({"seconds": result.seconds, "cpu_seconds": time.process_time() - cpu}))
"""

MULTIPLY = """
import time
from django.db import connection, transaction
from guanxi.customers.models import Customer
from guanxi.ops.search import optimize_indexes
target = %d
fields = [f.column for f in Customer._meta.concrete_fields if not f.primary_key]
cols = ", ".join(connection.ops.quote_name(c) for c in fields)
started = time.perf_counter()
with transaction.atomic(), connection.cursor() as cursor:
    cursor.execute("SELECT count(*) FROM customers_customer")
    (have,) = cursor.fetchone()
    while have < target:
        cursor.execute("SELECT max(id) FROM customers_customer")
        (top,) = cursor.fetchone()
        cursor.execute(
            f"INSERT INTO customers_customer ({cols}) SELECT {cols} FROM customers_customer"
            f" WHERE id <= %%s ORDER BY id LIMIT %%s", [top, target - have]
        )
        cursor.execute("SELECT count(*) FROM customers_customer")
        (have,) = cursor.fetchone()
if connection.vendor == "postgresql":
    # What autovacuum does to a table some time after a bulk insert: the visibility map and
    # hint bits set, so the first runs do not pay for them (or for autovacuum mid-run).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
else:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA optimize")
# What the nightly job does to the search indexes (ops.tasks.optimize_search_indexes).
optimize_indexes()
if connection.vendor == "sqlite":
    # The copy and the merge leave most of the database in the write-ahead log (780 MB at a
    # million); the first run's connections would copy it back while being measured.
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
print(json.dumps({"customers": have, "seconds": time.perf_counter() - started}))
"""


def prepare(db: str, customers: int, demo_customers: int, reuse: bool) -> dict:
    info: dict = {}
    if reuse:
        try:
            have = _python(db, COUNT)["customers"]
        except subprocess.CalledProcessError:
            have = 0
        if have >= customers:
            _guanxi(db, "migrate", "-v0")  # data of an earlier version: brought up to date
            return {"reused": have}
    if db == "sqlite":
        DATA.mkdir(parents=True, exist_ok=True)
        for path in DATA.glob("guanxi.sqlite3*"):
            path.unlink()
    else:
        subprocess.run(
            ["psql", PG_ADMIN, "-qc", "DROP DATABASE IF EXISTS guanxi_bench_search"], check=True
        )
        subprocess.run(["psql", PG_ADMIN, "-qc", "CREATE DATABASE guanxi_bench_search"], check=True)
    _guanxi(db, "migrate", "-v0")
    loaded = _python(db, LOAD % demo_customers)
    info["demo_load_seconds"] = loaded["seconds"]
    info["demo_load_cpu_seconds"] = loaded["cpu_seconds"]
    info["demo_customers"] = demo_customers
    if customers > demo_customers:
        copied = _python(db, MULTIPLY % customers)
        info["copied_to"] = copied["customers"]
        info["copy_seconds"] = copied["seconds"]
    return info


# --- who and what to ask ----------------------------------------------------------------------

SESSIONS = """
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from guanxi.accounts.models import User
from guanxi.accounts.services import issue_token
from guanxi.customers.models import Customer
out = {}
for name in (%r, %r):
    user = User.objects.get(username=name)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    visible = Customer.objects.visible_to(user)
    sample = list(visible.exclude(phone="").exclude(email="").order_by("-id")
                  .values_list("phone", "email")[:200:20])
    out[name] = {"session": session.session_key, "token": issue_token(user, "bench"),
                 "samples": sample}
print(json.dumps(out))
"""

WORDS = ["wangwei", "ww", "王伟", "zhangmin", "zm", "张", "li", "liuyang", "陈静", "chenj"]
NO_HIT = "xqzvk"


def queries_for(samples: list[list[str]], rng: random.Random) -> list[tuple[str, str]]:
    """(kind, query) pairs: names in every form, phone digits, an exact e-mail, no hit."""
    mix = [("pinyin/initials/Chinese", w) for w in WORDS]
    for phone, email in samples:
        digits = phone.removeprefix("+86")
        mix.append(("phone digits", digits[:7]))
        mix.append(("e-mail", email))
    mix.append(("no hit", NO_HIT))
    rng.shuffle(mix)
    return mix


def endpoints(role: str, queries: list[tuple[str, str]], cursor: str) -> list[tuple[str, str]]:
    """(label, path) for one user; every client walks all of them in turn, the plain lists as
    often as each kind of search."""
    paths = []
    for _kind, q in queries:
        paths += [
            (f"list page ({role})", "/customers/"),
            (f"API list, first page ({role})", "/api/v1/customers?limit=50"),
            (f"API list, cursor page ({role})", f"/api/v1/customers?limit=50&cursor={cursor}"),
            (f"list page ?q= ({role})", f"/customers/?q={quote(q)}"),
            (f"API list ?q= ({role})", f"/api/v1/customers?limit=50&q={quote(q)}"),
            (f"global search API ({role})", f"/api/v1/search?q={quote(q)}"),
            (f"global search page ({role})", f"/search/?q={quote(q)}"),
        ]
    return paths


def _tree(root: int) -> dict[int, list[str]]:
    """The fields of /proc/PID/stat after the name, for a process and all its descendants."""
    stats = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            stats[int(stat.parent.name)] = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, fields in stats.items() if int(fields[1]) in tree} - tree
        tree |= more
        grew = bool(more)
    return {pid: stats[pid] for pid in tree if pid in stats}


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user + system) of a process and all its descendants (gunicorn's workers):
    the server's own work, whatever share of the machine it got."""
    ticks = sum(int(fields[11]) + int(fields[12]) for fields in _tree(root).values())
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_memory_mb(root: int) -> dict[str, float]:
    """Resident and private memory of a process and its descendants, summed (MB): memory a
    process shares with others (the code and data gunicorn's master loaded before it forked
    the workers, while neither writes to it) is resident in each but private to none."""
    total = {"Rss": 0, "Private_Clean": 0, "Private_Dirty": 0}
    for pid in _tree(root):
        try:
            lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            key, _, value = line.partition(":")
            if key in total:
                total[key] += int(value.split()[0])  # kB
    return {
        "resident": total["Rss"] / 1024,
        "private": (total["Private_Clean"] + total["Private_Dirty"]) / 1024,
    }


def postgres_cpu_seconds() -> float:
    """CPU time of every ``postgres`` process on the machine (the server's backends and its own
    housekeeping): the database's share of the cores. A backend that exits during a run (the
    web processes reopen their connections after ``CONN_MAX_AGE``) leaves its time in the
    postmaster's reaped children's time, which is counted too."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, rest = text.split("(", 1)[1].rsplit(")", 1)
        if name == "postgres":
            fields = rest.split()
            total += sum(int(field) for field in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


# --- the load generator -----------------------------------------------------------------------


class Client:
    """One keep-alive HTTP/1.1 connection (gunicorn's threaded workers keep it open)."""

    def __init__(self, headers: dict[str, str]):
        self.headers = headers
        self.reader = self.writer = None

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, PORT)

    async def get(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.writer is None:
                await self._connect()
            head = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{PORT}\r\n"
            # As a browser and an API client ask: pages with the session cookie, the API with
            # the token (both on every request signed in twice, once for nothing).
            api = path.startswith("/api/")
            sent = {k: v for k, v in self.headers.items() if (k == "Authorization") == api}
            head += "".join(f"{k}: {v}\r\n" for k, v in sent.items()) + "\r\n"
            try:
                self.writer.write(head.encode())
                await self.writer.drain()
                status_line = await self.reader.readuntil(b"\r\n")
                if not status_line:
                    raise ConnectionError
                status = int(status_line.split()[1])
                length, close, chunked = 0, False, False
                while True:
                    line = await self.reader.readuntil(b"\r\n")
                    if line == b"\r\n":
                        break
                    name, _, value = line.decode("latin-1").partition(":")
                    name, value = name.strip().lower(), value.strip().lower()
                    if name == "content-length":
                        length = int(value)
                    elif name == "connection" and value == "close":
                        close = True
                    elif name == "transfer-encoding" and "chunked" in value:
                        chunked = True
                body = await self._chunked() if chunked else await self.reader.readexactly(length)
                if close:
                    self.writer.close()
                    self.writer = None
                return status, body
            except (ConnectionError, asyncio.IncompleteReadError):
                self.writer = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def _chunked(self) -> bytes:
        body = b""
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return body
            body += await self.reader.readexactly(size)
            await self.reader.readexactly(2)


async def run_load(plans: list[tuple[dict, list]], clients: int, duration: float) -> dict:
    samples: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + duration

    async def one(k: int) -> None:
        headers, paths = plans[k % len(plans)]
        client = Client(headers)
        i = k * 7
        while time.perf_counter() < deadline:
            label, path = paths[i % len(paths)]
            i += 1
            t = time.perf_counter()
            status, _body = await client.get(path)
            elapsed = time.perf_counter() - t
            if status != 200:
                errors[label] = errors.get(label, 0) + 1
            samples.setdefault(label, []).append(elapsed)

    started = time.perf_counter()
    await asyncio.gather(*(one(k) for k in range(clients)))
    wall = time.perf_counter() - started
    return {"samples": samples, "errors": errors, "wall": wall}


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000


def summarize(result: dict) -> list[dict]:
    rows = []
    for label, values in sorted(result["samples"].items()):
        rows.append(
            {
                "endpoint": label,
                "n": len(values),
                "rps": len(values) / result["wall"],
                "p50": _pct(values, 50),
                "p95": _pct(values, 95),
                "p99": _pct(values, 99),
                "max": max(values) * 1000,
                "mean": statistics.fmean(values) * 1000,
                "errors": result["errors"].get(label, 0),
            }
        )
    everything = [v for values in result["samples"].values() for v in values]
    rows.append(
        {
            "endpoint": "all requests",
            "n": len(everything),
            "rps": len(everything) / result["wall"],
            "p50": _pct(everything, 50),
            "p95": _pct(everything, 95),
            "p99": _pct(everything, 99),
            "max": max(everything) * 1000,
            "mean": statistics.fmean(everything) * 1000,
            "errors": sum(result["errors"].values()),
        }
    )
    return rows


def _wait_for_server(proc: subprocess.Popen, timeout: float = 120) -> None:
    import socket

    limit = time.perf_counter() + timeout
    while time.perf_counter() < limit:
        if proc.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            with socket.create_connection((HOST, PORT), timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the server did not start")


def bench(db: str, args) -> dict:
    info = {"db": db, **prepare(db, args.customers, args.demo_customers, args.reuse)}
    users = _python(db, SESSIONS % (ADMIN, REP))
    server = subprocess.Popen(
        [
            *GUANXI,
            "serve",
            "--host",
            HOST,
            "--port",
            str(PORT),
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--no-jobs",
        ],
        env=_env(db),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for_server(server)
        rng = random.Random(2026)
        plans = []
        for name, role in ((ADMIN, "admin"), (REP, "rep")):
            user = users[name]
            api_headers = {"Authorization": f"Bearer {user['token']}"}
            first = asyncio.run(_first_cursor(api_headers))
            paths = endpoints(role, queries_for(user["samples"], rng), first)
            headers = {"Cookie": f"sessionid={user['session']}", **api_headers}
            plans.append((headers, paths))
        asyncio.run(run_load(plans, args.clients, min(5, args.duration)))  # warm-up
        cpu, client, database = (
            tree_cpu_seconds(server.pid),
            time.process_time(),
            postgres_cpu_seconds(),
        )
        result = asyncio.run(run_load(plans, args.clients, args.duration))
        cpu = tree_cpu_seconds(server.pid) - cpu
        memory = tree_memory_mb(server.pid)
        client = time.process_time() - client
        database = postgres_cpu_seconds() - database
        requests = max(sum(len(v) for v in result["samples"].values()), 1)
        info["server_cpu_ms_per_request"] = 1000 * cpu / requests
        info["server_cpu_share_of_2_cores"] = cpu / result["wall"] / 2
        # Where the rest of the two cores went: the load generator (this process) and, on
        # PostgreSQL, the database server.
        info["client_cpu_ms_per_request"] = 1000 * client / requests
        if db == "postgres":
            info["database_cpu_ms_per_request"] = 1000 * database / requests
        info["server_memory_resident_mb"] = memory["resident"]
        info["server_memory_private_mb"] = memory["private"]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    info["rows"] = summarize(result)
    return info


async def _first_cursor(headers: dict) -> str:
    status, body = await Client(headers).get("/api/v1/customers?limit=50")
    assert status == 200, status
    return json.loads(body)["next_cursor"] or ""


# --- report ------------------------------------------------------------------------------------


def report(runs: list[dict], args, command: str) -> str:
    load = os.getloadavg()
    lines = [
        "# Load: list and search under concurrent clients",
        "",
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {platform.node()}, {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}; load average at the end "
        f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}",
        f"- command: `{command}`",
        f"- server: `guanxi serve --workers {args.workers} --threads {args.threads} --no-jobs`"
        f" (gunicorn) on {HOST}:{PORT}; "
        f"{args.clients} keep-alive clients on loopback for {args.duration:.0f} s each run",
        "",
    ]
    for run in runs:
        lines += [f"## {run['db']}", ""]
        facts = {k: v for k, v in run.items() if k not in ("db", "rows")}
        lines += [
            f"- {k}: {v:.1f}" if isinstance(v, float) else f"- {k}: {v}" for k, v in facts.items()
        ]
        lines += [
            "",
            "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in run["rows"]:
            lines.append(
                f"| {row['endpoint']} | {row['n']} | {row['rps']:.1f} | {row['p50']:.1f} | "
                f"{row['p95']:.1f} | {row['p99']:.1f} | {row['max']:.1f} | {row['errors']} |"
            )
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--demo-customers", type=int, default=1_000_000)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--prepare-only", action="store_true", help="Only prepare the data.")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "load.md"))
    parser.add_argument("--port", type=int, default=PORT, help="Server port (8109).")
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help=f"gunicorn worker processes (guanxi serve's default: {DEFAULT_WORKERS}).",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_THREADS,
        help=f"Threads per worker ({DEFAULT_THREADS}); 1 runs gunicorn's sync workers, one "
        "request each, no keep-alive, so every request goes to whichever worker is free.",
    )
    args = parser.parse_args()
    globals()["PORT"] = args.port  # the clients and the server command read it
    command = ".venv/bin/python benchmarks/bench_load.py " + " ".join(sys.argv[1:])
    runs: list[dict] = []
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        if args.prepare_only:
            info = prepare(db, args.customers, args.demo_customers, args.reuse)
            print(json.dumps({"db": db, **info}), flush=True)
            continue
        runs.append(bench(db, args))
        print(json.dumps(runs[-1], indent=1, default=str), flush=True)
    if not runs:
        return
    text = report(runs, args, command)
    if args.output == "-":
        print(text)
    else:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
        print(text)


if __name__ == "__main__":
    main()
