"""The public customer pool (客户公海): its rules, the nightly recycling, claims, releases and
assignments.

A pooled customer has no owner. It is seen (through ``Customer.objects.visible_to``) by the
reps of the pool's team and its sub-teams, or by everyone when the pool is company-wide.

Recycling reads two facts kept on the customer — ``last_followup_at`` and ``last_won_at`` —
which the higher apps push down as they happen (``record_followup`` from interactions,
``record_win`` from sales), so this lower app never reads their tables. Each clock starts at the
later of that event and ``owned_since`` (the day the owner got the customer), so a customer
just claimed or transferred is never recycled for something that happened under its last owner.

The owner is warned once per due date, ``warn_days`` ahead, and a customer is only recycled
once its warning is ``warn_days`` old: switching a rule on never empties a team overnight.
Every function that depends on time takes ``now``.
"""

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.accounts.models import Role, Team, TeamClosure, User
from guanxi.accounts.queries import is_manager_of
from guanxi.accounts.services import subteam_ids
from guanxi.core.notifications import notify
from guanxi.customers.cities import stored_city
from guanxi.customers.masking import digits_searched
from guanxi.customers.models import Customer, OwnershipTransfer, PoolRule
from guanxi.customers.models_pool import PoolScope
from guanxi.customers.queries import exact_match
from guanxi.customers.search import normalize_query

Kind = OwnershipTransfer.Kind

RULE_FIELDS = (
    "followup_days",
    "won_days",
    "warn_days",
    "daily_claim_cap",
    "max_owned",
    "scope",
    "active",
)

# The fields a move into or out of the pool changes, written with one history row each.
_MOVE_FIELDS = [
    "owner",
    "owned_since",
    "pooled_at",
    "pool_reason",
    "pool_team",
    "pool_warned_at",
    "pool_warned_due",
    "version",
    "updated_at",
]


class ClaimConflict(Exception):
    """Someone else claimed (or was assigned) the customer first."""


class ClaimLimit(PermissionDenied):
    """The rep reached the team's daily claim cap or most owned customers."""


class DuplicateOwned(ValidationError):
    """The rep already owns a customer with the same phone, e-mail or ID number."""


# --- facts pushed down by the higher apps ------------------------------------------------------


def record_followup(customer_id: int, at: dt.datetime) -> None:
    """Note a follow-up (an interaction) with the customer at ``at``; an older one is ignored.

    Called by interactions.services inside its transaction. A plain conditional UPDATE: no
    history row and no version bump, so it never makes someone's open edit form stale.
    """
    Customer.objects.filter(pk=customer_id).filter(
        Q(last_followup_at__isnull=True) | Q(last_followup_at__lt=at)
    ).update(last_followup_at=at)


def record_win(customer_id: int, at: dt.datetime) -> None:
    """Note an opportunity won with the customer at ``at`` (called by sales.services)."""
    Customer.objects.filter(pk=customer_id).filter(
        Q(last_won_at__isnull=True) | Q(last_won_at__lt=at)
    ).update(last_won_at=at)


def set_facts(rows: Iterable[tuple[int, dt.datetime | None, dt.datetime | None]]) -> int:
    """Backfill: set each customer's (id, last follow-up, last win), keeping later values
    already recorded, in one transaction (the caller passes batches). Returns rows changed."""
    changed = 0
    with transaction.atomic():
        for customer_id, followup, won in rows:
            if followup is not None:
                changed += (
                    Customer.objects.filter(pk=customer_id)
                    .filter(Q(last_followup_at__isnull=True) | Q(last_followup_at__lt=followup))
                    .update(last_followup_at=followup)
                )
            if won is not None:
                changed += (
                    Customer.objects.filter(pk=customer_id)
                    .filter(Q(last_won_at__isnull=True) | Q(last_won_at__lt=won))
                    .update(last_won_at=won)
                )
    return changed


