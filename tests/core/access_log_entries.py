"""Writing access-log entries at given times, for the access-log tests."""

import datetime as dt

from django.utils import timezone

from guanxi.core.models import AccessLog

#: 2026-11-20 10:00 in Shanghai (the test site's zone is the default, Asia/Shanghai).
START = timezone.make_aware(dt.datetime(2026, 11, 20, 10, 0))


def entry(user, action="view", object_id=None, *, minutes=0, detail="", object_type="customer"):
    """An entry ``minutes`` after START, from 10.0.0.1 over the web."""
    return AccessLog.objects.create(
        user=user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
        ip="10.0.0.1",
        via="web",
        at=START + dt.timedelta(minutes=minutes),
    )
