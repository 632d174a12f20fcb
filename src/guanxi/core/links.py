"""Links to records, made once per list rather than once per row; where a redirect may go."""

from collections.abc import Callable

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

_SENTINEL = 987654321


def pk_url(name: str) -> Callable[[int], str]:
    """pk -> ``reverse(name, args=[pk])``: the route is reversed once, each row only fills in
    its key (a {% url %} per row costs more than the rest of a search result's row)."""
    head, tail = reverse(name, args=[_SENTINEL]).split(str(_SENTINEL))
    return lambda pk: f"{head}{pk}{tail}"


def local_url(request, url: str | None) -> str | None:
    """``url`` when it is a path on this site ("/customers/?page=2") or a full URL of this host,
    else None. Check every URL a request brings (``next``, the referer) or a record stores
    before redirecting to it: no open redirects, and no bare word, which ``redirect()`` reads
    as a view's name (``/login/?next=-1`` was a 500)."""
    if not url or not url.startswith(("/", "http://", "https://")):
        return None
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def next_url(request, default: str) -> str:
    """The request's ``next`` (the form's, else the query string's) when ``local_url`` lets it
    through, else ``default``."""
    return local_url(request, request.POST.get("next") or request.GET.get("next")) or default
