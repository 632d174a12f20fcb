"""Merge two customers into one, and undo a merge within the recycle-bin window.

``merge_customers`` keeps the *survivor*, writes onto it the value chosen for each field, moves
every row that points at the *other* customer to the survivor and soft-deletes the other one
("merged into #id"). Unless chosen otherwise, a field keeps the survivor's value if it has one,
and the mobile not kept goes to an empty "other phone" rather than being lost. Related rows are
found generically from ``Customer._meta`` — foreign keys and many-to-many tables of any app
(contacts, shares, transfers, tags, followers, interactions, tasks, opportunities, quotes,
orders, leads, and whatever is added later) — so this module imports no higher app:

* a row whose unique constraint would clash on the survivor (a share with the same user, the
  same tag, the same follower) is deleted instead, its values kept in the MergeRecord;
* a contact of both (the same name, whitespace and case aside, and the same phone or e-mail,
  or neither with a phone or e-mail: ``contact_folds``) is kept once, the survivor's: it keeps
  its values and gains those it had empty (the other's notes added after its own), the rows
  pointing at the other's (interactions, relationship maps) point at it, the other's is
  deleted; the survivor keeps its primary contact, the other's is demoted (one primary a
  customer);
* derived data (the analytics app's metrics and snapshots) is dropped: the next analytics
  refresh recomputes it from the moved orders;
* history tables are left alone: they record what was true at the time.

``undo_merge`` restores the other customer and moves back every row the merge moved (rows
deleted since stay deleted, rows added to the survivor since stay there), recreates the rows the
merge deleted (a contact folded into the survivor's with its rows pointing at it again), and
puts back the survivor's old values and the contacts' it changed (a contact's value edited since
stays as edited). It refuses, with the reason, when the merge is older than RECYCLE_BIN_DAYS,
was already undone, when either customer is no longer in the state the merge left it (survivor
deleted, other restored), or when a field the merge changed on the survivor was edited since —
undoing would silently throw that edit away.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import partial

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.core.access_log import log_access
from guanxi.core.notifications import notify
from guanxi.core.phones import normalize_phone
from guanxi.customers import history_reasons, related
from guanxi.customers.models import (
    Contact,
    Customer,
    CustomerShare,
    CustomField,
    RemovedContact,
    ShareLevel,
)
from guanxi.customers.models_merge import (
    DuplicateDismissal,
    DuplicatePair,
    MergeRecord,
)
from guanxi.customers.services import (
    EDITABLE_FIELDS,
    StaleVersion,
    _refresh_search_text,
    access_customer,
    can_manage,
    rename_in_contacts,
)

SURVIVOR, OTHER = "survivor", "other"
#: A choice for ``phone_alt`` only: the mobile (``phone``) of the side whose mobile is not kept.
PHONE_NOT_KEPT = "phone_not_kept"
#: Rows of these apps are derived from other data and recomputed, never moved.
DERIVED_APPS = frozenset({"analytics"})
#: The merge's own bookkeeping, never moved.
_OWN_MODELS = (MergeRecord, DuplicatePair, DuplicateDismissal)
CUSTOM_PREFIX = "custom."
_CHUNK = 500


class UndoRefused(Exception):
    """The merge can no longer be undone; the message says why."""


# --- rights --------------------------------------------------------------------------------


def may_merge_away(user, other: Customer) -> bool:
    """Whether ``user`` may merge ``other`` into a customer they can edit: merging gives away
    every record of ``other`` as a transfer does, so it takes the right to transfer it (its
    owner, their manager or an admin), not only an edit share."""
    return can_manage(user, other)


def check_merge_away(user, other: Customer) -> None:
    if not may_merge_away(user, other):
        raise PermissionDenied(
            _(
                "Only the owner of %(name)s (#%(id)d), their manager or an admin can merge it "
                "into another customer: its records would go with it."
            )
            % {"name": other.name, "id": other.pk}
        )


# --- fields --------------------------------------------------------------------------------


def merge_fields() -> list[str]:
    """The fields a merge chooses a value for: the editable ones, each custom field apart."""
    plain = [f for f in EDITABLE_FIELDS if f != "custom"]
    return plain + [CUSTOM_PREFIX + f.key for f in CustomField.objects.filter(active=True)]


def field_value(customer: Customer, name: str):
    if name.startswith(CUSTOM_PREFIX):
        return (customer.custom or {}).get(name[len(CUSTOM_PREFIX) :])
    return getattr(customer, name)


def _empty(value) -> bool:
    return value is None or value == "" or value == {} or value == []


_json = related.as_json


def _dump(customer: Customer, name: str):
    """A field's value in JSON form (dates as ISO strings)."""
    return _json(field_value(customer, name))


def _load(name: str, value):
    if name.startswith(CUSTOM_PREFIX) or name == "custom":
        return value
    return Customer._meta.get_field(name).to_python(value)


