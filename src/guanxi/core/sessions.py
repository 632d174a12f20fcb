"""Django's database sessions, each request's session read with SQL built once (``hot_reads``)."""

from functools import cache

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from guanxi.core.hot_reads import column, fetch_one, table

#: What sessions signed in before ``AUTHENTICATION_BACKENDS`` named our backend hold.
_DJANGO_BACKEND = "django.contrib.auth.backends.ModelBackend"


@cache
def _sql(vendor: str) -> str:
    return (
        f"SELECT {column(Session, 'session_data')} FROM {table(Session)} "  # noqa: S608 - quoted model names
        f"WHERE {column(Session, 'session_key')} = %s AND {column(Session, 'expire_date')} > %s"
    )


class SessionStore(db.SessionStore):
    """Reads as Django's own store does (the key, unexpired), writes through it unchanged."""

    def load(self):
        connection = connections[DEFAULT_DB_ALIAS]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        row = (
            fetch_one(_sql(connection.vendor), [self.session_key, now])
            if self.session_key
            else None
        )
        if row is None:
            self._session_key = None
            return {}
        data = self.decode(row[0])
        if (
            data.get(BACKEND_SESSION_KEY) == _DJANGO_BACKEND
            and _DJANGO_BACKEND not in settings.AUTHENTICATION_BACKENDS
        ):
            # Signed in before our backend (Django's, subclassed) took its place: still signed in.
            data[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        return data
