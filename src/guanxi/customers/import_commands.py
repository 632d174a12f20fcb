"""What the `guanxi import ...` commands share: an import's failures as a CommandError a person
can act on (the file's problem, the permission or validation message, or where a stopped job
continues)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
from django.db import DatabaseError


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
