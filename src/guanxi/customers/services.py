"""Every change to customers goes through these functions, each taking the acting user."""

import datetime as dt
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from guanxi.accounts.models import Role, Team, User
from guanxi.accounts.queries import is_manager_of
from guanxi.core.access_log import log_access
from guanxi.core.notifications import notify
from guanxi.customers import contact_search_index, history_reasons, related
from guanxi.customers.models import (
    Contact,
    Customer,
    CustomerShare,
    Kind,
    OwnershipTransfer,
    RemovedContact,
    ShareLevel,
    Tag,
)
from guanxi.customers.queries import manageable_ids
from guanxi.customers.search import build_search_text

# The fields a create or update may set directly; everything else has its own service.
EDITABLE_FIELDS = (
    "kind",
    "name",
    "gender",
    "birthday",
    "birthday_calendar",
    "id_number",
    "phone",
    "phone_alt",
    "email",
    "wechat_id",
    "company_name",
    "province",
    "city",
    "district",
    "address",
    "industry",
    "occupation",
    "income_band",
    "source_channel",
    "value_orientation",
    "notes",
    "custom",
)


class StaleVersion(Exception):
    """The record changed since the caller read it; their edit would overwrite someone's work."""

    def __init__(self, current_version: int):
        super().__init__(
            _(
                "This customer was changed by someone else meanwhile. "
                "Reload it and apply your change again."
            )
        )
        self.current_version = current_version


def access_customer(
    user, customer_id, *, edit: bool = False, include_deleted: bool = False
) -> Customer:
    """Fetch a customer the user may see (or edit); anything else is a 404."""
    base = Customer.objects.editable_by if edit else Customer.objects.visible_to
    try:
        pk = int(customer_id)
    except (TypeError, ValueError):
        raise Http404 from None
    customer = (
        base(user, include_deleted=include_deleted).select_related("owner").filter(pk=pk).first()
    )
    if customer is None:
        if edit and Customer.objects.visible_to(user).filter(pk=pk).exists():
            raise PermissionDenied(_("You may view this customer but not change it."))
        raise Http404
    return customer


def can_manage(user, customer: Customer) -> bool:
    """Owner, the owner's manager, or an admin: may share, transfer and delete."""
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    if customer.owner_id == user.pk:
        return True
    if customer.owner_id is None:  # in the pool: a manager of the pool's team
        return (
            user.role == Role.MANAGER
            and Customer.objects.editable_by(user).filter(pk=customer.pk).exists()
        )
    return user.role == Role.MANAGER and is_manager_of(user, customer.owner)


def _require_manage(user, customer: Customer) -> None:
    if not can_manage(user, customer):
        raise PermissionDenied(_("Only the owner, their manager or an admin can do this."))


def _refresh_search_text(customer: Customer) -> None:
    customer.search_text = search_text_for(customer.__dict__)


def search_text_for(values) -> str:
    """The ``search_text`` of a customer from its field values (attribute name → value), so
    bulk paths that hold plain values build exactly what a saved customer gets."""
    return build_search_text(
        values["name"],
        phones=[values["phone"], values["phone_alt"]],
        email=values["email"],
        company=values["company_name"],
        extra=[values["wechat_id"]],
        person=values["kind"] == Kind.PERSON,
    )


def _check_assignee(owner: User, field: str = "owner") -> None:
    if not owner.is_active or owner.role == Role.ANALYST:
        raise ValidationError({field: _("The owner must be an active user who can sell.")})


def _check_owner(user, owner: User) -> None:
    """Who may create a customer for whom: reps for themselves, managers for their team."""
    _check_assignee(owner)
    if owner.pk == user.pk or user.is_superuser or user.role == Role.ADMIN:
        return
    if user.role == Role.MANAGER and (owner.pk == user.pk or is_manager_of(user, owner)):
        return
    if user.role == Role.MANAGER:
        raise ValidationError(
            {"owner": _("You can only assign customers to yourself or your team.")}
        )
    raise ValidationError({"owner": _("You can only assign customers to yourself.")})


