"""Global search (navbar box, /search/ page, GET /api/v1/search): customers, contacts and
opportunities, each group under its own visibility and capped."""

import pytest
from django.urls import reverse

from guanxi.customers.services import add_contact, create_customer, share_customer
from guanxi.ops.search import global_search
from guanxi.sales.services import create_opportunity
from tests.conftest import login

pytestmark = pytest.mark.django_db
API = "/api/v1/search"


@pytest.fixture
def world(alice, charlie, alices_customer, charlies_customer):
    """Alice's 王伟 with contact 王芳 and deal 王伟茶叶采购; Charlie's company with contact
    王强 and deal 锦城王氏项目."""
    add_contact(alice, alices_customer, {"name": "王芳", "phone": "13900139000"})
    create_opportunity(alice, alices_customer.pk, {"name": "茶叶年度采购", "amount": "5000"})
    add_contact(charlie, charlies_customer, {"name": "王强", "phone": "13900139001"})
    create_opportunity(charlie, charlies_customer.pk, {"name": "王氏项目", "amount": "8000"})
    return alices_customer, charlies_customer


def test_the_api_returns_customers_contacts_and_opportunities(client, alice, world):
    login(client, alice)

    body = client.get(API, {"q": "王"}).json()

    assert [c["name"] for c in body["customers"]] == ["王伟"]
    assert [c["name"] for c in body["contacts"]] == ["王芳"]
    assert body["contacts"][0]["customer_name"] == "王伟"
    assert [o["name"] for o in body["opportunities"]] == ["茶叶年度采购"]


def test_an_opportunity_is_found_by_its_customer(client, alice, world):
    login(client, alice)

    body = client.get(API, {"q": "wangwei"}).json()

    assert body["contacts"] == []
    assert [o["name"] for o in body["opportunities"]] == ["茶叶年度采购"]
    assert body["opportunities"][0]["url"].endswith(f"/{body['opportunities'][0]['id']}/")


def test_a_rep_finds_nothing_of_another_reps_customers(client, charlie, world):
    login(client, charlie)

    body = client.get(API, {"q": "王"}).json()

    assert [c["name"] for c in body["contacts"]] == ["王强"]
    assert [o["name"] for o in body["opportunities"]] == ["王氏项目"]
    assert body["customers"] == []
    assert client.get(API, {"q": "wangwei"}).json()["opportunities"] == []
    assert [c["name"] for c in client.get(API, {"q": "1390013900"}).json()["contacts"]] == ["王强"]


def test_a_shared_customer_is_found_with_its_phone_masked(client, alice, bob, world):
    share_customer(alice, world[0].pk, to_user=bob)
    login(client, bob)

    body = client.get(API, {"q": "wangwei"}).json()

    assert [c["name"] for c in body["customers"]] == ["王伟"]
    assert "*" in body["customers"][0]["phone"]
    assert "*" in client.get(API, {"q": "王芳"}).json()["contacts"][0]["phone"]


def test_the_owner_sees_the_phone_in_full(client, alice, world):
    login(client, alice)
    assert client.get(API, {"q": "wangwei"}).json()["customers"][0]["phone"] == "+8613800138000"


def test_each_group_is_capped(client, alice):
    for i in range(7):
        create_customer(alice, {"name": f"王{i}号"})
    login(client, alice)

    assert len(client.get(API, {"q": "王", "limit": 3}).json()["customers"]) == 3
    assert len(global_search(alice, "王", limit=5).customers) == 5


def test_the_api_needs_a_login_and_a_query(client, alice):
    assert client.get(API, {"q": "王"}).status_code == 401
    login(client, alice)
    response = client.get(API)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].endswith("q")


def test_an_exact_phone_match_is_the_first_customer(client, alice, alices_customer):
    create_customer(alice, {"name": "赵六", "phone_alt": "13800138000"})
    login(client, alice)

    body = client.get(API, {"q": "138 0013 8000"}).json()

    assert [c["name"] for c in body["customers"]] == ["王伟", "赵六"]


def test_the_search_page_lists_every_group(client, alice, world):
    login(client, alice)

    page = client.get("/search/", {"q": "王"}).content.decode()

    assert "王伟" in page and "王芳" in page
    assert "王强" not in page


def test_the_search_page_shows_each_rows_columns_and_links(client, alice, world):
    customer = world[0]
    login(client, alice)

    page = client.get("/search/", {"q": "王"}).content.decode()

    card = reverse("customers:detail", args=[customer.pk])
    deal = customer.opportunities.get()
    customers, contacts, deals = page.split("<tbody>")[1:4]
    assert f'href="{card}">王伟</a>' in customers and "bi-person" in customers
    assert "138 0013 8000" in customers and str(alice) in customers
    assert "王芳" in contacts and f'<a href="{card}">王伟</a>' in contacts
    assert f'href="{reverse("sales:opportunity", args=[deal.pk])}">茶叶年度采购</a>' in deals
    assert deal.stage.name in deals and "CNY" in deals and f'href="{card}">王伟</a>' in deals


def test_the_search_page_says_when_nothing_matches(client, alice, world):
    login(client, alice)
    assert "Nothing you may see matches" in client.get("/search/", {"q": "xyzzy"}).content.decode()


def test_the_navbar_box_gets_the_dropdown_partial(client, alice, world):
    login(client, alice)

    response = client.get("/search/", {"q": "ww", "dropdown": "1"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "<html" not in html
    assert "王伟" in html and "dropdown-menu" in html
    assert "/search/?q=ww" in html


def test_every_page_has_the_search_box(client, alice):
    login(client, alice)
    html = client.get("/customers/").content.decode()
    assert 'id="global-search"' in html and 'hx-get="/search/?dropdown=1"' in html


def test_the_search_page_needs_a_login(client):
    assert client.get("/search/", {"q": "王"}).status_code == 302


def test_opportunities_found_are_exactly_those_their_own_visible_to_allows(alice, bob, world):
    from guanxi.sales.models import Opportunity

    share_customer(alice, world[0].pk, to_user=bob)
    for user in (alice, bob):
        found = (
            global_search(user, "项目", limit=50).opportunities
            + global_search(user, "采购", limit=50).opportunities
        )
        allowed = set(Opportunity.objects.visible_to(user).values_list("pk", flat=True))
        assert {o.pk for o in found} == allowed & {
            o.pk for o in Opportunity.objects.filter(name__regex="项目|采购")
        }


def test_a_reps_older_deals_are_found_past_a_batch_of_others_newer_ones(
    alice, charlie, alices_customer, charlies_customer
):
    mine = [
        create_opportunity(alice, alices_customer.pk, {"name": f"续约{i}"}).pk for i in range(3)
    ]
    for i in range(70):  # newer than hers, all matching, more than the first batch reads
        create_opportunity(charlie, charlies_customer.pk, {"name": f"续约项目{i}"})

    found = global_search(alice, "续约", limit=5).opportunities

    assert [o.pk for o in found] == sorted(mine, reverse=True)
