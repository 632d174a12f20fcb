"""Benchmark export: the customer list to CSV and XLSX beside django-import-export's CSV export.

    .venv/bin/python benchmarks/bench_export.py [--rows 100000] [--db sqlite|postgres|both]
        [--output PATH]

Reads the load benchmark's data (1,000,000 customers; made as ``bench_load.py --demo-customers
50000 --prepare-only`` makes it when it is not there, a few minutes) and exports its newest ``--rows`` customers as the admin, each tool in
a fresh process, to files under benchmarks/data/export/. Timed: the export alone (wall clock,
the process's CPU time), not Django's start; the process's peak memory is reported too.

Ours: ``customers.exports`` as the export page and ``guanxi export`` run it: the user's
visibility (``customers_for``: the COUNT the page shows and the access log entry included),
masking, choice labels in the user's language, the owner's name, custom fields, cells a
spreadsheet would run as a formula neutralised; CSV streamed in chunks, XLSX with xlsxwriter in
constant memory. Theirs: a ``ModelResource`` over the same model fields, ``export()`` then
its CSV format, with ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` on; stored values (no labels,
no masking, no owner name, no custom fields), the whole table in memory (tablib). Its XLSX
format needs openpyxl, which the project does not install: CSV only.

Everything runs inside a transaction rolled back at the end, so the load benchmark's data is
left as it was (the access log entry included).

Writes a markdown report to benchmarks/results/export.md unless ``--output -``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import bench_load  # beside this file: its data, made as it makes it

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "data" / "export"
RUNS = (("guanxi", "csv"), ("guanxi", "xlsx"), ("django-import-export", "csv"))
USER = "admin"


def run_one(db: str, tool: str, fmt: str, rows: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", tool, "--format", fmt, "--rows", str(rows)],
        env=bench_load._env(db),  # the load benchmark's data
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{db}/{tool}/{fmt} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- inside the child process ------------------------------------------------------------------


def _peak_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _first_column(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [row[0] for row in csv.reader(f)][1:]


def child(tool: str, fmt: str, rows: int) -> dict:
    import django

    django.setup()
    from django.db import transaction

    from guanxi.accounts.models import User
    from guanxi.customers import exports
    from guanxi.customers.models import Customer

    user = User.objects.get(username=USER)
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / f"{tool}-{os.environ.get('DATABASE_URL') and 'postgres' or 'sqlite'}.{fmt}"
    filters = {"q": "", "owner": None, "tag": "", "city": "", "kind": "", "sort": "-id"}
    result: dict = {"peak_mib_before": _peak_mib()}
    with transaction.atomic():
        wall, cpu = time.perf_counter(), time.process_time()
        if tool == "guanxi":
            queryset, _count = exports.start_export(user, filters, fmt, via="cli")
            exports.write_file(user, queryset[:rows], fmt, target)  # as `guanxi export` does
        else:
            from django.conf import settings
            from import_export import resources
            from import_export.formats.base_formats import CSV

            settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

            class CustomerResource(resources.ModelResource):
                class Meta:
                    model = Customer
                    fields = exports.FIELDS

            queryset = Customer.objects.filter(deleted_at__isnull=True).order_by("-id")[:rows]
            text = CSV().export_data(CustomerResource().export(queryset))
            target.write_text(text, encoding="utf-8-sig")
        result["seconds"] = time.perf_counter() - wall
        result["cpu_seconds"] = time.process_time() - cpu
        transaction.set_rollback(True)
    result["peak_mib"] = _peak_mib()
    result["bytes"] = target.stat().st_size
    if fmt == "csv":
        ids = _first_column(target)
        result["rows"] = len(ids)
    else:
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
        ids = [str(int(r[0])) if isinstance(r[0], float) else str(r[0]) for r in sheet[1:]]
        result["rows"] = len(ids)
    result["ids_hash"] = hashlib.sha1("\n".join(ids).encode()).hexdigest()
    return result


# --- the run -----------------------------------------------------------------------------------


def report(results: list[dict], args, started: dt.datetime, load: tuple) -> str:
    import django
    import import_export

    lines = [
        "# Export: the customer list beside django-import-export",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, {platform.system()}, Python "
        f"{platform.python_version()} (Django {django.get_version()}, django-import-export "
        f"{import_export.__version__}). Date: {started:%Y-%m-%d %H:%M} UTC. Load average at the "
        f"start {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min).",
        "",
        f"The newest {args.rows:,} of the load benchmark's 1,000,000 customers, exported as the "
        "admin; each run a fresh process; only the export timed.",
        "",
        "| database | tool | format | rows/s (wall) | rows/s (CPU) | wall s | memory (peak growth) | file "
        "| rows | same rows as ours? |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    ours = {(r["db"], r["format"]): r for r in results if r["tool"] == "guanxi"}
    for r in results:
        same = "—"
        if r["tool"] != "guanxi":
            same = "yes" if r["ids_hash"] == ours[(r["db"], "csv")]["ids_hash"] else "no"
        lines.append(
            f"| {r['db']} | {r['tool']} | {r['format'].upper()} "
            f"| {r['rows'] / r['seconds']:,.0f} | {r['rows'] / r['cpu_seconds']:,.0f} "
            f"| {r['seconds']:.1f} | +{r['peak_mib'] - r['peak_mib_before']:,.0f} MiB "
            f"| {r['bytes'] / 2**20:,.1f} MiB "
            f"| {r['rows']:,} | {same} |"
        )
    lines += [
        "",
        "Ours writes what a user downloads: choice labels in their language, masked fields where "
        "their role masks them, the owner's name, custom fields, formula cells neutralised, an "
        "access log entry; django-import-export the stored values of the same model fields "
        "(formula cells escaped).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "export.md"))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--format", default="csv", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.format, args.rows)))
        return
    databases = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    for db in databases:  # the load benchmark's data, made the way it makes it when missing
        print(f"{db}: {bench_load.prepare(db, 1_000_000, 50_000, reuse=True)}", flush=True)
    started, load = dt.datetime.now(dt.UTC), os.getloadavg()
    results = []
    for db in databases:
        for tool, fmt in RUNS:
            r = run_one(db, tool, fmt, args.rows)
            r.update(db=db, tool=tool, format=fmt)
            results.append(r)
            print(
                f"{db:8} {tool:22} {fmt:4} {r['rows'] / r['seconds']:9,.0f} rows/s wall "
                f"{r['rows'] / r['cpu_seconds']:9,.0f} rows/s CPU  ({r['seconds']:.1f} s, "
                f"+{r['peak_mib'] - r['peak_mib_before']:,.0f} MiB peak, {r['rows']:,} rows)",
                flush=True,
            )
    text = report(results, args, started, load)
    if args.output == "-":
        print(text)
    else:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"report: {args.output}")


if __name__ == "__main__":
    main()