def _tags(names: Iterable[str]) -> list[Tag]:
    names = [n.strip() for n in names if n and n.strip()]
    for n in names:
        if len(n) > 50:
            raise ValidationError({"tags": _("A tag has at most 50 characters.")})
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=n) for n in dict.fromkeys(names) if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    return [existing[n] for n in dict.fromkeys(names)]


def _changed_message(customer: Customer, actor) -> str:
    return _("%(actor)s changed customer %(name)s") % {"actor": actor, "name": customer.name}


@transaction.atomic
def create_customer(
    user,
    data: dict,
    *,
    owner: User | None = None,
    tags: Iterable[str] = (),
    contacts: Iterable[dict] = (),
) -> Customer:
    """Create a customer owned by ``owner`` (default: the acting user), with its ``contacts``
    (each a dict of Contact fields). Every problem of the customer and of its contacts is told
    at once, a contact's keyed "contacts.<index>.<field>"."""
    if not user.can_write:
        raise PermissionDenied(_("Your role is read-only."))
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: _("Unknown field.") for f in sorted(unknown)})
    owner = owner or user
    _check_owner(user, owner)
    customer = Customer(owner=owner, created_by=user, **data)
    contacts = list(contacts)
    contact_errors = _contacts_errors(contacts)
    try:
        customer.full_clean(exclude=["owner", "created_by"])
    except ValidationError as exc:
        raise ValidationError({**_by_field(exc), **contact_errors}) from None
    if contact_errors:
        raise ValidationError(contact_errors)
    _refresh_search_text(customer)
    customer._history_user = user
    tag_objs = _tags(tags)
    customer.tag_names = ", ".join(t.name for t in tag_objs)
    customer.save()
    if tag_objs:
        customer.tags.set(tag_objs)
    for index, row in enumerate(contacts):
        try:
            add_contact(user, customer, row, _access_checked=True)
        except ValidationError as exc:
            raise ValidationError(_contact_keys(index, exc)) from None
    if owner.pk != user.pk:
        url = reverse("customers:detail", args=[customer.pk])
        transaction.on_commit(
            lambda: notify(
                [owner],
                actor=user,
                verb="assigned",
                event="assigned",
                message=lambda: (
                    _("%(actor)s assigned customer %(name)s to you")
                    % {"actor": user, "name": customer.name}
                ),
                url=url,
            )
        )
    return customer


def _contacts_errors(contacts: list[dict]) -> dict[str, list[str]]:
    """Every problem of every contact of a new customer, keyed "contacts.<index>.<field>": the
    model's checks (``Contact.full_clean``, as ``add_contact`` runs them) and the one primary
    contact, all told in one answer rather than the first bad contact's only."""
    errors: dict[str, list[str]] = {}
    try:
        check_one_primary(contacts)
    except ValidationError as exc:
        errors.update(_by_field(exc))
    for index, row in enumerate(contacts):
        try:
            Contact(**row).full_clean(exclude=["customer"])
        except ValidationError as exc:
            errors.update(_contact_keys(index, exc))
    return errors


def _contact_keys(index: int, exc: ValidationError) -> dict[str, list[str]]:
    return {f"contacts.{index}.{field}": messages for field, messages in _by_field(exc).items()}


def _by_field(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


@transaction.atomic
def update_customer(
    user,
    customer_id,
    changes: dict,
    *,
    expected_version: int | None = None,
    tags: Iterable[str] | None = None,
) -> Customer:
    """Apply ``changes`` if the customer is still at ``expected_version``; notify the people
    concerned. Raises StaleVersion when someone else changed it first."""
    access_customer(user, customer_id, edit=True)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: _("Unknown field.") for f in sorted(unknown)})
    # Lock the row so two concurrent edits are ordered; the second sees the new version.
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    if expected_version is not None and customer.version != expected_version:
        raise StaleVersion(customer.version)
    before = {field: getattr(customer, field) for field in changes}  # to name what changed
    before_tags, before_name = customer.tag_names, customer.name
    for field, value in changes.items():
        setattr(customer, field, value)
    customer.full_clean(exclude=["owner", "created_by"])
    if tags is not None:
        tag_objs = _tags(tags)
        customer.tags.set(tag_objs)
        customer.tag_names = ", ".join(t.name for t in tag_objs)
    _refresh_search_text(customer)
    customer.version += 1
    customer._history_user = user
    customer.save()
    if customer.name != before_name:
        rename_in_contacts([customer.pk])
    changed = [f for f in changes if getattr(customer, f) != before[f]]
    if customer.tag_names != before_tags:
        changed.append("tags")
    if changed:
        _notify_change(user, customer, changed)
    return customer


