"""What the API's import forms accept, checked before anything is imported: the fields each
import documents, in the form beside the file and nowhere else, and a ``mapping`` that names
the import's fields and the file's columns. A field or a name that would be left out without a
word (a typo: ``dryRun``, ``ondup``, ``phnoe``) is a 422 naming it instead, since leaving it out
changes what is imported (``dryRun=true`` imported the file for real)."""

import json
from contextlib import contextmanager, suppress
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from guanxi.customers.models_import import ImportJob

#: Sent by a browser form with the session's CSRF token: not one of the import's fields.
CSRF_FIELD = "csrfmiddlewaretoken"


def fields_in_the_form(request, *names: str) -> None:
    """Refuse (422, before the file is kept) an import whose form fields ``names`` came in the
    address instead (they are read from the form only, so ``POST …/import?dry_run=true``
    imported the file for real), or that sends a field, in the form or the address, that is
    none of ``names`` nor ``file``."""
    known = {"file", *names}
    errors: dict[str, str] = {}
    for name in names:
        if name in request.GET:
            errors[name] = _(
                "Send %(field)s as a form field beside the file, not in the address:"
                " nothing was imported."
            ) % {"field": name}
    takes = ", ".join(["file", *names])
    for name in [*request.POST, *request.FILES, *request.GET]:
        if name not in known and name != CSRF_FIELD and name not in errors:
            errors[name] = _(
                "%(field)s is not a field of this import, which takes %(fields)s:"
                " nothing was imported."
            ) % {"field": name, "fields": takes}
    if errors:
        raise ValidationError(errors)


def mapping_from_form(text: str, targets: list[str]) -> dict[str, str]:
    """The ``mapping`` form field, a JSON object {column header: field}, each field one of
    ``targets``; ValidationError (on "mapping") when it is not such an object or names a field
    the import does not have (listing those it has)."""
    try:
        mapping = json.loads(text)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        raise ValidationError(
            {"mapping": _('Send the mapping as a JSON object: {"column header": "field"}.')}
        )
    unknown = [t for t in dict.fromkeys(mapping.values()) if t not in targets]
    if unknown:
        raise ValidationError(
            {
                "mapping": _("Not a field: %(names)s. The fields are: %(fields)s.")
                % {"names": _quoted(unknown), "fields": ", ".join(targets)}
            }
        )
    return mapping


def check_mapped_columns(mapping: dict[str, str], headers: list[str]) -> None:
    """ValidationError (on "mapping") naming the headers of ``mapping`` the file does not have,
    with the columns it has."""
    missing = [h for h in mapping if h not in headers]
    if missing:
        raise ValidationError(
            {
                "mapping": _("Not a column of the file: %(names)s. Its columns are: %(columns)s.")
                % {"names": _quoted(missing), "columns": _quoted(headers)}
            }
        )


def _quoted(names) -> str:
    return ", ".join(json.dumps(n, ensure_ascii=False) for n in names)


@contextmanager
def kept_only_if_valid(job: ImportJob):
    """Around the checks of an import made after its file was kept: when one refuses it (422,
    403), the job, its file and its folder go, so that a refused import keeps nothing."""
    try:
        yield job
    except (ValidationError, PermissionDenied):
        job.discard()
        with suppress(OSError):
            Path(job.file_path).parent.rmdir()  # the upload's own folder, empty now
        raise
