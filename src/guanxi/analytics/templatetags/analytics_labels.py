"""Readable, translated names for the engine's codes (tiers, segments, stages…)."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

LABELS = {
    # tiers and classes
    "VIP": _("VIP"),
    "major": _("Major"),
    "normal": _("Normal"),
    "small": _("Small"),
    # RFM segments
    "champions": _("Champions"),
    "loyal": _("Loyal"),
    "potential_loyalist": _("Potential loyalist"),
    "new": _("New"),
    "promising": _("Promising"),
    "need_attention": _("Need attention"),
    "about_to_sleep": _("About to sleep"),
    "at_risk": _("At risk"),
    "cant_lose": _("Can't lose"),
    "hibernating": _("Hibernating"),
    "lost": _("Lost"),
    # lifecycle
    "potential": _("Potential"),
    "development": _("Development"),
    "growth": _("Growth"),
    "maturity": _("Maturity"),
    "decline": _("Decline"),
    "termination": _("Termination"),
    "recovery": _("Recovery"),
    # loyalty
    "flexible": _("Flexible"),
    # churn bands
    "low": _("Low"),
    "medium": _("Medium"),
    "high": _("High"),
    # selection quadrants
    "key": _("Key"),
    "develop": _("Develop"),
    "maintain": _("Maintain"),
    "reduce": _("Reduce"),
}


@register.filter
def metric_label(code) -> str:
    if code in (None, ""):
        return "—"
    return str(LABELS.get(code, code))


@register.filter
def percent(value, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def dict_get(mapping: dict, key):
    return mapping.get(key, key)