def backfill_owned_since(batch: int = 5000) -> int:
    """Set ``owned_since`` from the last ownership change (or creation) of every owned
    customer; the migration started every clock at the upgrade. Returns the rows changed."""
    changed = 0
    last_pk = 0
    while True:
        chunk = list(
            Customer.objects.filter(pk__gt=last_pk, owner__isnull=False)
            .order_by("pk")
            .values_list("pk", "created_at", "owned_since")[:batch]
        )
        if not chunk:
            return changed
        last_pk = chunk[-1][0]
        moved: dict[int, dt.datetime] = {}
        for cid, at in (
            OwnershipTransfer.objects.filter(customer_id__in=[c[0] for c in chunk])
            .order_by("at")
            .values_list("customer_id", "at")
        ):
            moved[cid] = at
        with transaction.atomic():
            for cid, created, current in chunk:
                since = moved.get(cid, created)
                if since != current:
                    changed += Customer.objects.filter(pk=cid).update(owned_since=since)


# --- rules -------------------------------------------------------------------------------------


def rule_for_team(team_id: int | None) -> PoolRule | None:
    """The rule governing a team: its own active rule, else the nearest ancestor's."""
    if team_id is None:
        return None
    closure = (
        TeamClosure.objects.filter(descendant_id=team_id, ancestor__pool_rule__active=True)
        .order_by("depth")
        .values_list("ancestor_id", flat=True)
        .first()
    )
    if closure is None:
        return None
    return PoolRule.objects.select_related("team").get(team_id=closure)


def rule_for(user) -> PoolRule | None:
    return rule_for_team(getattr(user, "team_id", None))


def governed_teams() -> list[tuple[PoolRule, list[int]]]:
    """Every active rule with the teams it governs (its team and the sub-teams without an
    active rule of their own, nearest rule wins). One pass over the small team tree."""
    rules = {r.team_id: r for r in PoolRule.objects.filter(active=True).select_related("team")}
    if not rules:
        return []
    nearest: dict[int, tuple[int, int]] = {}  # team → (depth, ruling team)
    for ancestor, descendant, depth in TeamClosure.objects.filter(
        ancestor_id__in=list(rules)
    ).values_list("ancestor_id", "descendant_id", "depth"):
        if descendant not in nearest or depth < nearest[descendant][0]:
            nearest[descendant] = (depth, ancestor)
    teams: dict[int, list[int]] = defaultdict(list)
    for team_id, (_depth, ruling) in nearest.items():
        teams[ruling].append(team_id)
    return [(rules[t], sorted(ids)) for t, ids in sorted(teams.items())]


def can_configure(user, team: Team) -> bool:
    """An admin, or a manager of the team (their team or one above it)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    return (
        user.role == Role.MANAGER
        and user.team_id is not None
        and subteam_ids(user.team_id).filter(descendant_id=team.pk).exists()
    )


def configurable_teams(user) -> QuerySet[Team]:
    """The teams whose pool rule ``user`` may set."""
    if user.is_superuser or user.role == Role.ADMIN:
        return Team.objects.all()
    if user.role == Role.MANAGER and user.team_id:
        return Team.objects.filter(pk__in=subteam_ids(user.team_id))
    return Team.objects.none()


def rules_for(user) -> QuerySet[PoolRule]:
    """The rules ``user`` may read: the ones they may configure, and those governing them."""
    qs = PoolRule.objects.select_related("team", "updated_by")
    if user.is_superuser or user.role in (Role.ADMIN, Role.ANALYST):
        return qs
    mine = Q(pk__in=[])
    if user.team_id:
        mine = Q(
            team_id__in=TeamClosure.objects.filter(descendant_id=user.team_id).values("ancestor_id")
        )
        if user.role == Role.MANAGER:
            mine |= Q(team_id__in=subteam_ids(user.team_id))
    return qs.filter(mine)


def access_rule(user, rule_id) -> PoolRule:
    try:
        pk = int(rule_id)
    except (TypeError, ValueError):
        raise Http404 from None
    rule = rules_for(user).filter(pk=pk).first()
    if rule is None:
        raise Http404
    return rule


@transaction.atomic
def save_rule(user, team: Team, data: dict) -> PoolRule:
    """Create or change the pool rule of ``team`` (its manager or an admin)."""
    if not can_configure(user, team):
        raise PermissionDenied(_("Only an admin or the team's manager can set its pool rule."))
    unknown = set(data) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError({f: _("Unknown field.") for f in sorted(unknown)})
    rule = PoolRule.objects.select_for_update().filter(team=team).first() or PoolRule(team=team)
    for name, value in data.items():
        setattr(rule, name, value)
    rule.updated_by = user
    rule.full_clean(exclude=["team", "updated_by"])
    rule.save()
    return rule


@transaction.atomic
def delete_rule(user, rule_id) -> None:
    rule = access_rule(user, rule_id)
    if not can_configure(user, rule.team):
        raise PermissionDenied(_("Only an admin or the team's manager can set its pool rule."))
    rule.delete()


# --- the clock ---------------------------------------------------------------------------------


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def due_at(customer: Customer, rule: PoolRule) -> dt.datetime:
    """When ``customer`` breaches ``rule``: the earlier of its follow-up and win deadlines,
    each counted from the later of the event and the day the owner got the customer."""
    since = customer.owned_since
    followed = max(customer.last_followup_at or since, since)
    due = followed + _days(rule.followup_days)
    if rule.won_days:
        won = max(customer.last_won_at or since, since)
        due = min(due, won + _days(rule.won_days))
    return due


def breach_reason(customer: Customer, rule: PoolRule) -> str:
    """Why the customer is (or will be) recycled, in a sentence for the history and card."""
    return _breach_text(_breach(customer, rule), rule)


def _breach(customer: Customer, rule: PoolRule) -> str:
    """Which of the rule's limits the customer breaches first: "won" or "followup"."""
    since = customer.owned_since
    followed = max(customer.last_followup_at or since, since) + _days(rule.followup_days)
    if rule.won_days:
        won = max(customer.last_won_at or since, since) + _days(rule.won_days)
        if won < followed:
            return "won"
    return "followup"


