"""What the `guanxi import ...` commands share: who acts, the ``--mapping`` and ``--resume``
options, the job's number when it starts, its progress, its counts and report, and an import's
failures as a CommandError a person can act on (the file's problem, the permission or validation
message, or where a stopped job continues: after a database error or Ctrl-C)."""

import json
import os
import shlex
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError, DjangoHelpFormatter
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.accounts.models import Role, User
from guanxi.customers import import_columns
from guanxi.customers.import_reports import report_by_column
from guanxi.customers.models_import import ImportJob, SavedMapping

#: The exit status of an import stopped by Ctrl-C (128 + SIGINT), as a shell reports it.
INTERRUPTED = 130


class HelpFormatter(DjangoHelpFormatter):
    """Django's, keeping the line breaks of a text written in lines (the epilog's column lists);
    a one-paragraph description is wrapped as usual."""

    def _fill_text(self, text, width, indent):
        if "\n" not in text.strip():
            return super()._fill_text(text, width, indent)
        return "".join(indent + line for line in text.splitlines(keepends=True))


def number(n: int) -> str:
    """A count as the commands print it: 40,000."""
    return f"{n:,}"


def resume_command(what: str, file: str, job: ImportJob) -> str:
    """The command line that continues ``job``: `guanxi import customers FILE --resume 23`."""
    return f"guanxi import {what} {shlex.quote(file)} --resume {job.pk}"


class ImportErrors:
    """Context manager around an import command's work. Set ``job`` once the job exists, so a
    database error or Ctrl-C can say which row it stopped after and how to continue
    (``what``: customers, contacts or orders, and ``file`` as the command was given it)."""

    def __init__(
        self, *file_errors: type[Exception], what: str = "", file: str = "", dry_run=False
    ):
        self.file_errors = file_errors
        self.what, self.file, self.dry_run = what, file, dry_run
        self.job = None

    def __enter__(self) -> "ImportErrors":
        return self

    def __exit__(self, exc_type, exc, traceback) -> bool:
        if exc is None:
            return False
        if isinstance(exc, KeyboardInterrupt):
            raise self._interrupted() from None
        if isinstance(exc, (*self.file_errors, OSError)):
            raise CommandError(str(exc)) from None
        if isinstance(exc, (PermissionDenied, ValidationError)):
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from None
        if isinstance(exc, DatabaseError) and self.job is not None:
            job = self.job
            raise CommandError(
                _(
                    "Stopped after %(done)s of %(total)s rows: %(error)s; nothing of the failed "
                    "batch was written. Continue with: %(command)s"
                )
                % {
                    "done": number(job.next_row),
                    "total": number(job.total_rows),
                    "error": exc,
                    "command": resume_command(self.what, self.file, job),
                }
            ) from None
        return False

    def _interrupted(self) -> CommandError:
        """Ctrl-C: the batch under way rolled back; the job is marked stopped (the web page
        then offers to continue it too) and the error says how to continue here."""
        job = self.job
        if job is None:
            return CommandError(
                _("Stopped (Ctrl-C): nothing was imported."), returncode=INTERRUPTED
            )
        _mark_stopped(job)
        if self.dry_run:
            return CommandError(
                _("Stopped (Ctrl-C): a dry run writes nothing."), returncode=INTERRUPTED
            )
        return CommandError(
            _(
                "Stopped (Ctrl-C) after %(done)s of %(total)s rows; the batch under way was not "
                "written. Continue with: %(command)s"
            )
            % {
                "done": number(job.next_row),
                "total": number(job.total_rows),
                "command": resume_command(self.what, self.file, job),
            },
            returncode=INTERRUPTED,
        )


def _mark_stopped(job: ImportJob) -> None:
    """``job`` as its last committed batch left it, stopped: not left "running" for ever."""
    try:
        job.refresh_from_db()
        if job.status == ImportJob.Status.RUNNING:
            job.status = ImportJob.Status.FAILED
            job.error = _("Stopped (Ctrl-C) at the command line.")
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "error", "finished_at"])
    except DatabaseError:  # the database went too: the job stays as it was, still resumable
        pass


def no_such_user(username: str) -> CommandError:
    """The one way the commands say a username names nobody."""
    return CommandError(_("No user is called '%(name)s'.") % {"name": username})


def user_called(username: str):
    """The user called ``username`` (active or not), or a CommandError naming it."""
    user = User.objects.filter(username=username).first()
    if user is None:
        raise no_such_user(username)
    return user


def active_user(username: str):
    """The active user called ``username``, or a CommandError naming it."""
    user = user_called(username)
    if not user.is_active:
        raise CommandError(_("User '%(name)s' is inactive.") % {"name": username})
    return user


