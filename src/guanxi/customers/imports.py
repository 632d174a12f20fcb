"""Import customers from CSV and XLSX files.

The steps: ``read_table`` reads the file (``import_tables``: workbooks through
``spreadsheets``, calamine for nearly every sheet; CSV in UTF-8 with or without a BOM, UTF-16
with a BOM, else GB18030 as Chinese Excel saves it); ``import_mapping.auto_mapping`` matches the
columns to customer fields from Chinese or English headers; ``process`` turns each row into a
customer's values (``import_rows.convert``), validates them with the checks of
``create_customer`` (``bulk.CustomerCleaner``: the model's rules on plain values,
``services.prepare_customer`` for a row that fails one, so the messages are the model's) and,
unless it is a dry run, writes the rows in atomic batches (``bulk.insert_customers``:
customers, history rows and tags in a few statements). Duplicates are looked up once per key
field and batch (a phone also among the customers' other phones and the contacts' phones, an
e-mail among the contacts' e-mails, in a query more each); the custom field definitions are
read once per import. A long import converts and checks its rows in a second process
(``import_checker``) while this one matches and writes them, so it uses two cores; on
PostgreSQL two connections write (``import_writers``), so the server writes two batches at
once, still committed in the file's order.

A row is either fully written or listed in the error report (``import_reports``: row, column,
value, reason); after each batch the job records how far it got, in the same transaction, so a
job that stopped continues where it left off.
"""

import copy
import gc
import shutil
import unicodedata
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Lower, Trim
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from guanxi.accounts.models import User
from guanxi.customers import (
    bulk,
    history_reasons,
    import_checker,
    import_tables,
    import_writers,
    merge,
    services,
)
from guanxi.customers.bulk import insert_customers
from guanxi.customers.import_mapping import (
    CONTACT_TARGETS,
    REFERENCES,
    auto_mapping,
    check_mapping,
    fields_named,
    key_label,
)
from guanxi.customers.import_reports import (
    Outcome,
    Report,
    report_path_for,
)
from guanxi.customers.import_rows import (
    OTHER_KINDS,
    Row,
    changes_nothing,
    company_key,
    company_spellings,
    convert,
    masked_fields,
    masked_value_message,
    not_this_customer,
    nul_message,
    row_keys,
    same_customer,
    tidy,
    total_row_message,
    totals_rows,
)
from guanxi.customers.import_tables import (
    NUL,
    XLSX_SUFFIXES,
    ImportFileError,
    Table,
    cell_text,
    collector_paused,
)
from guanxi.customers.models import (
    Contact,
    Customer,
    Kind,
    custom_fields_cached,
)
from guanxi.customers.models_import import ImportJob, OnDuplicate

BATCH_SIZE = 2000


IN_CHUNK = 900  # values per IN list: under SQLite's 999 parameters


KEY_FIELDS = ("id", "kind", "name", "phone", "email", "id_number", "company_name")
#: The keys by which a row matches a customer without naming it: an update by one of them
#: leaves the customer's name as it is (``_other_name``).
_RENAMING_KEYS = frozenset({"phone", "email", "id_number"})


def _other_name(given: str, name: str) -> bool:
    """Whether a row's name ``given`` is another than the customer's ``name`` (spaces, width
    and case aside: 王 伟 is 王伟)."""
    if not given:
        return False
    return _name_key(given) != _name_key(name)