#: Customers whose names ``rename_in_contacts`` reads and writes at a time.
_NAMES_CHUNK = 5000


def rename_in_contacts(customer_ids: Iterable[int]) -> None:
    """The contacts of the customers ``customer_ids`` given their customer's name as it is now
    in their search text, in the caller's transaction: a customer renamed (``update_customer``),
    contacts moved to another customer (a merge, its undo), and a bulk path that renamed
    customers or wrote contacts without their customer's name (an import), so that the
    contacts list finds them by the new name and no longer by the old one."""
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), _NAMES_CHUNK):
        chunk = ids[start : start + _NAMES_CHUNK]
        names = dict(Customer.objects.filter(pk__in=chunk).values_list("pk", "name"))
        contact_search_index.write_customer_names(names)


def _field_label(field: str) -> str:
    if field == "tags":
        return _("tags")
    if field == "custom":
        return _("custom fields")
    return str(Customer._meta.get_field(field).verbose_name)


def _notify_change(user, customer: Customer, changed: list[str] | None = None) -> None:
    """Tell the owner and the followers (not the actor) which fields changed."""
    recipients = [customer.owner_id, *customer.followers.values_list("id", flat=True)]
    url = reverse("customers:detail", args=[customer.pk])

    def message() -> str:  # in each recipient's language
        if not changed:
            return _changed_message(customer, user)
        return _("%(actor)s changed %(fields)s of customer %(name)s") % {
            "actor": user,
            "fields": ", ".join(_field_label(f) for f in changed),
            "name": customer.name,
        }

    transaction.on_commit(
        lambda: notify(
            recipients,
            actor=user,
            verb="changed",
            event="customer_changed",
            message=message,
            url=url,
        )
    )


@transaction.atomic
def set_tags(user, customer_id, names: Iterable[str]) -> Customer:
    customer = access_customer(user, customer_id, edit=True)
    return update_customer(user, customer.pk, {}, tags=names)


@transaction.atomic
def tag_customers(user, customer_ids: Iterable[int], names: Iterable[str]) -> int:
    """Add tags to many customers at once (only those the user may edit); returns the count."""
    tag_objs = _tags(names)
    customers = list(Customer.objects.editable_by(user).filter(pk__in=list(customer_ids)))
    through = Customer.tags.through
    through.objects.bulk_create(
        [through(customer_id=c.pk, tag_id=t.pk) for c in customers for t in tag_objs],
        ignore_conflicts=True,
    )
    names_by_customer: dict[int, list[str]] = {}
    for cid, tname in (
        through.objects.filter(customer__in=customers)
        .values_list("customer_id", "tag__name")
        .order_by("tag__name")
    ):
        names_by_customer.setdefault(cid, []).append(tname)
    now = timezone.now()
    for c in customers:
        c.tag_names = ", ".join(names_by_customer.get(c.pk, []))
        c.version += 1
        c.updated_at = now
    bulk_update_with_history(
        customers,
        Customer,
        ["tag_names", "version", "updated_at"],
        default_user=user,
        default_change_reason=history_reasons.BULK_TAG,
    )
    return len(customers)


