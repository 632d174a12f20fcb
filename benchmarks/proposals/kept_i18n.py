"""A proposal, not used by the app (twenty-second session; see results/templates.md): to adopt
it, copy it to src/guanxi/core/templatetags/ and add to settings.TEMPLATES' OPTIONS
``"libraries": {"i18n": "guanxi.core.templatetags.kept_i18n"}``. Django's system check then
warns (templates.W003: "'i18n' is used for multiple template tag modules"), which is why it
was not adopted without the team.

Django's ``i18n`` tag library, with ``{% translate "literal" %}`` translated once per process
and language.

A page holds fifty to sixty such labels, and each costs about 9 µs (a lazy string made and
turned back into text every time): an eighth of a list page's template (3.36 -> 2.93 ms).
The translation of a literal depends only on it and the language (the catalogues are read
once per process), which key what is kept. Nothing is kept while developing, nor past a
bound; ``{% translate %}`` of a variable, with a filter, ``noop``, ``context`` or ``as``, is
Django's as before. Installed under the label ``i18n`` (settings.TEMPLATES), so
``{% load i18n %}`` loads this library: every other tag of it is Django's own.
"""

from django import template
from django.conf import settings
from django.templatetags import i18n
from django.utils.translation import get_language

register = template.Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)

_translated: dict[tuple, str] = {}
_KEPT = 8192  # every label of every template, in each language, with room to spare


class KeptTranslateNode(i18n.TranslateNode):
    def render(self, context) -> str:
        expression = self.filter_expression
        if (
            self.noop
            or self.asvar
            or self.message_context
            or expression.filters
            or expression.var.lookups is not None
            or settings.DEBUG
        ):
            return super().render(context)
        key = (expression.var.literal, get_language(), context.autoescape)
        text = _translated.get(key)
        if text is None:
            text = super().render(context)
            if len(_translated) < _KEPT:
                _translated[key] = text
        return text


@register.tag("translate")
@register.tag("trans")
def translate(parser, token) -> i18n.TranslateNode:
    node = i18n.do_translate(parser, token)
    return KeptTranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)
