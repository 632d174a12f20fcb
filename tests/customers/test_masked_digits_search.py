"""Phone digits find a customer only where the searcher sees its phones in full: a search of a
few digits on a customer whose mobile is masked to the user ("+86 138 **** 4764") would give
the hidden digits away one search at a time. A whole number finds whoever has it."""

import pytest

from guanxi.customers.services import create_customer, share_customer
from tests.conftest import login

API = "/api/v1/customers"
MOBILE = "13828704764"


@pytest.fixture
def bobs_shared(bob, alice):
    """Bob's customer, shared with Alice: she sees its mobile masked."""
    customer = create_customer(bob, {"name": "刘俊杰", "phone": MOBILE})
    share_customer(bob, customer.pk, to_user=alice, level="read")
    return customer


def _ids(client, query: str) -> list[int]:
    return [row["id"] for row in client.get(f"{API}?q={query}").json()["items"]]


def test_a_rep_finds_no_shared_customer_by_digits_hidden_to_her(client, alice, bobs_shared):
    assert _ids(login(client, alice), "138287") == []


def test_a_rep_finds_a_shared_customer_by_its_whole_number(client, alice, bobs_shared):
    assert _ids(login(client, alice), MOBILE) == [bobs_shared.pk]


def test_a_rep_finds_her_own_customer_by_any_digits(client, alice):
    mine = create_customer(alice, {"name": "王伟", "phone": "13912345678"})

    assert _ids(login(client, alice), "123456") == [mine.pk]


def test_the_owner_finds_it_by_digits(client, bob, bobs_shared):
    assert _ids(login(client, bob), "138287") == [bobs_shared.pk]


def test_a_manager_finds_it_by_digits(client, mike, bobs_shared):
    assert _ids(login(client, mike), "8704") == [bobs_shared.pk]


def test_an_analyst_finds_nobody_by_digits_but_finds_a_whole_number(client, nina, bobs_shared):
    login(client, nina)

    assert _ids(client, "138287") == []
    assert _ids(client, MOBILE) == [bobs_shared.pk]


def test_the_list_page_follows_the_same_rule(client, alice, bobs_shared):
    html = login(client, alice).get("/customers/?q=138287").content.decode()

    assert "刘俊杰" not in html


def test_an_export_follows_the_same_rule(client, alice, bobs_shared):
    body = login(client, alice).get("/customers/export/?format=csv&q=138287")

    assert "刘俊杰" not in b"".join(body.streaming_content).decode("utf-8-sig")


def test_a_name_search_still_finds_the_shared_customer(client, alice, bobs_shared):
    assert _ids(login(client, alice), "liujunjie") == [bobs_shared.pk]


def test_the_global_search_follows_the_same_rule(client, alice, bobs_shared):
    body = login(client, alice).get("/api/v1/search?q=138287").json()

    assert "刘俊杰" not in str(body)


def test_a_contacts_masked_phone_is_not_found_by_its_digits(client, alice, bob):
    from guanxi.customers.services import add_contact

    theirs = create_customer(bob, {"name": "某公司", "kind": "company"})
    add_contact(bob, theirs, {"name": "李太太", "phone": "13700137000"})
    share_customer(bob, theirs.pk, to_user=alice, level="read")

    body = login(client, alice).get("/api/v1/search?q=137001").json()

    assert "李太太" not in str(body)
