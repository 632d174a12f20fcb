"""API routes of duplicates and merge: the candidate pairs, a new scan, "not a duplicate", merge
and undo.
Thin: shape in, call customers.duplicates / customers.merge, shape out."""

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict, Field

from guanxi.accounts.schemas import UserRef
from guanxi.core.api_errors import error_responses
from guanxi.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, keyset_page
from guanxi.customers import duplicates, merge
from guanxi.customers.masking import masked_contact_phone, masked_value
from guanxi.customers.merge_display import pair_detail
from guanxi.customers.models_merge import DuplicateReason
from guanxi.customers.services import StaleVersion

router = Router(tags=["duplicates and merge"])

READ_ERRORS = error_responses(401, 404, 422)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422)

Reason = Literal[tuple(DuplicateReason.values)]
Side = Literal["survivor", "other", "phone_not_kept"]


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class CustomerRef(Schema):
    id: int
    name: str
    kind: str
    city: str
    owner: UserRef | None
    version: int


class PairOut(Schema):
    id: int
    customer_a: CustomerRef
    customer_b: CustomerRef
    reason: Reason
    reasons: list[Reason]
    score: float
    detail: str = Field(description="What matched (phones and ID numbers masked as for you).")
    found_at: dt.datetime


class ScanOut(Schema):
    id: int
    status: Literal["queued", "running", "done", "failed", "superseded"]
    requested_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    customers: int | None = Field(
        None, description="customers it went through (told to who sees every customer)"
    )
    pairs: int | None = Field(None, description="pairs it found (told to who sees every customer)")
    names_skipped: int | None = Field(
        None,
        description="customers left out of the name comparison: a name more than ten share in a "
        "city or at an employer (张先生), a spelling with many look-alikes, a block too large "
        "(told to who sees every customer)",
    )
    error: str = Field("", description="why it stopped, when it failed (in full to an admin)")


def _scan_out(scan, user) -> dict:
    counts = duplicates.sees_scan_counts(user) and scan.status == "done"
    error = scan.error if user.is_admin else ""
    if error == "" and scan.status == "failed":
        error = _("It stopped on an error.")
    return {
        "id": scan.pk,
        "status": scan.status,
        "requested_at": scan.requested_at,
        "started_at": scan.started_at,
        "finished_at": scan.finished_at,
        "customers": scan.customers if counts else None,
        "pairs": scan.pairs if counts else None,
        "names_skipped": scan.names_skipped if counts else None,
        "error": error,
    }


class DismissIn(_Input):
    customer_a: int
    customer_b: int


class DismissedOut(Schema):
    dismissed: bool


class MergeIn(_Input):
    survivor: int = Field(description="The customer that stays.")
    other: int = Field(
        description="The customer merged into it (then in the recycle bin): its owner, their "
        "manager or an admin may merge it (403 otherwise); the survivor must be editable."
    )
    choices: dict[str, Side] = Field(
        default_factory=dict,
        description='Which side\'s value each field keeps, e.g. {"name": "other", '
        '"custom.car": "other"}; unlisted fields keep the survivor\'s value unless it is empty. '
        '"phone_alt" may also take "phone_not_kept": the mobile ("phone") of the side whose '
        "mobile is not kept; unlisted, it does so when it would otherwise be empty or the same "
        "as the mobile kept, so that no mobile is lost.",
    )
    survivor_version: int | None = Field(None, description="Refused with 409 if it changed.")
    other_version: int | None = Field(None, description="Refused with 409 if it changed.")


class NotKeptOut(Schema):
    customer: int = Field(description="The customer the value is on.")
    field: str = Field(description='"phone", "phone_alt", "email" or "wechat_id".')
    value: str = Field(description="The value, masked as the customer's own fields are for you.")


class ContactOnceOut(Schema):
    survivor_contact: int = Field(description="The survivor's contact, kept.")
    other_contact: int = Field(
        description="The other's, the same person: its details fill "
        "the kept one's empty ones, its interactions go to it."
    )
    name: str


