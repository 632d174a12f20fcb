"""Django's own messages that we word ourselves in Chinese.

Nothing imports this module: it holds Django's message ids so that ``make messages`` keeps them
in our catalogue, whose translations come before Django's (LOCALE_PATHS). Django's Chinese for
a text too long is "确保该变量包含不超过 5000 字符": "该变量", "this variable", is a programmer's
word, and an importing user reads it in the report of every row with a huge cell.
"""

from django.utils.translation import gettext_lazy, ngettext_lazy

WORDED = (
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    gettext_lazy("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_lazy("Ensure this value is greater than or equal to %(limit_value)s."),
)