def _name_key(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _pool_key(name: str) -> str:
    """An owner cell as the pool's name is compared: without brackets of either width or
    spaces, in any case ("(pool)", "Pool", "（公海）", "(公海)" and "公海" alike)."""
    return "".join(c for c in name if c not in "()（） \u3000").casefold()


class _Owners:
    """The owner column of one import. A name is a username (in any case) or a user's name as
    the pages show it (the export writes that); the export's "(pool)" and an empty cell mean
    the import's own owner. The names a batch meets first are looked up in one query; each
    user named is checked once, with the rule for the import's own owner
    (``services.check_can_create_for``: a rep only herself, a manager her team, an admin anyone
    active who can sell)."""

    def __init__(self, user, owner):
        self.user, self.owner_id = user, owner.pk
        self.pool = set()
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                self.pool.add(_pool_key(_("(pool)")))
        self.named: dict[str, tuple[User | None, str]] = {}  # name -> (user, or None and why)
        self.refused: dict[int, str] = {owner.pk: ""}  # user id -> why she may not own, or ""

    def resolve(self, names: set[str]) -> None:
        """Look the names not met before up, in one query (for up to a few hundred)."""
        new = sorted(n for n in names if n not in self.named and _pool_key(n) not in self.pool)
        for chunk in bulk.chunks(new, IN_CHUNK // 4):
            users = list(
                User.objects.annotate(
                    username_lower=Lower("username"),
                    full_name=Trim(Concat("first_name", Value(" "), "last_name")),
                ).filter(
                    Q(username__in=chunk)
                    | Q(username_lower__in={n.lower() for n in chunk})
                    | Q(display_name__in=chunk)
                    | Q(full_name__in=chunk)
                )
            )
            for name in chunk:
                self.named[name] = self._pick(name, users)

    @staticmethod
    def _pick(name: str, users: list[User]) -> tuple[User | None, str]:
        lowered = name.lower()
        found = [u for u in users if u.username == name] or [
            u for u in users if u.username.lower() == lowered
        ]
        found = found or [u for u in users if name in (u.display_name, u.get_full_name())]
        if len(found) > 1:  # a colleague who left does not make a name ambiguous
            found = [u for u in found if u.is_active] or found
        if not found:
            return None, _("No user is called '%(name)s'.") % {"name": name}
        if len(found) > 1:
            usernames = pgettext("between items of a list", ", ").join(
                sorted(u.username for u in found)
            )
            return None, _(
                "'%(name)s' is the name of several users (%(usernames)s): write the username."
            ) % {"name": name, "usernames": usernames}
        return found[0], ""

    def owner_of(self, name: str) -> tuple[int | None, str]:
        """The id of the user a new customer's cell names (None: the import's owner), or None
        and why no customer can be created for that name. ``resolve`` it first."""
        if _pool_key(name) in self.pool:
            return None, ""
        user, error = self.named[name]
        if user is None:
            return None, error
        if user.pk not in self.refused:
            try:
                services.check_can_create_for(self.user, user)
            except ValidationError as exc:
                self.refused[user.pk] = " ".join(exc.messages)
            else:
                self.refused[user.pk] = ""
        error = self.refused[user.pk]
        return (None if error or user.pk == self.owner_id else user.pk), error

    def differs(self, name: str, owner_id: int | None) -> bool:
        """Whether the cell names someone else than the customer's owner ``owner_id``."""
        if _pool_key(name) in self.pool:
            return False
        user, _error = self.named[name]
        return user is None or user.pk != owner_id


class _References:
    """The columns of one import mapped to the ID or the owner (``REFERENCES``), read by the
    batch from the file's rows. The ID only with "skip" or "update": with "create" every row
    is a new customer, whatever ID it carries."""

    def __init__(self, table: Table, indexes: dict[str, int], owners: _Owners | None):
        self.table = table
        self.id_at = indexes.get("id")
        self.owner_at = indexes.get("owner")
        self.owners = owners

    def read(self, row: Row) -> int | None:
        """Put the row's ID and owner cells in ``row.raw`` (the report shows them) and return
        its ID (None when the cell is empty; a row error when it is no customer's ID)."""
        cells = self.table.rows[self.table.index_of(row.number)]
        if self.owner_at is not None:
            row.raw["owner"] = cell_text(cells[self.owner_at])
            if NUL in row.raw["owner"]:  # never looked up: PostgreSQL refuses it in a query
                row.errors.setdefault("owner", []).append(nul_message())
        if self.id_at is None:
            return None
        text = row.raw["id"] = cell_text(cells[self.id_at])
        if NUL in text:
            row.errors.setdefault("id", []).append(nul_message())
            return None
        digits = text.removeprefix("#")
        if digits.isascii() and digits.isdigit() and len(digits) < 19:  # 19: past a bigint
            return int(digits)
        if text:
            row.errors.setdefault("id", []).append(
                _("An ID is the number of a customer, as the export gives it.")
            )
        return None


class _Batch:
    """One batch of rows: validated, matched against the file so far and the database, then
    written (unless a dry run) in the caller's transaction."""

    def __init__(
        self,
        job: ImportJob,
        cleaner,
        report: Report,
        headers_by_target,
        seen: dict,
        references: _References | None = None,
        matched: dict[int, tuple[int, str]] | None = None,
        totals: frozenset[int] = frozenset(),
        creating: set[int] | None = None,
    ):
        self.job, self.cleaner, self.report = job, cleaner, report
        self.totals = totals  # the sheet's numbers of the totals rows at its bottom
        self.user, self.owner = cleaner.user, cleaner.owner
        self.headers_by_target = headers_by_target
        self.seen = seen
        self.references = references
        self.creates: list[tuple[dict, list[str], int | None]] = []  # values, tags, owner id
        self.updates: list[tuple[Customer, list[str]]] = []
        self.outcome = Outcome()
        self.by_id: dict[int, dict] = {}  # the key fields of the customers rows name by ID
        # (kind, phone or e-mail) -> id of the customer whose other phone or contact has it
        # (``_existing``): what a row no customer's own key matched may still be.
        self.others: dict[tuple[str, str], int] = {}
        # Row number -> (id of the existing customer it matched, "" or how it was skipped: the
        # kind of ``_skip_contact``), over the whole file: a later row repeating it is a match
        # of the same customer, skipped as it was.
        self.matched = {} if matched is None else matched
        # Numbers of the rows that create a customer, over the whole file: a later row
        # repeating one is skipped under "skip".
        self.creating = set() if creating is None else creating
        self.merged: dict[int, object] | None = None  # the merges of IDs no customer has
        self.customers: dict[int, Customer] = {}  # the customers rows may update, by id
        self.editable: set[int] = set()
        self.visible: set[int] = set()
        self.updating: dict[int, tuple[int, int]] = {}  # id -> (first row, index in updates)
        # The contact person of each row that has one (``CONTACT_TARGETS``), checked, by row
        # number; those of the new customers (beside ``creates``) and of existing ones.
        self.with_contacts = any(t in CONTACT_TARGETS for t in headers_by_target)
        self.contacts: dict[int, Contact] = {}
        self.create_contacts: list[Contact | None] = []
        self.contact_adds: list[Contact] = []
        self.contact_names: set[tuple[int, str]] = set()  # (customer id, contact's name)
        self.with_primary: set[int] = set()  # customers with a primary contact

    def fail(self, row: Row, errors: dict) -> None:
        self.outcome.failed += 1
        for key, messages in errors.items():
            header = self.headers_by_target.get(key, "" if key == "__all__" else key)
            self.report.add(row.number, header, row.raw.get(key, ""), " ".join(messages))

    def _clean(self, row: Row) -> dict | None:
        """The row's cleaned values, or None after reporting why it fails (the full check, for
        the rows ``checked`` could not pass)."""
        try:
            values = self.cleaner.clean(row.data)
        except ValidationError as exc:
            # A cell that did not convert is left out of the data: its own reason, not the
            # model's about the missing value ("This field is required." of a name with a NUL).
            errors = dict(row.errors)
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, messages)
            self.fail(row, errors)
            return None
        if row.errors:
            self.fail(row, row.errors)
            return None
        tag_error = _tag_error(row.tags)
        if tag_error:
            self.fail(row, {"tags": [tag_error]})
            return None
        return values

    def run(self, rows: list[tuple[Row, dict | None]], *, write: bool) -> Outcome:
        """``rows`` as ``checked`` gives them: each row with its values when it passed.

        A row with an ID (``_References``) is that customer and no other: its other keys
        are not matched, only kept so that a later row sharing one is an in-file duplicate.

        A row sharing a key with an earlier row of the file (the same phone typed another
        way, an e-mail in capitals) is a repeat of it. When the earlier row matched an
        existing customer, the repeat is a match of that customer too: skipped as it was,
        or under "update" applied after it, as if the file were imported again (a repeat
        agreeing with the earlier row changes nothing and is skipped). A repeat of a row
        that creates a customer is skipped under "skip", and under "create" is another new
        customer (with a note naming the earlier row), as a duplicate of a customer already
        there would be. Under "update" it stays an error, as a repeat of an ID does: the
        customer does not exist yet when the rows are matched, and which row's values it
        should end with is the user's to say."""
        prepared: list[tuple[Row, dict, list[tuple]]] = []
        repeats: list[tuple[Row, tuple]] = []  # rows sharing a key with an earlier row
        seen = self.seen
        references = self.references
        creating = self.job.on_duplicate == OnDuplicate.CREATE
        noted: dict[int, tuple] = {}  # "create": row number -> the key an earlier row had
        for row, values in rows:
            if row.number in self.totals:
                self.outcome.skipped += 1
                header = self.headers_by_target.get("name", "")
                self.report.add(row.number, header, row.raw.get("name", ""), total_row_message())
                continue
            customer_id = None
            if references is not None:
                customer_id = references.read(row)
                if "id" in row.errors or "owner" in row.errors:
                    values = None
            if values is None:
                values = self._clean(row)
                if values is None:
                    continue
            if self.with_contacts and not self._contact(row):
                continue
            keys = row_keys(values)
            others = None
            if customer_id is not None:
                keys, others = [("id", customer_id)], keys
            key = next((k for k in keys if k in seen), None)
            if key is not None and creating and key[0] != "id":
                noted[row.number] = key  # another customer, as the user chose
            elif key is not None:
                if key[0] == "id":
                    self._fail_repeat(row, key)
                else:
                    repeats.append((row, key))
                continue
            for k in keys:
                seen.setdefault(k, row.number)  # "create": the first row that had it
            if others:
                for k in others:
                    seen.setdefault(k, row.number)
            if customer_id is None and values["kind"] != Kind.COMPANY and not row.raw.get("kind"):
                # A row that does not say it is a person, named as an existing company is: that
                # company. Looked up last, and only in the database: two namesakes in one file
                # are no repeat.
                keys = [*keys, ("name", company_key(values["name"]), "")]
            prepared.append((row, values, keys))
        on_duplicate = self.job.on_duplicate
        earlier = {self.matched[seen[k]][0] for _row, k in repeats if seen[k] in self.matched}
        existing = {}
        if on_duplicate != OnDuplicate.CREATE:
            existing = self._existing(prepared, earlier)
        ids = list({pk for pk, _c in existing.values()} | set(self.others.values()) | earlier)
        self.editable = self._reach(Customer.objects.editable_by, ids)
        self.visible = self._reach(Customer.objects.visible_to, ids)
        if self.contacts and on_duplicate == OnDuplicate.UPDATE:
            self._contacts_of(ids)
        owners = references.owners if references is not None else None
        if owners is not None:
            named = {row.raw["owner"] for row, _v, _k in prepared if row.raw["owner"]}
            named.update(row.raw["owner"] for row, _k in repeats if row.raw.get("owner"))
            owners.resolve(named)
        update = on_duplicate == OnDuplicate.UPDATE
        for row, values, keys in prepared:
            match = next(((k, existing[k]) for k in keys if k in existing), None)
            if update and match is not None and keys[0][0] != "id":
                # Its phone one customer's, its e-mail another's: updating the first would
                # give it the second's e-mail. Not guessed: the row is to be checked.
                first_keys: dict[int, tuple] = {}
                for k in keys:
                    if k[0] == "name" and not k[2] and values["kind"] != Kind.COMPANY:
                        continue  # a name only like a company's: no conflict with other keys
                    if k in existing:
                        first_keys.setdefault(existing[k][0], k)
                if len(first_keys) > 1:
                    self._fail_conflict(row, first_keys)
                    continue
            if match is None and self.others:
                # A customer's other phone, a contact's phone or e-mail, looked at only when no
                # key of the row found a customer, in the order of the row's keys.
                other = next(
                    (
                        (k, kind, self.others[kind, k[1]])
                        for k in keys
                        for kind in OTHER_KINDS.get(k[0], ())
                        if (kind, k[1]) in self.others
                    ),
                    None,
                )
                if other is not None:
                    self._skip_contact(row, other[0], other[2], kind=other[1])
                    continue
            if match is None:
                if keys and keys[0][0] == "id":  # no alive customer has it: never a new one
                    self.fail(row, {"id": [self._no_customer(keys[0][1], prepared, existing)]})
                    continue
                if masked := masked_fields(row):
                    self.fail(row, {field: [masked_value_message()] for field in masked})
                    continue
                owner_id = None
                if owners is not None and row.raw["owner"]:
                    owner_id, error = owners.owner_of(row.raw["owner"])
                    if error:
                        self.fail(row, {"owner": [error]})
                        continue
                self.creates.append((values, row.tags, owner_id))
                self.create_contacts.append(self.contacts.get(row.number))
                self.creating.add(row.number)
                self.outcome.imported += 1
                if row.number in noted:
                    self._note_repeat(row, noted[row.number])
                continue
            key, (found_pk, _found) = match
            # Another system's numbers in an ID column: said only of a customer she may see.
            implausible = key[0] == "id" and not same_customer(values, self.by_id[found_pk])
            if implausible and found_pk in self.visible:
                self.fail(row, {"id": [not_this_customer(found_pk)]})
                continue
            self.matched[row.number] = (found_pk, "")
            self._match(row, key, found_pk, owners)
        for row, key in repeats:
            first = seen[key]
            hit = self.matched.get(first)
            if hit is None and first in self.creating and on_duplicate == OnDuplicate.SKIP:
                self._skip_repeat(row, key)
            elif hit is None:  # the earlier row failed, or creates a customer
                self._fail_repeat(row, key)
            elif hit[1]:
                self._skip_contact(row, key, hit[0], kind=hit[1])
            else:
                self._match(row, key, hit[0], owners, repeat=first)
        if write:
            self.write()
        return self.outcome

    def _contact(self, row: Row) -> bool:
        """Check the row's contact person (``CONTACT_TARGETS``), as ``services.add_contact``
        does, into ``self.contacts``; False after failing the row."""
        data = {}
        for target, name in CONTACT_TARGETS.items():
            text = row.raw.get(target, "")
            if text and not (text.isascii() and text.isprintable()):
                text = tidy(name, text)
            if text:
                data[name] = text
        if not data:
            return True
        if "name" not in data:
            self.fail(row, {"contact_name": [_("A contact person needs a name.")]})
            return False
        contact = Contact(**data, is_primary=True)
        try:
            contact.full_clean(exclude=["customer"])
        except ValidationError as exc:
            by_field = {name: target for target, name in CONTACT_TARGETS.items()}
            errors: dict[str, list[str]] = {}
            for name, messages in exc.message_dict.items():
                errors.setdefault(by_field.get(name, "contact_name"), []).extend(messages)
            self.fail(row, errors)
            return False
        contact.refresh_search_text()  # written by bulk_create, which bypasses save()
        self.contacts[row.number] = contact
        return True

    def _contacts_of(self, ids: list[int]) -> None:
        """The names of the contacts of the customers ``ids`` and which have a primary one: one
        query per chunk, for the rows under "update" adding a contact to one of them."""
        for chunk in bulk.chunks(ids, IN_CHUNK):
            rows = Contact.objects.filter(customer_id__in=chunk).values_list(
                "customer_id", "name", "is_primary"
            )
            for customer_id, name, primary in rows:
                self.contact_names.add((customer_id, name))
                if primary:
                    self.with_primary.add(customer_id)

    def _add_contact(self, row: Row, customer_id: int) -> bool:
        """Queue the row's contact person for the existing customer ``customer_id`` unless it
        has a contact of that name: primary when it has none. Whether one was queued."""
        contact = self.contacts.get(row.number)
        if contact is None or (customer_id, contact.name) in self.contact_names:
            return False
        contact = copy.copy(contact)
        contact.customer_id = customer_id
        contact.is_primary = customer_id not in self.with_primary
        self.contact_names.add((customer_id, contact.name))
        self.with_primary.add(customer_id)
        self.contact_adds.append(contact)
        return True

    def _no_customer(self, pk: int, prepared, existing) -> str:
        """Why no customer has the ID ``pk`` a row names: merged into another one (an export
        edited while its customers were merged), named when the user may see it; else none
        has it. The merges of the batch's missing IDs are read at the first, in one query."""
        if self.merged is None:
            missing = [
                keys[0][1]
                for _row, _values, keys in prepared
                if keys and keys[0][0] == "id" and keys[0] not in existing
            ]
            self.merged = merge.merges_into(missing)
        if pk in self.merged:
            kept = merge.kept_customer(self.user, pk)
            if kept is not None:
                return _(
                    "Customer #%(id)d was merged into customer #%(kept)d: write %(kept)d as the "
                    "ID to change that one, or leave the ID empty to add a new customer."
                ) % {"id": pk, "kept": kept}
            return _(
                "Customer #%(id)d was merged into another customer: leave the ID empty to add "
                "a new customer."
            ) % {"id": pk}
        return _("No customer #%(id)d: leave the ID empty to add a new customer.") % {"id": pk}

    def _fail_conflict(self, row: Row, first_keys: dict[int, tuple]) -> None:
        """Fail a row whose keys match several existing customers (id -> the first key of the
        row matching it), naming each customer the user may see."""
        parts = []
        for pk, key in first_keys.items():
            label = key_label(key)
            if pk in self.visible:
                parts.append(_("the %(field)s is customer #%(id)d's") % {"field": label, "id": pk})
            else:
                parts.append(_("the %(field)s is another customer's") % {"field": label})
        key = next(iter(first_keys.values()))
        reason = _(
            "This row matches several customers: %(matches)s. Check it before importing it again."
        ) % {"matches": pgettext("between items of a list", ", ").join(parts)}
        self.fail(row, {key[0]: [reason]})

    def _fail_repeat(self, row: Row, key: tuple) -> None:
        """Fail a row sharing ``key`` with an earlier row of the file, as an in-file duplicate."""
        self.fail(
            row,
            {
                key[0]: [
                    _("Same %(field)s as row %(row)d of this file.")
                    % {"field": key_label(key), "row": self.seen[key]}
                ]
            },
        )

    def _skip_repeat(self, row: Row, key: tuple) -> None:
        """Skip a row sharing ``key`` with an earlier row of the file that creates a customer."""
        self.outcome.skipped += 1
        self.report.add(
            row.number,
            self.headers_by_target.get(key[0], key[0]),
            row.raw.get(key[0], ""),
            _("Same %(field)s as row %(row)d of this file; skipped.")
            % {"field": key_label(key), "row": self.seen[key]},
        )

    def _note_repeat(self, row: Row, key: tuple) -> None:
        """Note beside a row that shares ``key`` with an earlier row of the file and is added,
        under "create", as another customer."""
        self.report.add(
            row.number,
            self.headers_by_target.get(key[0], key[0]),
            row.raw.get(key[0], ""),
            _("Same %(field)s as row %(row)d of this file; added as another customer.")
            % {"field": key_label(key), "row": self.seen[key]},
        )

    def _skip_contact(self, row: Row, key: tuple, found_pk: int, *, kind: str) -> None:
        """Skip a row whose phone is the other phone (``kind`` "phone_alt") of customer
        ``found_pk`` or that of one of its contacts ("contact"), or whose e-mail is that of one
        of its contacts ("contact_email"): under "skip" and "update" alike (its mobile is not
        that number, and a contact is not that customer: the row must not replace its data)."""
        self.matched[row.number] = (found_pk, kind)
        self.outcome.skipped += 1
        seen = found_pk in self.visible
        if kind == "phone_alt" and seen:
            reason = _("Customer #%(id)d has this number as its other phone; skipped.")
            reason %= {"id": found_pk}
        elif kind == "phone_alt":
            reason = _("A customer has this number as its other phone; skipped.")
        elif kind == "contact_email" and seen:
            reason = _("Customer #%(id)d has a contact with this e-mail; skipped.")
            reason %= {"id": found_pk}
        elif kind == "contact_email":
            reason = _("A customer's contact has the same e-mail; skipped.")
        elif seen:
            reason = _("Customer #%(id)d has a contact with this phone number; skipped.")
            reason %= {"id": found_pk}
        else:
            reason = _("A customer's contact has the same phone number; skipped.")
        header = self.headers_by_target.get(key[0], key[0])
        self.report.add(row.number, header, row.raw.get(key[0], ""), reason)

    def _match(self, row: Row, key: tuple, found_pk: int, owners, *, repeat: int = 0) -> None:
        """Skip or update the existing customer ``found_pk`` that ``row`` matched on ``key``;
        ``repeat``: the earlier row of the file the row repeats, which matched it first."""
        header = self.headers_by_target.get(key[0], key[0])
        if self.job.on_duplicate == OnDuplicate.SKIP:
            self.outcome.skipped += 1
            self.report.add(
                row.number,
                header,
                row.raw.get(key[0], ""),
                _("Already exists as customer #%(id)d; skipped.") % {"id": found_pk}
                if found_pk in self.visible
                else _("A customer with the same %(field)s exists; skipped.")
                % {"field": key_label(key)},
            )
            return
        if found_pk not in self.editable:
            self.fail(row, {key[0]: [_("Matches a customer you may not change.")]})
            return
        # A later row matching a customer an earlier row of the batch updates, by the same key
        # or another, goes on from what the rows before it left, as if the file were imported
        # row by row: one write, one new version.
        pending = self.updating.get(found_pk)
        found, tags = self.updates[pending[1]] if pending else (self.customers.get(found_pk), [])
        if found is None:  # purged since an earlier batch matched it
            self._fail_repeat(row, key)
            return
        changes = {k: v for k, v in row.data.items() if k != "custom"}
        if not row.raw.get("kind"):  # a type told by the name makes no existing customer change
            changes.pop("kind", None)
        renamed = key[0] in _RENAMING_KEYS and _other_name(changes.get("name", ""), found.name)
        if renamed:
            # Matched by a number or an address, not by its name: a shared switchboard or a
            # colleague's e-mail would rename the company to a person. Renamed by its ID only.
            changes.pop("name")
        if "custom" in row.data:
            changes["custom"] = {**(found.custom or {}), **row.data["custom"]}
        candidate = copy.copy(found)
        try:
            services.prepare_update(candidate, changes)
        except ValidationError as exc:
            self.fail(row, exc.message_dict)
            return
        owner = row.raw.get("owner")
        owner_kept = owners is not None and owner and owners.differs(owner, found.owner_id)
        added = self._add_contact(row, found_pk)
        if changes_nothing(found, candidate, changes, [t for t in row.tags if t not in tags]):
            # An exported list comes back mostly as it went: no new version, history row
            # or "updated just now" for the rows nobody edited. A new owner was all the row
            # changed: skipped, saying why it was not applied. A new contact person is a
            # change, of the contacts only.
            if added:
                self.outcome.updated += 1
            else:
                self.outcome.skipped += 1
            if owner_kept:
                self._owner_not_changed(row)
            if renamed:
                self._name_not_changed(row, key, found)
            return
        if pending:
            candidate.version = found.version  # one write, one new version
            self.updates[pending[1]] = (candidate, list(dict.fromkeys(tags + row.tags)))
        else:
            self.updating[found_pk] = (repeat or row.number, len(self.updates))
            self.updates.append((candidate, row.tags))
        self.outcome.updated += 1
        if owner_kept:
            self._owner_not_changed(row)
        if renamed:
            self._name_not_changed(row, key, found)

    def _name_not_changed(self, row: Row, key: tuple, found: Customer) -> None:
        self.report.add(
            row.number,
            self.headers_by_target["name"],
            row.raw.get("name", ""),
            _(
                "Name not changed: the row matched this customer by its %(field)s, and it is "
                "called %(name)s. To rename it, import the row with its ID, as the export gives it."
            )
            % {"field": key_label(key), "name": found.name},
        )

    def _owner_not_changed(self, row: Row) -> None:
        self.report.add(
            row.number,
            self.headers_by_target["owner"],
            row.raw["owner"],
            _("Owner not changed: an existing customer changes owner by transfer."),
        )

    def _existing(self, prepared, earlier: set[int]) -> dict[tuple, tuple[int, Customer | None]]:
        """{key: (id, customer)} of the alive customers sharing a key with a row: one query per
        key field and batch (names: people and companies apart), the lowest id winning a key.
        And in ``self.others``, {("phone_alt", phone): id} of those whose other phone,
        {("contact", phone): id} of those with a contact whose phone, a row has but no
        customer's phone is, and {("contact_email", e-mail): id} of those with a contact whose
        e-mail a row has but no customer's e-mail is (three queries more, through the other
        phone's and the contacts' phone and e-mail indexes). Only the keys rows have, so only
        customers a row matches are then checked for reach; the full customers
        (``self.customers``, with those ``earlier`` rows of the file matched, which repeats of
        them match) are loaded only when rows may update them."""
        if not prepared and not earlier:
            return {}
        wanted = {key for _row, _values, keys in prepared for key in keys}
        values: dict[str, set] = {"id": set(), "phone": set(), "email": set(), "id_number": set()}
        people: set[tuple[str, str]] = set()
        companies: set[str] = set()
        for key in wanted:
            if key[0] != "name":
                values[key[0]].add(key[1])
            elif key[2]:
                people.add(key[1:])  # (name, employer)
        for _row, row_values, keys in prepared:  # a company's key is not its name as spelt
            if any(key[0] == "name" and not key[2] for key in keys):
                companies.update(company_spellings(row_values["name"]))
        found_lists = [
            bulk.alive_matching(field_name, field_values, KEY_FIELDS)
            for field_name, field_values in values.items()
            if field_values
        ]
        if people:
            found_lists.append(bulk.alive_people(people, KEY_FIELDS))
        if companies:
            found_lists.append(
                bulk.alive_matching("name", companies, KEY_FIELDS, kind=Kind.COMPANY)
            )
        records = {record["id"]: record for found in found_lists for record in found}
        found: dict[tuple, int] = {}
        for pk in sorted(records):
            if ("id", pk) in wanted:
                found["id", pk] = pk
                self.by_id[pk] = records[pk]
            for key in row_keys(records[pk]):
                if key in wanted:
                    found.setdefault(key, pk)
        full = self.job.on_duplicate == OnDuplicate.UPDATE
        wanted_ids = set(found.values()) | earlier
        if full and wanted_ids:
            self.customers = Customer.objects.in_bulk(wanted_ids)
        existing = {key: (pk, self.customers.get(pk)) for key, pk in found.items()}
        others = self.others
        phones = values["phone"].difference(key[1] for key in found if key[0] == "phone")
        if phones:
            for phone, pk in bulk.alive_other_phones(phones):
                others.setdefault(("phone_alt", phone), pk)
            for phone, pk in bulk.alive_contact_phones(phones):
                others.setdefault(("contact", phone), pk)
        emails = values["email"].difference(key[1] for key in found if key[0] == "email")
        if emails:
            for email, pk in bulk.alive_contact_emails(emails):
                others.setdefault(("contact_email", email), pk)
        return existing

    def _reach(self, manager_method, ids: list[int]) -> set[int]:
        if not ids:
            return set()
        reached: set[int] = set()
        for chunk in bulk.chunks(ids, IN_CHUNK):
            reached.update(
                manager_method(self.user).filter(pk__in=chunk).values_list("pk", flat=True)
            )
        return reached

    def new_tags(self) -> bool:
        """Whether writing the batch creates tags."""
        names = {t for _v, tags, _o in self.creates for t in tags}
        names.update(t for _c, tags in self.updates for t in tags)
        return bool(names) and services.Tag.objects.filter(name__in=names).count() < len(names)

    def write(self) -> None:
        """Write the rows ``run`` matched, in the caller's transaction."""
        contacts = self.contact_adds
        # Whose contacts' search text must hold their customer's name as written now: the
        # customers given a contact person, and those renamed (services.rename_in_contacts).
        named = {contact.customer_id for contact in contacts}
        named.update(
            c.pk
            for c, _t in self.updates
            if (before := self.customers.get(c.pk)) is not None and before.name != c.name
        )
        if self.creates:
            owners = [owner_id for _v, _t, owner_id in self.creates]
            ids = insert_customers(
                [values for values, _t, _o in self.creates],
                [row_tags for _v, row_tags, _o in self.creates],
                user=self.user,
                owner=self.owner,
                owners=owners if any(owners) else None,
                change_reason=history_reasons.IMPORT,
            )
            for pk, (values, _t, _o), contact in zip(
                ids, self.creates, self.create_contacts, strict=True
            ):
                if contact is not None:
                    contact.customer_id = pk
                    contact.refresh_search_text(values["name"])
                    contacts.append(contact)
        if contacts:
            bulk_create_with_history(
                contacts,
                Contact,
                batch_size=BATCH_SIZE,
                default_user=self.user,
                default_change_reason=history_reasons.IMPORT,
            )
        if self.updates:
            names = {t for _c, tags in self.updates for t in tags}
            tags = services.tags_by_name(names) if names else {}
            through = Customer.tags.through
            now = timezone.now()
            for customer, row_tags in self.updates:
                customer.updated_at = now
                if row_tags:
                    current = [t.strip() for t in customer.tag_names.split(",") if t.strip()]
                    customer.tag_names = ", ".join(dict.fromkeys(current + row_tags))
            fields = [
                f.name
                for f in Customer._meta.concrete_fields
                if f.name not in ("id", "created_at", "created_by", "owner")
            ]
            bulk_update_with_history(
                [c for c, _t in self.updates],
                Customer,
                fields,
                batch_size=BATCH_SIZE,
                default_user=self.user,
                default_change_reason=history_reasons.IMPORT,
            )
            through.objects.bulk_create(
                [
                    through(customer_id=c.pk, tag_id=tags[t].pk)
                    for c, row_tags in self.updates
                    for t in dict.fromkeys(row_tags)
                ],
                ignore_conflicts=True,
            )
        if named:
            services.rename_in_contacts(named)


def checked(cleaner: bulk.CustomerCleaner, rows: list[Row]) -> list[tuple[Row, dict | None]]:
    """Each row with its cleaned values when every check passes, else with None (the batch
    then runs the full check and reports why). Reads nothing from the database."""
    return [
        (row, None if row.errors or _tag_error(row.tags) else cleaner.quick(row.data))
        for row in rows
    ]


def _tag_error(names: list[str]) -> str:
    limit = services.Tag._meta.get_field("name").max_length
    if any(len(n) > limit for n in names):
        return _("A tag has at most %(n)d characters.") % {"n": limit}
    return ""


def process(
    job: ImportJob,
    *,
    dry_run: bool = False,
    resume: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[ImportJob], None] | None = None,
) -> ImportJob:
    """Validate (dry run) or import the job's file from ``job.next_row`` on, batch by batch.

    Without ``resume`` the job starts from the first row with fresh counts and report.
    Each batch is one transaction that also moves the job's counters and position, so a stopped
    job resumes where it left off and a row is never half-written. File-level problems raise
    ImportFileError; a database error stops the job (status failed) with the batch rolled back.
    """
    user = job.created_by
    owner = job.owner or user
    services.check_can_create_for(user, owner)
    table = getattr(job, "_table", None) or read_table(job.file_path)
    mapping = check_mapping(job.mapping, table.headers)
    columns = [(table.headers.index(h), t) for h, t in mapping.items() if t not in REFERENCES]
    headers_by_target: dict[str, str] = {}
    for header, target in mapping.items():
        headers_by_target.setdefault(target, header)  # notes from two columns: the first named
    indexes = {t: table.headers.index(h) for h, t in mapping.items() if t in REFERENCES}
    if job.on_duplicate == OnDuplicate.CREATE:
        indexes.pop("id", None)  # every row a new customer: nothing to match
    references = (
        _References(table, indexes, _Owners(user, owner) if "owner" in indexes else None)
        if indexes
        else None
    )
    if dry_run or not resume:
        job.next_row = 0
        job.imported = job.updated = job.skipped = job.failed = 0
        job.report_offset = 0
        # The report's language, whoever runs it (the worker, a dry run of the API, the
        # command): the rows to fix are written in it too.
        job.language = translation.get_language() or ""
    job.total_rows = len(table.rows)
    job.report_path = str(report_path_for(job.file_path))
    job.status = ImportJob.Status.RUNNING
    job.error = ""
    job.save()
    report = Report(Path(job.report_path), job.report_offset)
    try:
        with custom_fields_cached() as definitions:
            batch_args = {
                "cleaner": bulk.CustomerCleaner(user, owner, definitions),
                "report": report,
                "headers_by_target": headers_by_target,
                "seen": {},
                "creating": set(),
                "references": references,
                "matched": {},
                "totals": totals_rows(table, table.headers.index(headers_by_target["name"])),
            }
            _run_batches(
                job,
                table,
                columns,
                batch_args,
                dry_run=dry_run,
                batch_size=batch_size,
                progress=progress,
            )
    finally:
        report.close()
    job.status = ImportJob.Status.CHECKED if dry_run else ImportJob.Status.DONE
    job.finished_at = timezone.now()
    job.save()
    return job