class ContactNotKeptOut(Schema):
    other_contact: int = Field(description="The other's contact kept once (contacts_kept_once).")
    field: str = Field(description='"title", "phone", "email", "wechat_id" or "notes".')
    value: str = Field(description="Its value, a phone masked as the other's phones are for you.")


class PreviewOut(Schema):
    survivor: int
    other: int
    changed_fields: list[str] = Field(description="The survivor's fields the merge would change.")
    not_kept: list[NotKeptOut] = Field(
        description="Phones, e-mails and WeChat IDs of either customer the merge with these "
        "choices would keep in no field of the survivor (choose them to keep them)."
    )
    contacts_kept_once: list[ContactOnceOut] = Field(
        description="Contacts of both customers that the merge keeps once, the survivor's: the "
        "same name (whitespace and case aside) and the same phone or e-mail (in any case), or "
        "neither with a phone or e-mail (and no different WeChat IDs), and not two different "
        "phones. The survivor's keeps its values and gains those it had empty (the other's "
        "notes added after its own, and its other values written in the notes: "
        '"Title: 采购经理 (#12)").'
    )
    contact_details_not_kept: list[ContactNotKeptOut] = Field(
        description="The values of those contacts of the other that differ from the ones the "
        "survivor's keeps and did not fit in its notes, so are kept nowhere (an undo of the "
        "merge puts them back)."
    )


class MovedOut(Schema):
    model: str
    count: int


class MergeOut(Schema):
    id: int
    survivor: int
    other: int
    at: dt.datetime
    by: UserRef | None
    changed_fields: list[str]
    moved: list[MovedOut]
    removed: int = Field(description="Rows the survivor already had (same tag, share…).")
    contacts_kept_once: int = Field(
        description="Contacts of the other folded into the survivor's contact of the same person "
        "(counted in removed too)."
    )
    undo_until: dt.datetime
    undone_at: dt.datetime | None


def _merge_out(record) -> dict:
    return {
        "id": record.pk,
        "survivor": record.survivor_id,
        "other": record.other_id,
        "at": record.at,
        "by": record.by,
        "changed_fields": list(record.survivor_after),
        "moved": [
            {"model": label, "count": len(ids)} for label, _field, ids, *_contacts in record.moved
        ],
        "removed": merge.rows_the_survivor_had(record),
        "contacts_kept_once": merge.contacts_kept_once(record),
        "undo_until": merge.undo_deadline(record),
        "undone_at": record.undone_at,
    }


def _conflict(message: str) -> HttpError:
    return HttpError(409, message)


@router.get("/duplicates", response={200: Page[PairOut], **READ_ERRORS})
def list_duplicates(
    request, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT, reason: Reason | None = None
):
    """Candidate duplicate pairs of which you can see both customers, best score first, from
    the last scan (nightly, or ``guanxi customers duplicates --scan``)."""
    user = request.auth
    qs = duplicates.pairs_for(user, reason=reason or "")
    rows, next_cursor = keyset_page(qs, "-score", cursor=cursor, limit=limit)
    items = [
        {
            "id": p.pk,
            "customer_a": p.customer_a,
            "customer_b": p.customer_b,
            "reason": p.reason,
            "reasons": p.reasons.split(","),
            "score": p.score,
            "detail": pair_detail(user, p),
            "found_at": p.found_at,
        }
        for p in rows
    ]
    return {"items": items, "next_cursor": next_cursor}


@router.post("/duplicates/scan", response={202: ScanOut, **WRITE_ERRORS})
def scan_duplicates(request):
    """Look for duplicates among every customer again, in the background (the nightly job
    does it too): the scan already waiting or running, if any, else a new one. Follow it with
    ``GET /customers/duplicates/scan``; when it is done, ``GET /customers/duplicates`` lists
    what it found."""
    return Status(202, _scan_out(duplicates.request_scan(request.auth), request.auth))


