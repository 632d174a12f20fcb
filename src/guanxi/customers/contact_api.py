"""API routes for a customer's contacts: list, add, change, remove and put back. Each route
parses, calls a service and shapes the answer; the rules (one primary contact, who may change
the customer, the recycle-bin window) live in customers.services."""

import datetime as dt
import re
from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema, Status
from ninja.errors import HttpError

from guanxi.core.api_errors import error_responses
from guanxi.customers import services
from guanxi.customers.masking import SENSITIVE_FIELDS, masks_for
from guanxi.customers.models import Contact, Customer
from guanxi.customers.schemas import ContactIn, ContactOut, _Input, _text

router = Router(tags=["contacts"])

READ_ERRORS = error_responses(401, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 412, 422)
IfMatch = Annotated[
    str | None, Header(alias="If-Match", description="The contact's ETag from a GET or a write.")
]
_TAG = re.compile(r'^\s*(?:W/)?"?(\d{1,20})"?\s*$')


class ContactPatch(_Input):
    name: _text(Contact, "name") = None
    title: _text(Contact, "title") = None
    phone: _text(Contact, "phone") = None
    email: _text(Contact, "email") = None
    wechat_id: _text(Contact, "wechat_id") = None
    is_primary: bool = None
    notes: _text(Contact, "notes") = None


class ContactsOut(Schema):
    items: list[ContactOut]


class RemovedOut(Schema):
    removed: int = Field(description="The contact's id, for its restore.")
    restore_until: dt.datetime = Field(description="Until when it can be put back.")


def _etag(contact: Contact) -> str:
    """A contact's ETag: the microsecond of its last change (contacts carry no version)."""
    return f'"{int(contact.updated_at.timestamp() * 1_000_000)}"'


def _seen(if_match: str | None) -> dt.datetime | None:
    if if_match is None or if_match.strip() in ("", "*"):
        return None
    match = _TAG.match(if_match)
    if match is None:
        raise ValidationError({"If-Match": _("Send the ETag you received.")})
    return dt.datetime.fromtimestamp(int(match.group(1)) / 1_000_000, tz=dt.UTC)


def _out(user, customer: Customer, contact: Contact) -> dict:
    masked = masks_for(user, customer)
    phone = SENSITIVE_FIELDS["phone"](contact.phone) if masked else contact.phone
    return {f: getattr(contact, f) for f in ContactOut.model_fields} | {
        "id": contact.pk,
        "phone": phone,
    }


@router.get("/{int:customer_id}/contacts", response={200: ContactsOut, **READ_ERRORS})
def list_contacts(request, customer_id: int):
    """The customer's contacts, the primary one first; phones masked as the customer's are."""
    customer = services.access_customer(request.auth, customer_id)
    return {"items": [_out(request.auth, customer, c) for c in customer.contacts.all()]}


@router.post("/{int:customer_id}/contacts", response={201: ContactOut, **WRITE_ERRORS})
def add_contact(request, customer_id: int, payload: ContactIn, response: HttpResponse):
    """Add a contact; one made primary unmarks the customer's primary contact."""
    customer = services.access_customer(request.auth, customer_id, edit=True)
    contact = services.add_contact(request.auth, customer, payload.model_dump())
    response["ETag"] = _etag(contact)
    return Status(201, _out(request.auth, customer, contact))


@router.patch(
    "/{int:customer_id}/contacts/{int:contact_id}", response={200: ContactOut, **WRITE_ERRORS}
)
def update_contact(
    request,
    customer_id: int,
    contact_id: int,
    payload: ContactPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    """Change some fields. Send the contact's ETag as If-Match: if it changed since, nothing
    is written and the answer is 412."""
    changes = payload.model_dump(exclude_unset=True)
    try:
        contact = services.update_contact(
            request.auth, customer_id, contact_id, changes, seen=_seen(if_match)
        )
    except services.StaleContact as exc:
        raise HttpError(412, " ".join(exc.messages)) from None
    response["ETag"] = _etag(contact)
    return _out(request.auth, contact.customer, contact)


@router.delete(
    "/{int:customer_id}/contacts/{int:contact_id}", response={200: RemovedOut, **WRITE_ERRORS}
)
def remove_contact(request, customer_id: int, contact_id: int):
    """Remove a contact: it can be put back (``…/restore``) within the recycle-bin window,
    with the interactions it took part in."""
    removal = services.remove_contact(request.auth, customer_id, contact_id)
    until = removal.at + dt.timedelta(days=settings.RECYCLE_BIN_DAYS)
    return {"removed": contact_id, "restore_until": until}


@router.post(
    "/{int:customer_id}/contacts/{int:contact_id}/restore",
    response={201: ContactOut, **WRITE_ERRORS},
)
def restore_contact(request, customer_id: int, contact_id: int, response: HttpResponse):
    """Put back a removed contact (not primary if the customer has another primary now)."""
    contact = services.restore_contact(request.auth, customer_id, contact_id)
    response["ETag"] = _etag(contact)
    return Status(201, _out(request.auth, contact.customer, contact))
