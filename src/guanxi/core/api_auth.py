"""How API callers prove who they are: a bearer token, or the browser's Django session.

The token lookup is passed in (``BearerTokenAuth(user_for_token)``) so this module stays in
``core`` and knows nothing of how accounts store tokens.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; the user is also put on ``request.user``."""

    def __init__(self, lookup: Callable[[str], Any]) -> None:
        self.lookup = lookup
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = self.lookup(token.strip())
        if user is None:
            return None
        request.user = user
        return user


class CsrfSessionAuth(APIKeyCookie):
    """The signed-in browser session, with Django's CSRF check on unsafe methods.

    Unlike Ninja's SessionAuth the CSRF check runs only once a session user is found, so a
    caller without any credentials gets 401 rather than a CSRF 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and not getattr(request, "_ninja_csrf_exempt", False):
            if check_csrf(request):
                raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header."))
        return user
