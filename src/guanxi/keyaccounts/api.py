"""API routes for key-account plans under /api/v1/customers/{id}/account-plan. Visibility
follows the customer's: another rep's customer (and so its plan) is a 404; an analyst reads."""

from django.db.models import Count
from django.http import HttpResponse
from ninja import Router, Status

from guanxi.core.api_errors import error_responses
from guanxi.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, keyset_page
from guanxi.keyaccounts import queries, services
from guanxi.keyaccounts.models import AccountPlan
from guanxi.keyaccounts.schemas import (
    GoalIn,
    GoalOut,
    GoalPatch,
    PlanIn,
    PlanOut,
    PlanPatch,
    PlanSummaryOut,
    RelationshipIn,
    RelationshipOut,
    RelationshipPatch,
)

router = Router(tags=["key accounts"])

READ_ERRORS = error_responses(401, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 422)
PLAN = "/customers/{int:customer_id}/account-plan"


def _plan(plan: AccountPlan) -> dict:
    review = services.current_review(plan)
    return {
        "id": plan.pk,
        "customer_id": plan.customer_id,
        "strategy": plan.strategy,
        "review_every_days": plan.review_every_days,
        "review": {
            "task_id": review.pk,
            "due_at": review.due_at,
            "status": review.status,
            "recurrence_days": review.recurrence_days,
        }
        if review is not None
        else None,
        "goals": list(plan.goals.all()),
        "relationships": list(plan.relationships.all()),
        "version": plan.version,
        "created_at": plan.created_at,
        "updated_at": plan.updated_at,
    }


def _fresh(user, customer_id: int) -> dict:
    plan = services.access_plan(user, customer_id)
    return _plan(queries.plans_for(user).get(pk=plan.pk))


@router.get("/account-plans", response={200: Page[PlanSummaryOut], **error_responses(401, 422)})
def list_plans(request, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT):
    """The key-account plans of the customers you can see, newest first."""
    qs = (
        AccountPlan.objects.visible_to(request.auth)
        .select_related("customer")
        .annotate(
            goal_count=Count("goals", distinct=True),
            relationship_count=Count("relationships", distinct=True),
        )
    )
    rows, next_cursor = keyset_page(qs, "-id", cursor=cursor, limit=limit)
    return {
        "items": [
            {
                "id": p.pk,
                "customer_id": p.customer_id,
                "customer_name": p.customer.name,
                "review_every_days": p.review_every_days,
                "goals": p.goal_count,
                "relationships": p.relationship_count,
                "updated_at": p.updated_at,
            }
            for p in rows
        ],
        "next_cursor": next_cursor,
    }


@router.get(PLAN, response={200: PlanOut, **READ_ERRORS})
def get_plan(request, customer_id: int):
    """The customer's plan with goals, relationship map and the open review."""
    return _fresh(request.auth, customer_id)


@router.put(PLAN, response={200: PlanOut, 201: PlanOut, **WRITE_ERRORS})
def put_plan(request, customer_id: int, payload: PlanIn, response: HttpResponse):
    """Create the plan of a company customer, or replace its strategy and review cadence
    (every N days: a recurring review task for the owner; null: no more reviews)."""
    existed = AccountPlan.objects.filter(customer_id=customer_id).exists()
    services.save_plan(request.auth, customer_id, payload.model_dump())
    return Status(200 if existed else 201, _fresh(request.auth, customer_id))


@router.patch(PLAN, response={200: PlanOut, **WRITE_ERRORS})
def patch_plan(request, customer_id: int, payload: PlanPatch):
    """Change the strategy and/or the review cadence of an existing plan."""
    services.access_plan(request.auth, customer_id)
    services.save_plan(request.auth, customer_id, payload.model_dump(exclude_unset=True))
    return _fresh(request.auth, customer_id)


@router.delete(PLAN, response={204: None, **WRITE_ERRORS})
def delete_plan(request, customer_id: int):
    services.delete_plan(request.auth, customer_id)
    return Status(204, None)


@router.post(f"{PLAN}/goals", response={201: GoalOut, **WRITE_ERRORS})
def add_goal(request, customer_id: int, payload: GoalIn):
    return Status(201, services.add_goal(request.auth, customer_id, payload.model_dump()))


@router.patch(f"{PLAN}/goals/{{int:goal_id}}", response={200: GoalOut, **WRITE_ERRORS})
def update_goal(request, customer_id: int, goal_id: int, payload: GoalPatch):
    return services.update_goal(
        request.auth, customer_id, goal_id, payload.model_dump(exclude_unset=True)
    )


@router.delete(f"{PLAN}/goals/{{int:goal_id}}", response={204: None, **WRITE_ERRORS})
def delete_goal(request, customer_id: int, goal_id: int):
    services.delete_goal(request.auth, customer_id, goal_id)
    return Status(204, None)


@router.post(f"{PLAN}/relationships", response={201: RelationshipOut, **WRITE_ERRORS})
def add_relationship(request, customer_id: int, payload: RelationshipIn):
    """Put a contact on the relationship map (role, influence 1–5, attitude, our owner)."""
    return Status(201, services.add_relationship(request.auth, customer_id, payload.model_dump()))


@router.patch(
    f"{PLAN}/relationships/{{int:rel_id}}", response={200: RelationshipOut, **WRITE_ERRORS}
)
def update_relationship(request, customer_id: int, rel_id: int, payload: RelationshipPatch):
    return services.update_relationship(
        request.auth, customer_id, rel_id, payload.model_dump(exclude_unset=True)
    )


@router.delete(f"{PLAN}/relationships/{{int:rel_id}}", response={204: None, **WRITE_ERRORS})
def delete_relationship(request, customer_id: int, rel_id: int):
    services.delete_relationship(request.auth, customer_id, rel_id)
    return Status(204, None)