def _phone_not_kept(survivor: Customer, other: Customer, phone_side: str) -> str:
    """The mobile of the side whose mobile is not kept; empty when it is the kept one."""
    kept, dropped = (other, survivor) if phone_side == OTHER else (survivor, other)
    return "" if dropped.phone == kept.phone else dropped.phone


def default_choices(
    survivor: Customer, other: Customer, fields=None, chosen: dict | None = None
) -> dict[str, str]:
    """The side each field keeps: the one in ``chosen``, else the survivor's value unless it is
    empty. So that a mobile is not lost, ``phone_alt`` when not chosen keeps the mobile not kept
    (PHONE_NOT_KEPT) if it would otherwise be empty or the same as the mobile kept."""
    chosen = chosen or {}
    sides = {
        name: chosen.get(name)
        or (
            OTHER
            if _empty(field_value(survivor, name)) and not _empty(field_value(other, name))
            else SURVIVOR
        )
        for name in fields or merge_fields()
    }
    if "phone_alt" in sides and "phone_alt" not in chosen and "phone" in sides:
        kept = (other if sides["phone"] == OTHER else survivor).phone
        alt = (other if sides["phone_alt"] == OTHER else survivor).phone_alt
        if _phone_not_kept(survivor, other, sides["phone"]) and alt in ("", kept):
            sides["phone_alt"] = PHONE_NOT_KEPT
    return sides


def _merged_values(survivor: Customer, other: Customer, choices: dict) -> dict:
    fields = merge_fields()
    unknown = set(choices) - set(fields)
    if unknown:
        raise ValidationError({f: _("Unknown field.") for f in sorted(unknown)})
    errors = {}
    for name, side in sorted(choices.items()):
        if name == "phone_alt" and side not in (SURVIVOR, OTHER, PHONE_NOT_KEPT):
            errors[name] = _("Choose survivor, other or phone_not_kept.")
        elif name != "phone_alt" and side not in (SURVIVOR, OTHER):
            errors[name] = _("Choose survivor or other.")
    if errors:
        raise ValidationError(errors)
    chosen = default_choices(survivor, other, fields, choices)
    values = {}
    custom = dict(survivor.custom or {})
    for name in fields:
        if chosen[name] == PHONE_NOT_KEPT:
            values[name] = _phone_not_kept(survivor, other, chosen.get("phone", SURVIVOR))
            continue
        source = other if chosen[name] == OTHER else survivor
        value = field_value(source, name)
        if name.startswith(CUSTOM_PREFIX):
            key = name[len(CUSTOM_PREFIX) :]
            if _empty(value):
                custom.pop(key, None)
            else:
                custom[key] = value
        else:
            values[name] = value
    values["custom"] = custom
    return values


#: The ways to reach a customer: one of them kept in no field is lost to whoever calls.
CONTACT_FIELDS = ("phone", "phone_alt", "email", "wechat_id")


def contacts_not_kept(survivor: Customer, other: Customer, choices: dict) -> list[tuple]:
    """The phones, e-mail addresses and WeChat IDs of either customer that the merge with these
    choices keeps in no field of the survivor, as (customer, field), each value once. Raises
    ValidationError on a bad choice, as the merge does."""
    values = _merged_values(survivor, other, choices)
    kept = {values[name] for name in CONTACT_FIELDS if values[name]}
    lost, seen = [], set()
    for customer in (survivor, other):
        for name in CONTACT_FIELDS:
            value = getattr(customer, name)
            if value and value not in kept and value not in seen:
                seen.add(value)
                lost.append((customer, name))
    return lost


# --- related rows --------------------------------------------------------------------------


def _relations(target=Customer) -> Iterator[models.ForeignObjectRel]:
    """Every relation from another table to ``target`` but the merge's own tables."""
    return related.relations(target, left_out=_OWN_MODELS)


def _label(rel) -> str:
    model = rel.related_model
    for m2m in Customer._meta.many_to_many:
        if m2m.remote_field.through is model:
            return str(m2m.verbose_name)
    if model._meta.auto_created:  # another model's many-to-many to customers
        owner = model._meta.auto_created
        return str(owner._meta.verbose_name_plural)
    return str(model._meta.verbose_name_plural)


def related_counts(*customers: Customer) -> list[dict]:
    """How many related rows each customer has, per kind (contacts, orders, tags…): one
    grouped query per relation; kinds nobody has are left out."""
    ids = [c.pk for c in customers]
    out = []
    for rel in _relations():
        if rel.related_model._meta.app_label in DERIVED_APPS or rel.related_model is RemovedContact:
            continue  # recomputed / not a record anyone keeps (a removed contact's undo)
        field = rel.field
        counts = dict(
            rel.related_model._base_manager.filter(**{f"{field.attname}__in": ids})
            .order_by()
            .values_list(field.attname)
            .annotate(n=Count("pk"))
            .values_list(field.attname, "n")
        )
        if any(counts.values()):
            out.append({"label": _label(rel), "counts": [counts.get(pk, 0) for pk in ids]})
    return out


