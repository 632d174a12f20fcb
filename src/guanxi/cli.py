"""The `guanxi` command: Guanxi's own verbs plus every Django management command."""

import os
import sys

USAGE = """\
Usage: guanxi <command> [options]

Guanxi's own commands:
  serve [--host H] [--port N]          run the web server and the job worker (Ctrl-C stops)
  demo [--customers N] [--seed S]      load a demo company into an empty database
  user add USERNAME --role R --password P [--team T] [--manager M]
  user list                            list users
  token USERNAME                       print a new API token
  import customers FILE [--owner U] [--on-duplicate skip|update|create] [--dry-run]
                                       import customers from CSV / XLSX (report beside FILE)
  import orders FILE [--owner U] [--dry-run]
                                       import historical orders from CSV / XLSX (report beside FILE)
  export customers FILE --user U [--format csv|xlsx]
                                       export the customers U may see (masked as U sees them)
  analytics refresh [--as-of DATE]     recompute value, lifetime value, churn, credit, rules
  search optimize                      merge the search indexes' pending writes (nightly job)
  access-log [--user U] [--action A] [--customer ID] [--since DATE] [--until DATE] [--csv]
                                       who viewed, revealed, exported or merged what, newest first

Everyday Django commands: migrate, createsuperuser, check, shell, dbshell, run_huey, …
`guanxi help` lists them all; `guanxi help <command>` explains one.
"""


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    args = ["guanxi", *(sys.argv[1:] if argv is None else argv)]
    if len(args) < 2 or args[1] in ("-h", "--help"):
        sys.stdout.write(USAGE)
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
