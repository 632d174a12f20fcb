"""One error shape for the whole JSON API.

Every 4xx answer is ``{"detail": "...", "errors": [{"field": "...", "message": "..."}]}``:
``detail`` is a sentence for a person, ``errors`` lists field-level problems (empty when the
error is not about one field). ``install_error_handlers(api)`` wires the handlers into a
NinjaAPI; a domain with its own exception adds one line with ``add_error(api, Exc, status)``.
"""

import functools
import inspect
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    """The body of every error answer."""

    detail: str
    errors: list[ErrorItem] = []


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """``response=`` entries documenting the error answers of an operation in OpenAPI."""
    return dict.fromkeys(statuses, ErrorOut)


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    detail: str,
    errors: Iterable[tuple[str, str]] = (),
) -> HttpResponse:
    body = {"detail": str(detail), "errors": [{"field": f, "message": str(m)} for f, m in errors]}
    return api.create_response(request, body, status=status)


def django_errors(exc: ValidationError) -> list[tuple[str, str]]:
    """A Django ValidationError as (field, message) pairs; non-field errors get "__all__"."""
    if hasattr(exc, "error_dict"):
        return [
            (field, message) for field, messages in exc.message_dict.items() for message in messages
        ]
    return [(NON_FIELD_ERRORS, message) for message in exc.messages]


def field_name(loc: Sequence[Any]) -> str:
    """Ninja's error location as a dotted field name.

    ("body", "payload", "contacts", 0, "phone") → "contacts.0.phone"; ("query", "limit") →
    "limit"; ("header", "If-Match") → "If-Match". The source and, for bodies, the name of the
    view argument are dropped: they mean nothing to the client.
    """
    parts = list(loc)
    if parts and parts[0] in ("body", "form", "file") and len(parts) > 2:
        parts = parts[2:]
    elif parts and parts[0] in ("body", "form", "file", "query", "path", "header", "cookie"):
        parts = parts[1:] or parts
    return ".".join(str(p) for p in parts)


def pydantic_message(error: dict) -> str:
    """A short, translatable message for the common pydantic error types."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        return _("Unknown field.")
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_long":
        return _("At most %(max)s characters.") % {"max": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("At least %(min)s characters.") % {"min": ctx.get("min_length")}
    if kind in ("less_than_equal", "less_than"):
        limit = ctx.get("le", ctx.get("lt"))
        return _("Must be at most %(limit)s.") % {"limit": limit}
    if kind in ("greater_than_equal", "greater_than"):
        limit = ctx.get("ge", ctx.get("gt"))
        return _("Must be at least %(limit)s.") % {"limit": limit}
    if kind == "literal_error":
        # pydantic's "'a', 'b' or 'c'": its English "or" in a list of any language.
        choices = str(ctx.get("expected", "")).replace(" or ", ", ")
        return _("Choose one of: %(choices)s.") % {"choices": choices}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("string_type",):
        return _("Enter text.")
    if kind in ("bool_parsing", "bool_type"):
        return _("Enter true or false.")
    if kind.startswith("date"):
        return _("Enter a date as YYYY-MM-DD.")
    if kind in ("list_type",):
        return _("Enter a list.")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("Enter an object.")
    return str(error.get("msg", _("Invalid value.")))


def add_error(
    api: NinjaAPI,
    exc_class: type[Exception],
    status: int,
    headers: Callable[[Exception], dict[str, str]] | None = None,
) -> None:
    """Answer ``exc_class`` with ``status`` and the exception's message as the detail."""

    def handler(request: HttpRequest, exc: Exception) -> HttpResponse:
        errors = django_errors(exc) if isinstance(exc, ValidationError) else []
        detail = _("Invalid input.") if isinstance(exc, ValidationError) else str(exc)
        response = error_response(api, request, status, detail, errors)
        for name, value in (headers(exc) if headers else {}).items():
            response[name] = value
        return response

    api.add_exception_handler(exc_class, handler)


def install_error_handlers(api: NinjaAPI) -> None:
    """Route Ninja's and Django's exceptions through the one error shape."""

    def on_request_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = [(field_name(e.get("loc", ())), pydantic_message(e)) for e in exc.errors]
        return error_response(api, request, 422, _("Invalid input."), errors)

    def on_django_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(api, request, 422, _("Invalid input."), django_errors(exc))

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, 404, _("Not found."))

    def on_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        detail = str(exc) or _("You do not have permission to do this.")
        return error_response(api, request, 403, detail)

    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        detail = exc.message if exc.message != "Unauthorized" else _("Authentication required.")
        response = error_response(api, request, 401, detail)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        detail = (
            {
                400: _("The request body is not valid JSON."),
                429: _("Too many requests."),
            }.get(exc.status_code)
            if exc.message in _NINJA_DEFAULT_MESSAGES
            else None
        )
        return error_response(api, request, exc.status_code, detail or exc.message)

    api.add_exception_handler(NinjaValidationError, on_request_invalid)
    api.add_exception_handler(ValidationError, on_django_invalid)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_denied)
    api.add_exception_handler(AuthenticationError, on_unauthenticated)
    api.add_exception_handler(HttpError, on_http_error)


# Ninja's own English messages, replaced by translatable ones above.
_NINJA_DEFAULT_MESSAGES = {"Cannot parse request body", "Too many requests."}


def strict_query(view: Callable) -> Callable:
    """Refuse (422 naming it) a query parameter the operation does not take, put under the
    route's decorator: a filter misspelt (``?serach=``, ``?phone=``) was ignored and the
    unfiltered list answered, an export of everything the user may see."""
    names = set(inspect.signature(view).parameters) - {"request"}
    takes = ", ".join(sorted(names))

    @functools.wraps(view)
    def checked(request: HttpRequest, *args, **kwargs):
        unknown = [name for name in request.GET if name not in names]
        if unknown:
            raise ValidationError(
                {
                    name: _("Not a parameter of this address, which takes: %(names)s.")
                    % {"names": takes}
                    for name in unknown
                }
            )
        return view(request, *args, **kwargs)

    return checked