def _unique_sets(model, field) -> list[tuple[list[str], models.Q]]:
    """The other columns that, with ``field``, must be unique (unique_together and unique
    constraints: a NULL column never clashes), each with the rows it holds for (a conditional
    constraint's condition; an empty Q: every row)."""
    sets = []
    names = [(list(u), models.Q()) for u in model._meta.unique_together]
    names += [
        (list(c.fields), c.condition or models.Q())
        for c in model._meta.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields
    ]
    for group, condition in names:
        if field.name in group:
            columns = [model._meta.get_field(n).attname for n in group if n != field.name]
            sets.append((columns, condition))
    return sets


def _move_related(survivor, other, target=Customer) -> tuple[list, list]:
    """Point every row of another table at ``other`` (a ``target``) to ``survivor`` instead:
    ``moved`` lists them; a row that would clash with one the survivor has is deleted instead,
    its values in ``removed``."""
    moved: list = []
    removed: list = []
    for rel in _relations(target):
        model, field = rel.related_model, rel.field
        manager = model._base_manager
        rows = manager.filter(**{field.attname: other.pk})
        if model._meta.app_label in DERIVED_APPS:
            rows.delete()
            continue
        unique = _unique_sets(model, field)
        if rel.one_to_one:
            unique.append(([], models.Q()))  # a one-to-one clashes with the survivor's one
        clash: dict = {}  # the other's row → the survivor's row it clashes with
        for columns, condition in unique:
            taken = manager.filter(condition, **{field.attname: survivor.pk})
            taken_keys = {row[1:]: row[0] for row in taken.values_list("pk", *columns)}
            for row in rows.filter(condition).values_list("pk", *columns):
                key = row[1:]
                if None in key:
                    continue
                if key in taken_keys:
                    clash[row[0]] = taken_keys[key]
        ids = [pk for pk in rows.values_list("pk", flat=True) if pk not in clash]
        if clash:
            raised = _raise_shares(clash) if model is CustomerShare else {}
            for entry in related.kept_rows(manager.filter(pk__in=clash)):
                if entry[1]["id"] in raised:
                    entry.append(raised[entry[1]["id"]])
                removed.append(entry)
            # What points at a row deleted for its clash goes to the survivor's row it clashes
            # with (both customers' account plans: the other's goals and relationship map
            # join the survivor's plan), not down with it; an undo points it back.
            for theirs, mine in clash.items():
                rows_moved, rows_removed = _move_related(model(pk=mine), model(pk=theirs), model)
                moved += [[*entry, [theirs, mine]] for entry in rows_moved]
                removed += rows_removed
            manager.filter(pk__in=clash).delete()
        for start in range(0, len(ids), _CHUNK):
            manager.filter(pk__in=ids[start : start + _CHUNK]).update(
                **{field.attname: survivor.pk}
            )
        if ids:
            moved.append([model._meta.label, field.name, _json(ids)])
    return moved, removed


def _raise_shares(clash: dict) -> dict:
    """Where the survivor is shared with the same user or team as the other but to read and
    the other's share was to edit, the survivor's share becomes one to edit (nobody loses a
    right to the records that come over). {the other's share: {"id": the survivor's share,
    "level": its level before}} for the undo."""
    levels = dict(
        CustomerShare.objects.filter(pk__in=[*clash, *clash.values()]).values_list("pk", "level")
    )
    raised = {}
    for mine, theirs in clash.items():
        if levels[mine] == ShareLevel.EDIT and levels[theirs] != ShareLevel.EDIT:
            raised[mine] = {"id": theirs, "level": levels[theirs]}
    if raised:
        CustomerShare.objects.filter(pk__in=[r["id"] for r in raised.values()]).update(
            level=ShareLevel.EDIT
        )
    return raised


# --- contacts ------------------------------------------------------------------------------

#: The details a contact of both gives the survivor's where that one has none (``notes``:
#: added after its own when both have some and they fit).
CONTACT_DETAILS = ("title", "phone", "email", "wechat_id", "notes")
#: The details that tell one person: namesakes with the same one of them are one.
_CONTACT_KEYS = ("phone", "email")
_NOTES_MAX = Contact._meta.get_field("notes").max_length


def _name_key(name: str) -> str:
    """A contact's name as a merge compares it: without whitespace, in any case ("李 梅" is
    李梅, "Anna Li" is "anna li")."""
    return "".join((name or "").split()).casefold()


def _detail(contact: Contact, name: str) -> str:
    """A detail as a merge compares it: trimmed, an e-mail in lower case, a phone as E.164 (as
    written if it is none: an old row the form never cleaned)."""
    value = (getattr(contact, name) or "").strip()
    if name == "email":
        return value.lower()
    if name == "phone" and value:
        try:
            return normalize_phone(value)
        except ValidationError:
            return value
    return value