def _breach_text(breach: str, rule: PoolRule) -> str:
    if breach == "won":
        return _("No won opportunity for %(days)d days") % {"days": rule.won_days}
    return _("No follow-up for %(days)d days") % {"days": rule.followup_days}


def _candidates(rule: PoolRule, team_ids: list[int], horizon: dt.datetime) -> QuerySet[Customer]:
    """Owned customers of the governed teams that breach ``rule`` by ``horizon`` (SQL side of
    ``due_at``; the exact date is computed per row)."""
    cut = horizon - _days(rule.followup_days)
    breach = Q(owned_since__lte=cut) & (
        Q(last_followup_at__isnull=True) | Q(last_followup_at__lte=cut)
    )
    if rule.won_days:
        cut_won = horizon - _days(rule.won_days)
        breach |= Q(owned_since__lte=cut_won) & (
            Q(last_won_at__isnull=True) | Q(last_won_at__lte=cut_won)
        )
    return (
        Customer.objects.alive()
        .filter(owner__isnull=False, owner__team_id__in=team_ids)
        .filter(breach)
        .order_by("pk")
    )


def _pool_team_for(rule: PoolRule | None, owner: User | None) -> Team | None:
    """Whose pool a customer of ``owner`` goes to: the rule's team (or the company-wide pool);
    without a rule, the owner's own team."""
    if rule is not None:
        return rule.team if rule.scope == PoolScope.TEAM else None
    return owner.team if owner is not None else None


# --- the nightly job ---------------------------------------------------------------------------


@dataclass
class PoolRun:
    """What one run did (or, dry, would do): (customer id, name, owner, due, reason) rows."""

    warned: list[tuple] = field(default_factory=list)
    recycled: list[tuple] = field(default_factory=list)


def recycle(now: dt.datetime | None = None, *, dry_run: bool = False, batch: int = 500) -> PoolRun:
    """Warn the owners of customers about to breach their team's rule, and move to the pool
    those whose warning has run out. Idempotent: a second run at the same ``now`` does nothing;
    safe to retry after a crash (each batch commits on its own)."""
    now = now or timezone.now()
    run = PoolRun()
    for rule, team_ids in governed_teams():
        horizon = now + _days(rule.warn_days)
        last_pk = 0
        while True:
            chunk = list(
                _candidates(rule, team_ids, horizon)
                .filter(pk__gt=last_pk)
                .select_related("owner")[:batch]
            )
            if not chunk:
                break
            last_pk = chunk[-1].pk
            warn, move = [], []
            for customer in chunk:
                due = due_at(customer, rule)
                if customer.pool_warned_due != due:
                    warn.append((customer, due))
                elif now >= max(due, customer.pool_warned_at + _days(rule.warn_days)):
                    move.append(customer)
            if dry_run:
                run.warned += [_row(c, due, rule) for c, due in warn]
                run.recycled += [_row(c, due_at(c, rule), rule) for c in move]
                continue
            if warn:
                run.warned += _warn(warn, rule, now)
            if move:
                run.recycled += _recycle(move, rule, now)
    return run


