"""``visible_to(user, probed=True)`` and ``editable_by(user, probed=True)``, the form checked one
customer at a time (the shares a probe of their index), and ``seen_ids(user)``, the ways read
apart, reach the same customers as the plain form, for every kind of user and every way of
reaching a customer."""

import pytest
from django.db.models import Exists, OuterRef

from guanxi.customers.models import Customer
from guanxi.customers.services import create_customer, delete_customer, share_customer


@pytest.fixture
def reachable(alice, bob, charlie, mike, teams):
    """A customer for every way of reaching one: owned, shared to a user and to a team at
    each level, owned by a team member, in the company pool and in a team's pool, deleted."""
    made = {
        "alice's": create_customer(alice, {"name": "王伟"}),
        "bob's": create_customer(bob, {"name": "李娜"}),
        "charlie's": create_customer(charlie, {"name": "张三"}),
        "shared to alice, read": create_customer(charlie, {"name": "赵六"}),
        "shared to alice, edit": create_customer(charlie, {"name": "钱七"}),
        "shared to guangzhou, edit": create_customer(charlie, {"name": "孙八"}),
        "mike's": create_customer(mike, {"name": "周九"}),
        "alice's, deleted": create_customer(alice, {"name": "吴十"}),
    }
    share_customer(charlie, made["shared to alice, read"].pk, to_user=alice, level="read")
    share_customer(charlie, made["shared to alice, edit"].pk, to_user=alice, level="edit")
    share_customer(
        charlie, made["shared to guangzhou, edit"].pk, to_team=teams["guangzhou"], level="edit"
    )
    delete_customer(alice, made["alice's, deleted"].pk)
    made["company pool"] = Customer.objects.create(name="郑一", owner=None)
    made["west's pool"] = Customer.objects.create(name="冯二", owner=None, pool_team=teams["west"])
    return made


def _probed(reach):
    """The customers for which a probe of ``reach`` (one customer at a time) finds one."""
    return set(Customer.objects.filter(Exists(reach.filter(pk=OuterRef("pk")))))


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "mike", "ada", "nina"])
def test_the_probed_form_sees_the_same_customers(request, reachable, who):
    user = request.getfixturevalue(who)

    assert _probed(Customer.objects.visible_to(user, probed=True)) == set(
        Customer.objects.visible_to(user)
    )


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "mike", "ada", "nina"])
def test_the_probed_form_may_change_the_same_customers(request, reachable, who):
    user = request.getfixturevalue(who)

    assert _probed(Customer.objects.editable_by(user, probed=True)) == set(
        Customer.objects.editable_by(user)
    )


def test_a_share_reaches_the_probed_form_only_at_its_level(reachable, alice):
    seen = _probed(Customer.objects.visible_to(alice, probed=True))
    editable = _probed(Customer.objects.editable_by(alice, probed=True))

    assert reachable["shared to alice, read"] in seen
    assert reachable["shared to alice, read"] not in editable
    assert {reachable["shared to alice, edit"], reachable["shared to guangzhou, edit"]} <= editable
    assert reachable["charlie's"] not in seen
    assert reachable["alice's, deleted"] not in seen


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "mike", "ada", "nina"])
def test_the_ways_read_apart_give_the_same_customers(request, reachable, who):
    user = request.getfixturevalue(who)
    ids = Customer.objects.seen_ids(user)

    seen = Customer.objects.all() if ids is None else Customer.objects.filter(pk__in=ids)
    assert set(seen.alive()) == set(Customer.objects.visible_to(user))


def test_the_ways_read_apart_are_none_for_who_sees_every_customer(ada, nina):
    assert Customer.objects.seen_ids(ada) is None
    assert Customer.objects.seen_ids(nina) is None