#: From this many rows on, a second process converts and checks the batches
#: (``import_checker``) while this one matches and writes them, and on PostgreSQL two
#: connections write (``import_writers``). The process's start (~0.7 s) is not paid back
#: below: at 5,000 rows the import took 0.8 s with it, 0.67 s without; even at 10,000; 2.5
#: against 2.7 s at 20,000; 13 against 16 s at 100,000 (SQLite, 2 cores).
PROCESS_MIN_ROWS = 15_000


def _run_batches(job, table, columns, batch_args: dict, *, dry_run, batch_size, progress) -> None:
    """Each batch in its own transaction together with the job's counters and position."""
    report = batch_args["report"]
    cleaner = batch_args["cleaner"]

    fail = partial(stop_failed, job, report)

    def write(begin: int, checked_rows: Callable[[], list]) -> None:
        before = job.report_offset
        try:
            # Before the transaction (SQLite's write lock is taken at its start), but inside
            # the try: a batch whose check fails, or whose checking process died, stops the
            # job as a failed write does.
            rows = checked_rows()
            with transaction.atomic():
                outcome = _Batch(job, **batch_args).run(rows, write=not dry_run)
                job.next_row = begin + len(rows)
                for counter in import_writers.COUNTERS:
                    setattr(job, counter, getattr(job, counter) + getattr(outcome, counter))
                job.report_offset = report.offset()
                job.save(update_fields=["next_row", *import_writers.COUNTERS, "report_offset"])
        except Exception as exc:
            fail(before, exc)
            raise
        if progress:
            progress(job)

    def write_aside(begin: int, checked_rows: Callable[[], list]) -> None:
        """Match the batch here, write it on a writer's connection."""
        before = report.offset()
        try:
            rows = checked_rows()
            batch = _Batch(job, **batch_args)
            batch.run(rows, write=False)
        except Exception as exc:
            writers.drain()  # what is in flight commits first
            fail(before, exc)
            raise
        if batch.new_tags():
            # Created in the batch's transaction, alone: one in flight that created the same
            # tag first would hold this one, and it would hold that one's commit.
            writers.drain()
        writers.submit(batch, begin, begin + len(rows), before, report.offset())

    def check_here(begin: int) -> list:
        return checked_batch(table, columns, cleaner, begin, batch_size)

    begins = range(job.next_row, len(table.rows), batch_size)
    checker = writers = None
    # Not inside the caller's transaction (the tests'): a process per import is not worth it,
    # and other connections could not see what it holds.
    if len(table.rows) - job.next_row >= PROCESS_MIN_ROWS and not connection.in_atomic_block:
        checker = import_checker.start(table, columns, cleaner, begins, batch_size, check_here)
        if connection.vendor == "postgresql" and not dry_run:
            writers = import_writers.Writers(job, fail, progress)
    try:
        with collector_spared():
            for position, begin in enumerate(begins):
                checked_rows = (
                    partial(checker.checked, position) if checker else partial(check_here, begin)
                )
                with collector_paused():
                    (write_aside if writers else write)(begin, checked_rows)
            if writers:
                writers.drain()
    finally:
        if writers:
            writers.close()
        if checker:
            checker.close()


