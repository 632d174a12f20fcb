"""The prepared visibility check (queries.visible_among) follows every change of who may see
what: it is built once per access key, and the shares and teams it consults are read when it runs."""

from guanxi.accounts.models import User
from guanxi.customers.queries import visible_among
from guanxi.customers.services import share_customer


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_a_share_made_after_the_first_check_counts_at_once(alice, charlie, charlies_customer):
    assert visible_among(alice)([charlies_customer.pk]) == []

    share_customer(charlie, charlies_customer.pk, to_user=alice, level="read")

    assert visible_among(_fresh(alice))([charlies_customer.pk]) == [charlies_customer.pk]


def test_a_rep_moved_to_another_team_sees_by_the_new_team(alice, charlie, charlies_customer, teams):
    share_customer(charlie, charlies_customer.pk, to_team=teams["west"], level="read")
    assert visible_among(alice)([charlies_customer.pk]) == []

    User.objects.filter(pk=alice.pk).update(team=teams["west"])

    assert visible_among(_fresh(alice))([charlies_customer.pk]) == [charlies_customer.pk]


def test_a_rep_made_admin_sees_every_customer(alice, charlies_customer):
    assert visible_among(alice)([charlies_customer.pk]) == []

    User.objects.filter(pk=alice.pk).update(role="admin")

    assert visible_among(_fresh(alice))([charlies_customer.pk]) == [charlies_customer.pk]


def test_a_deactivated_user_sees_nothing_even_of_their_own(alice, alices_customer):
    assert visible_among(alice)([alices_customer.pk]) == [alices_customer.pk]

    User.objects.filter(pk=alice.pk).update(is_active=False)

    assert visible_among(_fresh(alice))([alices_customer.pk]) == []
