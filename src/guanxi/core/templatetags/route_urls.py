"""``{% url %}`` as Django's, with a route that takes no arguments reversed once per process.

A page names about twenty such routes (the menu, the forms' actions, the buttons), and a
``{% url %}`` costs about 30 µs: a list page's template spends a tenth of its time on them.
Such a URL depends only on the route's name, the request's application namespace, the script
prefix and the URL conf (no route of ours is prefixed by the language), which key what is
kept. Nothing is kept while developing (an edited urls.py shows at once), nor past a bound.
Installed as a template builtin (settings.TEMPLATES), so every template's ``{% url %}`` is
this one; a route with arguments, or ``{% url ... as name %}``, goes to Django's as before.
"""

from django import template
from django.conf import settings
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import get_script_prefix, get_urlconf

register = template.Library()

_reversed: dict[tuple, str] = {}
_KEPT = 1024  # routes × namespaces × prefixes: a few hundred at most


class KeptURLNode(URLNode):
    def render(self, context) -> str:
        if self.args or self.kwargs or self.asvar or settings.DEBUG:
            return super().render(context)
        key = (
            self.view_name.resolve(context),
            _current_app(context),
            get_script_prefix(),
            get_urlconf(settings.ROOT_URLCONF),
            context.autoescape,
        )
        url = _reversed.get(key)
        if url is None:
            url = super().render(context)
            if len(_reversed) < _KEPT:
                _reversed[key] = url
        return url


def _current_app(context) -> str | None:
    """The application namespace Django's ``{% url %}`` reverses in."""
    try:
        return context.request.current_app
    except AttributeError:
        try:
            return context.request.resolver_match.namespace
        except AttributeError:
            return None


@register.tag
def url(parser, token) -> KeptURLNode:
    node = django_url(parser, token)
    return KeptURLNode(node.view_name, node.args, node.kwargs, node.asvar)