def acting_users(options: dict):
    """(user, owner) of an import command: ``--user`` acts (else ``--owner``, else the first
    active admin); ``--owner`` owns what is created (None: the acting user)."""
    owner = active_user(options["owner"]) if options.get("owner") else None
    if options.get("user"):
        return active_user(options["user"]), owner
    if owner is not None:
        return owner, owner
    user = (
        User.objects.filter(is_active=True, role=Role.ADMIN).order_by("pk").first()
        or User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
    )
    if user is None:
        raise CommandError(_("Give --owner or --user: there is no active admin to act as."))
    return user, owner


# --- --mapping ----------------------------------------------------------------------------


def mapping_option(value: str | None, targets: Callable[[], list[str]]) -> tuple[dict | None, str]:
    """``--mapping``: (the mapping, the JSON file it came from, "" for a mapping saved in the
    web app), or (None, "") without it. A value ending in .json or holding a "/" is a file;
    another is the name of a saved mapping, else a file of that name. CommandError when
    neither, or when the file is no JSON object {"column header": "field"} of ``targets()``
    (asked only then: a customer import's fields take a query for the custom ones)."""
    if not value:
        return None, ""
    looks_like_a_file = value.lower().endswith(".json") or "/" in value or os.sep in value
    if not looks_like_a_file:
        saved = SavedMapping.objects.filter(name=value).first()
        if saved is not None:
            return saved.mapping, ""
        if not Path(value).is_file():
            raise CommandError(
                _(
                    "There is no saved mapping '%(name)s', nor a file of that name: give the "
                    'name of a mapping saved in the web app, or a JSON file {"column header": '
                    '"field"}.'
                )
                % {"name": value}
            )
    return read_mapping_file(value, targets()), value


def read_mapping_file(path: str, targets: list[str]) -> dict[str, str]:
    """The JSON object {column header: field} in ``path``, each field one of ``targets``."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CommandError(
            _("--mapping %(file)s: there is no such file.") % {"file": path}
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(
            _("--mapping %(file)s cannot be read: %(error)s") % {"file": path, "error": exc}
        ) from None
    try:
        mapping = json.loads(text)
    except ValueError as exc:
        raise CommandError(
            _('--mapping %(file)s is not JSON (%(error)s): write {"column header": "field"}.')
            % {"file": path, "error": exc}
        ) from None
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise CommandError(
            _(
                '--mapping %(file)s must hold one JSON object {"column header": "field"}, each '
                "header and field a string."
            )
            % {"file": path}
        )
    unknown = [t for t in dict.fromkeys(mapping.values()) if t not in targets]
    if unknown:
        raise CommandError(
            f"--mapping {path}: "
            + _("Not a field: %(names)s. The fields are: %(fields)s.")
            % {"names": _quoted(unknown), "fields": ", ".join(targets)}
        )
    return mapping


def new_job_with_mapping(open_job, mapping: dict | None, mapping_file: str) -> ImportJob:
    """``open_job(mapping)``'s job; with a mapping from a file, refused (and not kept) when the
    file names a column the import's file does not have."""
    if not mapping_file:
        return open_job(mapping)
    with transaction.atomic():
        job = open_job(mapping)
        headers = import_columns.file_headers(job)
        missing = [h for h in mapping if h not in headers]
        if missing:
            raise CommandError(
                f"--mapping {mapping_file}: "
                + _("Not a column of the file: %(names)s. Its columns are: %(columns)s.")
                % {"names": _quoted(missing), "columns": _quoted(headers)}
            )
    return job


def _quoted(names) -> str:
    return ", ".join(json.dumps(n, ensure_ascii=False) for n in names)


# --- --resume -----------------------------------------------------------------------------


def resumable_job(options: dict, kind: str, missing: str, *, owner_is_user=False) -> ImportJob:
    """The job ``--resume JOB`` names, of this ``kind`` and stopped (by an error or Ctrl-C),
    for the same file and, when given, the same --user / --owner: a job is continued as it
    was started, so a different FILE or user is refused naming the job's own (else the
    command would continue job JOB and print its counts, whatever FILE said). ``missing``:
    the message for a number no such job has (with %(job)s)."""
    job = (
        ImportJob.objects.filter(pk=options["resume"], kind=kind)
        .select_related("created_by", "owner")
        .first()
    )
    if job is None:
        raise CommandError(missing % {"job": options["resume"]})
    if job.status not in (ImportJob.Status.FAILED, ImportJob.Status.RUNNING):
        raise CommandError(
            _(
                "Job %(job)s cannot be resumed: its status is “%(status)s”. --resume continues "
                "an import that stopped (on an error, or by Ctrl-C)."
            )
            % {"job": job.pk, "status": job.get_status_display()}
        )
    user = job.created_by.username
    owner = job.owner.username if job.owner else ""
    other_user = options.get("user") and options["user"] != user
    if owner_is_user:  # contacts: --owner means --user
        other_owner = options.get("owner") and options["owner"] != user
    else:
        other_owner = options.get("owner") and options["owner"] != (owner or user)
    if not _same_file(options["file"], job.file_path) or other_user or other_owner:
        values = {"job": job.pk, "file": job.file_path, "user": user, "given": options["file"]}
        if owner and owner != user:
            message = _(
                "Job %(job)s imports %(file)s as %(user)s for %(owner)s: resume it with that "
                "file and user (or leave out --user and --owner), or leave out --resume to "
                "import %(given)s as a new job."
            )
            values["owner"] = owner
        else:
            message = _(
                "Job %(job)s imports %(file)s as %(user)s: resume it with that file and user "
                "(or leave out --user), or leave out --resume to import %(given)s as a new job."
            )
        raise CommandError(message % values)
    return job


