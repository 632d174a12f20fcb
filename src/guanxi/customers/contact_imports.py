"""Import contacts (the people at a company customer) from CSV and XLSX.

The same machinery as the customer import (``imports``): the file reading, the automatic
mapping from Chinese or English headers, the ImportJob (kind "contacts") with its counters,
atomic resumable batches, the dry run and the error report (row, column, value, reason).
Each row names its customer by customer id, by the customer's phone, or by the customer's name
(+ employer for a person); the customer must be one the importing user may change.

A contact is the same person as another of the same customer when their names are the same
(spaces, width and case aside: "王 伟" is 王伟, "Anna Li" is "anna li"), whatever their phones:
people at one company often share its office phone, so two names with one phone are two
contacts, and a name with a new phone is that contact with a new number. The rule is one for a
contact the customer already has and for an earlier row of the file (``contact_key``).

A contact already on that customer is skipped, updated or created again as the job says (an
update that would change nothing is skipped, as the customer import skips one: no write, no
history row). A row repeating an earlier row of the file is taken as the customer import takes
one: a repeat of a row that matched an existing contact is that contact too (skipped as it
was, or under "update" applied after it); a repeat of a row that adds a contact is skipped
under "skip" (its report line naming that row: nothing to fix), added as another contact
under "create" (with a note naming that row) and stays an error under "update" (which row's
values the contact should have is the user's to say). A contact the file makes primary
becomes the customer's one primary contact (the one it had is demoted); a later row of the
file making another primary for the same customer is imported as an ordinary contact, its
report line saying so (the row counts as imported or updated: nothing to fix).
"""

import unicodedata
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from guanxi.core.phones import normalize_phone
from guanxi.customers import (
    history_reasons,
    import_mapping,
    import_reports,
    import_rows,
    import_tables,
    imports,
)
from guanxi.customers.models import Contact, Customer
from guanxi.customers.models_import import ImportJob, OnDuplicate
from guanxi.customers.search import contact_search_text

KIND = "contacts"
ALIASES = {
    "name": "联系人 联系人姓名 姓名 名字 contact contactname name fullname",
    "title": "职务 职位 头衔 title position jobtitle",
    "phone": "手机 手机号 电话 联系电话 联系人电话 phone mobile tel",
    "email": "邮箱 电子邮箱 email mail",
    "wechat_id": "微信 微信号 wechat wechatid",
    "is_primary": "主要联系人 主联系人 首要联系人 是否主要联系人 primary isprimary primarycontact main",
    "notes": "备注 说明 notes note remark",
    "customer_id": "客户编号 客户id 客户ID customerid customer_id customerno",
    "customer_phone": "客户手机 客户电话 客户联系电话 customerphone",
    "customer_name": "客户 客户名称 客户姓名 公司 公司名称 单位 customer customername company",
    "customer_company": "客户单位 客户雇主 customeremployer customercompany",
}
CONTACT_FIELDS = ("name", "title", "phone", "email", "wechat_id", "is_primary", "notes")
CUSTOMER_KEYS = ("customer_id", "customer_phone", "customer_name")
_TRUE = {"1", "y", "yes", "true", "是", "主要", "√"}
_FALSE = {"0", "n", "no", "false", "否", ""}


def not_primary_message(row: int) -> str:
    """The report's note on a row imported as an ordinary contact because an earlier row of
    the file is its customer's primary contact (a note, not an error: the row is imported)."""
    return _(
        "Imported, but not as the primary contact: row %(row)d of this file is already this "
        "customer's primary contact."
    ) % {"row": row}


def repeat_skipped_message(row: int) -> str:
    """The report's reason for a row skipped under "skip" as a repeat of an earlier row of the
    file that adds the contact (a skip, not an error: nothing to fix)."""
    return _("Same contact as row %(row)d of this file; skipped.") % {"row": row}


