"""Django's own messages that we word ourselves in Chinese.

It holds Django's message ids so that ``make messages`` keeps them in our catalogue, whose
translations come before Django's (LOCALE_PATHS). Django's Chinese for a text too long is
"确保该变量包含不超过 5000 字符": "该变量", "this variable", is a programmer's word, and an
importing user reads it in the report of every row with a huge cell.

A text too long is worded by Django's message everywhere, ``too_long`` giving it where
Django's validators do not run (the import's text columns), so a user reads
one wording in each language ("最多 120 个字符（现有 200 个）。"), not two.
"""

from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

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
    # Django's Chinese, "输入一个有效的 Email 地址。", keeps an English word in a Chinese line.
    gettext_lazy("Enter a valid email address."),
)


def too_long(limit: int, length: int) -> str:
    """Django's message for a text of ``length`` characters where ``limit`` fit, as its
    MaxLengthValidator words it."""
    return ngettext(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        limit,
    ) % {"limit_value": limit, "show_value": length}