def stop_failed(job, report: Report, before: int, exc: BaseException) -> None:
    """The import ``job`` stopped on ``exc``: failed, its report cut back to ``before`` (the
    end of the last batch that committed), its counters and position as that batch left them.
    (Customers', contacts' and orders' imports alike.)"""
    report.rollback(before)
    job.refresh_from_db()
    job.status = ImportJob.Status.FAILED
    job.error = str(exc)[:2000] or exc.__class__.__name__
    job.finished_at = timezone.now()
    job.save()


@contextmanager
def collector_spared():
    """What is alive now (above all the file's table, millions of strings) out of the
    collector's full passes until the end: 1.3 s of them between the batches of a
    100,000-row import, 0.4 s spared. Unless something is frozen already (a server that froze
    what it loaded at start): that is left as it is."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def checked_batch(table, columns, cleaner, begin: int, batch_size: int):
    """The batch of rows from index ``begin``: converted and ``checked``."""
    cells = table.rows[begin : begin + batch_size]
    return checked_rows(cells, table.numbers_of(begin, len(cells)), columns, cleaner)


def checked_rows(cells: list, numbers, columns, cleaner) -> list[tuple[Row, dict | None]]:
    """Rows of cells, the file's rows ``numbers``: converted and ``checked``."""
    return checked(
        cleaner, [convert(n, row, columns) for n, row in zip(numbers, cells, strict=True)]
    )