def repeat_added_message(row: int) -> str:
    """The report's note on a row added under "create" as another contact, though an earlier
    row of the file names the same one (a note: the row is imported)."""
    return _("Same contact as row %(row)d of this file; added as another contact.") % {"row": row}


def repeat_failed_message(row: int) -> str:
    """The report's reason for a row failed under "update" as a repeat of an earlier row of
    the file that adds the contact: which row's values it should have is the user's to say."""
    return _("Same contact as row %(row)d of this file.") % {"row": row}


def contact_key(customer_id: int, name: str) -> tuple[int, str]:
    """What makes a contact the same person as another: its customer and its name, spaces,
    width and case aside (its phone does not: colleagues share an office phone)."""
    return customer_id, "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def field_label(target: str) -> str:
    labels = {
        # a person's name (姓名), where the model's verbose name is a company's (名称)
        "name": pgettext_lazy("contact", "name"),
        "customer_id": _("customer ID"),
        "customer_phone": _("customer's phone"),
        "customer_name": _("customer's name"),
        "customer_company": _("customer's employer"),
    }
    if target in labels:
        return str(labels[target])
    return str(Contact._meta.get_field(target).verbose_name)


def target_choices() -> list[tuple[str, str]]:
    return [(t, field_label(t)) for t in ALIASES]


#: The duplicate rule's choices as a contacts import words them (OnDuplicate's labels speak
#: of customers): a row matching a contact the customer already has.
ON_DUPLICATE_CHOICES = [
    (OnDuplicate.SKIP.value, gettext_lazy("Skip the row: keep the existing contact")),
    (OnDuplicate.UPDATE.value, gettext_lazy("Update the existing contact")),
    (OnDuplicate.CREATE.value, gettext_lazy("Add another contact")),
]


def auto_mapping(headers: list[str]) -> dict[str, str]:
    """{header: target} for the recognised headers; each target once, first column wins."""
    index: dict[str, str] = {}
    for target, words in ALIASES.items():
        for word in words.split():
            index.setdefault(import_mapping.header_key(word), target)
    mapping: dict[str, str] = {}
    for header in headers:
        target = index.get(import_mapping.header_key(header))
        if target and target not in mapping.values():
            mapping[header] = target
    return mapping


def check_mapping(mapping: dict[str, str], headers: list[str]) -> dict[str, str]:
    """The mapping restricted to this file and known targets; ImportFileError without a name
    column, without a column naming the customer, or with a field mapped twice."""
    cleaned = {h: t for h, t in mapping.items() if h in headers and t in ALIASES}
    targets = list(cleaned.values())
    doubles = sorted({t for t in targets if targets.count(t) > 1})
    if doubles:
        raise import_tables.ImportFileError(
            _("Each field can take only one column; mapped twice: %(fields)s.")
            % {"fields": ", ".join(field_label(t) for t in doubles)}
        )
    if "name" not in targets:
        raise import_tables.ImportFileError(_("No column is mapped to the name; it is required."))
    if not any(t in targets for t in CUSTOMER_KEYS):
        raise import_tables.ImportFileError(
            _("Map a column to the customer ID, the customer's phone or the customer's name.")
        )
    return cleaned


def new_job(
    user, file_path, *, file_name: str = "", mapping=None, on_duplicate=OnDuplicate.SKIP
) -> ImportJob:
    """A contacts import job for a file on disk; the mapping defaults to the automatic one."""
    if not user.can_write:
        raise PermissionDenied(_("Your role is read-only."))
    table = imports.read_table(file_path, no_rows=_("The file has a header row but no contacts."))
    job = ImportJob.objects.create(
        kind=KIND,
        created_by=user,
        file_path=str(file_path),
        file_name=file_name or Path(file_path).name,
        mapping=auto_mapping(table.headers) if mapping is None else mapping,
        on_duplicate=on_duplicate,
        total_rows=len(table.rows),
    )
    job._table = table
    return job


