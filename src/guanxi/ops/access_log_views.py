"""The access-log page (访问日志): who viewed, revealed, exported or merged which customer,
when, how and from where; for admins (everyone's entries) and managers (their teams')."""

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from guanxi.core.access_log import LogFilter
from guanxi.core.days import EARLIEST, LATEST
from guanxi.core.ids import MAX_ID
from guanxi.core.models import AccessLog
from guanxi.core.pagination import PeekPage, page_number
from guanxi.ops import access_log

PAGE_SIZE = 50
#: The filters, as the query string names them.
FILTERS = ("user", "action", "customer", "since", "until")


class AccessLogFilterForm(forms.Form):
    """Checks the page's filters (the template draws the fields); a value that is not one is
    an error on its field, not ignored: an audit that silently drops a filter answers another
    question."""

    user = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(required=False)
    customer = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    since = forms.DateField(required=False)
    until = forms.DateField(required=False)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", ""), *((u.pk, str(u)) for u in users)]
        self.fields["action"].choices = [("", ""), *AccessLog.Action.choices]

    def clean(self):
        data = super().clean()
        for name in ("since", "until"):
            day = data.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(
                    name,
                    _("Enter a date from %(first)s to %(last)s.")
                    % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()},
                )
        if not self.errors:
            try:
                self.log_filter = LogFilter(
                    user=data.get("user"),
                    action=data.get("action") or "",
                    customer=data.get("customer"),
                    since=data.get("since"),
                    until=data.get("until"),
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for message in messages:
                        self.add_error(field, message)
        return data


def _row(entry: AccessLog, shown: dict, labels: dict, ways: dict) -> dict:
    """An entry as the table shows it, worked out once (a dict: a template reads it at the
    first try; a date filter or a {% trans %} in a 50-row loop costs more than the query)."""
    subject = None
    if entry.object_id is not None:
        subject = shown.get((entry.object_type, entry.object_id))
    at = timezone.localtime(entry.at)
    return {
        "when": at.strftime("%Y-%m-%d %H:%M:%S"),
        "when_iso": at.isoformat(),
        "user": str(entry.user) if entry.user_id else None,
        # Ids as text: a number in a template goes through number localisation.
        "user_id": str(entry.user_id),
        "action": labels.get(entry.action, entry.action),
        # An export's entry names no object: the list it exported.
        "kind": (_KIND_LABELS if entry.object_id is not None else _LIST_LABELS).get(
            entry.object_type, entry.object_type
        ),
        "object_id": str(entry.object_id),
        "label": subject.label if subject else "",
        "url": subject.url if subject else "",
        "filter_customer": entry.object_type == "customer" and entry.object_id is not None,
        "detail": access_log.shown_detail(entry),
        "via": ways.get(entry.via, entry.via),
        "ip": entry.ip or "",
    }


_KIND_LABELS = {"customer": gettext_lazy("Customer"), "lead": gettext_lazy("Lead")}
_LIST_LABELS = {"customer": gettext_lazy("Customer list"), "contact": gettext_lazy("Contacts list")}


@login_required
@require_GET
def access_log_page(request):
    """The log newest first, filtered by user, action, customer and days, a page at a time."""
    viewer = request.user
    users = access_log.user_choices(viewer)  # a PermissionDenied for who may not read the log
    among = None if viewer.is_admin else [u.pk for u in users]
    form = AccessLogFilterForm(request.GET, users=users)
    number = page_number(request.GET.get("page"))
    page, rows, query = None, [], ""
    if form.is_valid():
        f = form.log_filter
        found = access_log.entries_for(
            viewer, f, among=among, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1
        )
        page = PeekPage(found, number, PAGE_SIZE)
        shown = access_log.subjects(viewer, page.object_list)
        labels = {value: str(label) for value, label in AccessLog.Action.choices}
        ways = {value: str(label) for value, label in AccessLog.Via.choices}
        rows = [_row(entry, shown, labels, ways) for entry in page.object_list]
        query = urlencode({k: request.GET[k] for k in FILTERS if request.GET.get(k, "").strip()})
    return render(
        request,
        "core/access_log.html",
        {
            "nav": "access_log",
            "form": form,
            # As typed, to show them again (a wrong one with its error).
            "values": {k: request.GET.get(k, "") for k in FILTERS},
            "user_options": [(u.pk, str(u)) for u in users],
            "action_options": [(v, str(label)) for v, label in AccessLog.Action.choices],
            "page": page,
            "rows": rows,
            "query": query,
            "narrowed": form.is_valid() and form.log_filter.narrowed,
            "is_admin": viewer.is_admin,
        },
    )
