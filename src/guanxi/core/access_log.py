"""The access log: every view, reveal and export of customer data is written here."""

from guanxi.core.models import AccessLog


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR")


def log_access(
    user,
    action: str,
    object_type: str,
    object_id=None,
    *,
    request=None,
    detail: str = "",
    via: str = "web",
) -> AccessLog:
    """Record that ``user`` did ``action`` (view / reveal / export) on an object."""
    return AccessLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail[:255],
        ip=client_ip(request),
        via=via,
    )