def configure(user, job: ImportJob, mapping: dict, on_duplicate: str) -> ImportJob:
    """Set a contacts job's mapping and duplicate rule after checking them (ValidationError)."""
    if not user.can_write:
        raise PermissionDenied(_("Your role is read-only."))
    if on_duplicate not in OnDuplicate.values:
        raise ValidationError({"on_duplicate": _("Choose skip, update or create.")})
    try:
        table = getattr(job, "_table", None) or imports.read_table(job.file_path)  # read once
        mapping = check_mapping(mapping, table.headers)
    except import_tables.ImportFileError as exc:
        raise ValidationError({"mapping": str(exc)}) from None
    job.mapping, job.on_duplicate = mapping, on_duplicate
    job.save(update_fields=["mapping", "on_duplicate"])
    return job


class _Row:
    def __init__(self, number: int, cells: list, columns):
        self.number = number
        self.raw = {target: import_tables.cell_text(cells[index]) for index, target in columns}
        self.errors: dict[str, list[str]] = {}
        for target, text in self.raw.items():
            if import_tables.NUL in text:  # refused as the customer import refuses it
                self.errors[target] = [import_rows.nul_message()]


def _build_search_texts(contacts: list[Contact]) -> None:
    """Each contact's search text with its customer's name (``search.contact_search_text``),
    the names read once per chunk of customers: the bulk writes bypass save(), which builds it."""
    names: dict[int, str] = {}
    for chunk in imports.bulk.chunks(sorted({c.customer_id for c in contacts}), imports.IN_CHUNK):
        names.update(Customer.objects.filter(pk__in=chunk).values_list("pk", "name"))
    for contact in contacts:
        values = {f: getattr(contact, f) for f in Contact.SEARCHED_FIELDS}
        contact.search_text = contact_search_text(values, names.get(contact.customer_id, ""))


def _changes_nothing(found: Contact, candidate: Contact, row: _Row) -> bool:
    """Whether updating ``found`` with the fields the row has (``candidate``, cleaned) would
    change nothing."""
    return all(getattr(candidate, f) == getattr(found, f) for f in CONTACT_FIELDS if f in row.raw)


