"""Bulk reads and writes of a SQLite file as Arrow columns, through ADBC, in a child process.

ADBC's SQLite driver steps a query in C and hands back Arrow columns (and binds Arrow columns
on insert), several times faster than building one Python object per value. But the driver
links its own copy of SQLite, and two copies of SQLite in one process can corrupt a database:
POSIX locks belong to the process, so when one copy closes its file descriptor the other
copy's locks are released with it (https://www.sqlite.org/howtocorrupt.html, section 2.2).
So the driver only ever runs here, in a child process of its own, which to the database is
just another reader or writer. Frames cross the process boundary as Arrow IPC files.

This module imports no Django; the parent calls :func:`read` and :func:`replace`.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl

# How long the child's connection waits for another writer (a web request) to finish.
BUSY_TIMEOUT_MS = 20_000


def available() -> bool:
    """Whether the ADBC SQLite driver is installed (without loading it into this process)."""
    return importlib.util.find_spec("adbc_driver_sqlite") is not None


def read(path: str, sql: str) -> pl.DataFrame:
    """Run the SELECT ``sql`` on the SQLite file ``path``; its rows as a frame.

    The driver infers each column's type from the first rows it sees, so every selected
    expression should be non-NULL (COALESCE / CAST in ``sql``).
    """
    with tempfile.TemporaryDirectory(prefix="guanxi-arrow-") as tmp:
        result = Path(tmp) / "result.arrow"
        _child("read", path, sql, str(result))
        return pl.read_ipc(result)


def replace(path: str, table: str, frame: pl.DataFrame) -> None:
    """Replace every row of ``table`` in the SQLite file ``path`` with ``frame`` (columns named
    as the table's), in one transaction: readers see the old rows until the commit. The
    secondary indexes are dropped before the insert and rebuilt after it (a sort each beats
    updating them row by row)."""
    with tempfile.TemporaryDirectory(prefix="guanxi-arrow-") as tmp:
        rows = Path(tmp) / "rows.arrow"
        frame.write_ipc(rows)
        _child("replace", path, table, str(rows))


def _child(*args: str) -> None:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module, arguments are ours
        [sys.executable, "-m", __name__, *args], capture_output=True, text=True, check=False
    )
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise RuntimeError(f"SQLite Arrow {args[0]} of {args[1]} failed: {last}")


def _connect(path: str):
    import adbc_driver_sqlite.dbapi as adbc_sqlite  # only ever in the child process

    conn = adbc_sqlite.connect(path)
    with conn.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _read_in_child(path: str, sql: str, result: str) -> None:
    with _connect(path) as conn, conn.cursor() as cursor:
        cursor.execute(sql)
        pl.DataFrame(cursor.fetch_arrow()).write_ipc(result)


def _replace_in_child(path: str, table: str, rows: str) -> None:
    frame = pl.read_ipc(rows)
    with _connect(path) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index'"  # noqa: S608 - our table
            f" AND tbl_name = '{table}' AND sql IS NOT NULL"
        )
        # Rows come back as Arrow (fetchall would want PyArrow).
        indexes = pl.DataFrame(cursor.fetch_arrow()).rows()
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.adbc_ingest(table, frame, mode="append")
        for _, sql in indexes:
            cursor.execute(sql)
        conn.commit()


def main(argv: list[str]) -> int:
    command, *args = argv
    try:
        {"read": _read_in_child, "replace": _replace_in_child}[command](*args)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
        print(f"{type(exc).__name__}: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
