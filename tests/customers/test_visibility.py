"""visible_to / editable_by: the one entry point of access control, from the attacker's side."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from guanxi.customers.models import Customer
from guanxi.customers.services import access_customer, share_customer


def visible(user):
    return set(Customer.objects.visible_to(user).values_list("name", flat=True))


def editable(user):
    return set(Customer.objects.editable_by(user).values_list("name", flat=True))


@pytest.fixture
def both(alices_customer, charlies_customer):
    return alices_customer, charlies_customer


def test_a_rep_sees_only_own_customers(both, alice, charlie):
    assert visible(alice) == {"王伟"}
    assert visible(charlie) == {"成都锦城贸易有限公司"}


def test_a_teammate_does_not_see_a_reps_customer_unless_shared(both, bob):
    assert visible(bob) == set()


def test_a_manager_sees_the_customers_of_every_sub_team(both, mike):
    assert visible(mike) == {"王伟"}
    assert editable(mike) == {"王伟"}


def test_an_admin_sees_and_edits_all(both, ada):
    assert visible(ada) == editable(ada) == {"王伟", "成都锦城贸易有限公司"}


def test_an_analyst_sees_all_and_edits_nothing(both, nina):
    assert visible(nina) == {"王伟", "成都锦城贸易有限公司"}
    assert editable(nina) == set()


def test_a_read_share_lets_a_colleague_see_but_not_edit(both, alice, charlie):
    share_customer(alice, both[0].pk, to_user=charlie, level="read")
    assert "王伟" in visible(charlie)
    assert "王伟" not in editable(charlie)


def test_an_edit_share_lets_a_colleague_edit(both, alice, charlie):
    share_customer(alice, both[0].pk, to_user=charlie, level="edit")
    assert "王伟" in editable(charlie)


def test_a_team_share_reaches_every_member_of_that_team(both, charlie, bob, teams):
    share_customer(charlie, both[1].pk, to_team=teams["guangzhou"], level="read")
    assert visible(bob) == {"成都锦城贸易有限公司"}


def test_deleted_customers_are_invisible_until_asked_for(both, alice):
    both[0].deleted_at = both[0].created_at
    both[0].save()
    assert visible(alice) == set()
    assert Customer.objects.visible_to(alice, include_deleted=True).count() == 1


def test_another_reps_customer_by_id_is_a_404(both, alice):
    with pytest.raises(Http404):
        access_customer(alice, both[1].pk)


def test_a_customer_that_does_not_exist_is_a_404(alice):
    with pytest.raises(Http404):
        access_customer(alice, 999999)


def test_editing_a_read_shared_customer_is_refused_not_hidden(both, alice, charlie):
    share_customer(alice, both[0].pk, to_user=charlie, level="read")
    with pytest.raises(PermissionDenied):
        access_customer(charlie, both[0].pk, edit=True)


def test_an_inactive_user_sees_nothing(both, alice):
    alice.is_active = False
    alice.save()
    assert visible(alice) == set()


def test_who_sees_every_customer_or_some_is_told_as_the_ways_say(ada, nina, mike, alice, bob):
    bob.is_active = False
    reach = Customer.objects.all()
    for user in (ada, nina, mike, alice, bob, AnonymousUser()):
        ways = reach.ways_seen(user)
        assert reach.sees_every(user) == (ways is None), user
        assert reach.sees_some(user) == bool(ways), user