def pack(rows: list[tuple[Row, dict | None]]) -> list[tuple]:
    """``checked`` rows as plain tuples (what the checking process sends back: quicker to
    pickle than dataclasses); ``unpack`` makes them rows again."""
    return [(row.data, row.tags, row.raw, row.errors, values) for row, values in rows]


def unpack(numbers, packed: list[tuple]) -> list[tuple[Row, dict | None]]:
    """``pack``'s rows, the file's rows ``numbers``."""
    return [
        (Row(n, data, tags, raw, errors), values)
        for n, (data, tags, raw, errors, values) in zip(numbers, packed, strict=True)
    ]


def read_table(path: str | Path, *, no_rows: str = "") -> Table:
    """A customers' (or contacts') file as ``import_tables.read_table`` reads it, its header the
    row that names the most customer fields."""
    return import_tables.read_table(path, names=fields_named, no_rows=no_rows)


def new_job(
    user,
    file_path: str | Path,
    *,
    file_name: str = "",
    mapping: dict | None = None,
    owner=None,
    on_duplicate: str = OnDuplicate.SKIP,
) -> ImportJob:
    """An import job for a file already on disk; the mapping defaults to the auto-matched one."""
    if not user.can_write:
        raise PermissionDenied(_("Your role is read-only."))
    table = read_table(file_path)
    if mapping is None:
        mapping = auto_mapping(table.headers)
    job = ImportJob.objects.create(
        created_by=user,
        owner=owner,
        file_path=str(file_path),
        file_name=file_name or Path(file_path).name,
        mapping=mapping,
        on_duplicate=on_duplicate,
        total_rows=len(table.rows),
    )
    job._table = table  # process() in the same process (the command) need not read it again
    return job