@transaction.atomic
def delete_customer(user, customer_id) -> Customer:
    """Move a customer to the recycle bin (restorable until purged)."""
    customer = access_customer(user, customer_id, edit=True)
    _require_manage(user, customer)
    customer.deleted_at = timezone.now()
    customer.deleted_by = user
    customer.version += 1
    customer._history_user = user
    customer._change_reason = history_reasons.DELETED
    customer.save(update_fields=["deleted_at", "deleted_by", "version", "updated_at"])
    return customer


@transaction.atomic
def restore_customer(user, customer_id) -> Customer:
    customer = access_customer(user, customer_id, edit=True, include_deleted=True)
    if customer.deleted_at is None:
        raise ValidationError({"customer": _("This customer is not in the recycle bin.")})
    _require_manage(user, customer)
    from guanxi.customers.merge import merge_for  # merge builds on this module

    merged = merge_for(customer.pk)
    if merged is not None:
        # Restoring alone would leave its contacts, orders… on the survivor: undo the merge.
        raise ValidationError(
            {
                "customer": _(
                    "This customer was merged into #%(id)d: undo the merge to bring it back."
                )
                % {"id": merged.survivor_id}
            }
        )
    customer.deleted_at = None
    customer.deleted_by = None
    customer.version += 1
    customer._history_user = user
    customer._change_reason = history_reasons.RESTORED
    customer.save(update_fields=["deleted_at", "deleted_by", "version", "updated_at"])
    return customer


@transaction.atomic
def purge_customer(user, customer_id) -> None:
    """Delete for good a customer already in the recycle bin (admins only)."""
    if not (user.is_superuser or user.role == Role.ADMIN):
        raise PermissionDenied(_("Only an admin can purge the recycle bin."))
    customer = access_customer(user, customer_id, include_deleted=True)
    if customer.deleted_at is None:
        raise ValidationError({"customer": _("Move the customer to the recycle bin first.")})
    customer.delete()


@transaction.atomic
def share_customer(
    user,
    customer_id,
    *,
    to_user: User | None = None,
    to_team: Team | None = None,
    level: str = ShareLevel.READ,
) -> CustomerShare:
    """Share with a colleague or a whole team, to read or to edit (re-sharing updates the level)."""
    customer = access_customer(user, customer_id)
    _require_manage(user, customer)
    if (to_user is None) == (to_team is None):
        raise ValidationError({"user": _("Share with either one user or one team.")})
    if level not in ShareLevel.values:
        raise ValidationError({"level": _("Choose read or edit.")})
    if to_user is not None and not to_user.is_active:
        raise ValidationError({"user": _("That user is not active.")})
    if to_user is not None and to_user.pk == customer.owner_id:
        raise ValidationError({"user": _("The owner already has this customer.")})
    key = {"user": to_user} if to_user is not None else {"team": to_team}
    share, _created = CustomerShare.objects.update_or_create(
        customer=customer, **key, defaults={"level": level, "created_by": user}
    )
    url = reverse("customers:detail", args=[customer.pk])
    recipients = [to_user] if to_user is not None else list(to_team.members.filter(is_active=True))
    transaction.on_commit(
        lambda: notify(
            recipients,
            actor=user,
            verb="shared",
            event="shared",
            message=lambda: (
                _("%(actor)s shared customer %(name)s with you")
                % {"actor": user, "name": customer.name}
            ),
            url=url,
        )
    )
    return share


@transaction.atomic
def unshare_customer(user, customer_id, share_id: int) -> None:
    customer = access_customer(user, customer_id)
    _require_manage(user, customer)
    deleted, _rows = CustomerShare.objects.filter(customer=customer, pk=share_id).delete()
    if not deleted:
        raise Http404


@transaction.atomic
def share_customers(
    user, customer_ids: Iterable[int], *, to_user=None, to_team=None, level: str = ShareLevel.READ
) -> int:
    """Share many customers at once; those the user may not manage are skipped."""
    count = 0
    allowed = manageable_ids(user, customer_ids)
    for customer in Customer.objects.visible_to(user).filter(pk__in=allowed):
        if customer.owner_id != getattr(to_user, "pk", None):
            share_customer(user, customer.pk, to_user=to_user, to_team=to_team, level=level)
            count += 1
    return count


