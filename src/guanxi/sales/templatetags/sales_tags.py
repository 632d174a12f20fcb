"""Template helpers for the sales pages: money, durations, percentages."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _

register = template.Library()

SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$", "JPY": "¥", "GBP": "£"}


@register.filter
def money(value, currency: str = "CNY") -> str:
    """1234.5 → "¥1,234.50" (the symbol of ``currency``, its code when unknown)."""
    if value in (None, ""):
        return "—"
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    symbol = SYMBOLS.get(currency or "CNY", f"{currency} ")
    return f"{'-' if number < 0 else ''}{symbol}{abs(number):,.2f}"


@register.filter
def money0(value, currency: str = "CNY") -> str:
    """Like money, without the cents (board columns, charts)."""
    if value in (None, ""):
        return "—"
    symbol = SYMBOLS.get(currency or "CNY", f"{currency} ")
    return f"{symbol}{Decimal(value):,.0f}"


@register.filter
def days(seconds) -> str:
    """A duration in seconds as "3 d 4 h", "5 h" or "12 min"."""
    if seconds in (None, ""):
        return "—"
    seconds = int(seconds)
    d, rest = divmod(seconds, 86400)
    h = rest // 3600
    if d:
        return _("%(d)d d %(h)d h") % {"d": d, "h": h} if h else _("%(d)d d") % {"d": d}
    if h:
        return _("%(h)d h") % {"h": h}
    return _("%(m)d min") % {"m": max(seconds // 60, 0)}


@register.filter
def percent(value, places: int = 0) -> str:
    """0.6667 → "67%"."""
    if value in (None, ""):
        return "—"
    return f"{float(value) * 100:.{int(places)}f}%"


@register.filter
def get(mapping, key):
    """mapping[key] in a template (None when absent)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def phone(value) -> str:
    """An E.164 number as people write it (+86 139 1111 2222)."""
    from guanxi.core.phones import display_phone

    return display_phone(value) if value else ""
