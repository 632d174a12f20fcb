"""What the duplicates page says when it lists nothing, and of the customers added since the
last scan (in no pair yet)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from guanxi.customers import duplicates
from guanxi.customers.merge_tasks import scan_duplicates_task
from guanxi.customers.models import DuplicateScan
from guanxi.customers.services import create_customer, delete_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db
PAGE = reverse("customers:duplicates")


@pytest.fixture
def twins(alice):
    """Two of Alice's customers with the same phone: one pair, for that reason only."""
    for name in ("王伟", "李娜"):
        create_customer(alice, {"name": name, "phone": "13800138000"})


def _scan(user) -> DuplicateScan:
    scan = DuplicateScan.objects.create(requested_by=user)
    scan_duplicates_task.call_local(scan.pk)
    return scan


def _add(owner, *names):
    return [create_customer(owner, {"name": name}) for name in names]


def _notice(page: str) -> str:
    """The added-since notice of a page ("" when there is none)."""
    start = page.find('id="added-since"')
    return page[start : page.index("</div>", start)] if start >= 0 else ""


# --- an empty list -------------------------------------------------------------------------


def test_a_reason_no_pair_has_is_said_so_with_a_link_to_every_pair(client, alice, twins):
    _scan(alice)
    page = login(client, alice).get(PAGE, {"reason": "email"}).content.decode()
    assert "No pair of customers you can see has the reason “Same e-mail”." in page
    assert 'href="?">Show all pairs</a>' in page
    assert "No duplicates found" not in page


def test_the_link_to_every_pair_keeps_the_customer_asked_about(client, alice, twins):
    _scan(alice)
    customer_id = alice.owned_customers.first().pk
    page = login(client, alice).get(PAGE, {"reason": "email", "customer": customer_id})
    assert f'href="?customer={customer_id}">Show all pairs</a>' in page.content.decode()


def test_no_pair_at_all_is_still_no_duplicates_found(client, alice):
    _add(alice, "王伟")
    _scan(alice)
    page = login(client, alice).get(PAGE).content.decode()
    assert "No duplicates found among the customers you can see." in page
    assert "have not been looked for yet" not in page and "Show all pairs" not in page


def test_before_any_scan_the_page_says_only_that_none_was_looked_for(client, alice):
    _add(alice, "王伟")
    page = login(client, alice).get(PAGE).content.decode()
    assert "Duplicates have not been looked for yet" in page
    assert "No duplicates found" not in page


def test_before_any_scan_a_reason_is_not_said_to_have_no_pair(client, alice):
    page = login(client, alice).get(PAGE, {"reason": "email"}).content.decode()
    assert "Duplicates have not been looked for yet" in page
    assert "No pair of customers" not in page


def test_before_any_scan_the_button_looks_for_duplicates_now(client, alice):
    page = login(client, alice).get(PAGE).content.decode()
    assert page.count("Look for duplicates now") == 1
    assert "Scan again" not in page


def test_after_a_scan_the_button_scans_again(client, alice, twins):
    _scan(alice)
    page = login(client, alice).get(PAGE).content.decode()
    assert "Scan again" in page
    assert "Look for duplicates now" not in page


# --- the customers added since the last scan -----------------------------------------------


def test_an_admin_is_told_how_many_customers_the_last_scan_did_not_check(client, ada, alice, twins):
    _scan(alice)
    _add(alice, "张三", "李四")
    notice = _notice(login(client, ada).get(PAGE).content.decode())
    assert "2 customers added since the last scan have not been checked for duplicates" in notice
    assert reverse("customers:duplicate_scan") in notice and "Look for duplicates now" in notice


def test_the_pairs_stay_listed_beside_the_notice(client, ada, alice, twins):
    _scan(alice)
    _add(alice, "张三")
    page = login(client, ada).get(PAGE).content.decode()
    assert "1 customer added since the last scan has not been checked" in _notice(page)
    assert "王伟" in page and "李娜" in page


def test_nothing_added_since_the_last_scan_gives_no_notice(client, ada, alice, twins):
    _scan(alice)
    page = login(client, ada).get(PAGE).content.decode()
    assert 'id="added-since"' not in page
    assert duplicates.scan_summary(ada).added == 0


def test_customers_added_and_deleted_since_are_not_counted(ada, alice, twins):
    _scan(alice)
    _kept, deleted = _add(alice, "张三", "李四")
    delete_customer(ada, deleted.pk)
    summary = duplicates.scan_summary(ada)
    assert (summary.unchecked, summary.added) == (True, 1)


def test_a_rep_is_told_customers_were_added_but_not_how_many(client, alice, bob, twins):
    _scan(alice)
    _add(bob, "张三", "李四")  # not hers: she is told of everyone's, without a figure
    notice = _notice(login(client, alice).get(PAGE).content.decode())
    assert "Customers were added since the last scan; they have not been checked" in notice
    assert "2 customers" not in notice and "Look for duplicates now" in notice


def test_an_analyst_is_told_the_figure_but_offered_no_scan(client, nina, alice, twins):
    _scan(alice)
    _add(alice, "张三", "李四")
    notice = _notice(login(client, nina).get(PAGE).content.decode())
    assert "2 customers added since the last scan" in notice
    assert "Look for duplicates now" not in notice


def test_no_notice_while_a_scan_runs(client, ada, alice, twins):
    _scan(alice)
    _add(alice, "张三")
    DuplicateScan.objects.create(requested_by=alice, started_at=timezone.now())
    page = login(client, ada).get(PAGE).content.decode()
    assert 'id="added-since"' not in page and 'id="duplicate-scan"' in page


def test_past_the_counted_most_the_page_says_more_than(client, ada, alice, twins, monkeypatch):
    monkeypatch.setattr(duplicates, "ADDED_COUNT_MAX", 2)
    _scan(alice)
    _add(alice, "张三", "李四", "王五")
    notice = _notice(login(client, ada).get(PAGE).content.decode())
    assert "More than 2 customers added since the last scan have not been checked" in notice


def test_the_count_stops_at_the_customers_added_since(alice, twins):
    scan = _scan(alice)
    _add(alice, "张三", "李四")
    scan.refresh_from_db()
    assert duplicates.count_added_since(scan.started_at, most=1) == 2  # "more than 1"
    assert duplicates.count_added_since(scan.started_at, most=2) == 2
    assert duplicates.count_added_since(scan.started_at, most=10) == 2


def test_the_summary_reads_the_added_customers_in_a_few_queries(
    ada, alice, twins, django_assert_max_num_queries
):
    _scan(alice)
    _add(alice, "张三")
    with django_assert_max_num_queries(6):  # sees-all, done, failed, and the three of the count
        assert duplicates.scan_summary(ada).added == 1