def _same_file(given: str, stored: str) -> bool:
    try:
        return os.path.samefile(given, stored)
    except OSError:  # one of them is gone: compare the names
        return Path(given).resolve() == Path(stored).resolve()


def file_option(options: dict) -> str:
    """FILE as the job keeps it: the whole path, so that --resume from another folder finds it."""
    return str(Path(options["file"]).resolve())


# --- what the commands print ----------------------------------------------------------------


def announce(stdout, job: ImportJob, *, resume: bool, dry_run: bool) -> None:
    """The job's number before its work, so that a Ctrl-C or a crash can be continued."""
    values = {"job": job.pk, "rows": number(job.total_rows), "done": number(job.next_row)}
    if resume and not dry_run:
        stdout.write(_("Job %(job)s: continuing after %(done)s of %(rows)s rows…") % values)
    elif dry_run:
        stdout.write(
            ngettext(
                "Job %(job)s: checking %(rows)s row (dry run)…",
                "Job %(job)s: checking %(rows)s rows (dry run)…",
                job.total_rows,
            )
            % values
        )
    else:
        stdout.write(
            ngettext(
                "Job %(job)s: importing %(rows)s row…",
                "Job %(job)s: importing %(rows)s rows…",
                job.total_rows,
            )
            % values
        )


class Progress:
    """An import's progress on ``stream`` (stderr) for files of more than ``min_rows`` rows: on
    a terminal one line rewritten in place; elsewhere (a log file) a line each tenth of the
    file, never a carriage return."""

    def __init__(self, stream, min_rows: int):
        self.stream, self.min_rows = stream, min_rows
        self.tenths_shown = 0

    def __call__(self, job: ImportJob) -> None:
        if job.total_rows <= self.min_rows:
            return
        text = _("%(done)s of %(total)s rows") % {
            "done": number(job.next_row),
            "total": number(job.total_rows),
        }
        done = job.next_row >= job.total_rows
        if self.stream.isatty():
            self.stream.write(f"\r{text}", ending="\n" if done else "")
            self.stream.flush()
            return
        tenths = job.next_row * 10 // job.total_rows
        if tenths > self.tenths_shown:
            self.tenths_shown = tenths
            self.stream.write(text)


def write_counts(stdout, job: ImportJob, *, dry_run: bool) -> None:
    """A customer or contact import's counts, with its job's number."""
    values = {
        "imported": job.imported,
        "updated": job.updated,
        "skipped": job.skipped,
        "failed": job.failed,
        "job": job.pk,
    }
    if dry_run:
        line = _(
            "would import %(imported)s, updated %(updated)s, skipped %(skipped)s, failed "
            "%(failed)s  (job %(job)s)"
        )
    else:
        line = _(
            "imported %(imported)s, updated %(updated)s, skipped %(skipped)s, failed "
            "%(failed)s  (job %(job)s)"
        )
    stdout.write(line % values)


def write_report(stdout, job, ignored: list[str] | None = None) -> None:
    """The file's columns nothing was imported from (``ignored``; by default those a customer
    or contact job's mapping leaves out, and then its workbook's other sheets holding a table,
    which are not read), then where the job's error report is, when it says something, and
    what it says by column."""
    unread = ""
    if ignored is None:
        ignored = import_columns.ignored_columns(job)
        unread = import_columns.unread_sheets(job)
    if ignored:
        stdout.write(_("Columns not imported: %(columns)s") % {"columns": ", ".join(ignored)})
    if unread:
        stdout.write(unread)
    summary = report_by_column(job)
    if not summary:
        return
    stdout.write(_("report: %(path)s") % {"path": job.report_path})
    for problems in summary:
        rows = ngettext("%(n)s row", "%(n)s rows", problems.rows) % {"n": number(problems.rows)}
        line = "  " + _("%(column)s: %(rows)s: %(reason)s") % {
            "column": problems.column or _("The row as a whole"),
            "rows": rows,
            "reason": problems.reason,
        }
        others = problems.reasons - 1
        if others:
            line += " " + (
                ngettext("(and %(n)s other reason)", "(and %(n)s other reasons)", others)
                % {"n": number(others)}
            )
        stdout.write(line)
