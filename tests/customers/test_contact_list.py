"""The contacts list page (/customers/contacts/): the contacts of exactly the customers the
user sees, masked as their customers, searched, filtered, paged newest first, its empty states.

Most tests run twice (``either_reach``): for users who see many customers (contacts walked
newest first) and few (their customers' contacts gathered)."""

import pytest
from django.db import connection
from django.urls import reverse

from guanxi.customers import contact_search_index, queries
from guanxi.customers.models import Contact
from guanxi.customers.services import add_contact, create_customer, delete_customer
from guanxi.ops import search_views
from tests.conftest import login

URL = "/customers/contacts/"


def _names(response) -> list[str]:
    return [row["name"] for row in response.context["rows"]]


def test_the_menu_leads_to_the_contacts_list_beside_the_customers(client, alice):
    response = login(client, alice).get("/my-day/")

    assert reverse("customers:contacts") == URL
    assert response.text.index('href="/customers/"') < response.text.index(f'href="{URL}"')


def test_the_page_lists_the_contacts_of_the_customers_she_sees_newest_first(
    client, alice, huaxin, bobs_shared_company, either_reach
):
    response = login(client, alice).get(URL)

    assert response.status_code == 200
    assert _names(response) == ["孙丽", "张经理", "李太太"]


def test_another_reps_contact_is_absent(client, alice, huaxin, charlies_company, either_reach):
    response = login(client, alice).get(URL)

    assert "赵敏" not in _names(response)
    assert "赵敏" not in response.text and "13600136000" not in response.text


def test_a_contact_of_a_customer_in_the_recycle_bin_is_absent(
    client, ada, alice, huaxin, either_reach
):
    delete_customer(ada, huaxin.pk)

    response = login(client, alice).get(URL)

    assert _names(response) == []


def test_a_manager_sees_the_contacts_of_her_teams_customers(
    client, mike, huaxin, charlies_company, either_reach
):
    response = login(client, mike).get(URL)

    assert _names(response) == ["张经理", "李太太"]


def test_an_admin_sees_every_contact(client, ada, huaxin, charlies_company):
    response = login(client, ada).get(URL)

    assert _names(response) == ["赵敏", "张经理", "李太太"]


def test_a_rep_sees_her_own_customers_contact_phone_in_full(client, alice, huaxin):
    response = login(client, alice).get(URL, {"q": "李太太"})

    assert response.context["rows"][0]["shown_phone"] == "+86 139 0013 9000"


def test_a_rep_sees_a_shared_customers_contact_phone_masked(
    client, alice, bobs_shared_company, either_reach
):
    response = login(client, alice).get(URL)

    row = response.context["rows"][0]
    assert row["shown_phone"] == "+86 135 **** 5000"
    assert "13500135000" not in response.text and "0013 5000" not in response.text


def test_an_analyst_sees_every_contact_phone_masked(client, nina, huaxin):
    response = login(client, nina).get(URL)

    assert {r["shown_phone"] for r in response.context["rows"]} == {
        "+86 139 **** 9000",
        "+86 137 **** 7000",
    }


def test_a_row_shows_the_contacts_details_and_links_to_the_cards_contacts_tab(
    client, alice, huaxin
):
    response = login(client, alice).get(URL, {"q": "litaitai"})

    row = response.context["rows"][0]
    assert (row["customer_name"], row["title"], row["email"], row["wechat_id"]) == (
        "广州华信贸易有限公司",
        "采购经理",
        "litaitai@example.com",
        "litaitai88",
    )
    assert row["is_primary"] and row["added"]
    assert row["card_url"] == f"/customers/{huaxin.pk}/?tab=contacts"
    assert f'href="/customers/{huaxin.pk}/?tab=contacts"' in response.text


@pytest.mark.parametrize("q", ["李太太", "李太", "litaitai", "ltt", "1390013", "litaitai@exa"])
def test_the_search_finds_a_contact_by_name_pinyin_initials_phone_digits_or_email(
    client, alice, huaxin, bobs_shared_company, q, either_reach
):
    response = login(client, alice).get(URL, {"q": q})

    assert _names(response) == ["李太太"]


def test_phone_digits_do_not_find_a_contact_whose_phone_she_sees_masked(
    client, alice, bobs_shared_company, either_reach
):
    response = login(client, alice).get(URL, {"q": "1350013"})

    assert _names(response) == []


def test_a_whole_phone_number_finds_a_contact_whose_phone_she_sees_masked(
    client, alice, bobs_shared_company, either_reach
):
    response = login(client, alice).get(URL, {"q": "13500135000"})

    assert _names(response) == ["孙丽"]


def test_an_analysts_phone_digits_find_nothing(client, nina, huaxin):
    response = login(client, nina).get(URL, {"q": "1390013"})

    assert _names(response) == []


