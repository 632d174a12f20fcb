"""The list of imports under the upload forms (customers and orders): paged without counting,
and saying whose each import is to who sees other users' imports."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guanxi.customers import import_views
from guanxi.customers.models_import import ImportJob
from tests.conftest import login

pytestmark = pytest.mark.django_db

CUSTOMERS = reverse("customers:import")
ORDERS = reverse("sales:order_import")


def _imports(user, count: int, kind: str = "customers") -> list[ImportJob]:
    """``count`` finished imports of ``user``, oldest first, named f00.csv, f01.csv…"""
    return [
        ImportJob.objects.create(
            created_by=user,
            kind=kind,
            file_name=f"f{n:02d}.csv",
            file_path="/nowhere.csv",
            status=ImportJob.Status.DONE,
        )
        for n in range(count)
    ]


def _files(page: str) -> set[str]:
    return {f"f{n:02d}.csv" for n in range(50) if f">f{n:02d}.csv</a>" in page}


def test_the_import_list_pages_on_to_the_older_imports(client, alice):
    _imports(alice, import_views.IMPORTS_PER_PAGE + 1)
    login(client, alice)

    first = client.get(CUSTOMERS).text
    second = client.get(CUSTOMERS, {"page": 2}).text

    assert _files(first) == {f"f{n:02d}.csv" for n in range(1, 11)}
    assert 'href="?page=2"' in first
    assert _files(second) == {"f00.csv"}
    assert 'href="?page=1"' in second and "No imports yet." not in second


def test_the_import_list_does_not_count_the_imports(client, alice):
    _imports(alice, 3)
    login(client, alice)

    with CaptureQueriesContext(connection) as queries:
        client.get(CUSTOMERS)

    reads = [q["sql"].upper() for q in queries if "IMPORTJOB" in q["sql"].upper()]
    assert reads and not [sql for sql in reads if "COUNT(" in sql]


def test_an_admin_is_told_whose_each_import_is(client, ada, alice, bob):
    _imports(alice, 1)
    bobs = ImportJob.objects.create(created_by=bob, file_name="bob.csv", file_path="/x.csv")
    login(client, ada)

    page = client.get(CUSTOMERS).text

    assert "<th>By</th>" in page
    assert f">{alice}</td>" in page and f">{bobs.created_by}</td>" in page


def test_a_rep_who_sees_only_her_imports_is_not_told_whose_they_are(client, alice):
    _imports(alice, 2)

    page = login(client, alice).get(CUSTOMERS).text

    assert "<th>By</th>" not in page and f">{alice}</td>" not in page


def test_the_order_import_list_pages_on_to_the_older_imports(client, alice):
    _imports(alice, import_views.IMPORTS_PER_PAGE + 1, kind="orders")
    login(client, alice)

    first = client.get(ORDERS).text
    second = client.get(ORDERS, {"page": 2}).text

    assert len(_files(first)) == 10 and 'href="?page=2"' in first
    assert _files(second) == {"f00.csv"}


def test_an_admin_is_told_whose_each_order_import_is(client, ada, alice):
    _imports(alice, 1, kind="orders")

    page = login(client, ada).get(ORDERS).text

    assert "<th>By</th>" in page and f">{alice}</td>" in page


def test_the_import_list_reads_in_few_queries_whoever_made_the_imports(
    client, ada, alice, bob, mike, django_assert_max_num_queries
):
    for user in (alice, bob, mike, ada):
        _imports(user, 3)
    login(client, ada)

    # The session, the user, the page with its users, whether others' are listed, the bell.
    with django_assert_max_num_queries(5):
        client.get(CUSTOMERS)
