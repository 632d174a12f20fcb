"""Helpers shared by the sales pages."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from guanxi.core.ids import int_or_none
from guanxi.customers.models import Customer
from guanxi.customers.queries import assignable_owners, search

CUSTOMER_CHOICES = 50
PAGE_SIZE = 25


def require_writer(user) -> None:
    if not user.can_write:
        raise PermissionDenied(_("Your role is read-only."))


def owners_for(user):
    """Whom a manager or admin may assign records to; None for a rep (always themselves)."""
    if user.is_superuser or user.role in ("admin", "manager"):
        return assignable_owners(user)
    return None


def customer_choices(user, selected=None, q: str = "") -> list[tuple[int, str]]:
    """A short list of customers the user may edit for a select: the chosen one first, then
    matches of ``q`` (or the most recently updated), never the whole table."""
    qs = Customer.objects.editable_by(user).only("pk", "name")
    rows = search(qs, q) if q else qs.order_by("-updated_at", "-id")
    choices = [(c.pk, c.name) for c in rows[:CUSTOMER_CHOICES]]
    selected = int_or_none(selected)
    if selected and all(pk != selected for pk, _name in choices):
        chosen = Customer.objects.visible_to(user).filter(pk=selected).only("pk", "name").first()
        if chosen is not None:
            choices.insert(0, (chosen.pk, chosen.name))
    return choices


def querystring_without(request, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()