def _shared(mine: Contact, theirs: Contact) -> int:
    """How many of the details that tell a person (and the WeChat ID) the two have alike."""
    return sum(
        1
        for f in (*_CONTACT_KEYS, "wechat_id")
        if _detail(mine, f) and _detail(mine, f) == _detail(theirs, f)
    )


def _same_person(mine: Contact, theirs: Contact) -> bool:
    """The same name (whitespace and case aside) and the same phone or e-mail (in any case);
    or the same name and neither with a phone or an e-mail, unless their WeChat IDs differ.
    Two phones that differ keep them apart (a contact has one: folding would lose one).
    Other details written differently (a title, notes) do not make two people: a title
    changes, notes are free text; the survivor's are kept and the other's written in its
    notes (``contact_folds``)."""
    if _name_key(mine.name) != _name_key(theirs.name):
        return False
    phones = _detail(mine, "phone"), _detail(theirs, "phone")
    if all(phones) and phones[0] != phones[1]:
        return False
    if any(_detail(mine, f) and _detail(mine, f) == _detail(theirs, f) for f in _CONTACT_KEYS):
        return True
    if any(_detail(c, f) for c in (mine, theirs) for f in _CONTACT_KEYS):
        return False  # a phone or e-mail on one side only, or different ones: two people
    wechat = _detail(mine, "wechat_id"), _detail(theirs, "wechat_id")
    return not (all(wechat) and wechat[0] != wechat[1])


@dataclass
class Fold:
    """A contact of the other customer that is one of the survivor's (``_same_person``):
    the merge keeps the survivor's (``mine``) and deletes ``theirs`` (its rows go to
    ``mine``). ``filled``: {field: (before, after)} set on ``mine`` (the fields it had empty,
    its notes with theirs added, its being primary when the survivor had no primary contact);
    ``aside``: the fields whose value in ``theirs`` differs from the one ``mine`` keeps,
    written in its notes ("Title: 采购经理 (#12)") so that nothing is lost once the merge can
    no longer be undone; ``not_kept``: those that did not fit in the notes' length.
    ``notes_added``: whether theirs' notes were added after the ones ``mine`` had."""

    theirs: Contact
    mine: Contact
    filled: dict = dc_field(default_factory=dict)
    aside: list[str] = dc_field(default_factory=list)
    not_kept: list[str] = dc_field(default_factory=list)
    notes_added: bool = False
    notes_filled: bool = False  # theirs' notes where mine had none


def contact_folds(survivor: Customer, other: Customer) -> list[Fold]:
    """The contacts of ``other`` that are one of the survivor's, and what the merge does to
    the survivor's: several of the other's may be one of the survivor's (each then fills what
    the ones before left empty); among several of the survivor's, the one with most details
    alike (then the oldest). The survivor's contacts (``fold.mine``) carry the values the
    merge would give them; nothing is saved."""
    by_name: dict[str, list[Contact]] = defaultdict(list)  # only namesakes can be one person
    has_primary = False
    for contact in Contact.objects.filter(customer=survivor).order_by("pk"):
        contact.customer = survivor
        by_name[_name_key(contact.name)].append(contact)
        has_primary = has_primary or contact.is_primary
    folds = []
    for theirs in Contact.objects.filter(customer=other).order_by("pk"):
        theirs.customer = other
        matches = [c for c in by_name.get(_name_key(theirs.name), ()) if _same_person(c, theirs)]
        if not matches:
            continue
        mine = max(matches, key=lambda c: (_shared(c, theirs), -c.pk))
        fold = Fold(theirs, mine)
        for name in CONTACT_DETAILS:
            kept, given = _detail(mine, name), _detail(theirs, name)
            if not given or kept == given or (name == "notes" and given in kept):
                continue
            before = getattr(mine, name)
            if not kept:
                fold.filled[name] = (before, getattr(theirs, name).strip())
                fold.notes_filled = fold.notes_filled or name == "notes"
            elif name == "notes" and len(joined := f"{before}\n{given}") <= _NOTES_MAX:
                fold.filled[name] = (before, joined)
                fold.notes_added = True
            else:
                fold.not_kept.append(name)
        _write_aside(fold, other.pk)
        if theirs.is_primary and not has_primary:
            fold.filled["is_primary"] = (False, True)
            has_primary = True
        for name, (_before, after) in fold.filled.items():
            setattr(mine, name, after)
        folds.append(fold)
    return folds


def _write_aside(fold: Fold, other_id: int) -> None:
    """The other's details the survivor's contact keeps none of (a title, an e-mail or WeChat
    ID written differently) written in its notes, a line each, labelled in the merging user's
    language, when they fit; those that do not stay ``not_kept`` (an undo still gives them
    back)."""
    aside = [name for name in fold.not_kept if name != "notes"]
    if not aside:
        return
    before = fold.mine.notes
    current = fold.filled["notes"][1] if "notes" in fold.filled else before
    lines = [
        f"{capfirst(Contact._meta.get_field(name).verbose_name)}: "
        f"{getattr(fold.theirs, name).strip()} (#{other_id})"
        for name in aside
    ]
    joined = "\n".join(text for text in (current, *lines) if text)
    if len(joined) > _NOTES_MAX:
        return
    fold.filled["notes"] = (before, joined)
    fold.aside = aside
    fold.not_kept = [name for name in fold.not_kept if name not in aside]


