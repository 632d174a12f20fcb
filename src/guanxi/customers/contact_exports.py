"""The contacts list as an export (``exports.Exported``): its filters, its query
(``contact_queries.contacts_for``: the contacts of the customers the user sees), its columns
and rows. The files, the access log, the background job and the downloads are
``customers.exports``'.

The headers are those the contacts import reads (``contact_imports.ALIASES``, in either
language), so an exported list, edited, comes back as contacts of its customers (by the
customer's ID); the day a contact was added is for reading, and the import leaves it out.
"""

from collections.abc import Iterator

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanxi.core.ids import int_or_none
from guanxi.customers.contact_queries import contacts_for
from guanxi.customers.masking import masked_contact_phone
from guanxi.customers.models import Contact

#: Rows read from the database at a time.
CHUNK = 2000
#: The columns, in the file's order: the contact's fields, its customer and the day it was
#: added.
COLUMNS = (
    "name",
    "customer",
    "customer_id",
    "title",
    "phone",
    "email",
    "wechat_id",
    "is_primary",
    "notes",
    "created_at",
)


def filters_from(params) -> dict:
    """The contacts list's filters (as on its page) from a query dict or the API's values:
    ``q``, ``primary`` (True, or any text but "", "0", "false", "off" or "no"), ``owner`` (a
    user's id)."""
    primary = params.get("primary")
    if not isinstance(primary, bool):
        primary = str(primary or "").strip().lower() not in ("", "0", "false", "off", "no")
    return {
        "q": (params.get("q") or "").strip()[:100],
        "primary": primary,
        "owner": int_or_none(params.get("owner")),
    }


def headers() -> list[str]:
    """The header row in the active language, with a capital first letter as the pages show
    them ("Name", "Customer ID"; 姓名, 客户 ID)."""
    names = {
        "name": pgettext("contact", "name"),  # a person's name (姓名), not a company's (名称)
        "customer": _("customer"),
        "customer_id": _("customer ID"),
        "created_at": _("date added"),
    }
    return [capfirst(str(names.get(f) or Contact._meta.get_field(f).verbose_name)) for f in COLUMNS]


class _Layout:
    """The columns of one contacts export (``exports.Layout``), titled as it starts."""

    def __init__(self):
        self.titles = headers()
        self.fields = list(COLUMNS)

    def rows(self, user, queryset) -> Iterator[list[str]]:
        """One list of display strings per contact, in COLUMNS' order: its phone masked
        exactly where its customer's are (``masking.masked_contact_phone``), the day it was
        added in the active time zone."""
        yes, no = _("yes"), _("no")
        for contact in queryset.iterator(chunk_size=CHUNK):
            yield [
                contact.name,
                contact.customer.name,
                str(contact.customer_id),
                contact.title,
                masked_contact_phone(user, contact),
                contact.email,
                contact.wechat_id,
                yes if contact.is_primary else no,
                contact.notes,
                timezone.localdate(contact.created_at).isoformat(),
            ]


class ContactExport:
    """The contacts list as an export (``exports.Exported``)."""

    kind = "contacts"
    object_type = "contact"
    ascii_stem = "contacts"
    wide = {"customer": 24, "notes": 30}
    dates = ("created_at",)

    def filters_from(self, params) -> dict:
        return filters_from(params)

    def queryset(self, user, filters: dict):
        return contacts_for(user, **filters)

    def layout(self) -> _Layout:
        return _Layout()

    def stem(self) -> str:
        return str(Contact._meta.verbose_name_plural)

    def sheet_name(self) -> str:
        return str(_("Contacts"))

    def ready(self, count: int, fmt: str) -> str:
        return _("Your export of %(count)d contacts (%(format)s) is ready to download.") % {
            "count": count,
            "format": fmt.upper(),
        }


CONTACTS = ContactExport()
