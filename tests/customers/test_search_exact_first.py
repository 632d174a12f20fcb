"""The customer list and the API's ``?q=``: a search that is exactly a customer's mobile number
or e-mail lists that customer first, newest first after it, and paging through the results
shows every match once."""

import re

import pytest
from django.test import override_settings

from guanxi.customers.services import create_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db

API = "/api/v1/customers"
PHONE = "13800001234"


@pytest.fixture
def exact(alice):
    """王伟, whose mobile is PHONE, and a newer customer whose WeChat ID holds it."""
    customer = create_customer(alice, {"name": "王伟", "phone": PHONE})
    create_customer(alice, {"name": "赵六", "wechat_id": f"wx{PHONE}"})
    return customer


@pytest.fixture
def crowd(alice):
    """Twelve customers whose other phone holds PHONE, and one whose mobile is PHONE, in the
    middle: older than six of them."""
    made = [create_customer(alice, {"name": f"客户{i:02d}", "phone_alt": PHONE}) for i in range(6)]
    exact = create_customer(alice, {"name": "王伟", "phone": PHONE})
    made += [
        create_customer(alice, {"name": f"客户{i:02d}", "phone_alt": PHONE}) for i in range(6, 12)
    ]
    return exact, made


def _api_names(client, query: str) -> list[str]:
    return [row["name"] for row in client.get(f"{API}?{query}").json()["items"]]


def _page_ids(client, query: str) -> list[int]:
    html = client.get(f"/customers/?{query}").content.decode()
    return [int(pk) for pk in re.findall(r'name="ids" value="(\d+)"', html)]


def test_the_list_page_lists_the_exact_mobile_first(client, alice, exact):
    login(client, alice)

    html = client.get(f"/customers/?q={PHONE}").content.decode()

    assert html.index("王伟") < html.index("赵六")


def test_the_api_lists_the_exact_mobile_first(client, alice, exact):
    login(client, alice)

    assert _api_names(client, f"q={PHONE}") == ["王伟", "赵六"]


def test_the_api_lists_the_exact_email_first(client, alice):
    create_customer(alice, {"name": "王伟", "email": "wei@qq.com"})
    create_customer(alice, {"name": "张伟", "email": "zhangwei@qq.com"})
    login(client, alice)

    assert _api_names(client, "q=wei@qq.com") == ["王伟", "张伟"]


def test_another_order_than_newest_keeps_that_order(client, alice, exact):
    login(client, alice)

    assert _api_names(client, f"q={PHONE}&ordering=-name") == ["赵六", "王伟"]


def test_a_cursor_walk_shows_every_match_once(client, alice, crowd):
    exact, others = crowd
    login(client, alice)
    seen, cursor = [], None
    while True:
        body = client.get(f"{API}?q={PHONE}&limit=5" + (f"&cursor={cursor}" if cursor else ""))
        seen += [row["id"] for row in body.json()["items"]]
        cursor = body.json()["next_cursor"]
        if cursor is None:
            break

    assert seen == [exact.pk] + sorted((c.pk for c in others), reverse=True)


def test_a_page_of_one_lists_the_exact_mobile(client, alice, exact):
    login(client, alice)

    assert _api_names(client, f"q={PHONE}&limit=1") == ["王伟"]


@pytest.mark.parametrize("limit", [1, 2])
def test_a_cursor_walk_by_small_pages_shows_every_match_once(client, alice, crowd, limit):
    exact, others = crowd
    login(client, alice)
    seen, cursor = [], None
    while True:
        body = client.get(
            f"{API}?q={PHONE}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        ).json()
        seen += [row["id"] for row in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert seen == [exact.pk] + sorted((c.pk for c in others), reverse=True)


@override_settings(CUSTOMER_PAGE_SIZE=5)
def test_the_pages_show_every_match_once(client, alice, crowd):
    exact, others = crowd
    login(client, alice)

    seen = [pk for n in (1, 2, 3) for pk in _page_ids(client, f"q={PHONE}&page={n}")]

    assert seen == [exact.pk] + sorted((c.pk for c in others), reverse=True)


def test_a_rep_is_not_shown_another_reps_exact_match(client, charlie, exact):
    login(client, charlie)

    assert _api_names(client, f"q={PHONE}") == []