def same_contacts(survivor: Customer, other: Customer) -> list[tuple[Contact, Contact]]:
    """The contacts of ``other`` that are one of the survivor's, each as (theirs, the
    survivor's): a merge keeps them once (``contact_folds`` says how)."""
    return [(fold.theirs, fold.mine) for fold in contact_folds(survivor, other)]


def contacts_kept_once(record: MergeRecord) -> int:
    """How many of the other's contacts the merge folded into one of the survivor's."""
    return sum(1 for label, *_rest in record.removed if label == Contact._meta.label)


def _keep_contacts_once(user, survivor: Customer, other: Customer) -> tuple[list, list, list]:
    """Each contact of both kept once, the survivor's (``contact_folds``): the other's rows
    pointing at it (interactions, relationship maps) moved to the survivor's, the survivor's
    given what ``contact_folds`` fills, the other's deleted, each with its history row.
    (moved, removed, changed) as the MergeRecord keeps them; ``changed`` in the order done
    (an undo puts them back last first)."""
    moved, removed, changed = [], [], []
    filled: dict[int, Contact] = {}
    for fold in contact_folds(survivor, other):
        theirs, mine = fold.theirs, fold.mine
        rows_moved, rows_removed = _move_related(mine, theirs, Contact)
        moved += [[*entry, [theirs.pk, mine.pk]] for entry in rows_moved]
        removed += rows_removed
        removed += related.kept_rows(Contact.objects.filter(pk=theirs.pk))
        theirs._history_user = user
        theirs._change_reason = history_reasons.merged_into(survivor.pk)
        theirs.delete()
        if fold.filled:
            changed.append(
                [
                    Contact._meta.label,
                    mine.pk,
                    {
                        f: [_json(before), _json(after)]
                        for f, (before, after) in fold.filled.items()
                    },
                ]
            )
            filled[mine.pk] = mine
    for mine in filled.values():  # once each, with every value its namesakes gave it
        mine._history_user = user
        mine._change_reason = history_reasons.merged_in(other.pk)
        mine.save()
    return moved, removed, changed


def _has_primary(customer_id) -> bool:
    return Contact.objects.filter(customer_id=customer_id, is_primary=True).exists()


def _demote_primary(user, survivor: Customer, other: Customer) -> list:
    """The survivor keeps its primary contact: the other's, moved over, is demoted (one primary
    a customer). ``changed`` entries for the undo."""
    if not _has_primary(survivor.pk):
        return []
    changed = []
    for contact in Contact.objects.filter(customer=other, is_primary=True):
        contact.is_primary = False
        contact._history_user = user
        contact._change_reason = history_reasons.ONE_PRIMARY
        contact.save(update_fields=["is_primary", "updated_at"])
        changed.append([Contact._meta.label, contact.pk, {"is_primary": [True, False]}])
    return changed


def _put_back(user, changed: list, other: Customer) -> None:
    """The values a merge changed on rows it kept, put back where they are still the merge's,
    last first (two contacts of the other folded into one: the notes the second added come
    off before the first's); a row that would then clash (a primary contact made since)
    keeps its values."""
    for label, pk, fields in reversed(changed):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        row = model._base_manager.filter(pk=pk).first()
        if row is None:
            continue
        names = [
            name for name, (_before, after) in fields.items() if _json(getattr(row, name)) == after
        ]
        if not names:
            continue
        for name in names:
            setattr(row, name, fields[name][0])
        row._history_user = user
        row._change_reason = history_reasons.merge_undone(other.pk)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            continue


def _removed_pairs(other: Customer) -> list:
    """The duplicate pairs of ``other``, deleted by its merge and kept in its record so that an
    undo proposes them again (the pair of the two customers first of all)."""
    pairs = DuplicatePair.objects.filter(customer_a=other) | DuplicatePair.objects.filter(
        customer_b=other
    )
    removed = related.kept_rows(pairs)
    pairs.delete()
    return removed


def _refresh_tag_names(customer: Customer) -> None:
    customer.tag_names = ", ".join(customer.tags.order_by("name").values_list("name", flat=True))


# --- merge ---------------------------------------------------------------------------------