def _row(customer: Customer, due: dt.datetime, rule: PoolRule) -> tuple:
    return (customer.pk, customer.name, str(customer.owner), due, breach_reason(customer, rule))


@transaction.atomic
def _warn(items: list[tuple[Customer, dt.datetime]], rule: PoolRule, now) -> list[tuple]:
    """Stamp the warning and tell each owner once, in the same transaction (both or neither)."""
    by_owner: dict[int, list[tuple[Customer, dt.datetime]]] = defaultdict(list)
    for customer, due in items:
        customer.pool_warned_at = now
        customer.pool_warned_due = due
        by_owner[customer.owner_id].append((customer, due))
    Customer.objects.bulk_update(
        [c for c, _due in items], ["pool_warned_at", "pool_warned_due"], batch_size=500
    )
    url = reverse("customers:pool")
    for owner_id, rows in by_owner.items():
        first, due = rows[0]
        when = max(min(d for _c, d in rows), now + _days(rule.warn_days))
        names = ", ".join(c.name for c, _d in rows[:3]) + ("…" if len(rows) > 3 else "")

        def message(rows=rows, names=names, when=when, first=first) -> str:  # in their language
            return ngettext(
                "%(names)s returns to the pool on %(date)s unless followed up (%(reason)s).",
                "%(count)d customers return to the pool from %(date)s unless followed up: "
                "%(names)s.",
                len(rows),
            ) % {
                "names": names,
                "count": len(rows),
                "date": timezone.localtime(when).date().isoformat(),
                "reason": breach_reason(first, rule),
            }

        target = reverse("customers:detail", args=[first.pk]) if len(rows) == 1 else url
        notify([owner_id], actor=None, verb="pool_warning", message=message, url=target)
    return [_row(c, due, rule) for c, due in items]


@transaction.atomic
def _recycle(customers: list[Customer], rule: PoolRule, now) -> list[tuple]:
    """Move the customers to the pool, re-checked under a row lock (a follow-up logged since
    the read, or a claim, keeps them), with a history row and a transfer record each."""
    ids = [c.pk for c in customers]
    owners = {c.pk: c.owner_id for c in customers}
    locked = list(
        Customer.objects.select_for_update(of=("self",))
        .select_related("owner")
        .filter(pk__in=ids, owner__isnull=False, deleted_at__isnull=True)
    )
    moving = [
        c
        for c in locked
        if c.owner_id == owners[c.pk]
        and c.pool_warned_due == due_at(c, rule)
        and now >= max(c.pool_warned_due, c.pool_warned_at + _days(rule.warn_days))
    ]
    if not moving:
        return []
    done = [_row(c, due_at(c, rule), rule) for c in moving]
    breaches = {c.pk: _breach(c, rule) for c in moving}
    reasons = {pk: _breach_text(breach, rule) for pk, breach in breaches.items()}
    previous = {c.pk: c.owner for c in moving}
    _to_pool(
        moving, reasons, by=None, kind=Kind.RECYCLE, now=now, pool_team=_pool_team_for(rule, None)
    )
    by_owner: dict[int, list[Customer]] = defaultdict(list)
    for c in moving:
        by_owner[previous[c.pk].pk].append(c)
    url = reverse("customers:pool")
    for owner_id, rows in by_owner.items():
        names = ", ".join(c.name for c in rows[:3]) + ("…" if len(rows) > 3 else "")

        def message(rows=rows, names=names) -> str:  # in the owner's language
            return ngettext(
                "%(names)s returned to the pool: %(reason)s.",
                "%(count)d customers returned to the pool: %(names)s.",
                len(rows),
            ) % {
                "names": names,
                "count": len(rows),
                "reason": _breach_text(breaches[rows[0].pk], rule),
            }

        notify([owner_id], actor=None, verb="pool_recycled", message=message, url=url)
    return done


