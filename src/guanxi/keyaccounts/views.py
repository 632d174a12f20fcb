"""The Key account tab of the customer card and the plan, goal and relationship forms.
Thin: parse, call a service, render; errors from the services go back on the form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from guanxi.accounts.models import User
from guanxi.customers import services as customer_services
from guanxi.customers.forms import apply_errors
from guanxi.customers.models import Customer, Kind
from guanxi.keyaccounts import queries, services
from guanxi.keyaccounts.forms import GoalForm, PlanForm, RelationshipForm
from guanxi.keyaccounts.models import Attitude, DecisionRole, PlanGoal, Relationship

# The customer card's own tabs, for the tab bar this app renders into.
CUSTOMER_TABS = ("contacts", "tags", "history", "sharing", "followers")


def _can_edit(user, customer) -> bool:
    return user.can_write and Customer.objects.editable_by(user).filter(pk=customer.pk).exists()


def _back(customer) -> str:
    return reverse("customers:detail", args=[customer.pk]) + "?tab=keyaccount"


@login_required
@require_GET
def customer_tab(request, pk):
    """The Key account tab, in the card's tab frame."""
    user = request.user
    customer = customer_services.access_customer(user, pk)
    if not request.htmx:  # opened directly (a new browser tab): the whole card, on this tab
        return redirect(_back(customer))
    customer_services.record_view(user, customer, request=request)
    can_manage = user.can_write and customer_services.can_manage(user, customer)
    plan = queries.plan_for(user, customer) if customer.kind == Kind.COMPANY else None
    context = {
        "customer": customer,
        "tab": "keyaccount",
        "tabs": [t for t in CUSTOMER_TABS if t != "sharing" or can_manage],
        "keyaccount_loaded": True,
        "is_company": customer.kind == Kind.COMPANY,
        "plan": plan,
        "can_edit": _can_edit(user, customer),
        "roles": DecisionRole.choices,
        "attitudes": Attitude.choices,
    }
    if plan is not None:
        context["review"] = services.current_review(plan)
        context["goals"] = list(plan.goals.all())
        context["relationships"] = list(plan.relationships.all())
        context["graph"] = queries.relationship_graph(plan)
    return render(request, "customers/partials/tab.html", context)


def _form_page(request, customer, form, *, title, status=200, obj=None):
    return render(
        request,
        "keyaccounts/form.html",
        {"nav": "customers", "customer": customer, "form": form, "title": title, "obj": obj},
        status=status,
    )


def _save(request, form, customer, call, *, title, obj=None):
    """Run the service with the form's data; the form again (422) with its errors."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    if form.errors:
        return _form_page(request, customer, form, title=title, status=422, obj=obj)
    messages.success(request, _("Saved."))
    return redirect(_back(customer))


@login_required
def plan_edit(request, pk):
    """Create the plan (a company customer only) or edit its strategy and review cadence."""
    user = request.user
    customer = customer_services.access_customer(user, pk, edit=True)
    plan = queries.plan_for(user, customer)
    title = _("Edit key-account plan") if plan else _("New key-account plan")
    if request.method != "POST":
        initial = (
            {"strategy": plan.strategy, "review_every_days": plan.review_every_days or ""}
            if plan
            else {"review_every_days": 30}
        )
        return _form_page(request, customer, PlanForm(initial=initial), title=title, obj=plan)
    return _save(
        request,
        PlanForm(request.POST),
        customer,
        lambda data: services.save_plan(user, customer.pk, data),
        title=title,
        obj=plan,
    )


@login_required
@require_POST
def plan_delete(request, pk):
    customer = customer_services.access_customer(request.user, pk, edit=True)
    services.delete_plan(request.user, customer.pk)
    messages.success(request, _("The key-account plan was deleted."))
    return redirect(_back(customer))


@login_required
def goal_edit(request, pk, goal_id=None):
    user = request.user
    customer = customer_services.access_customer(user, pk, edit=True)
    plan = services.access_plan(user, customer.pk, edit=True)
    goal = PlanGoal.objects.filter(plan=plan, pk=goal_id).first() if goal_id else None
    if goal_id and goal is None:
        raise Http404
    title = _("Edit goal") if goal else _("New goal")
    if request.method != "POST":
        initial = (
            {
                "title": goal.title,
                "target_value": goal.target_value if goal.target_value is not None else "",
                "due_date": goal.due_date.isoformat() if goal.due_date else "",
                "status": goal.status,
            }
            if goal
            else {}
        )
        return _form_page(request, customer, GoalForm(initial=initial), title=title, obj=goal)

    def call(data):
        if goal:
            return services.update_goal(user, customer.pk, goal.pk, data)
        return services.add_goal(user, customer.pk, data)

    return _save(request, GoalForm(request.POST), customer, call, title=title, obj=goal)


@login_required
@require_POST
def goal_delete(request, pk, goal_id):
    customer = customer_services.access_customer(request.user, pk, edit=True)
    services.delete_goal(request.user, customer.pk, goal_id)
    messages.success(request, _("The goal was deleted."))
    return redirect(_back(customer))


def _relationship_form(customer, data=None, initial=None):
    owners = User.objects.filter(is_active=True).exclude(role="analyst").order_by("username")
    return RelationshipForm(
        data, initial=initial, contacts=customer.contacts.order_by("name"), owners=owners
    )


@login_required
def relationship_edit(request, pk, rel_id=None):
    user = request.user
    customer = customer_services.access_customer(user, pk, edit=True)
    plan = services.access_plan(user, customer.pk, edit=True)
    rel = Relationship.objects.filter(plan=plan, pk=rel_id).first() if rel_id else None
    if rel_id and rel is None:
        raise Http404
    title = _("Edit relationship") if rel else _("Add to the relationship map")
    if request.method != "POST":
        initial = (
            {
                "contact": rel.contact_id,
                "role": rel.role,
                "influence": rel.influence,
                "attitude": rel.attitude,
                "owner": rel.owner_id or "",
                "notes": rel.notes,
            }
            if rel
            else {"owner": customer.owner_id or ""}
        )
        form = _relationship_form(customer, initial=initial)
        return _form_page(request, customer, form, title=title, obj=rel)

    def call(data):
        if rel:
            return services.update_relationship(user, customer.pk, rel.pk, data)
        return services.add_relationship(user, customer.pk, data)

    form = _relationship_form(customer, request.POST)
    return _save(request, form, customer, call, title=title, obj=rel)


@login_required
@require_POST
def relationship_delete(request, pk, rel_id):
    customer = customer_services.access_customer(request.user, pk, edit=True)
    services.delete_relationship(request.user, customer.pk, rel_id)
    messages.success(request, _("The contact was taken off the relationship map."))
    return redirect(_back(customer))