@transaction.atomic
def _pair(user, survivor_id, other_id) -> tuple[int, int]:
    """The two ids of a merge once ``user`` may merge the one into the other (else 404, 403 or
    ValidationError, as for the merge itself)."""
    try:
        first, second = int(survivor_id), int(other_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if first == second:
        raise ValidationError({"other": _("A customer cannot be merged with itself.")})
    access_customer(user, first, edit=True)
    check_merge_away(user, access_customer(user, second, edit=True))
    return first, second


def preview_merge(user, survivor_id, other_id, choices: dict | None = None) -> dict:
    """What ``merge_customers`` would do with these choices, done to nothing: the survivor's
    fields it would change, the contact details it would keep in no field
    (``contacts_not_kept``) and the contacts of both it would keep once (``same_contacts``'s
    pairs; ``contact_folds``: what it would do to them).
    Raises as the merge would on bad choices or values."""
    first, second = _pair(user, survivor_id, other_id)
    survivor = Customer.objects.get(pk=first)
    other = Customer.objects.get(pk=second)
    lost = contacts_not_kept(survivor, other, choices or {})
    folds = contact_folds(survivor, other)
    fields = merge_fields()
    trial = copy.copy(survivor)  # the survivor as the merge would leave it; ``lost`` holds it
    for name, value in _merged_values(survivor, other, choices or {}).items():
        setattr(trial, name, value)
    trial.full_clean(exclude=["owner", "created_by"])
    changed = [name for name in fields if _dump(trial, name) != _dump(survivor, name)]
    return {
        "survivor": first,
        "other": second,
        "changed_fields": changed,
        "not_kept": lost,
        "contacts_kept_once": [(fold.theirs, fold.mine) for fold in folds],
        "contact_folds": folds,
    }


def merge_customers(
    user,
    survivor_id,
    other_id,
    choices: dict | None = None,
    *,
    survivor_version: int | None = None,
    other_version: int | None = None,
    request=None,
    via: str = "web",
) -> MergeRecord:
    """Merge ``other`` into ``survivor`` (both editable by ``user``): the chosen values
    (``{field: "survivor" | "other"}``, ``"phone_alt": "phone_not_kept"`` too; defaults as
    ``default_choices`` gives them) validated as an update, every related row moved, ``other``
    to the recycle bin. Raises StaleVersion when either changed since the versions given,
    ValidationError on bad values."""
    first, second = _pair(user, survivor_id, other_id)
    locked = {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=[first, second])}
    survivor, other = locked[first], locked[second]
    for side, customer, expected in (
        ("survivor_version", survivor, survivor_version),
        ("other_version", other, other_version),
    ):
        if expected is not None and customer.version != expected:
            stale = StaleVersion(customer.version)
            stale.field = side  # which of the two changed
            raise stale
    fields = merge_fields()
    before = {name: _dump(survivor, name) for name in fields}
    other_values = {name: _dump(other, name) for name in fields}
    other_values["tag_names"] = other.tag_names
    for name, value in _merged_values(survivor, other, choices or {}).items():
        setattr(survivor, name, value)
    survivor.full_clean(exclude=["owner", "created_by"])
    after = {name: _dump(survivor, name) for name in fields}
    changed = [name for name in fields if after[name] != before[name]]

    contacts_moved, contacts_removed, rows_changed = _keep_contacts_once(user, survivor, other)
    rows_changed += _demote_primary(user, survivor, other)
    moved, removed = _move_related(survivor, other)
    moved += contacts_moved
    removed += contacts_removed

    _refresh_tag_names(survivor)
    _refresh_search_text(survivor)
    survivor.version += 1
    survivor._history_user = user
    survivor._change_reason = history_reasons.merged_in(other.pk)
    survivor.save()
    rename_in_contacts([survivor.pk])  # the other's contacts are now its

    _refresh_tag_names(other)
    other.deleted_at = timezone.now()
    other.deleted_by = user
    other.version += 1
    other._history_user = user
    other._change_reason = history_reasons.merged_into(survivor.pk)
    other.save(update_fields=["deleted_at", "deleted_by", "version", "tag_names", "updated_at"])

    record = MergeRecord.objects.create(
        survivor=survivor,
        other=other,
        by=user,
        survivor_before={name: before[name] for name in changed},
        survivor_after={name: after[name] for name in changed},
        other_values=other_values,
        moved=moved,
        removed=removed + _removed_pairs(other),
        changed=rows_changed,
    )
    log_access(
        user,
        "merge",
        "customer",
        survivor.pk,
        request=request,
        detail=f"merged #{other.pk} into #{survivor.pk} (merge {record.pk})",
        via=via,
    )
    transaction.on_commit(lambda: _tell_owners(user, survivor, other, undone=False))
    return record


