"""Every change to key-account plans, each taking the acting user.

Who may do what follows the customer: whoever may edit a company customer may write its plan,
goals and relationship map; whoever may see it may read them (an analyst reads only); anyone
else gets a 404. The review cadence is a recurring task made and changed through the
interactions services, assigned to the customer's owner.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import User
from guanxi.customers.models import Contact, Customer, Kind
from guanxi.customers.services import access_customer
from guanxi.interactions import services as tasks
from guanxi.interactions.models import Task, TaskStatus
from guanxi.keyaccounts.models import AccountPlan, PlanGoal, Relationship

PLAN_FIELDS = {"strategy", "review_every_days"}
GOAL_FIELDS = {"title", "target_value", "due_date", "status"}
RELATIONSHIP_FIELDS = {"contact", "role", "influence", "attitude", "owner", "notes"}
REVIEW_HOUR = 9  # reviews fall due at 09:00 in the assignee's time zone


def _unknown(data: dict, allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({f: _("Unknown field.") for f in sorted(unknown)})


def _writable_customer(user, customer_id) -> Customer:
    """A customer the user may edit (404 when not visible, 403 when only readable)."""
    if not user.can_write:
        access_customer(user, customer_id)  # invisible stays a 404
        raise PermissionDenied(_("Your role is read-only."))
    return access_customer(user, customer_id, edit=True)


def access_plan(user, customer_id, *, edit: bool = False) -> AccountPlan:
    """The plan of a customer the user can see (or, with ``edit``, edit); 404 when the
    customer is not visible or has no plan."""
    customer = _writable_customer(user, customer_id) if edit else access_customer(user, customer_id)
    plan = AccountPlan.objects.filter(customer=customer).select_related("customer").first()
    if plan is None:
        raise Http404
    return plan


# --- the plan ------------------------------------------------------------------------------


@transaction.atomic
def save_plan(user, customer_id, data: dict, *, now: dt.datetime | None = None) -> AccountPlan:
    """Create the customer's plan, or change its strategy and review cadence.

    Only company customers have plans. Setting ``review_every_days`` creates the review task
    (recurring every that many days, assigned to the owner); changing it moves the open
    review's due time and cadence; clearing it stops the series after the open review.
    """
    customer = _writable_customer(user, customer_id)
    _unknown(data, PLAN_FIELDS)
    if customer.kind != Kind.COMPANY:
        raise ValidationError({"customer": _("Key-account plans are for company customers only.")})
    plan = AccountPlan.objects.select_for_update().filter(customer=customer).first()
    if plan is None:
        plan = AccountPlan(customer=customer, created_by=user)
    old_days = plan.review_every_days if plan.pk else None
    for field, value in data.items():
        if field == "strategy":
            value = (value or "").strip()
        if field == "review_every_days" and value == "":
            value = None
        setattr(plan, field, value)
    plan.full_clean(exclude=["customer", "review_task", "created_by"])
    if plan.pk:
        plan.version += 1
    plan.save()
    if not plan.review_task_id or plan.review_every_days != old_days:
        _sync_review(user, plan, customer, now or timezone.now())
    return plan


@transaction.atomic
def delete_plan(user, customer_id) -> None:
    """Delete the plan with its goals and map; the review series stops after its open review."""
    plan = access_plan(user, customer_id, edit=True)
    current = current_review(plan)
    if current is not None and current.status == TaskStatus.OPEN and current.recurrence_days:
        _require_task_edit(user, current)
        tasks.update_task(user, current.pk, {"recurrence_days": None})
    plan.delete()


def current_review(plan: AccountPlan) -> Task | None:
    """The latest occurrence of the plan's review series (each completion adds one)."""
    task = plan.review_task
    for _step in range(10_000):  # a series of daily reviews for ~27 years; never loops forever
        if task is None:
            return None
        following = Task.objects.filter(previous=task).select_related("assignee").first()
        if following is None:
            return task
        task = following
    return task


def _require_task_edit(user, task: Task) -> None:
    if not tasks.can_edit_task(user, task):
        raise PermissionDenied(
            _(
                "Only the review's assignee, their manager or an admin can change the review cadence."
            )
        )


def _review_due(base: dt.datetime, days: int, assignee) -> dt.datetime:
    local = timezone.localtime(base, tasks.user_zone(assignee))
    return (local + dt.timedelta(days=days)).replace(
        hour=REVIEW_HOUR, minute=0, second=0, microsecond=0
    )


def _sync_review(user, plan: AccountPlan, customer: Customer, now: dt.datetime) -> None:
    days = plan.review_every_days
    current = current_review(plan)
    is_open = current is not None and current.status == TaskStatus.OPEN
    if days is None:
        if is_open and current.recurrence_days:
            _require_task_edit(user, current)
            tasks.update_task(user, current.pk, {"recurrence_days": None})
        return
    assignee = customer.owner or user
    if not is_open:
        due = _review_due(now, days, assignee)
        task = tasks.create_task(
            user,
            {
                "title": _("Key-account review: %(name)s") % {"name": customer.name},
                "notes": _("Review the key-account plan: goals, relationship map, strategy."),
                "customer": customer.pk,
                "assignee": assignee.pk,
                "due_at": due,
                "remind_at": due,
                "recurrence_days": days,
            },
        )
        plan.review_task = task
        plan.save(update_fields=["review_task", "updated_at"])
        return
    _require_task_edit(user, current)
    # The next review is counted from the last one done, or from when this one was set.
    previous = Task.objects.filter(pk=current.previous_id).first()
    base = (previous.done_at if previous and previous.done_at else None) or current.created_at
    due = _review_due(base, days, assignee)
    changes = {"recurrence_days": days, "due_at": due, "remind_at": due}
    if current.assignee_id != assignee.pk:  # the customer changed hands: so does its review
        changes["assignee"] = assignee.pk
    tasks.update_task(user, current.pk, changes)


