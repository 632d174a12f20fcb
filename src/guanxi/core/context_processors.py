"""Values every page needs: the unread notification count and the user's role."""

from guanxi.core.notifications import unread_count


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