def _tell_owners(user, survivor: Customer, other: Customer, *, undone: bool) -> None:
    """Tell the two customers' owners of a merge (or its undo) by ``user``, each in their
    language, naming only a customer they may see: the owner of a customer merged into a
    colleague's she cannot see is told it went into "another customer", not its name."""
    owners = {survivor.owner_id, other.owner_id} - {None, user.pk}
    if not owners:
        return
    both = (survivor.pk, other.pk)
    groups: dict[tuple[bool, bool], list[int]] = {}
    for owner in User.objects.filter(pk__in=owners):
        seen = set(
            Customer.objects.visible_to(owner, include_deleted=True)
            .filter(pk__in=both)
            .values_list("pk", flat=True)
        )
        groups.setdefault((survivor.pk in seen, other.pk in seen), []).append(owner.pk)
    names = {
        "actor": user,
        "other": other.name,
        "other_id": other.pk,
        "name": survivor.name,
        "id": survivor.pk,
    }
    for (knows_survivor, knows_other), ids in groups.items():
        message = partial(_merge_message, names, knows_survivor, knows_other, undone=undone)
        if undone:
            shown = other if knows_other else survivor
        else:
            shown = survivor if knows_survivor else None
        url = reverse("customers:detail", args=[shown.pk]) if shown is not None else ""
        notify(ids, actor=user, verb="unmerged" if undone else "merged", message=message, url=url)


def _merge_message(names: dict, knows_survivor: bool, knows_other: bool, *, undone: bool) -> str:
    """A merge's notification in the recipient's language (``notify`` calls it in each one's),
    with the ids (the names are mostly alike), "another customer" for one they may not see."""
    if undone:
        if knows_survivor and knows_other:
            text = _(
                "%(actor)s undid the merge of %(other)s (#%(other_id)d) into %(name)s (#%(id)d)"
            )
        elif knows_other:
            text = _("%(actor)s undid the merge of %(other)s (#%(other_id)d) into another customer")
        else:
            text = _("%(actor)s undid the merge of another customer into %(name)s (#%(id)d)")
    elif knows_survivor and knows_other:
        text = _("%(actor)s merged customer %(other)s (#%(other_id)d) into %(name)s (#%(id)d)")
    elif knows_other:
        text = _("%(actor)s merged customer %(other)s (#%(other_id)d) into another customer")
    else:
        text = _("%(actor)s merged another customer into %(name)s (#%(id)d)")
    return text % names


def rows_the_survivor_had(record: MergeRecord) -> int:
    """How many of the other's rows the merge deleted because the survivor had the same one
    (a tag, a share…); its duplicate pairs, kept in the record too, are not counted."""
    return sum(1 for label, *_rest in record.removed if label != DuplicatePair._meta.label)


def merge_for(customer_id) -> MergeRecord | None:
    """The merge (not undone) that sent this customer to the recycle bin, if any."""
    return (
        MergeRecord.objects.filter(other_id=customer_id, undone_at__isnull=True)
        .order_by("-at")
        .first()
    )


def kept_customer(user, customer_id) -> int | None:
    """For a link to a customer merged away: the customer it lives on in (through later merges
    too), when ``user`` can see that one; else None."""
    seen: set[int] = set()
    record = merge_for(customer_id)
    while record is not None and record.survivor_id not in seen:
        seen.add(record.survivor_id)
        if Customer.objects.visible_to(user).filter(pk=record.survivor_id).exists():
            return record.survivor_id
        record = merge_for(record.survivor_id)
    return None


def merges_into(customer_ids) -> dict[int, MergeRecord]:
    """{merged customer id: its merge record} for the recycle bin page (one query)."""
    out: dict[int, MergeRecord] = {}
    for record in MergeRecord.objects.filter(
        other_id__in=list(customer_ids), undone_at__isnull=True
    ).order_by("at"):
        out[record.other_id] = record
    return out


def access_merge(user, merge_id) -> MergeRecord:
    """A merge record whose survivor the user can see (else 404)."""
    try:
        pk = int(merge_id)
    except (TypeError, ValueError):
        raise Http404 from None
    visible = Customer.objects.visible_to(user, include_deleted=True).values("pk")
    record = (
        MergeRecord.objects.filter(pk=pk, survivor__in=visible)
        .select_related("survivor", "other", "by")
        .first()
    )
    if record is None:
        raise Http404
    return record


