"""The duplicates page offers Compare and Not a duplicate only on the pairs the user may
change both customers of: a read-only analyst, or a rep who sees a colleague's customer
through a read share, would find a 403 behind them."""

import pytest
from django.urls import reverse

from guanxi.customers.merge_tasks import scan_duplicates_task
from guanxi.customers.models import DuplicateScan
from guanxi.customers.services import create_customer, share_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db
PAGE = reverse("customers:duplicates")
COMPARE = "bi-layout-split"


def _scan(user) -> None:
    scan = DuplicateScan.objects.create(requested_by=user)
    scan_duplicates_task.call_local(scan.pk)


@pytest.fixture
def twins(alice):
    """Two of Alice's customers with the same phone: one pair."""
    return [create_customer(alice, {"name": n, "phone": "13800138000"}) for n in ("王伟", "李娜")]


def test_the_owner_of_both_is_offered_compare_and_dismiss(client, alice, twins):
    _scan(alice)

    page = login(client, alice).get(PAGE).content.decode()

    assert COMPARE in page and "Not a duplicate" in page and "View only" not in page


def test_an_analyst_is_offered_neither_action_nor_the_pick_form(client, nina, alice, twins):
    _scan(alice)

    page = login(client, nina).get(PAGE).content.decode()

    assert "王伟" in page  # the pair is listed
    assert COMPARE not in page and "Not a duplicate" not in page
    assert "View only" in page and 'name="survivor"' not in page


def test_a_rep_seeing_a_colleagues_customer_through_a_read_share_may_not_act(client, alice, bob):
    create_customer(alice, {"name": "王伟", "phone": "13800138000"})
    bobs = create_customer(bob, {"name": "王伟", "phone": "13800138000"})
    share_customer(bob, bobs.pk, to_user=alice, level="read")
    _scan(alice)

    page = login(client, alice).get(PAGE).content.decode()

    assert f"#{bobs.pk}" in page
    assert COMPARE not in page and "View only" in page


def test_the_page_asks_the_same_number_of_queries_with_the_actions(
    client, alice, twins, django_assert_max_num_queries
):
    _scan(alice)
    login(client, alice)
    with django_assert_max_num_queries(14):
        client.get(PAGE)
