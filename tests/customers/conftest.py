"""Fixtures of the customer list's tests: a world of customers reached every way."""

import pytest
from django.utils import timezone

from guanxi.accounts.models import User
from guanxi.customers.models import Customer
from guanxi.customers.services import create_customer, delete_customer, share_customer


@pytest.fixture
def newcomer(teams):
    """A rep of Guangzhou with no customer of her own yet."""
    return User.objects.create_user(
        "newcomer", "x" * 12, role="rep", team=teams["guangzhou"], display_name="Newcomer"
    )


@pytest.fixture
def world(teams, alice, bob, charlie, mike, ada, nina, newcomer):
    """Customers of every kind, made in an interleaved order so that each way's newest are
    spread among the others'."""
    made = []

    def customer(owner, name):
        made.append(create_customer(owner or ada, {"name": name}))
        return made[-1]

    def pooled(name, team):
        c = customer(None, name)
        Customer.objects.filter(pk=c.pk).update(
            owner=None, pool_team=team, pooled_at=timezone.now()
        )
        return c

    for round_ in range(4):
        customer(alice, f"alice {round_}")
        pooled(f"company pool {round_}", None)
        shared = customer(charlie, f"shared with alice {round_}")
        share_customer(charlie, shared.pk, to_user=alice, level="read")
        pooled(f"west pool {round_}", teams["west"])
        team_shared = customer(charlie, f"shared with guangzhou {round_}")
        share_customer(charlie, team_shared.pk, to_team=teams["guangzhou"], level="edit")
        customer(bob, f"bob {round_}")
        pooled(f"guangzhou pool {round_}", teams["guangzhou"])
        customer(charlie, f"charlie {round_}")
        pooled(f"east pool {round_}", teams["east"])
        customer(ada, f"ada {round_}")
    # The newest of several ways in the recycle bin: they must not take a place on a page.
    deleted = [
        customer(alice, "alice deleted"),
        pooled("company pool deleted", None),
    ]
    shared = customer(charlie, "shared then deleted")
    share_customer(charlie, shared.pk, to_user=alice, level="read")
    deleted.append(shared)
    for c in deleted:
        delete_customer(User.objects.get(pk=ada.pk), c.pk)
    customer(charlie, "charlie newest")
    return made