class _Batch:
    def __init__(
        self,
        job: ImportJob,
        report,
        headers_by_target: dict,
        seen: dict,
        primaries: dict,
        adding: set[int],
    ):
        self.job, self.user, self.report = job, job.created_by, report
        self.headers_by_target = headers_by_target
        # Over the whole file: ``contact_key`` → the first row of the file that had it...
        self.seen = seen
        # ... the numbers of the rows that add a contact (not those matching one) ...
        self.adding = adding
        # ... and customer → (the row making its primary contact, that contact: ("pk", id) of
        # an existing one, ("row", number) of one the file adds).
        self.primaries = primaries
        self.creates: list[Contact] = []
        self.updates: list[Contact] = []
        self.promoted: dict[int, int | None] = {}  # customer → its new primary (None: created)
        self.outcome = import_reports.Outcome()

    def fail(self, row: _Row, errors: dict) -> None:
        """Count the row failed and report each of its bad cells, in the file's column order
        (a reason about the row as a whole first)."""
        self.outcome.failed += 1
        columns = list(self.headers_by_target)
        for key in sorted(errors, key=lambda k: columns.index(k) if k in columns else -1):
            messages = errors[key]
            header = self.headers_by_target.get(key, "")
            self.report.add(row.number, header, row.raw.get(key, ""), " ".join(messages))

    def _customers(self, rows: list[_Row]) -> dict[tuple, list[int]]:
        """(key field, value) → ids of the customers the user may change, one query per key."""
        ids, phones, names = set(), set(), set()
        for row in rows:
            if row.errors:  # a NUL: failed by run, never in a query
                continue
            if row.raw.get("customer_id", "").isdigit():
                ids.add(int(row.raw["customer_id"]))
            if row.raw.get("customer_phone"):
                try:
                    phones.add(normalize_phone(row.raw["customer_phone"]))
                except ValidationError as exc:
                    row.errors["customer_phone"] = exc.messages
            if row.raw.get("customer_name"):
                names.add(row.raw["customer_name"])
        editable = Customer.objects.editable_by(self.user)
        found: dict[tuple, list[int]] = {}
        fields = ("id", "phone", "name", "company_name")
        for field_name, values in (("pk", ids), ("phone", phones), ("name", names)):
            for chunk in imports.bulk.chunks(sorted(values), imports.IN_CHUNK):
                for c in editable.filter(**{f"{field_name}__in": chunk}).values(*fields):
                    if field_name == "pk":
                        found.setdefault(("id", c["id"]), []).append(c["id"])
                    elif field_name == "phone":
                        found.setdefault(("phone", c["phone"]), []).append(c["id"])
                    else:
                        found.setdefault(("name", c["name"], ""), []).append(c["id"])
                        found.setdefault(("name", c["name"], c["company_name"]), []).append(c["id"])
        return found

    def _customer_of(self, row: _Row, found) -> int | None:
        raw = row.raw
        if raw.get("customer_id"):
            key, target = (
                ("id", int(raw["customer_id"]) if raw["customer_id"].isdigit() else 0),
                "customer_id",
            )
        elif raw.get("customer_phone"):
            key, target = ("phone", normalize_phone(raw["customer_phone"])), "customer_phone"
        elif raw.get("customer_name"):
            key = ("name", raw["customer_name"], raw.get("customer_company", ""))
            target = "customer_name"
        else:
            self.fail(row, {"__all__": [_("The row names no customer.")]})
            return None
        matches = found.get(key, [])
        if not matches:
            self.fail(row, {target: [_("No customer you may change matches.")]})
            return None
        if len(set(matches)) > 1:
            self.fail(
                row,
                {
                    target: [
                        _("Matches %(n)d customers; name it by its ID.") % {"n": len(set(matches))}
                    ]
                },
            )
            return None
        return matches[0]

    def _contact(self, row: _Row, customer_id: int) -> Contact | None:
        """The row's contact, checked as the card's form checks one; None when the row fails,
        every bad cell of it reported (a line per column), not only the first found."""
        data = {f: row.raw[f] for f in CONTACT_FIELDS if f in row.raw and f != "is_primary"}
        errors: dict[str, list[str]] = {}
        flag = row.raw.get("is_primary", "").lower()
        if flag not in _TRUE and flag not in _FALSE:
            errors["is_primary"] = [_("Write yes or no.")]
        contact = Contact(customer_id=customer_id, is_primary=flag in _TRUE, **data)
        try:
            contact.full_clean(exclude=["customer"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            self.fail(row, errors)
            return None
        return contact

    def run(self, rows: list[_Row], *, write: bool) -> import_reports.Outcome:
        """Check the rows, match each with its customer's contacts and the file's earlier rows
        (``contact_key``: the same name at the same customer), and queue what they write.

        A row repeating an earlier row of the file (``self.seen``) that matched an existing
        contact is a match of that contact too: skipped as it was, or under "update" applied
        after it (one write; a repeat agreeing with it changes nothing and is skipped). A
        repeat of a row that adds a contact (``self.adding``) is skipped under "skip", added as
        another contact with a note under "create", and an error under "update", as the
        customer import takes one (``imports._Batch.run``)."""
        found = self._customers(rows)
        ready: list[tuple[_Row, Contact, tuple, int]] = []  # … and the file's first row of it
        for row in rows:
            if row.errors:
                self.fail(row, row.errors)
                continue
            customer_id = self._customer_of(row, found)
            if customer_id is None:
                continue
            contact = self._contact(row, customer_id)
            if contact is None:
                continue
            key = contact_key(customer_id, contact.name)
            ready.append((row, contact, key, self.seen.setdefault(key, row.number)))
        on_duplicate = self.job.on_duplicate
        existing = {} if on_duplicate == OnDuplicate.CREATE else self._existing(ready)
        queued: set[int] = set()  # the existing contacts in self.updates, by id
        for row, contact, key, first in ready:
            repeat = first != row.number
            if repeat and first in self.adding and on_duplicate == OnDuplicate.SKIP:
                self._skip_repeat(row, first)
                continue
            if repeat and first in self.adding and on_duplicate == OnDuplicate.UPDATE:
                self.fail(row, {"name": [repeat_failed_message(first)]})
                continue
            match = existing.get(key)
            if match is not None and on_duplicate == OnDuplicate.SKIP:
                self.outcome.skipped += 1
                self._report_name(row, _("Already a contact of this customer; skipped."))
                continue
            # The contact created, or the existing one updated: one primary a customer, the
            # file's first (a repeat updating the same contact keeps it so).
            same = ("row", row.number) if match is None else ("pk", match.pk)
            earlier = self.primaries.get(contact.customer_id)
            demoted_by = 0
            if contact.is_primary and earlier is not None and earlier[1] != same:
                contact.is_primary = False  # the person is still a contact
                demoted_by = earlier[0]
            elif contact.is_primary and earlier is None:
                self.primaries[contact.customer_id] = (row.number, same)
            if match is None:
                self.creates.append(contact)
                self.adding.add(row.number)
                self.outcome.imported += 1
                if contact.is_primary:
                    self.promoted[contact.customer_id] = None
                if repeat:  # under "create", as the user chose
                    self._report_name(row, repeat_added_message(first))
            elif _changes_nothing(match, contact, row):
                # As the customer import: an exported list comes back mostly as it went, and
                # a row that would change nothing is skipped (no write, no history row).
                self.outcome.skipped += 1
                continue
            else:
                for f in CONTACT_FIELDS:
                    if f in row.raw:
                        setattr(match, f, getattr(contact, f))
                if match.pk not in queued:  # a repeat's changes go in the same write
                    queued.add(match.pk)
                    self.updates.append(match)
                self.outcome.updated += 1
                if match.is_primary:
                    self.promoted[match.customer_id] = match.pk
            if demoted_by:
                self.report.add(
                    row.number,
                    self.headers_by_target.get("is_primary", ""),
                    row.raw.get("is_primary", ""),
                    not_primary_message(demoted_by),
                )
        if write:
            self._write()
        return self.outcome

    def _report_name(self, row: _Row, reason: str) -> None:
        """A report line on the row's name (a skip or a note: not counted failed here)."""
        header = self.headers_by_target.get("name", "")
        self.report.add(row.number, header, row.raw.get("name", ""), reason)

    def _skip_repeat(self, row: _Row, first: int) -> None:
        """Skip a row naming the contact an earlier row of the file (``first``) adds."""
        self.outcome.skipped += 1
        self._report_name(row, repeat_skipped_message(first))

    def _existing(self, ready: list[tuple[_Row, Contact, tuple, int]]) -> dict[tuple, Contact]:
        """The contacts the customers of the rows have, by ``contact_key`` (of namesakes
        already there, the oldest)."""
        if not ready:
            return {}
        found: dict[tuple, Contact] = {}
        customer_ids = sorted({c.customer_id for _r, c, _k, _f in ready})
        for chunk in imports.bulk.chunks(customer_ids, imports.IN_CHUNK):
            for contact in Contact.objects.filter(customer_id__in=chunk).order_by("id"):
                found.setdefault(contact_key(contact.customer_id, contact.name), contact)
        return found

    def _demoted(self) -> list[Contact]:
        """The primary contacts of the customers this batch gives a new one, demoted: one
        primary a customer, the file's."""
        demoted = []
        customer_ids = sorted(self.promoted)
        for chunk in imports.bulk.chunks(customer_ids, imports.IN_CHUNK):
            for contact in Contact.objects.filter(customer_id__in=chunk, is_primary=True):
                if contact.pk != self.promoted[contact.customer_id]:
                    contact.is_primary = False
                    demoted.append(contact)
        return demoted

    def _write(self) -> None:
        _build_search_texts([*self.updates, *self.creates])  # bulk writes bypass save()
        # the old primary contacts first: the database keeps one a customer at every write
        demoted = self._demoted()
        if demoted:
            now = timezone.now()
            for contact in demoted:
                contact.updated_at = now
            bulk_update_with_history(
                demoted,
                Contact,
                ["is_primary", "updated_at"],
                batch_size=imports.BATCH_SIZE,
                default_user=self.user,
                default_change_reason=history_reasons.ONE_PRIMARY,
            )
        if self.updates:
            now = timezone.now()
            for contact in self.updates:
                contact.updated_at = now
            bulk_update_with_history(
                self.updates,
                Contact,
                [*CONTACT_FIELDS, "search_text", "updated_at"],
                batch_size=imports.BATCH_SIZE,
                default_user=self.user,
                default_change_reason=history_reasons.IMPORT,
            )
        if self.creates:
            bulk_create_with_history(
                self.creates,
                Contact,
                batch_size=imports.BATCH_SIZE,
                default_user=self.user,
                default_change_reason=history_reasons.IMPORT,
            )


def process(
    job: ImportJob,
    *,
    dry_run: bool = False,
    resume: bool = False,
    batch_size: int = imports.BATCH_SIZE,
    progress: Callable[[ImportJob], None] | None = None,
) -> ImportJob:
    """Check (dry run) or import the job's contacts from ``job.next_row`` on, batch by batch,
    each batch one transaction with the job's counters, as ``imports.process`` does."""
    if not job.created_by.can_write:
        raise PermissionDenied(_("Your role is read-only."))
    table = getattr(job, "_table", None) or imports.read_table(
        job.file_path, no_rows=_("The file has a header row but no contacts.")
    )
    mapping = check_mapping(job.mapping, table.headers)
    columns = [(table.headers.index(h), t) for h, t in mapping.items()]
    headers_by_target = {t: h for h, t in mapping.items()}
    if dry_run or not resume:
        job.next_row = 0
        job.imported = job.updated = job.skipped = job.failed = 0
        job.report_offset = 0
        job.language = translation.get_language() or ""  # the report's, as imports.process
    job.total_rows = len(table.rows)
    job.report_path = str(import_reports.report_path_for(job.file_path))
    job.status = ImportJob.Status.RUNNING
    job.error = ""
    job.save()
    report = import_reports.Report(Path(job.report_path), job.report_offset)
    seen: dict[tuple, int] = {}
    adding: set[int] = set()
    primaries: dict[int, tuple[int, tuple]] = {}
    try:
        for begin in range(job.next_row, len(table.rows), batch_size):
            chunk = table.rows[begin : begin + batch_size]
            numbers = table.numbers_of(begin, len(chunk))
            rows = [_Row(n, cells, columns) for n, cells in zip(numbers, chunk, strict=True)]
            before = job.report_offset
            try:
                with transaction.atomic():
                    batch = _Batch(job, report, headers_by_target, seen, primaries, adding)
                    outcome = batch.run(rows, write=not dry_run)
                    job.next_row = begin + len(chunk)
                    job.imported += outcome.imported
                    job.updated += outcome.updated
                    job.skipped += outcome.skipped
                    job.failed += outcome.failed
                    job.report_offset = report.offset()
                    job.save()
            except Exception as exc:
                imports.stop_failed(job, report, before, exc)
                raise
            if progress:
                progress(job)
    finally:
        report.close()
    job.status = ImportJob.Status.CHECKED if dry_run else ImportJob.Status.DONE
    job.finished_at = timezone.now()
    job.save()
    return job
