"""Fixtures of the customer list's tests (a world of customers reached every way) and the
contacts list's (companies with contacts, seen by Alice, shared with her, or not seen)."""

import pytest
from django.utils import timezone

from guanxi.accounts.models import User
from guanxi.customers import queries
from guanxi.customers.models import Customer
from guanxi.customers.services import add_contact, create_customer, delete_customer, share_customer


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


# --- the contacts list (test_contact_list*.py, test_contact_export.py) ------------------------


@pytest.fixture
def huaxin(alice):
    """广州华信贸易有限公司, Alice's company, with two contacts: 李太太 (primary) and 张经理."""
    company = create_customer(alice, {"kind": "company", "name": "广州华信贸易有限公司"})
    add_contact(
        alice,
        company,
        {
            "name": "李太太",
            "title": "采购经理",
            "phone": "13900139000",
            "email": "litaitai@example.com",
            "wechat_id": "litaitai88",
            "is_primary": True,
        },
    )
    add_contact(alice, company, {"name": "张经理", "phone": "13700137000"})
    return company


@pytest.fixture
def bobs_shared_company(alice, bob):
    """Bob's company shared with Alice (read), with its contact 孙丽, whose phone she sees
    masked."""
    company = create_customer(bob, {"kind": "company", "name": "深圳远航科技有限公司"})
    add_contact(bob, company, {"name": "孙丽", "phone": "13500135000", "is_primary": True})
    share_customer(bob, company.pk, to_user=alice, level="read")
    return company


@pytest.fixture
def charlies_company(charlie):
    """Charlie's company, which Alice does not see, with its contact 赵敏."""
    company = create_customer(charlie, {"kind": "company", "name": "成都锦城贸易有限公司"})
    add_contact(charlie, company, {"name": "赵敏", "phone": "13600136000", "is_primary": True})
    return company


@pytest.fixture(params=["many", "few"])
def either_reach(request, monkeypatch):
    """The test runs twice: the users seeing "many" customers (their contacts walked newest
    first, each checked), then "few" (their customers' contacts gathered): the same rows."""
    monkeypatch.setattr(queries, "SMALL_REACH", 0 if request.param == "many" else 5_000)
    return request.param
