"""API shapes for customers. Inputs refuse unknown fields; text limits come from the model.

Validation of content (phone numbers, e-mail, ID numbers, custom fields) stays in
``Customer.clean()``, reached through the services; these schemas only check shape and length.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

from guanxi.accounts.schemas import TeamOut, UserRef
from guanxi.customers.masking import SENSITIVE_FIELDS
from guanxi.customers.models import (
    BirthdayCalendar,
    Contact,
    Customer,
    Gender,
    IncomeBand,
    Kind,
    ShareLevel,
    SourceChannel,
    Tag,
    ValueOrientation,
)
from guanxi.customers.queries import SORTS


def _text(model, field: str):
    """A string no longer than the model column allows."""
    return Annotated[str, StringConstraints(max_length=model._meta.get_field(field).max_length)]


def _choice(choices):
    return Literal[tuple(choices.values)]


KindChoice = _choice(Kind)
Ordering = Literal[tuple(SORTS)]
TagName = _text(Tag, "name")
SensitiveField = Literal[tuple(SENSITIVE_FIELDS)]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class ContactIn(_Input):
    name: _text(Contact, "name")
    title: _text(Contact, "title") = ""
    phone: _text(Contact, "phone") = ""
    email: _text(Contact, "email") = ""
    wechat_id: _text(Contact, "wechat_id") = ""
    is_primary: bool = False
    notes: _text(Contact, "notes") = ""


class CustomerFields(_Input):
    """The directly editable fields (customers.services.EDITABLE_FIELDS)."""

    kind: KindChoice = Kind.PERSON.value
    name: _text(Customer, "name") = ""
    gender: _choice(Gender) = ""
    birthday: dt.date | None = None
    birthday_calendar: _choice(BirthdayCalendar) = BirthdayCalendar.SOLAR.value
    id_number: _text(Customer, "id_number") = ""
    phone: _text(Customer, "phone") = ""
    phone_alt: _text(Customer, "phone_alt") = ""
    email: _text(Customer, "email") = ""
    wechat_id: _text(Customer, "wechat_id") = ""
    company_name: _text(Customer, "company_name") = ""
    province: _text(Customer, "province") = ""
    city: _text(Customer, "city") = ""
    district: _text(Customer, "district") = ""
    address: _text(Customer, "address") = ""
    industry: _text(Customer, "industry") = ""
    occupation: _text(Customer, "occupation") = ""
    income_band: _choice(IncomeBand) = ""
    source_channel: _choice(SourceChannel) = ""
    value_orientation: _choice(ValueOrientation) = ""
    notes: _text(Customer, "notes") = ""
    custom: dict[str, Any] = Field(
        default_factory=dict, description="Values of the admin-defined custom fields, by key."
    )


class CustomerIn(CustomerFields):
    name: _text(Customer, "name")
    owner: int | None = Field(None, description="User id of the owner; default: you.")
    tags: list[TagName] = []
    contacts: list[ContactIn] = []
    allow_duplicate: bool = Field(
        False,
        description="Create even though a customer with the same phone, e-mail or ID exists "
        "(otherwise 409 naming the matches).",
    )


class CustomerPatch(CustomerFields):
    """Only the fields sent are changed. ``custom`` is merged key by key (null removes a key);
    ``tags`` replaces the tag list. The owner changes through /transfer."""

    tags: list[TagName] | None = None
    version: int | None = Field(None, description="The version you edited; used when no If-Match.")


class ShareIn(_Input):
    user: int | None = None
    team: int | None = None
    level: _choice(ShareLevel) = ShareLevel.READ.value


class TransferIn(_Input):
    to_user: int
    reason: Annotated[str, StringConstraints(max_length=200)] = ""


class BulkTransferIn(TransferIn):
    from_user: int


class RevealIn(_Input):
    field: SensitiveField


class RevealOut(Schema):
    field: str
    value: str


class TransferredOut(Schema):
    transferred: int


class FollowOut(Schema):
    following: bool


class ContactOut(Schema):
    id: int
    name: str
    title: str
    phone: str
    email: str
    wechat_id: str
    is_primary: bool
    notes: str


class ShareOut(Schema):
    id: int
    user: UserRef | None
    team: TeamOut | None
    level: str
    created_at: dt.datetime


class CustomerListItem(Schema):
    id: int
    kind: str
    name: str
    phone: str
    email: str
    company_name: str
    province: str
    city: str
    owner: UserRef | None = Field(description="Null while the customer is in the public pool.")
    tags: list[str]
    masked: bool = Field(description="True when phone and ID numbers are shown masked to you.")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None = None


class CustomerOut(Schema):
    id: int
    kind: str
    name: str
    gender: str
    birthday: dt.date | None
    birthday_calendar: str
    lunar_birthday: str
    id_number: str
    phone: str
    phone_alt: str
    email: str
    wechat_id: str
    company_name: str
    province: str
    city: str
    district: str
    address: str
    industry: str
    occupation: str
    income_band: str
    source_channel: str
    value_orientation: str
    notes: str
    custom: dict[str, Any]
    owner: UserRef | None = Field(description="Null while the customer is in the public pool.")
    pooled_at: dt.datetime | None = Field(None, description="In the public pool since.")
    pool_reason: str = ""
    tags: list[str]
    contacts: list[ContactOut]
    masked: bool
    following: bool
    shares: list[ShareOut] | None = Field(
        None, description="Who it is shared with; only for those who may manage the customer."
    )
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ChangeOut(Schema):
    field: str
    old: Any
    new: Any


class HistoryContactOut(Schema):
    id: int
    name: str


class HistoryEntryOut(Schema):
    id: int = Field(description="The history row's id (the contact's history's, for a contact).")
    at: dt.datetime
    user: UserRef | None
    type: str = Field(description='"created", "changed" or "deleted" (of the contact, if any).')
    changes: list[ChangeOut]
    reason: str
    contact: HistoryContactOut | None = Field(
        None, description="The contact added, changed or removed; null for the customer's own."
    )


class HistoryOut(Schema):
    items: list[HistoryEntryOut]


class OwnerOut(Schema):
    id: int
    owner: UserRef | None
    version: int