def undoable_by(user, records) -> set[int]:
    """The ids of those merge records whose two customers ``user`` may change: the ones they
    may undo (while the undo's other conditions hold)."""
    records = list(records)
    ids = {pk for r in records for pk in (r.survivor_id, r.other_id)}
    editable = set(
        Customer.objects.editable_by(user, include_deleted=True)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    return {r.pk for r in records if r.survivor_id in editable and r.other_id in editable}


def undo_deadline(record: MergeRecord) -> dt.datetime:
    return record.at + dt.timedelta(days=settings.RECYCLE_BIN_DAYS)


def _check_undo(record: MergeRecord, survivor: Customer, other: Customer, now) -> None:
    if record.undone_at is not None:
        raise UndoRefused(_("This merge was already undone."))
    if now > undo_deadline(record):
        raise UndoRefused(
            _("This merge is older than %(days)d days and can no longer be undone.")
            % {"days": settings.RECYCLE_BIN_DAYS}
        )
    if survivor.deleted_at is not None:
        raise UndoRefused(
            _(
                "%(name)s (#%(id)d) is in the recycle bin (perhaps merged into another customer): "
                "restore it, or undo that merge, first."
            )
            % {"name": survivor.name, "id": survivor.pk}
        )
    if other.deleted_at is None:
        raise UndoRefused(
            _("%(name)s (#%(id)d) is no longer in the recycle bin.")
            % {"name": other.name, "id": other.pk}
        )
    edited = [
        name for name, value in record.survivor_after.items() if _dump(survivor, name) != value
    ]
    if edited:
        labels = ", ".join(_field_label(name) for name in edited)
        raise UndoRefused(
            _(
                "%(name)s was edited since the merge (%(fields)s); undoing would throw those "
                "changes away. Edit the customers by hand instead."
            )
            % {"name": survivor.name, "fields": labels}
        )


def _field_label(name: str) -> str:
    if name.startswith(CUSTOM_PREFIX):
        key = name[len(CUSTOM_PREFIX) :]
        field = CustomField.objects.filter(key=key).first()
        return field.label if field else key
    return str(Customer._meta.get_field(name).verbose_name)


@transaction.atomic
def undo_merge(user, merge_id, *, now=None, request=None, via: str = "web") -> MergeRecord:
    """Restore the merged customer with its rows and the survivor's old values; raises
    UndoRefused (with the reason) when that is no longer safe. The record's ``not_back``
    counts the moved rows no longer on the survivor (deleted since), which stay as they are."""
    now = now or timezone.now()
    record = access_merge(user, merge_id)
    record = MergeRecord.objects.select_for_update().get(pk=record.pk)
    if record.pk not in undoable_by(user, [record]):
        raise PermissionDenied(_("You may not change both customers of this merge."))
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update().filter(
            pk__in=[record.survivor_id, record.other_id]
        )
    }
    survivor, other = locked[record.survivor_id], locked[record.other_id]
    _check_undo(record, survivor, other, now)
    gone = 0  # moved rows deleted (or moved on) since the merge: they stay where they are

    for label, field_name, ids, *contacts in record.moved:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        attname = model._meta.get_field(field_name).attname
        # rows of a contact kept once go back to the other's contact (recreated below)
        back_to, now_on = contacts[0] if contacts else (other.pk, survivor.pk)
        for start in range(0, len(ids), _CHUNK):
            back = model._base_manager.filter(
                pk__in=ids[start : start + _CHUNK], **{attname: now_on}
            ).update(**{attname: back_to})
            if not contacts:
                gone += len(ids[start : start + _CHUNK]) - back
    for label, values, *raised in record.removed:
        row = related.recreated(label, values)
        if row is None:
            continue
        model = type(row)
        if raised:  # the survivor's share the merge made one to edit
            model._base_manager.filter(pk=raised[0]["id"]).update(level=raised[0]["level"])
        if model is Contact:
            if Contact.objects.filter(pk=row.pk).exists():
                continue  # back already (as bulk_create's ignore_conflicts would leave it)
            if row.is_primary and _has_primary(row.customer_id):
                row.is_primary = False  # one made primary since: it comes back, not first
            # a contact of both folded into the survivor's: back with its history row
            row._history_user = user
            row._change_reason = history_reasons.merge_into_undone(survivor.pk)
            row.save(force_insert=True)
            continue
        model._base_manager.bulk_create([row], ignore_conflicts=True)
    _put_back(user, record.changed, other)

    custom = dict(survivor.custom or {})
    for name, value in record.survivor_before.items():
        if name.startswith(CUSTOM_PREFIX):
            key = name[len(CUSTOM_PREFIX) :]
            if _empty(value):
                custom.pop(key, None)
            else:
                custom[key] = value
        else:
            setattr(survivor, name, _load(name, value))
    survivor.custom = custom
    _refresh_tag_names(survivor)
    _refresh_search_text(survivor)
    survivor.version += 1
    survivor._history_user = user
    survivor._change_reason = history_reasons.merge_undone(other.pk)
    survivor.save()
    # the contacts back on the other, and the survivor's old name if the merge changed it
    rename_in_contacts([survivor.pk, other.pk])

    _refresh_tag_names(other)
    other.deleted_at = None
    other.deleted_by = None
    other.version += 1
    other._history_user = user
    other._change_reason = history_reasons.merge_into_undone(survivor.pk)
    other.save(update_fields=["deleted_at", "deleted_by", "version", "tag_names", "updated_at"])

    record.undone_at = now
    record.undone_by = user
    record.save(update_fields=["undone_at", "undone_by"])
    record.not_back = gone
    log_access(
        user,
        "unmerge",
        "customer",
        survivor.pk,
        request=request,
        detail=f"undid merge {record.pk}: #{other.pk} restored from #{survivor.pk}",
        via=via,
    )
    transaction.on_commit(lambda: _tell_owners(user, survivor, other, undone=True))
    return record