@router.get("/duplicates/scan", response={200: ScanOut, **READ_ERRORS})
def last_duplicate_scan(request):
    """The newest scan for duplicates (yours or anyone's: there is one list for everyone)."""
    scan = duplicates.last_scan()
    if scan is None:
        raise HttpError(404, _("No scan for duplicates yet."))
    return _scan_out(scan, request.auth)


@router.post("/duplicates/dismiss", response={200: DismissedOut, **WRITE_ERRORS})
def dismiss_duplicate(request, payload: DismissIn):
    """Mark two customers as not the same: the pair is never proposed again."""
    try:
        duplicates.dismiss_duplicate(request.auth, payload.customer_a, payload.customer_b)
    except ValidationError as exc:  # the service names the second customer "other"
        if hasattr(exc, "error_dict") and "other" in exc.error_dict:
            raise ValidationError({"customer_b": exc.error_dict["other"]}) from None
        raise
    return {"dismissed": True}


def _not_kept_out(user, lost) -> list[dict]:
    return [
        {"customer": c.pk, "field": name, "value": masked_value(user, c, name)} for c, name in lost
    ]


@router.post("/merge/preview", response={200: PreviewOut, **WRITE_ERRORS})
def preview_merge(request, payload: MergeIn):
    """What POST /customers/merge would do with the same body, done to nothing: the survivor's
    fields it would change and the contact details it would keep in no field. The same checks
    (403, 404, 422) as the merge; the versions are not checked."""
    preview = merge.preview_merge(request.auth, payload.survivor, payload.other, payload.choices)
    folds = preview.pop("contact_folds")
    once = [
        {"survivor_contact": f.mine.pk, "other_contact": f.theirs.pk, "name": f.mine.name}
        for f in folds
    ]
    other_contacts_not_kept = [
        {
            "other_contact": f.theirs.pk,
            "field": name,
            "value": masked_contact_phone(request.auth, f.theirs)
            if name == "phone"
            else getattr(f.theirs, name),
        }
        for f in folds
        for name in f.not_kept
    ]
    return {
        **preview,
        "not_kept": _not_kept_out(request.auth, preview["not_kept"]),
        "contacts_kept_once": once,
        "contact_details_not_kept": other_contacts_not_kept,
    }


@router.post("/merge", response={201: MergeOut, **WRITE_ERRORS})
def merge_customers(request, payload: MergeIn):
    """Merge ``other`` into ``survivor``: chosen values applied (validated as an edit), every
    related record moved, ``other`` to the recycle bin. 409 if either changed since the
    versions you sent; undo with POST /customers/merges/{id}/undo."""
    try:
        record = merge.merge_customers(
            request.auth,
            payload.survivor,
            payload.other,
            payload.choices,
            survivor_version=payload.survivor_version,
            other_version=payload.other_version,
            request=request,
            via="api",
        )
    except StaleVersion as exc:
        field = getattr(exc, "field", "")
        message = _("Now at version %(version)d.") % {"version": exc.current_version}
        return Status(
            409,
            {"detail": str(exc), "errors": [{"field": field, "message": message}] if field else []},
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise ValidationError(
                {
                    (f"choices.{k}" if k not in ("other", "survivor") else k): v
                    for k, v in exc.error_dict.items()
                }
            ) from None
        raise
    return Status(201, _merge_out(record))


@router.get("/merges/{int:merge_id}", response={200: MergeOut, **READ_ERRORS})
def get_merge(request, merge_id: int):
    """One merge whose surviving customer you can see."""
    return _merge_out(merge.access_merge(request.auth, merge_id))


@router.post("/merges/{int:merge_id}/undo", response={200: MergeOut, **WRITE_ERRORS})
def undo_merge(request, merge_id: int):
    """Undo a merge within the recycle-bin window; 409 with the reason when it is no longer
    safe (already undone, too old, the survivor edited since on a merged field…)."""
    try:
        record = merge.undo_merge(request.auth, merge_id, request=request, via="api")
    except merge.UndoRefused as exc:
        raise _conflict(str(exc)) from None
    return _merge_out(record)
