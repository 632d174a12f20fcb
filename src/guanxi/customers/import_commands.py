"""What the `guanxi import ...` commands share: an import's failures as a CommandError a person
can act on (the file's problem, the permission or validation message, or where a stopped job
continues)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from guanxi.accounts.models import Role, User
from guanxi.customers import import_columns
from guanxi.customers.imports import report_by_column


class ImportErrors:
    """Context manager around an import command's work. Set ``job`` once the job exists, so a
    database error can say which row it stopped after and how to continue."""

    def __init__(self, *file_errors: type[Exception]):
        self.file_errors = file_errors
        self.job = None

    def __enter__(self) -> "ImportErrors":
        return self

    def __exit__(self, exc_type, exc, traceback) -> bool:
        if exc is None:
            return False
        if isinstance(exc, (*self.file_errors, OSError)):
            raise CommandError(str(exc)) from None
        if isinstance(exc, (PermissionDenied, ValidationError)):
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from None
        if isinstance(exc, DatabaseError) and self.job is not None:
            job = self.job
            raise CommandError(
                f"stopped after row {job.next_row + 1} of {job.total_rows}: {exc}; nothing of the "
                f"failed batch was written. Continue with --resume {job.pk}."
            ) from None
        return False


def active_user(username: str):
    """The active user called ``username``, or a CommandError naming it."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user {username!r}.")
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
        raise CommandError("Give --owner or --user: there is no active admin to act as.")
    return user, owner


def write_report(stdout, job, ignored: list[str] | None = None) -> None:
    """The file's columns nothing was imported from (``ignored``; by default those a customer
    or contact job's mapping leaves out), then where the job's error report is, when it says
    something, and what it says by column."""
    if ignored is None:
        ignored = import_columns.ignored_columns(job)
    if ignored:
        stdout.write(_("Columns not imported: %(columns)s") % {"columns": ", ".join(ignored)})
    summary = report_by_column(job)
    if not summary:
        return
    stdout.write(f"report: {job.report_path}")
    for problems in summary:
        column = problems.column or "(the row as a whole)"
        others = problems.reasons - 1
        also = f" (and {_count(others, 'other reason')})" if others else ""
        stdout.write(f"  {column}: {_count(problems.rows, 'row')}: {problems.reason}{also}")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"
