"""The signed-in user resolved once; per-user language and time zone."""

import zoneinfo

from django.contrib import auth
from django.utils import timezone, translation


class ResolvedUserMiddleware:
    """Put the signed-in user (or the anonymous one) on the request as itself instead of
    Django's lazy stand-in. Every request reads it anyway (the language and time zone below,
    then every access rule), and each attribute read through the stand-in costs a call more:
    a page of 50 customers asks the user's role and key a few hundred times."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if hasattr(request, "user"):
            request.user = auth.get_user(request)
        return self.get_response(request)


class UserLanguageMiddleware:
    """Use the signed-in user's saved language when the browser has no language cookie yet.

    The language switch sets the cookie and saves the choice on the user, so it follows
    the user to a new browser.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.language
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class UserTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tz = getattr(getattr(request, "user", None), "time_zone", "")
        if tz:
            try:
                timezone.activate(zoneinfo.ZoneInfo(tz))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
