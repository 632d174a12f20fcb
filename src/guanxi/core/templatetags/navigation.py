"""``{% nav_menu %}``: the navigation menu, rendered once per process for each language, role
and section.

The menu is the same for every request that shares those three, and its seventeen links and
labels cost about as much to render as a list page's rows.
"""

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.translation import get_language

from guanxi.core.access_log import may_read_access_log

register = template.Library()

_rendered: dict[tuple, str] = {}


@register.simple_tag(takes_context=True)
def nav_menu(context) -> str:
    user = context.get("user")
    nav = context.get("nav", "")
    is_admin = bool(getattr(user, "is_admin", False))
    reads_log = may_read_access_log(user)
    key = (get_language(), get_script_prefix(), is_admin, reads_log, nav)
    html = _rendered.get(key)
    if html is None:
        html = render_to_string(
            "partials/nav_menu.html", {"nav": nav, "is_admin": is_admin, "reads_log": reads_log}
        )
        # Not kept while developing (an edited template shows at once), nor past a bound: a
        # few languages × three kinds of user × the sections.
        if not settings.DEBUG and len(_rendered) < 256:
            _rendered[key] = html
    return html