@transaction.atomic
def transfer_customer(user, customer_id, to_user: User, reason: str = "") -> Customer:
    """Give one customer a new owner, recorded in the history and the transfer log."""
    customer = access_customer(user, customer_id)
    _require_manage(user, customer)
    _check_assignee(to_user, "to_user")
    if customer.owner_id == to_user.pk:
        raise ValidationError({"to_user": _("This user already owns the customer.")})
    _move([customer], to_user, user, reason, batch="")
    return customer


@transaction.atomic
def transfer_customers(user, customer_ids: Iterable[int], to_user: User, reason: str = "") -> int:
    """Transfer the selected customers the user may manage; returns how many moved."""
    _check_assignee(to_user, "to_user")
    allowed = manageable_ids(user, customer_ids)
    customers = list(
        Customer.objects.visible_to(user).filter(pk__in=allowed).exclude(owner=to_user)
    )
    _move(customers, to_user, user, reason, batch=uuid.uuid4().hex)
    return len(customers)


@transaction.atomic
def transfer_all(user, from_user: User, to_user: User, reason: str = "") -> int:
    """Hand every customer of a (leaving) rep to another, in one recorded batch."""
    if not (
        user.is_superuser
        or user.role == Role.ADMIN
        or (user.role == Role.MANAGER and is_manager_of(user, from_user))
    ):
        raise PermissionDenied(_("Only an admin or the rep's manager can transfer all customers."))
    if from_user.pk == to_user.pk:
        raise ValidationError({"to_user": _("Choose a different user to transfer to.")})
    _check_assignee(to_user, "to_user")
    customers = list(Customer.objects.filter(owner=from_user).select_for_update())
    _move(customers, to_user, user, reason or _("bulk transfer"), batch=uuid.uuid4().hex)
    return len(customers)


def _move(customers: list[Customer], to_user: User, by: User, reason: str, batch: str) -> None:
    if not customers:
        return
    transfers = [
        OwnershipTransfer(
            customer=c,
            from_user_id=c.owner_id,
            to_user=to_user,
            by=by,
            reason=reason[:200],
            batch=batch,
        )
        for c in customers
    ]
    now = timezone.now()
    for c in customers:
        c.owner = to_user
        c.version += 1
        c.updated_at = now
        # The new owner's pool clock starts now; a customer taken from the pool leaves it.
        c.owned_since = now
        c.pooled_at, c.pool_reason, c.pool_warned_at, c.pool_warned_due = None, "", None, None
    bulk_update_with_history(
        customers,
        Customer,
        ["owner", "version", "updated_at", "owned_since", "pooled_at", "pool_reason"]
        + ["pool_warned_at", "pool_warned_due"],
        batch_size=1000,
        default_user=by,
        default_change_reason=reason[:100] or history_reasons.TRANSFER,
    )
    OwnershipTransfer.objects.bulk_create(transfers, batch_size=1000)
    names = ", ".join(c.name for c in customers[:3]) + ("…" if len(customers) > 3 else "")
    url = reverse("customers:list")
    transaction.on_commit(
        lambda: notify(
            [to_user],
            actor=by,
            verb="assigned",
            event="assigned",
            message=lambda: (
                _("%(actor)s transferred %(count)d customer(s) to you: %(names)s")
                % {"actor": by, "count": len(customers), "names": names}
            ),
            url=url,
        )
    )


@transaction.atomic
def follow_customer(user, customer_id, follow: bool = True) -> Customer:
    """Follow (or stop following) a customer to be told when it changes."""
    customer = access_customer(user, customer_id)
    if follow:
        customer.followers.add(user)
    else:
        customer.followers.remove(user)
    return customer


