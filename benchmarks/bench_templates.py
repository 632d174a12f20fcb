"""What the customer list page's templates cost, and what Jinja2 would (the twelfth session's
proposal, not adopted: architecture.md's pages are Django templates).

    .venv/bin/python benchmarks/bench_templates.py [--db sqlite|postgres] [--runs 300]
        [--jinja2 DIR] [--output benchmarks/results/templates.md]

Uses the data bench_load.py prepares (``bench_load.py --prepare-only``). In one process, for
the admin and a rep, it fetches the list page once through Django's test client and keeps its
context, then renders, CPU time per render (median of three rounds of ``--runs``): the whole
page (``customers/list.html``), and its table of customers
(``customers/partials/list_table.html``) with Django's engine and with
``benchmarks/proposals/list_table.jinja``, the same table written for Jinja2, whose output is
checked to be the same but for white space. Jinja2 is not a dependency of Guanxi: install it
apart, e.g. ``pip install --target benchmarks/data/jinja2 jinja2`` (``--jinja2``'s default);
without it only Django's figures are given. The request's own CPU time (the test client, the
whole view) is measured beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_load import ADMIN, REP, _env, ran  # noqa: E402  (the same data and settings)

CHILD = r"""
import json, re, statistics, sys, time
import django
django.setup()
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import setup_test_environment
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from guanxi.accounts.models import User

runs, users, table = int(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
settings.ALLOWED_HOSTS = ["*"]
setup_test_environment()  # the client keeps each response's context
try:
    import jinja2
except ImportError:
    jinja2 = None

def cpu_ms(render):
    for _ in range(20):
        render()
    rounds = []
    for _ in range(3):
        start = time.process_time()
        for _ in range(runs):
            render()
        rounds.append(1000 * (time.process_time() - start) / runs)
    return statistics.median(rounds)

def same(a, b):
    return re.sub(r"\s+", " ", a).strip() == re.sub(r"\s+", " ", b).strip()

out = []
for name in users:
    client = Client()
    client.force_login(User.objects.get(username=name))
    response = client.get("/customers/")
    request, context = response.wsgi_request, {}
    for layer in response.context:
        for d in layer.dicts:
            context.update(d)
    row = {
        "user": name,
        "rows": len(context["page"].object_list),
        "request": cpu_ms(lambda: client.get("/customers/")),
        "page": cpu_ms(lambda: render_to_string("customers/list.html", context, request)),
    }
    part = "customers/partials/list_table.html"
    row["table"] = cpu_ms(lambda: render_to_string(part, context, request))
    if jinja2:
        def querystring(**changes):
            query = request.GET.copy()
            for key, value in changes.items():
                if value is None:
                    query.pop(key, None)
                else:
                    query[key] = value
            return "?" + query.urlencode()

        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(table.rsplit("/", 1)[0]),
            autoescape=True,
            extensions=["jinja2.ext.i18n"],
        )
        env.install_gettext_callables(gettext, ngettext, newstyle=False)
        env.globals.update(url=lambda name, *args: reverse(name, args=args), querystring=querystring)
        template = env.get_template(table.rsplit("/", 1)[1])
        jinja_context = {**context, "request": request}
        row["table_jinja2"] = cpu_ms(lambda: template.render(jinja_context))
        row["same_output"] = same(render_to_string(part, context, request), template.render(jinja_context))
    out.append(row)
print(json.dumps({"jinja2": jinja2.__version__ if jinja2 else None, "users": out}))
"""


def run(db: str, runs: int, jinja2_dir: Path) -> dict:
    env = _env(db)
    env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], str(jinja2_dir)])
    table = str(ROOT / "benchmarks" / "proposals" / "list_table.jinja")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(runs), json.dumps([ADMIN, REP]), table],
        env=env,
        check=True,
        text=True,
        capture_output=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--jinja2", default=str(ROOT / "benchmarks" / "data" / "jinja2"))
    parser.add_argument("--output", default=str(ROOT / "benchmarks/results/templates.md"))
    args = parser.parse_args()
    result = run(args.db, args.runs, Path(args.jinja2))
    jinja2 = result["jinja2"]
    lines = [
        "# The customer list page's templates: Django's engine, and Jinja2 beside it",
        "",
        ran("bench_templates.py") + f", {args.db}, 1,000,000 customers;"
        f" Jinja2 {jinja2 or 'not installed'}. CPU time per render in one process, median of"
        f" three rounds of {args.runs}.",
        "",
        "| user | rows | whole request | page template (Django) | table (Django) |"
        " table (Jinja2) | same output |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in result["users"]:
        jinja_ms = f"{row['table_jinja2']:.2f} ms" if jinja2 else "—"
        same = ("yes" if row["same_output"] else "**no**") if jinja2 else "—"
        lines.append(
            f"| {row['user']} | {row['rows']} | {row['request']:.2f} ms | {row['page']:.2f} ms |"
            f" {row['table']:.2f} ms | {jinja_ms} | {same} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    Path(args.output).write_text(text)


if __name__ == "__main__":
    main()