def jobs_for(user, kind: str = "customers"):
    """The import jobs of one kind a user may follow: their own (an admin: everyone's)."""
    jobs = ImportJob.objects.filter(kind=kind).select_related("created_by", "owner")
    if user.is_superuser or user.role == "admin":
        return jobs
    return jobs.filter(created_by=user)


MAX_UPLOAD_BYTES = 50 * 1024 * 1024


ALLOWED_SUFFIXES = {".csv", ".txt", *XLSX_SUFFIXES}


def save_upload(user, upload, *, open_job: Callable[..., ImportJob] | None = None) -> ImportJob:
    """Keep an uploaded file under the data directory and open a job for it with
    ``open_job(user, path, file_name=…)`` (default: a customer import, ``new_job``);
    ValidationError (on "file") when it is missing, too big, of another type or unreadable."""
    if not user.can_write:
        raise PermissionDenied(_("Your role is read-only."))
    if upload is None:
        raise ValidationError({"file": _("Choose a file.")})
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ValidationError({"file": _("Upload a CSV or Excel (.xlsx) file.")})
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(mb)d MB; split it or use `guanxi import`.")
                % {"mb": MAX_UPLOAD_BYTES // 2**20}
            }
        )
    folder = Path(settings.DATA_DIR) / "imports" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    path = folder / (get_valid_filename(Path(upload.name).stem) + suffix)
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        return (open_job or new_job)(user, path, file_name=upload.name)
    except ImportFileError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise ValidationError({"file": str(exc)}) from None


def configure(user, job: ImportJob, mapping: dict, owner, on_duplicate: str) -> ImportJob:
    """Set a job's mapping, owner and duplicate rule after checking them (ValidationError)."""
    owner = owner or user
    if on_duplicate not in OnDuplicate.values:
        raise ValidationError({"on_duplicate": _("Choose skip, update or create.")})
    services.check_can_create_for(user, owner)
    try:
        # The table new_job read, in the same request: a large upload is not read twice.
        table = getattr(job, "_table", None) or read_table(job.file_path)
        mapping = check_mapping(mapping, table.headers)
    except ImportFileError as exc:
        raise ValidationError({"mapping": str(exc)}) from None
    job.mapping, job.owner, job.on_duplicate = mapping, owner, on_duplicate
    job.save(update_fields=["mapping", "owner", "on_duplicate"])
    return job