@transaction.atomic
def add_contact(user, customer, data: dict, *, _access_checked: bool = False) -> Contact:
    if not _access_checked:
        customer = access_customer(user, getattr(customer, "pk", customer), edit=True)
    allowed = {"name", "title", "phone", "email", "wechat_id", "is_primary", "notes"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({f: _("Unknown field.") for f in sorted(unknown)})
    contact = Contact(customer=customer, **data)
    contact.full_clean(exclude=["customer"])
    if contact.is_primary:
        _demote_primaries(user, customer.pk)
    contact._history_user = user
    contact.save()
    return contact


class StaleContact(ValidationError):
    """The contact changed after the form (or the API's ETag) the change was made on."""


@transaction.atomic
def update_contact(
    user, customer_id, contact_id: int, data: dict, *, seen: dt.datetime | None = None
) -> Contact:
    """Change a contact; ``seen``, the contact's ``updated_at`` when the form was opened,
    refuses a change made on a contact someone else changed since (ValidationError)."""
    customer = access_customer(user, customer_id, edit=True)
    contact = Contact.objects.select_for_update().filter(customer=customer, pk=contact_id).first()
    if contact is None:
        raise Http404
    contact.customer = customer  # at hand for its search text, which holds the customer's name
    if seen is not None and contact.updated_at != seen:
        raise StaleContact(
            _(
                "%(name)s was changed by someone else after you opened it: cancel to see the "
                "change, then edit again."
            )
            % {"name": contact.name}
        )
    for field, value in data.items():
        if field not in {"name", "title", "phone", "email", "wechat_id", "is_primary", "notes"}:
            raise ValidationError({field: _("Unknown field.")})
        setattr(contact, field, value)
    contact.full_clean(exclude=["customer"])
    if contact.is_primary:
        _demote_primaries(user, customer.pk, but=contact.pk)
    contact._history_user = user
    contact.save()
    return contact


def check_one_primary(contacts: list[dict]) -> None:
    """A new customer's contacts make one primary at most (ValidationError naming the second,
    ``contacts.<index>.is_primary``, as the API names a contact's fields)."""
    primaries = [i for i, row in enumerate(contacts) if row.get("is_primary")]
    if len(primaries) > 1:
        raise ValidationError(
            {
                f"contacts.{primaries[1]}.is_primary": _(
                    "A customer has one primary contact: contact %(index)d already is."
                )
                % {"index": primaries[0]}
            }
        )


def _demote_primaries(user, customer_id: int, *, but: int | None = None) -> None:
    """A customer has one primary contact: the one being made primary takes over, the others
    are demoted first (the database's ``contact_one_primary`` would refuse two), each with
    its history row."""
    for other in Contact.objects.filter(customer_id=customer_id, is_primary=True).exclude(pk=but):
        other.is_primary = False
        other._history_user = user
        other._change_reason = history_reasons.ONE_PRIMARY
        other.save(update_fields=["is_primary", "updated_at"])


@transaction.atomic
def remove_contact(user, customer_id, contact_id: int) -> RemovedContact:
    """Remove a contact, kept for ``restore_contact`` within the recycle-bin window with the
    rows that pointed at it (the interactions it took part in, its relationship-map entry)."""
    customer = access_customer(user, customer_id, edit=True)
    contact = Contact.objects.filter(customer=customer, pk=contact_id).first()
    if contact is None:
        raise Http404
    rows = []
    for rel in related.relations(Contact):
        rows += related.kept_rows(
            rel.related_model._base_manager.filter(**{rel.field.attname: contact.pk})
        )
    ((_label, values),) = related.kept_rows(Contact.objects.filter(pk=contact.pk))
    contact._history_user = user
    contact.delete()
    return RemovedContact.objects.create(
        customer=customer, contact_id=contact_id, values=values, rows=rows, by=user
    )


def restorable_contacts(user, customer: Customer, contact_ids) -> set[int]:
    """Which of these removed contacts ``user`` may put back on ``customer`` now: removed
    within the recycle-bin window, not put back yet, and the customer editable by them."""
    if not (user.can_write and Customer.objects.editable_by(user).filter(pk=customer.pk).exists()):
        return set()
    since = timezone.now() - dt.timedelta(days=settings.RECYCLE_BIN_DAYS)
    removed = RemovedContact.objects.filter(
        customer=customer, contact_id__in=contact_ids, restored_at__isnull=True, at__gte=since
    ).values_list("contact_id", flat=True)
    return set(removed) - set(Contact.objects.filter(pk__in=removed).values_list("pk", flat=True))


@transaction.atomic
def restore_contact(user, customer_id, contact_id: int) -> Contact:
    """Put back a contact removed within the recycle-bin window, with the rows that pointed
    at it (those whose other ends still exist); not primary if the customer has another now."""
    customer = access_customer(user, customer_id, edit=True)
    removal = (
        RemovedContact.objects.select_for_update()
        .filter(customer=customer, contact_id=contact_id, restored_at__isnull=True)
        .first()
    )
    if removal is None or Contact.objects.filter(pk=contact_id).exists():
        raise Http404
    if removal.at < timezone.now() - dt.timedelta(days=settings.RECYCLE_BIN_DAYS):
        raise ValidationError(
            _("This contact was removed more than %(days)d days ago and cannot be put back.")
            % {"days": settings.RECYCLE_BIN_DAYS}
        )
    contact = related.recreated(Contact._meta.label, removal.values)
    contact.customer = customer  # its customer's, even if merged into this one since
    if contact.is_primary and customer.contacts.filter(is_primary=True).exists():
        contact.is_primary = False
    contact._history_user = user
    contact._change_reason = history_reasons.RESTORED
    contact.save(force_insert=True)
    for label, values in removal.rows:
        row = related.recreated(label, values, check_targets=True)
        if row is not None:
            type(row)._base_manager.bulk_create([row], ignore_conflicts=True)
    removal.restored_at = timezone.now()
    removal.save(update_fields=["restored_at"])
    return contact


def record_view(user, customer: Customer, *, request=None, via: str = "web") -> None:
    """Write the view of a customer record to the access log."""
    log_access(user, "view", "customer", customer.pk, request=request, via=via)


def reveal_field(user, customer_id, field: str, *, request=None, via: str = "web") -> str:
    """The full value of a masked field, logged; only for roles allowed to reveal."""
    from guanxi.customers.masking import SENSITIVE_FIELDS

    customer = access_customer(user, customer_id)
    if field not in SENSITIVE_FIELDS:
        raise ValidationError({"field": _("Only phone and ID numbers are masked.")})
    if not user.can_reveal:
        raise PermissionDenied(_("Your role may not reveal masked data."))
    log_access(user, "reveal", "customer", customer.pk, request=request, detail=field, via=via)
    return getattr(customer, field)


# --- bulk paths (import) ---------------------------------------------------------------------


def check_can_create_for(user, owner: User) -> None:
    """Raise unless ``user`` may create customers owned by ``owner`` (create_customer's check)."""
    if not user.can_write:
        raise PermissionDenied(_("Your role is read-only."))
    _check_owner(user, owner)


def prepare_customer(user, data: dict, *, owner: User) -> Customer:
    """An unsaved customer validated exactly as create_customer validates it, with its search
    text, for bulk paths that write many rows at once. Call check_can_create_for once first."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: _("Unknown field.") for f in sorted(unknown)})
    customer = Customer(owner=owner, created_by=user, **data)
    customer.full_clean(exclude=["owner", "created_by"])
    _refresh_search_text(customer)
    return customer


def prepare_update(customer: Customer, changes: dict) -> Customer:
    """Apply ``changes`` to an unsaved copy's fields and validate them as update_customer does;
    raises ValidationError (the customer is then in an undefined state: discard it)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: _("Unknown field.") for f in sorted(unknown)})
    for field, value in changes.items():
        setattr(customer, field, value)
    customer.full_clean(exclude=["owner", "created_by"])
    _refresh_search_text(customer)
    customer.version += 1
    return customer


def tags_by_name(names: Iterable[str]) -> dict[str, Tag]:
    """The tags with these names, created when missing (tag names checked as everywhere)."""
    return {t.name: t for t in _tags(names)}
