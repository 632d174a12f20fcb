"""Instructions per request of the load benchmark's mix, counted by valgrind: a figure that does
not drift with a shared machine's speed.

    .venv/bin/python benchmarks/count_instructions.py [--db sqlite|postgres] [--src DIR ...]

On a shared machine the same code's requests per second move by 10–20 % from one minute to
the next (benchmarks/results/load.md), more than most changes to a page. The number of machine
instructions the web process runs for the same requests does not depend on the machine's speed
at the moment. For each source tree given (default: this checkout's ``src``;
another checkout's, e.g. a ``git worktree`` of an earlier commit, to compare), it runs the mix
of ``bench_load.py`` (the list page, API list, customer search API, global search API and page,
as the admin and as the rep, with its query mix; the cursor page left out) in one process
through Django's test client, under ``valgrind --tool=callgrind``: once with no round (start-up
and warm-up alone), once with one round, and divides the difference by the requests. The data
is the load benchmark's (run ``bench_load.py --prepare-only`` first); on PostgreSQL the
database server's own work is not counted, only the web process's. It took 6–11 minutes a
tree on two cores (valgrind runs the interpreter some 50× slower). Needs valgrind (Debian's
``valgrind`` package). Not one of ``make bench``'s benchmarks (no peer, and it needs the load
benchmark's data): a tool for comparing two versions of the code.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_load import ADMIN, DATA, PG_BENCH, REP, endpoints, queries_for  # noqa: E402


def run_mix(rounds: int) -> None:
    """In the child: set Django up on the benchmark's data, warm up, run ``rounds`` rounds."""
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from guanxi.accounts.models import User
    from guanxi.accounts.services import issue_token
    from guanxi.customers.models import Customer

    settings.ALLOWED_HOSTS = ["*"]
    rng = random.Random(2026)
    plan = []
    for name, role in ((ADMIN, "admin"), (REP, "rep")):
        user = User.objects.get(username=name)
        page = Client()
        page.force_login(user)
        api = Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'instructions')}")
        visible = Customer.objects.visible_to(user).exclude(phone="").exclude(email="")
        samples = list(visible.order_by("-id").values_list("phone", "email")[:200:20])
        for label, path in endpoints(role, queries_for(samples, rng), cursor=""):
            if "cursor" not in label:
                plan.append((api if path.startswith("/api/") else page, path))
    for client, path in plan[:40]:  # warm-up: templates, prepared queries, caches
        client.get(path)
    for _ in range(rounds):
        for client, path in plan:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
    print(f"requests {rounds * len(plan)}")


def count(src: Path, db: str, rounds: int) -> tuple[int, int]:
    """(instructions, requests) of one child process under callgrind."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="guanxi.settings", GUANXI_DATA_DIR=str(DATA))
    env["PYTHONPATH"] = str(src)
    env.pop("DATABASE_URL", None)
    if db == "postgres":
        env["DATABASE_URL"] = PG_BENCH
    done = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--inner",
            str(rounds),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    collected = re.search(r"Collected : (\d+)", done.stderr)
    requests = re.search(r"requests (\d+)", done.stdout)
    if collected is None or requests is None:
        raise SystemExit(f"no count from valgrind:\n{done.stderr[-2000:]}")
    return int(collected.group(1)), int(requests.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--src", type=Path, nargs="+", default=[ROOT / "src"])
    parser.add_argument("--inner", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner is not None:
        run_mix(args.inner)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    for src in args.src:
        base, _ = count(src, args.db, 0)
        total, requests = count(src, args.db, 1)
        per_request = (total - base) / requests
        print(f"{src}  {args.db}  {requests} requests  {per_request / 1e6:.2f} M instructions each")


if __name__ == "__main__":
    main()
