"""How duplicates and merges are shown: the matched keys (masked as for the viewer) and the rows
of the side-by-side comparison."""

import re

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanxi.core.identity import mask_id
from guanxi.core.phones import display_phone
from guanxi.customers.forms import PERSON_ONLY
from guanxi.customers.masking import SENSITIVE_FIELDS, masks_for, shown_value
from guanxi.customers.merge import (
    CUSTOM_PREFIX,
    OTHER,
    PHONE_NOT_KEPT,
    SURVIVOR,
    contact_folds,
    contacts_not_kept,
    default_choices,
    field_value,
    merge_fields,
)
from guanxi.customers.models import Contact, Customer, CustomField, Kind

_ID = re.compile(r"^[0-9A-Z]{18}$")


def pair_detail(user, pair) -> str:
    """What matched, with phones and ID numbers masked when the viewer sees either masked."""
    masked = masks_for(user, pair.customer_a) or masks_for(user, pair.customer_b)
    parts = []
    for part in (pair.detail or "").split("; "):
        if part.startswith("+") and part[1:].isdigit():
            part = display_phone(part, masked=masked)
        elif _ID.match(part) and masked:
            part = mask_id(part)
        parts.append(part)
    return "; ".join(p for p in parts if p)


def _shown(user, customer: Customer, name: str) -> str:
    if name.startswith(CUSTOM_PREFIX):
        value = (customer.custom or {}).get(name[len(CUSTOM_PREFIX) :])
        return "" if value in (None, "") else str(value)
    value = getattr(customer, name)
    if value in (None, ""):
        return ""
    if name in SENSITIVE_FIELDS:
        return shown_value(name, value, masks_for(user, customer))
    field = Customer._meta.get_field(name)
    if field.choices:
        return str(getattr(customer, f"get_{name}_display")())
    if name == "birthday":
        return date_format(value, "Y-m-d")
    return str(value)


def comparison_rows(user, survivor: Customer, other: Customer, chosen: dict | None = None) -> list:
    """One row per mergeable field: label, both values as the viewer may see them, which side
    is chosen (the form's choice, else the default) and whether the values differ; for two
    companies, none for the fields only a person has (``forms.PERSON_ONLY``). When both
    have a mobile and they differ, the "other phone" row also offers the mobile not kept (``not_kept``: the
    one shown for each side the mobile may be kept from)."""
    fields = merge_fields()
    choices = default_choices(survivor, other, fields, chosen)
    if survivor.kind == Kind.COMPANY and other.kind == Kind.COMPANY:
        # No gender or birthday to choose between two companies: the rows are left out and
        # the merge keeps those fields' default side (the form sends no choice for them).
        fields = [name for name in fields if name not in PERSON_ONLY]
    labels = {CUSTOM_PREFIX + f.key: f.label for f in CustomField.objects.filter(active=True)}
    phones_differ = bool(survivor.phone and other.phone) and survivor.phone != other.phone
    rows = []
    for name in fields:
        label = labels.get(name) or str(Customer._meta.get_field(name).verbose_name)
        left, right = _shown(user, survivor, name), _shown(user, other, name)
        sides = (SURVIVOR, OTHER)
        not_kept = None
        if name == "phone_alt" and phones_differ:
            sides += (PHONE_NOT_KEPT,)
            not_kept = {
                "phone_side": OTHER if choices.get("phone") == OTHER else SURVIVOR,
                "if_survivor": _shown(user, other, "phone"),
                "if_other": _shown(user, survivor, "phone"),
            }
        rows.append(
            {
                "name": name,
                "label": label,
                "survivor": left,
                "other": right,
                "choice": choices[name] if choices.get(name) in sides else SURVIVOR,
                "differ": field_value(survivor, name) != field_value(other, name),
                "not_kept": not_kept,
            }
        )
    return rows


def not_kept_rows(user, survivor: Customer, other: Customer, chosen: dict) -> list[dict]:
    """The contact details the merge with these choices would keep nowhere, as the viewer may
    see them: label, value and the customer (#id) it is on; none when a choice is bad (the
    merge says why)."""
    try:
        lost = contacts_not_kept(survivor, other, chosen)
    except ValidationError:
        return []
    return [
        {
            "label": str(Customer._meta.get_field(name).verbose_name),
            "value": _shown(user, customer, name),
            "id": customer.pk,
        }
        for customer, name in lost
    ]


def _contact_value(contact: Contact, name: str, masked: bool) -> str:
    value = getattr(contact, name)
    if name == "phone":
        return display_phone(value, masked=masked)
    return Truncator(value).chars(40) if name == "notes" else value


def _contact_label(name: str) -> str:
    return str(Contact._meta.get_field(name).verbose_name)


def kept_once_rows(user, survivor: Customer, other: Customer) -> list[dict]:
    """The contacts of both the merge keeps once (``merge.contact_folds``), as the viewer may
    see them, one row per contact of the survivor: ``name``, ``detail`` (its phone, else its
    e-mail, as the merge leaves it) and ``lines`` saying what the merge does to it: the empty
    fields it fills from the other's contact, the other's notes it adds, the other's values
    it keeps none of (an undo of the merge puts them back)."""
    masked = {survivor.pk: masks_for(user, survivor), other.pk: masks_for(user, other)}
    separator = pgettext("list separator", ", ")
    rows: dict[int, dict] = {}
    for fold in contact_folds(survivor, other):
        mine = fold.mine
        names = {"name": mine.name, "id": other.pk}
        if mine.pk not in rows:
            # masked if either is: the phone may be the other's, given by the merge
            detail = _contact_value(mine, "phone", any(masked.values())) if mine.phone else ""
            rows[mine.pk] = {"name": mine.name, "detail": detail or mine.email, "lines": []}
        lines = rows[mine.pk]["lines"]
        filled = [f for f in fold.filled if f not in ("is_primary", "notes")]
        if fold.notes_filled:
            filled.append("notes")
        if filled:
            lines.append(
                _("%(name)s: empty fields filled from #%(id)d: %(fields)s")
                % {**names, "fields": separator.join(_contact_label(f) for f in filled)}
            )
        if fold.notes_added:
            lines.append(_("%(name)s: the notes of #%(id)d added after its own") % names)
        if fold.aside:
            details = separator.join(
                f"{_contact_label(f)} {_contact_value(fold.theirs, f, masked[other.pk])}"
                for f in fold.aside
            )
            lines.append(
                _("%(name)s: written in its notes from #%(id)d: %(details)s")
                % {**names, "details": details}
            )
        if fold.not_kept:
            details = separator.join(
                f"{_contact_label(f)} {_contact_value(fold.theirs, f, masked[other.pk])}"
                for f in fold.not_kept
            )
            lines.append(
                _("%(name)s: not kept from #%(id)d: %(details)s") % {**names, "details": details}
            )
    return list(rows.values())