def _to_pool(
    customers: list[Customer],
    reasons: dict[int, str],
    *,
    by: User | None,
    kind: str,
    now: dt.datetime,
    pool_team: Team | None,
) -> None:
    transfers = []
    for c in customers:
        reason = reasons[c.pk][:200]
        transfers.append(
            OwnershipTransfer(
                customer=c,
                from_user_id=c.owner_id,
                to_user=None,
                by=by,
                reason=reason,
                kind=kind,
                at=now,
            )
        )
        c.owner = None
        c.pooled_at = now
        c.pool_reason = reason
        c.pool_team = pool_team
        c.pool_warned_at = None
        c.pool_warned_due = None
        c.version += 1
        c.updated_at = now
        c._history_date = now
        c._change_reason = reason[:100]
    # The moved rows share every new value but the reason: one UPDATE per reason rather than a
    # CASE per row (the job's worst night moves a whole team), then one history row each.
    by_reason: dict[str, list[int]] = defaultdict(list)
    for c in customers:
        by_reason[c.pool_reason].append(c.pk)
    for reason, ids in by_reason.items():
        Customer.objects.filter(pk__in=ids).update(
            owner=None,
            pooled_at=now,
            pool_reason=reason,
            pool_team=pool_team,
            pool_warned_at=None,
            pool_warned_due=None,
            version=F("version") + 1,
            updated_at=now,
        )
    Customer.history.bulk_history_create(
        customers, batch_size=500, update=True, default_user=by, default_date=now
    )
    OwnershipTransfer.objects.bulk_create(transfers, batch_size=500)


# --- claim, assign, release --------------------------------------------------------------------


