"""Looking for duplicates again on request: the scan is recorded, waited for by the page and
the API, one at a time, and what stops it is kept."""

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from guanxi.customers import duplicates
from guanxi.customers.merge_tasks import scan_duplicates_task
from guanxi.customers.models import DuplicatePair, DuplicateScan
from guanxi.customers.services import create_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db
API = "/api/v1/customers/duplicates/scan"


@pytest.fixture
def twins(alice):
    for name in ("王伟", "王玮"):
        create_customer(alice, {"name": name, "phone": "13800138000", "city": "广州"})


def test_a_scan_asked_for_runs_and_records_what_it_found(
    alice, twins, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        scan = duplicates.request_scan(alice)
    scan.refresh_from_db()
    assert (scan.status, scan.requested_by, scan.customers, scan.pairs) == ("done", alice, 2, 1)
    assert DuplicatePair.objects.count() == 1
    assert scan.requested_at <= scan.started_at <= scan.finished_at


def test_a_scan_asked_for_while_one_waits_is_that_one(alice, bob):
    first = duplicates.request_scan(alice)  # not run: its task waits for the commit
    assert duplicates.request_scan(bob) == first
    assert DuplicateScan.objects.count() == 1


def test_an_analyst_may_not_ask_for_a_scan(nina):
    with pytest.raises(PermissionDenied):
        duplicates.request_scan(nina)
    assert not DuplicateScan.objects.exists()


def test_a_scan_lost_hours_ago_is_not_in_progress(alice):
    lost = timezone.now() - duplicates.LOST_AFTER - dt.timedelta(minutes=1)
    DuplicateScan.objects.create(requested_by=alice, requested_at=lost, started_at=lost)
    assert duplicates.scan_in_progress() is None
    assert duplicates.request_scan(alice).requested_at > lost


def test_a_scan_that_fails_keeps_why_and_is_not_in_progress(alice, twins):
    scan = DuplicateScan.objects.create(requested_by=alice)
    failing = mock.patch.object(
        duplicates, "find_candidates", side_effect=RuntimeError("disk full")
    )
    with failing, pytest.raises(RuntimeError):  # raised on, for the job worker to log
        scan_duplicates_task.call_local(scan.pk)
    scan.refresh_from_db()
    assert (scan.status, scan.error) == ("failed", "RuntimeError: disk full")
    assert duplicates.scan_in_progress() is None


def test_a_scan_asked_for_while_another_runs_is_closed_as_answered_by_it(alice, twins):
    scan = DuplicateScan.objects.create(requested_by=alice)
    with HUEY.lock_task("duplicate-scan"):
        scan_duplicates_task.call_local(scan.pk)
    scan.refresh_from_db()
    assert scan.finished_at is not None and scan.error == "another scan was running"
    assert not DuplicatePair.objects.exists()


def _run(user) -> DuplicateScan:
    scan = DuplicateScan.objects.create(requested_by=user)
    scan_duplicates_task.call_local(scan.pk)
    scan.refresh_from_db()
    return scan


def _failed(user, error="RuntimeError: disk full") -> DuplicateScan:
    now = timezone.now()
    return DuplicateScan.objects.create(
        requested_by=user, started_at=now, finished_at=now, error=error
    )


def test_the_summary_is_of_the_last_scan_that_finished(alice, twins):
    scan = _run(alice)
    summary = duplicates.scan_summary(alice)
    assert (summary.at, summary.done, summary.failed) == (scan.finished_at, scan, None)
    assert summary.seconds == (scan.finished_at - scan.started_at).total_seconds()


def test_a_scan_that_failed_since_the_last_one_is_in_the_summary(alice, twins):
    done = _run(alice)
    failed = _failed(alice)
    summary = duplicates.scan_summary(alice)
    assert (summary.done, summary.failed) == (done, failed)


def test_a_scan_that_failed_before_the_last_one_is_not(alice, twins):
    _failed(alice)
    _run(alice)
    assert duplicates.scan_summary(alice).failed is None


def test_a_superseded_scan_is_not_a_failure(alice, twins):
    _run(alice)
    superseded = _failed(alice, error=DuplicateScan.SUPERSEDED)
    assert superseded.status == "superseded"
    assert duplicates.scan_summary(alice).failed is None


def test_only_who_sees_every_customer_is_told_the_scans_counts(ada, nina, mike, alice):
    told = [duplicates.sees_scan_counts(u) for u in (ada, nina, mike, alice)]
    assert told == [True, True, False, False]


def test_the_command_records_its_scan(twins):
    call_command("customers", "duplicates", "--scan", "--limit", "0", stdout=mock.Mock())
    scan = DuplicateScan.objects.get()
    assert (scan.status, scan.requested_by, scan.pairs) == ("done", None, 1)


# --- the page ------------------------------------------------------------------------------


def test_the_page_waits_for_a_scan_it_asked_for(client, alice):
    login(client, alice).post(reverse("customers:duplicate_scan"))  # queued, not run
    page = client.get(reverse("customers:duplicates")).content.decode()
    assert "is waiting for the job worker" in page
    assert f'hx-get="{reverse("customers:duplicate_scan_status")}"' in page
    assert "Scan again" not in page and "Look for duplicates now" not in page


def test_the_page_says_when_the_running_scan_started(client, alice):
    DuplicateScan.objects.create(requested_by=alice, started_at=timezone.now())
    page = login(client, alice).get(reverse("customers:duplicates")).content.decode()
    assert "Looking for duplicates among every customer (started now)" in page


def test_the_polled_notice_stays_while_the_scan_runs(client, alice):
    DuplicateScan.objects.create(requested_by=alice, started_at=timezone.now())
    response = login(client, alice).get(
        reverse("customers:duplicate_scan_status"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'id="duplicate-scan"' in response.content.decode()
    assert "HX-Refresh" not in response.headers


def test_the_polled_notice_reloads_the_page_when_the_scan_is_done(client, alice, twins):
    scan = DuplicateScan.objects.create(requested_by=alice)
    scan_duplicates_task.call_local(scan.pk)
    response = login(client, alice).get(
        reverse("customers:duplicate_scan_status"), HTTP_HX_REQUEST="true"
    )
    assert response.headers["HX-Refresh"] == "true"


def test_the_page_tells_an_admin_what_the_last_scan_went_through(client, ada, alice, twins):
    _run(alice)
    page = login(client, ada).get(reverse("customers:duplicates")).content.decode()
    assert "through 2 customers in" in page and ": 1 pair found." in page


def test_the_page_tells_a_rep_only_when_the_last_scan_was(client, alice, twins):
    _run(alice)
    page = login(client, alice).get(reverse("customers:duplicates")).content.decode()
    assert 'id="last-scan"' in page and "Last scan: now." in page
    assert "through 2 customers" not in page


def test_the_page_says_a_scan_failed_and_the_pairs_are_older(client, alice, twins):
    _run(alice)
    _failed(alice)
    page = login(client, alice).get(reverse("customers:duplicates")).content.decode()
    assert 'id="scan-failed"' in page
    assert "The look for duplicates Alice asked for stopped on an error now." in page
    assert "The pairs below are from the scan before it." in page
    assert "disk full" not in page  # the error itself is for an admin


def test_the_page_gives_an_admin_the_error(client, ada, alice):
    _failed(alice)
    page = login(client, ada).get(reverse("customers:duplicates")).content.decode()
    assert "RuntimeError: disk full" in page
    assert "The pairs below are from the scan before it." not in page  # there was none


def test_the_page_does_not_warn_of_a_failure_while_a_scan_runs(client, alice):
    _failed(alice)
    DuplicateScan.objects.create(requested_by=alice, started_at=timezone.now())
    page = login(client, alice).get(reverse("customers:duplicates")).content.decode()
    assert 'id="scan-failed"' not in page


# --- the API -------------------------------------------------------------------------------


def test_the_api_asks_for_a_scan_and_answers_202(client, alice):
    response = login(client, alice).post(API)
    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["started_at"]) == ("queued", None)
    assert body["id"] == DuplicateScan.objects.get().pk


def test_the_api_gives_the_newest_scan(client, alice, twins):
    scan = DuplicateScan.objects.create(requested_by=alice)
    scan_duplicates_task.call_local(scan.pk)
    body = login(client, alice).get(API).json()
    assert (body["id"], body["status"]) == (scan.pk, "done")
    assert body["finished_at"] is not None


def test_the_api_tells_an_admin_the_scans_counts(client, ada, alice, twins):
    _run(alice)
    body = login(client, ada).get(API).json()
    assert (body["customers"], body["pairs"], body["error"]) == (2, 1, "")


def test_the_api_does_not_tell_a_rep_the_scans_counts(client, alice, twins):
    _run(alice)
    body = login(client, alice).get(API).json()
    assert (body["customers"], body["pairs"]) == (None, None)


def test_the_api_tells_a_rep_a_scan_failed_and_an_admin_why(client, ada, alice):
    _failed(alice)
    assert login(client, alice).get(API).json()["error"] == "It stopped on an error."
    client.logout()
    assert login(client, ada).get(API).json()["error"] == "RuntimeError: disk full"


def test_the_api_answers_404_before_any_scan(client, alice):
    response = login(client, alice).get(API)
    assert response.status_code == 404
    assert response.json()["detail"] == "No scan for duplicates yet."


def test_an_analyst_may_not_ask_the_api_for_a_scan(client, nina):
    assert login(client, nina).post(API).status_code == 403
    assert not DuplicateScan.objects.exists()
