"""The public web-to-lead endpoint: no sign-in, no CSRF (the secret token in the URL is the
credential), a capped body, a rate limit per visitor address and form, and a honeypot.

``GET /public/leads/<token>/`` shows a plain hosted form; ``POST`` takes form-encoded or JSON
fields (name, company, title, phone, email, province, city, notes). Answers are JSON
(``{"detail": ..., "errors": [{"field": ..., "message": ...}]}`` on errors, as in the API),
or HTML when a browser posts the form itself and asks for a page.
"""

import json

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from guanxi.core.access_log import client_ip
from guanxi.sales import lead_routing

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
HONEYPOT = "website"  # hidden from people; a bot that fills every field fills it too


def _cors(response: HttpResponse) -> HttpResponse:
    # Embedding pages on any site may post with fetch(); the token, not the origin, is checked.
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Content-Type"
    response["Cache-Control"] = "no-store"
    return response


def _wants_html(request) -> bool:
    accept = request.headers.get("Accept", "")
    return "text/html" in accept and "json" not in request.content_type


def _answer(request, form, status: int, detail: str, errors=(), values=None) -> HttpResponse:
    if form is not None and _wants_html(request):
        context = {
            "form": form,
            "detail": detail,
            "errors": dict(errors),
            "values": values or {},
            "done": status == 200,
            "honeypot": HONEYPOT,
        }
        return _cors(render(request, "sales/public_lead_form.html", context, status=status))
    body = {"detail": str(detail), "errors": [{"field": f, "message": str(m)} for f, m in errors]}
    return _cors(JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False}))


def _over_limit(form, request) -> bool:
    """Count this post against the visitor's allowance for the form (a fixed window)."""
    key = f"web-lead:{form.pk}:{client_ip(request) or '-'}"
    cache.add(key, 0, timeout=settings.WEB_LEAD_RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.WEB_LEAD_RATE_WINDOW)
        count = 1
    return count > settings.WEB_LEAD_RATE_LIMIT


def _read_fields(request) -> dict:
    """The posted fields as a dict (JSON may hold other types: the service refuses them field
    by field). Raises ValueError on a body that is not a JSON object, TypeError on a content
    type other than JSON or form fields."""
    if len(request.body) > settings.WEB_LEAD_MAX_BODY:
        raise OverflowError
    if "json" in request.content_type:
        data = json.loads(request.body.decode(request.encoding or "utf-8") or "{}")
        if not isinstance(data, dict):
            raise ValueError
        return data
    if request.content_type in FORM_TYPES:
        return {k: request.POST.get(k) for k in request.POST}
    raise TypeError


@csrf_exempt
@xframe_options_exempt
def web_lead(request, token: str):
    """Take a lead from a public form (see the module docstring for the rules)."""
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204))
    try:
        form = lead_routing.active_form(token)
    except Http404:
        if request.method == "GET":
            raise
        return _answer(request, None, 404, _("This form does not exist or no longer takes leads."))
    if request.method == "GET":
        context = {"form": form, "errors": {}, "values": {}, "honeypot": HONEYPOT}
        return _cors(render(request, "sales/public_lead_form.html", context))
    if request.method != "POST":
        response = _answer(request, form, 405, _("Send the form with POST."))
        response["Allow"] = "GET, POST, OPTIONS"
        return response
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > settings.WEB_LEAD_MAX_BODY:
        return _answer(request, form, 413, _("The form sent too much data."))
    if _over_limit(form, request):
        response = _answer(request, form, 429, _("Too many submissions. Try again later."))
        response["Retry-After"] = str(settings.WEB_LEAD_RATE_WINDOW)
        return response
    try:
        data = _read_fields(request)
    except OverflowError:
        return _answer(request, form, 413, _("The form sent too much data."))
    except TypeError:
        return _answer(request, form, 415, _("Send the form as form fields or as JSON."))
    except (ValueError, UnicodeDecodeError):
        return _answer(request, form, 400, _("The form data could not be read."))
    thanks = form.thank_you or _("Thank you! We will be in touch soon.")
    if data.get(HONEYPOT):
        return _answer(request, form, 200, thanks)
    try:
        lead_routing.capture_web_lead(form, data)
    except ValidationError as exc:
        errors = list(
            dict.fromkeys(
                (field, message) for field, msgs in exc.message_dict.items() for message in msgs
            )
        )
        values = {k: v for k, v in data.items() if isinstance(v, str)}
        return _answer(
            request, form, 400, _("Please check the highlighted fields."), errors, values
        )
    return _answer(request, form, 200, thanks)