def day_start(user, now: dt.datetime) -> dt.datetime:
    """The start of ``user``'s calendar day at ``now`` (their time zone, else the site's)."""
    zone = timezone.get_default_timezone()
    if getattr(user, "time_zone", ""):
        try:
            zone = zoneinfo.ZoneInfo(user.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    local = now.astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def claims_today(user, now: dt.datetime) -> int:
    start = day_start(user, now)
    return OwnershipTransfer.objects.filter(
        to_user=user, kind=Kind.CLAIM, at__gte=start, at__lt=start + _days(1)
    ).count()


def owned_count(user) -> int:
    return Customer.objects.alive().filter(owner=user).count()


def _check_caps(user, rule: PoolRule | None, now: dt.datetime, *, daily: bool) -> None:
    if rule is None:
        return
    if (
        daily
        and rule.daily_claim_cap is not None
        and claims_today(user, now) >= rule.daily_claim_cap
    ):
        raise ClaimLimit(
            _("Daily claim limit of %(cap)d reached; claim again tomorrow.")
            % {"cap": rule.daily_claim_cap}
        )
    if rule.max_owned is not None:
        owned = owned_count(user)
        if owned >= rule.max_owned:
            raise ClaimLimit(
                _(
                    "%(user)s owns %(count)d customers, the most the team allows (%(max)d); "
                    "release one first."
                )
                % {"user": user, "count": owned, "max": rule.max_owned}
            )


def owned_duplicates(user, customer: Customer) -> dict[str, list[Customer]]:
    """The user's own customers sharing this one's phone, e-mail or ID number (查重)."""
    checks: dict[str, Q] = {}
    phones = [p for p in (customer.phone, customer.phone_alt) if p]
    if phones:
        checks["phone"] = Q(phone__in=phones) | Q(phone_alt__in=phones)
    if customer.email:
        checks["email"] = Q(email=customer.email)
    if customer.id_number:
        checks["id_number"] = Q(id_number=customer.id_number)
    found: dict[str, list[Customer]] = {}
    mine = Customer.objects.alive().filter(owner=user).exclude(pk=customer.pk)
    for name, q in checks.items():
        matches = list(mine.filter(q).only("pk", "name")[:3])
        if matches:
            found[name] = matches
    return found


def _duplicate_error(found: dict[str, list[Customer]]) -> DuplicateOwned:
    return DuplicateOwned(
        {
            name: [
                _("You already own %(name)s (#%(id)d) with the same %(field)s.")
                % {"name": c.name, "id": c.pk, "field": Customer._meta.get_field(name).verbose_name}
                for c in matches
            ]
            for name, matches in found.items()
        }
    )


def _lock_pooled(user, customer_id) -> Customer:
    """The pooled customer ``user`` sees, locked; 409 if it was just taken from a pool the
    user sees, 404 for anything else (existence of other records is never revealed)."""
    try:
        pk = int(customer_id)
    except (TypeError, ValueError):
        raise Http404 from None
    customer = (
        Customer.objects.alive()
        .select_for_update(of=("self",))
        .select_related("owner")
        .filter(pk=pk)
        .first()
    )
    if customer is None:
        raise Http404
    if customer.owner_id is None:
        if not Customer.objects.visible_to(user).filter(pk=pk).exists():
            raise Http404
        return customer
    if customer.owner_id == user.pk:
        raise ClaimConflict(_("You already own %(name)s.") % {"name": customer.name})
    last = OwnershipTransfer.objects.filter(customer_id=pk).order_by("-at", "-pk").first()
    if (
        last is not None
        and last.kind in (Kind.CLAIM, Kind.ASSIGN)
        and _pool_reaches(user, customer)
    ):
        raise ClaimConflict(
            _("%(name)s is no longer in the pool: %(owner)s has it now.")
            % {"name": customer.name, "owner": customer.owner}
        )
    raise Http404


def _pool_reaches(user, customer: Customer) -> bool:
    """Whether the pool the customer last sat in is one ``user`` sees."""
    if user.is_superuser or user.role in (Role.ADMIN, Role.ANALYST):
        return True
    if customer.pool_team_id is None:
        return True
    if user.team_id is None:
        return False
    return TeamClosure.objects.filter(
        Q(descendant_id=user.team_id, ancestor_id=customer.pool_team_id)
        | Q(ancestor_id=user.team_id, descendant_id=customer.pool_team_id)
        if user.role == Role.MANAGER
        else Q(descendant_id=user.team_id, ancestor_id=customer.pool_team_id)
    ).exists()


def _take(customer: Customer, to_user: User, *, by: User, kind: str, now, reason: str = "") -> None:
    """Give a pooled customer its new owner, with a history row and a transfer record. The
    pool team stays as a note of where it came from (a late claimer gets a 409, not a 404)."""
    customer.owner = to_user
    customer.owned_since = now
    customer.pooled_at = None
    customer.pool_reason = ""
    customer.pool_warned_at = None
    customer.pool_warned_due = None
    customer.version += 1
    customer._history_user = by
    customer._history_date = now
    customer._change_reason = (reason or Kind(kind).label)[:100]
    customer.save(update_fields=_MOVE_FIELDS)
    OwnershipTransfer.objects.create(
        customer=customer,
        from_user=None,
        to_user=to_user,
        by=by,
        reason=(reason or "")[:200],
        kind=kind,
        at=now,
    )


@transaction.atomic
def claim(
    user, customer_id, *, confirm_duplicate: bool = False, now: dt.datetime | None = None
) -> Customer:
    """Take a customer from the pool: within the team's daily claim cap and most owned
    customers, refusing a likely duplicate of one's own customer unless confirmed. Two reps
    claiming at once: the row lock orders them; the second gets ClaimConflict (HTTP 409)."""
    now = now or timezone.now()
    if not user.can_write:
        raise PermissionDenied(_("Your role is read-only."))
    # Lock the claimer first: one rep's parallel claims are counted one after the other.
    User.objects.select_for_update().filter(pk=user.pk).first()
    customer = _lock_pooled(user, customer_id)
    _check_caps(user, rule_for(user), now, daily=True)
    found = owned_duplicates(user, customer)
    if found and not confirm_duplicate:
        raise _duplicate_error(found)
    _take(customer, user, by=user, kind=Kind.CLAIM, now=now)
    return customer


@transaction.atomic
def assign(
    user, customer_id, to_user: User, *, reason: str = "", now: dt.datetime | None = None
) -> Customer:
    """A manager (of the pool's team) or an admin hands a pooled customer to a rep, within the
    rep's most owned customers (the daily claim cap is for the rep's own claims)."""
    now = now or timezone.now()
    if not (user.is_superuser or user.role in (Role.ADMIN, Role.MANAGER)):
        raise PermissionDenied(_("Only a manager or an admin can assign from the pool."))
    if not to_user.is_active or to_user.role == Role.ANALYST:
        raise ValidationError({"to_user": _("The owner must be an active user who can sell.")})
    if not (
        user.is_superuser
        or user.role == Role.ADMIN
        or to_user.pk == user.pk
        or is_manager_of(user, to_user)
    ):
        raise ValidationError({"to_user": _("You can only assign customers to your team.")})
    User.objects.select_for_update().filter(pk=to_user.pk).first()
    customer = _lock_pooled(user, customer_id)
    if not Customer.objects.editable_by(user).filter(pk=customer.pk).exists():
        raise PermissionDenied(_("Only a manager of this pool's team or an admin can assign."))
    _check_caps(to_user, rule_for(to_user), now, daily=False)
    _take(customer, to_user, by=user, kind=Kind.ASSIGN, now=now, reason=reason)
    url = reverse("customers:detail", args=[customer.pk])

    def message() -> str:  # in the new owner's language
        return _("%(actor)s assigned customer %(name)s to you from the pool") % {
            "actor": user,
            "name": customer.name,
        }

    transaction.on_commit(
        lambda: notify([to_user], actor=user, verb="assigned", message=message, url=url)
    )
    return customer


@transaction.atomic
def release(user, customer_id, reason: str, *, now: dt.datetime | None = None) -> Customer:
    """Put a customer back in the pool with a reason: its owner, the owner's manager or an
    admin. It goes to the pool of the owner's team rule (or the owner's team without one)."""
    from guanxi.customers.services import access_customer, can_manage

    now = now or timezone.now()
    if not user.can_write:
        raise PermissionDenied(_("Your role is read-only."))
    customer = access_customer(user, customer_id)
    if customer.owner_id is None:
        raise ValidationError({"customer": _("This customer is already in the pool.")})
    if not can_manage(user, customer):
        raise PermissionDenied(_("Only the owner, their manager or an admin can do this."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the customer goes back to the pool.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("At most 200 characters.")})
    customer = (
        Customer.objects.select_for_update(of=("self",))
        .select_related("owner__team")
        .get(pk=customer.pk)
    )
    if customer.owner_id is None:
        raise ValidationError({"customer": _("This customer is already in the pool.")})
    owner = customer.owner
    pool_team = _pool_team_for(rule_for(owner), owner)
    _to_pool(
        [customer], {customer.pk: reason}, by=user, kind=Kind.RELEASE, now=now, pool_team=pool_team
    )
    return customer


# --- reads ------------------------------------------------------------------------------------

POOL_SORTS = {
    "-pooled": "-pooled_at",
    "pooled": "pooled_at",
    "name": "name",
    "-name": "-name",
}


def pool_for(
    user,
    *,
    q: str = "",
    city: str = "",
    tag: str = "",
    source: str = "",
    min_days: int | None = None,
    now: dt.datetime | None = None,
    sort: str = "-pooled",
) -> QuerySet[Customer]:
    """The pooled customers ``user`` sees, filtered (``min_days``: at least that long in the
    pool) and sorted; longest waiting last by default, newest first."""
    qs = Customer.objects.visible_to(user).pooled().select_related("pool_team")
    term = normalize_query(q) if q else ""
    if term:
        whole = term.isdigit() and exact_match(q) is not None
        if digits_searched(user, term, whole_number=whole) != "all":
            return qs.none()  # its phones are masked to the user: no digits found on them
        qs = qs.filter(search_text__contains=term)
    if city:
        qs = qs.filter(city=stored_city(city))  # "广州" finds 广州市's, as the customer list
    if tag:
        qs = qs.filter(tags__name=tag)
    if source:
        qs = qs.filter(source_channel=source)
    if min_days:
        qs = qs.filter(pooled_at__lte=(now or timezone.now()) - _days(min_days))
    order = POOL_SORTS.get(sort, "-pooled_at")
    return qs.order_by(order, "-id" if order.startswith("-") else "id")


def warned_customers(user, limit: int = 50):
    """The user's own customers whose owner was warned, soonest due first (through the index
    of the warned customers, customer_pool_warned)."""
    warned = Customer.objects.alive().filter(owner=user, pool_warned_due__isnull=False)
    return warned.order_by("pool_warned_due")[:limit]


def returning_soon(user, now: dt.datetime | None = None) -> list[Customer]:
    """The user's own customers whose owner was warned and who still breach on that date."""
    now = now or timezone.now()
    warned = list(warned_customers(user))
    rule = rule_for(user)
    if rule is None:
        return []
    return [c for c in warned if due_at(c, rule) == c.pool_warned_due]


def claim_status(user, now: dt.datetime | None = None) -> dict:
    """The user's claims today and owned customers against the caps of their team's rule."""
    now = now or timezone.now()
    rule = rule_for(user)
    return {
        "rule": rule,
        "claims_today": claims_today(user, now),
        "daily_cap": rule.daily_claim_cap if rule else None,
        "owned": owned_count(user),
        "max_owned": rule.max_owned if rule else None,
    }
