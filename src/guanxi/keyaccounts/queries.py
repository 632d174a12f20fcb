"""Reads over key-account plans, always from ``visible_to(user)``."""

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from guanxi.keyaccounts.models import AccountPlan, Attitude, DecisionRole, Relationship


def plans_for(user) -> QuerySet[AccountPlan]:
    """The plans of the customers the user can see, with goals and the map joined."""
    return (
        AccountPlan.objects.visible_to(user)
        .select_related("customer", "customer__owner", "review_task")
        .prefetch_related(
            "goals",
            Prefetch(
                "relationships",
                queryset=Relationship.objects.select_related("contact", "owner"),
            ),
        )
    )


def plan_for(user, customer) -> AccountPlan | None:
    """The plan of a customer the caller has already checked the user can see, or None."""
    return plans_for(user).filter(customer=customer).first()


def relationship_graph(plan: AccountPlan) -> dict:
    """The relationship map as an ECharts graph: the company in the middle, its contacts
    around it (size by influence, colour by attitude, the edge labelled with their role), and
    our people linked to the contacts whose relationship they keep."""
    roles = dict(DecisionRole.choices)
    attitudes = list(Attitude)
    categories = [{"name": str(a.label)} for a in attitudes] + [
        {"name": plan.customer.name},
        {"name": _("Our people")},
    ]
    company_category, people_category = len(attitudes), len(attitudes) + 1
    nodes = [
        {
            "id": "customer",
            "name": plan.customer.name,
            "category": company_category,
            "symbolSize": 46,
            "symbol": "roundRect",
        }
    ]
    links = []
    people: dict[int, str] = {}
    for rel in plan.relationships.all():
        node_id = f"contact-{rel.contact_id}"
        title = f" · {rel.contact.title}" if rel.contact.title else ""
        nodes.append(
            {
                "id": node_id,
                "name": rel.contact.name,
                "category": attitudes.index(Attitude(rel.attitude)),
                "symbolSize": 14 + 6 * rel.influence,
                "value": rel.influence,
                "tooltip": f"{rel.contact.name}{title} — {roles[rel.role]}, "
                f"{Attitude(rel.attitude).label}, {rel.influence}/5",
            }
        )
        links.append({"source": "customer", "target": node_id, "label": str(roles[rel.role])})
        if rel.owner_id:
            people[rel.owner_id] = str(rel.owner)
            links.append({"source": f"user-{rel.owner_id}", "target": node_id, "dashed": True})
    for user_id, name in people.items():
        nodes.append(
            {
                "id": f"user-{user_id}",
                "name": name,
                "category": people_category,
                "symbol": "diamond",
                "symbolSize": 16,
            }
        )
    return {"nodes": nodes, "links": links, "categories": categories}