# --- goals ---------------------------------------------------------------------------------


def _goal_values(goal: PlanGoal, data: dict) -> PlanGoal:
    for field, value in data.items():
        if field == "title":
            value = (value or "").strip()
        if field in ("target_value", "due_date") and value == "":
            value = None
        setattr(goal, field, value)
    goal.full_clean(exclude=["plan"])
    return goal


@transaction.atomic
def add_goal(user, customer_id, data: dict) -> PlanGoal:
    """Add a goal (title required; target value ≥ 0; due date; status) to the plan."""
    plan = access_plan(user, customer_id, edit=True)
    _unknown(data, GOAL_FIELDS)
    goal = _goal_values(PlanGoal(plan=plan), data)
    goal.save()
    return goal


def _goal(plan: AccountPlan, goal_id) -> PlanGoal:
    try:
        pk = int(goal_id)
    except (TypeError, ValueError):
        raise Http404 from None
    goal = PlanGoal.objects.filter(plan=plan, pk=pk).first()
    if goal is None:
        raise Http404
    return goal


@transaction.atomic
def update_goal(user, customer_id, goal_id, changes: dict) -> PlanGoal:
    plan = access_plan(user, customer_id, edit=True)
    _unknown(changes, GOAL_FIELDS)
    goal = _goal_values(_goal(plan, goal_id), changes)
    goal.save()
    return goal


@transaction.atomic
def delete_goal(user, customer_id, goal_id) -> None:
    plan = access_plan(user, customer_id, edit=True)
    _goal(plan, goal_id).delete()


# --- the relationship map ------------------------------------------------------------------


def _relationship_values(rel: Relationship, data: dict) -> Relationship:
    """Set and check the given fields: the contact must be the customer's and not on the map
    yet; the relationship owner an active colleague; influence 1–5."""
    errors: dict[str, list[str]] = {}
    customer_id = rel.plan.customer_id
    for field, value in data.items():
        if field == "contact":
            contact = None
            if value not in (None, ""):
                try:
                    contact = Contact.objects.filter(
                        customer_id=customer_id, pk=int(getattr(value, "pk", value))
                    ).first()
                except (TypeError, ValueError):
                    contact = None
            if contact is None:
                errors["contact"] = [_("Choose a contact of this customer.")]
            else:
                rel.contact = contact
        elif field == "owner":
            if value in (None, ""):
                rel.owner = None
            else:
                try:
                    found = User.objects.filter(
                        is_active=True, pk=int(getattr(value, "pk", value))
                    ).first()
                except (TypeError, ValueError):
                    found = None
                if found is None:
                    errors["owner"] = [_("Unknown user.")]
                else:
                    rel.owner = found
        elif field == "notes":
            rel.notes = (value or "").strip()
        else:
            setattr(rel, field, value)
    try:
        rel.full_clean(exclude=["plan", "contact", "owner"], validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if rel.contact_id is None and "contact" not in errors:
        errors["contact"] = [_("Choose a contact of this customer.")]
    elif (
        "contact" not in errors
        and Relationship.objects.filter(plan=rel.plan, contact_id=rel.contact_id)
        .exclude(pk=rel.pk)
        .exists()
    ):
        errors["contact"] = [_("This contact is already on the relationship map.")]
    if errors:
        raise ValidationError(errors)
    return rel


@transaction.atomic
def add_relationship(user, customer_id, data: dict) -> Relationship:
    """Put one of the customer's contacts on the relationship map."""
    plan = access_plan(user, customer_id, edit=True)
    _unknown(data, RELATIONSHIP_FIELDS)
    rel = _relationship_values(Relationship(plan=plan), data)
    rel.save()
    return rel


def _relationship(plan: AccountPlan, rel_id) -> Relationship:
    try:
        pk = int(rel_id)
    except (TypeError, ValueError):
        raise Http404 from None
    rel = Relationship.objects.filter(plan=plan, pk=pk).select_related("plan").first()
    if rel is None:
        raise Http404
    return rel


@transaction.atomic
def update_relationship(user, customer_id, rel_id, changes: dict) -> Relationship:
    plan = access_plan(user, customer_id, edit=True)
    _unknown(changes, RELATIONSHIP_FIELDS)
    rel = _relationship_values(_relationship(plan, rel_id), changes)
    rel.save()
    return rel


@transaction.atomic
def delete_relationship(user, customer_id, rel_id) -> None:
    plan = access_plan(user, customer_id, edit=True)
    _relationship(plan, rel_id).delete()
