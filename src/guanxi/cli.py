"""The `guanxi` command: Guanxi's own verbs plus every Django management command.

The conditions a person fixes outside the code (a setting's bad value, a database not reached or
not migrated yet, Ctrl-C, a reader such as `head` that stops reading) end in one line, not a
traceback; every other exception keeps its traceback, so that a bug stays visible.
"""

import os
import sys

USAGE = """\
Usage: guanxi <command> [options]

Guanxi's own commands (`guanxi <command> --help` explains each):
  serve [--host H] [--port N] [--workers N] [--threads N] [--no-jobs] [--access-log]
                                       run the web server and the job worker (Ctrl-C stops)
  demo [--customers N] [--seed S] [--if-empty]
                                       load a demo company into an empty database
  user add USERNAME --role R --password P [--team T] [--manager M] [--email E]
                                       create a user
  user list                            list users
  token USERNAME [--name LABEL]        print a new API token
  import customers FILE [--mapping NAME|FILE.json] [--owner U] [--user U]
         [--on-duplicate skip|update|create] [--dry-run] [--resume JOB]
                                       import customers from CSV / XLSX (report beside FILE)
  import contacts FILE [--mapping NAME|FILE.json] [--user U]
         [--on-duplicate skip|update|create] [--dry-run] [--resume JOB]
                                       import contacts of existing customers
  import orders FILE [--owner U] [--user U] [--dry-run] [--resume JOB]
                                       import historical orders (`guanxi import_orders --help`
                                       lists the file's columns)
  export customers FILE --user U [--format csv|xlsx] [--q TEXT] [--city C] [--tag T]
         [--kind person|company] [--owner U]
                                       export the customers U may see (masked as U sees them)
  export contacts FILE --user U [--format csv|xlsx] [--q TEXT] [--primary] [--owner U]
                                       export the contacts of the customers U may see
  customers duplicates [--scan] [--limit N] [--reason R] [--user U]
                                       look for duplicate customers, list the likeliest pairs
  pool recycle [--dry-run] [--now TIME] | pool backfill
                                       the public pool's nightly job by hand
  analytics refresh [--as-of DATE]     recompute value, lifetime value, churn, credit, rules
  search optimize                      merge the search indexes' pending writes (nightly job)
  access-log [--user U] [--action A] [--customer ID] [--since DATE] [--until DATE]
         [--limit N] [--csv]           who viewed, revealed, exported or merged what, newest first

A stopped import continues with `--resume JOB` (its job number is printed when it starts).
Commands speak the language of LANGUAGE_CODE (zh-hans by default; LANGUAGE_CODE=en for English).

Everyday Django commands: migrate, createsuperuser, check, shell, dbshell, run_huey, …
`guanxi help` lists them all; `guanxi help <command>` explains one.
"""

#: The exit status of a command stopped by Ctrl-C (128 + SIGINT), as a shell reports it.
INTERRUPTED = 130


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    args = ["guanxi", *(sys.argv[1:] if argv is None else argv)]
    if len(args) < 2 or args[1] in ("-h", "--help"):
        sys.stdout.write(USAGE)
        return
    try:
        _load_settings()
        from django.core.management import execute_from_command_line

        execute_from_command_line(args)
        sys.stdout.flush()  # here, so that a reader gone is seen while it can be handled
    except KeyboardInterrupt:
        sys.stderr.write("\n")
        sys.exit(INTERRUPTED)
    except BrokenPipeError:
        if not _reader_gone():
            raise
        # Python's advice (library/signal.html, "Note on SIGPIPE"): point stdout at devnull,
        # so that the interpreter's own flush at exit does not fail again. The reader left
        # by choice (`guanxi user list | head -3`): the command did what was asked.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except Exception as exc:
        message = _database_problem(exc)
        if message is None:
            raise
        sys.stderr.write(message + "\n")
        sys.exit(1)


def _load_settings() -> None:
    """Read the settings now: a variable's bad value (DATABASE_URL, LANGUAGE_CODE, DEBUG…) is one
    line naming it and what it takes (ImproperlyConfigured from ``guanxi.settings``)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reading one setting loads them all
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"{exc}\n")
        sys.exit(1)


def _reader_gone() -> bool:
    """Whether stdout is a pipe whose reader has closed it (the BrokenPipeError is the one of
    `| head`, not of another pipe the command uses)."""
    import select

    try:
        poll = select.poll()
        poll.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _fd, events in poll.poll(0))
    except (OSError, ValueError, AttributeError):
        return False


def _database_problem(exc: Exception) -> str | None:
    """One line for a database error a person fixes outside the code: the database cannot be
    reached, or has no tables (or not all of them) yet. None for any other error, which keeps
    its traceback. Asked only once a command has failed on a database error."""
    from django.db.utils import OperationalError, ProgrammingError

    if not isinstance(exc, (OperationalError, ProgrammingError)):
        return None
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor
    from django.utils.translation import gettext as _

    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.close()  # a failed statement may have left it in an aborted transaction
        connection.ensure_connection()
    except Exception as failure:  # noqa: BLE001 - whatever stops the connection is the reason
        text = str(failure).strip()
        return _("Cannot connect to the database %(database)s (DATABASE_URL): %(error)s") % {
            "database": _database_name(connection.settings_dict),
            "error": text.splitlines()[0] if text else failure.__class__.__name__,
        }
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        applied = executor.loader.applied_migrations
    except Exception:  # noqa: BLE001 - cannot tell: the error keeps its traceback
        return None
    finally:
        connection.close()
    if not plan:
        return None  # migrated: the error is a real one
    if not applied:
        return _("The database has no tables yet: run `guanxi migrate` first.")
    return _(
        "The database is not up to date (migrations not applied: %(count)s): run "
        "`guanxi migrate` first."
    ) % {"count": len(plan)}


def _database_name(params: dict) -> str:
    """Where the database is, without its password: HOST:PORT/NAME, or the SQLite file."""
    if "sqlite" in params.get("ENGINE", ""):
        return str(params.get("NAME", ""))
    host = params.get("HOST") or "localhost"
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"{host}{port}/{params.get('NAME', '')}"


if __name__ == "__main__":
    main()