def test_the_search_never_finds_another_reps_contact(
    client, alice, huaxin, charlies_company, either_reach
):
    response = login(client, alice).get(URL, {"q": "赵敏"})

    assert _names(response) == []


def test_primary_contacts_only(client, alice, huaxin, bobs_shared_company, either_reach):
    response = login(client, alice).get(URL, {"primary": "1"})

    assert _names(response) == ["孙丽", "李太太"]


def test_the_owner_filter_keeps_the_contacts_of_that_owners_customers(
    client, alice, bob, huaxin, bobs_shared_company, either_reach
):
    response = login(client, alice).get(URL, {"owner": bob.pk})

    assert _names(response) == ["孙丽"]


@pytest.mark.parametrize("few", [False, True])
def test_an_admins_owner_filter_keeps_that_owners_contacts(
    client, ada, alice, huaxin, charlies_company, few, monkeypatch
):
    monkeypatch.setattr(queries, "SMALL_REACH", 5_000 if few else 0)

    response = login(client, ada).get(URL, {"owner": alice.pk, "q": "zhang"})

    assert _names(response) == ["张经理"]


def test_the_empty_list_says_there_are_no_contacts_yet(client, alice):
    response = login(client, alice).get(URL)

    assert "No contacts yet." in response.text
    assert "No contact matches" not in response.text


def test_a_filter_matching_nothing_says_so_and_offers_to_clear_it(client, alice, huaxin):
    response = login(client, alice).get(URL, {"q": "nobody"})

    assert "No contact matches the filters." in response.text
    assert f'<a href="{URL}">Clear the filters</a>' in response.text


def test_the_empty_list_speaks_chinese(client, alice):
    response = login(client, alice).get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "还没有联系人。" in response.text


def test_the_next_page_holds_the_older_contacts(client, alice, huaxin, settings, either_reach):
    settings.CUSTOMER_PAGE_SIZE = 1
    client = login(client, alice)

    first = client.get(URL)
    second = client.get(URL, {"page": 2})

    assert (_names(first), _names(second)) == (["张经理"], ["李太太"])
    assert first.context["page"].has_next and not second.context["page"].has_next
    assert "?page=2" in first.text and "Next" in first.text
    assert "Previous" in second.text


def test_a_page_past_the_end_offers_the_first(client, alice, huaxin):
    response = login(client, alice).get(URL, {"page": 9})

    assert "No more contacts." in response.text


def test_the_filter_forms_htmx_request_gets_only_the_table(client, alice, huaxin):
    response = login(client, alice).get(
        URL, {"q": "zhang"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="contact-table"
    )

    assert "<html" not in response.text and "张经理" in response.text


@pytest.mark.parametrize("q", ["", "lianxiren"])
def test_the_page_reads_a_bounded_number_of_queries(
    client, alice, django_assert_max_num_queries, either_reach, q
):
    for i in range(30):
        company = create_customer(alice, {"kind": "company", "name": f"公司{i}"})
        add_contact(alice, company, {"name": f"联系人{i}", "phone": f"139001390{i:02d}"})
    client = login(client, alice)
    client.get(URL, {"q": q})  # the menu, rendered once per process

    with django_assert_max_num_queries(8):
        response = client.get(URL, {"q": q})

    assert len(response.context["rows"]) == 25
    assert Contact.objects.count() == 30


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's way of reading")
def test_a_common_query_walked_newest_first_gives_the_gathered_rows(alice, monkeypatch):
    company = create_customer(alice, {"kind": "company", "name": "广州华信贸易有限公司"})
    for i in range(12):
        add_contact(alice, company, {"name": f"张{'一二三四五六七八九十甲乙'[i]}", "title": "经理"})
    add_contact(alice, company, {"name": "李四"})

    def pages(common: bool) -> list[list[int]]:
        contact_search_index.forget_common()
        monkeypatch.setattr(contact_search_index, "COMMON_MATCHES", 1 if common else 10**9)
        monkeypatch.setattr(contact_search_index, "LEAST_SPAN", 2)
        read, before = [], None
        while True:
            rows = contact_search_index.newest_matching("zhang", 5, before=before)
            read.append([pk for pk, _customer in rows])
            if len(rows) < 5:
                return read
            before = rows[-1][0]

    walked, gathered = pages(common=True), pages(common=False)

    assert walked == gathered
    assert sum(len(page) for page in walked) == 12


def test_the_global_search_page_leads_to_all_matching_contacts_when_its_group_is_full(
    client, alice, huaxin, monkeypatch
):
    monkeypatch.setattr(search_views, "PAGE_LIMIT", 1)

    page = login(client, alice).get(reverse("ops:search"), {"q": "13"}).text

    assert f'href="{URL}?q=13"' in page
    assert "All in the contacts list" in page
