"""Requests refused before any view, and the API's answers that no view of it gave."""

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _

#: The escape of a NUL character in JSON ("\u0000"), as bytes of the body.
_JSON_NUL = b"\\u0000"


class RefuseNulMiddleware:
    """A NUL character in a query parameter, or in a string of an API request's JSON body, is
    refused before any view, naming the parameter or field: the API answers 422 in its error
    shape (as for any invalid field), a page 400.

    No text in Guanxi may hold one, and PostgreSQL refuses it in any query: a filter, a search
    or a saved field with it answered 500 there. Forms check their own fields (Django's
    CharField); this covers what pages and the API read themselves. A request is only looked at
    closely when its raw query string holds "%00" or its body the escape "\\u0000", so any
    other costs a substring test or two."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = None
        if "%00" in request.META.get("QUERY_STRING", ""):
            field = _nul_parameter(request.GET)
        if field is None and _json_api_body(request) and _JSON_NUL in request.body:
            field = _nul_field(request.body)
        if field is not None:
            return _refused(request, field)
        return self.get_response(request)


def _json_api_body(request) -> bool:
    """Whether the request is an API call whose body may be JSON: any but a multipart upload
    (the API parses a body as JSON whatever its content type says). A file uploaded to the API
    (an import) is larger than a request body may be held in memory
    (``DATA_UPLOAD_MAX_MEMORY_SIZE``): reading it as a body refused every import of more than
    2.5 MB with a bare 400 page. Its other fields are checked by the API's own schema."""
    return request.path.startswith("/api/") and request.content_type != "multipart/form-data"


def _nul_parameter(query) -> str | None:
    for name, values in query.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return name.replace("\x00", "")
    return None


def _nul_field(body: bytes) -> str | None:
    """The dotted path ("contacts.0.name") of the first string of a JSON body holding a NUL;
    None when there is none or the body is not JSON (the API then answers that itself)."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    todo: list[tuple[tuple, object]] = [((), data)]
    while todo:
        path, value = todo.pop()
        if isinstance(value, str) and "\x00" in value:
            return ".".join(str(part) for part in path) or "body"
        if isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    return ".".join(str(part) for part in (*path, key.replace("\x00", "")))
                todo.append(((*path, key), item))
        elif isinstance(value, list):
            todo.extend(((*path, index), item) for index, item in enumerate(value))
    return None


def _refused(request, field: str) -> HttpResponse:
    message = _("Must not contain a NUL character.")
    if request.path.startswith("/api/"):
        body = {"detail": _("Invalid input."), "errors": [{"field": field, "message": message}]}
        return HttpResponse(
            json.dumps(body, ensure_ascii=False),
            status=422,
            content_type="application/json; charset=utf-8",
        )
    detail = _("The address holds a character that is not allowed (NUL) in “%(name)s”.") % {
        "name": field
    }
    return HttpResponse(detail, status=400, content_type="text/plain; charset=utf-8")


class ApiErrorShapeMiddleware:
    """An API address no route of the API answers (``/api/v1/customers/abc``, a trailing
    slash, an unknown path), a method a route does not take, or a server error: answered in the
    API's error shape (``{"detail", "errors"}``, JSON) instead of the site's HTML page, so a
    client reads every error the same way. Any other response passes untouched: one prefix
    test and one status test per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in _API_ERRORS and request.path.startswith("/api/"):
            if not response.get("Content-Type", "").startswith("application/json"):
                return _api_error(response)
        return response


_API_ERRORS = frozenset({404, 405, 500})


def _api_error(response) -> HttpResponse:
    if response.status_code == 405:
        detail = _("Method not allowed here; allowed: %(allowed)s.") % {
            "allowed": response.get("Allow", "")
        }
    elif response.status_code == 404:
        detail = _("Not found.")
    else:
        detail = _("Server error: the request could not be completed.")
    answer = HttpResponse(
        json.dumps({"detail": str(detail), "errors": []}, ensure_ascii=False),
        status=response.status_code,
        content_type="application/json; charset=utf-8",
    )
    if response.has_header("Allow"):
        answer["Allow"] = response["Allow"]
    return answer
