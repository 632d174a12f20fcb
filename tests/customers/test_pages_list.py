"""The customer list page: visibility, search, filters, sorting, pagination, bulk actions."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from guanxi.accounts.services import create_user
from guanxi.customers.models import Customer, CustomerShare, OwnershipTransfer
from guanxi.customers.services import create_customer
from tests.conftest import login

LIST = reverse("customers:list")
BULK = reverse("customers:bulk")


def names(response) -> list[str]:
    return [c.name for c in response.context["page"].object_list]


@pytest.fixture
def alices_book(alice, alices_customer):
    """王伟 (fixture) plus 李娜 and a Shenzhen company, all Alice's."""
    create_customer(alice, {"name": "李娜", "phone": "13912345678", "city": "广州"})
    create_customer(
        alice, {"kind": "company", "name": "深圳华强电子有限公司", "city": "深圳"}, tags=["经销商"]
    )
    return alice


def test_rep_sees_own_customers_and_not_another_reps(client, alices_customer, charlies_customer):
    response = login(client, alices_customer.owner).get(LIST)
    assert response.status_code == 200
    assert "王伟" in names(response)
    assert "成都锦城贸易有限公司" not in names(response)


def test_owner_sees_the_phone_in_full_and_a_colleague_sees_it_masked(client, alices_customer, bob):
    CustomerShare.objects.create(customer=alices_customer, user=bob, level="read")
    own = login(client, alices_customer.owner).get(LIST).content.decode()
    assert "+86 138 0013 8000" in own
    shared = login(client, bob).get(LIST).content.decode()
    assert "+86 138 **** 8000" in shared
    assert "13800138000" not in shared


@pytest.mark.parametrize("query", ["wangwei", "ww", "王伟", "1380013"])
def test_search_finds_by_pinyin_initials_characters_and_phone_digits(client, alices_book, query):
    response = login(client, alices_book).get(LIST, {"q": query})
    assert names(response) == ["王伟"]


def test_search_without_a_match_shows_nothing_matches(client, alices_book):
    response = login(client, alices_book).get(LIST, {"q": "zzzz"})
    assert names(response) == []
    assert "Nothing matches your search" in response.content.decode()


def test_a_user_without_customers_is_invited_to_add_the_first(client, bob):
    response = login(client, bob).get(LIST)
    assert "No customers yet — add the first one" in response.content.decode()


def test_filters_by_tag_city_and_kind(client, alices_book):
    login(client, alices_book)
    assert names(client.get(LIST, {"tag": "VIP"})) == ["王伟"]
    assert sorted(names(client.get(LIST, {"city": "广州"}))) == sorted(["王伟", "李娜"])
    assert names(client.get(LIST, {"kind": "company"})) == ["深圳华强电子有限公司"]


def test_filter_by_owner_shows_only_that_owners_customers(client, mike, alices_customer, bob):
    create_customer(bob, {"name": "赵敏"})
    response = login(client, mike).get(LIST, {"owner": bob.pk})
    assert names(response) == ["赵敏"]


def test_clicking_the_name_header_sorts_by_name(client, alices_book):
    login(client, alices_book)
    ascending = names(client.get(LIST, {"sort": "name"}))
    descending = names(client.get(LIST, {"sort": "-name"}))
    assert ascending == sorted(ascending)
    assert descending == list(reversed(ascending))


def test_htmx_filter_request_gets_only_the_table(client, alices_book):
    response = login(client, alices_book).get(
        LIST, {"q": "ln"}, headers={"HX-Request": "true", "HX-Target": "customer-table"}
    )
    body = response.content.decode()
    assert "李娜" in body
    assert "<html" not in body
    assert 'id="sort-input"' in body  # the hidden sort input is swapped out of band


@override_settings(CUSTOMER_PAGE_SIZE=2)
def test_the_list_is_paginated(client, alices_book):
    login(client, alices_book)
    first = client.get(LIST, {"sort": "name"})
    second = client.get(LIST, {"sort": "name", "page": 2})
    assert len(names(first)) == 2
    assert len(names(second)) == 1
    assert not set(names(first)) & set(names(second))


def test_list_page_query_count_does_not_grow_with_rows(
    client, alice, django_assert_max_num_queries
):
    for i in range(30):
        create_customer(alice, {"name": f"客户{i}", "phone": f"1380013{i:04d}"}, tags=["VIP"])
    login(client, alice)
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    assert len(names(response)) == 25


def test_bulk_transfer_moves_manageable_customers_and_reports_the_skipped(
    client, mike, alices_customer, bob, charlies_customer
):
    shared = create_customer(bob, {"name": "钱多多"})
    response = login(client, alices_customer.owner).post(
        BULK,
        {
            "action": "transfer",
            "to_user": bob.pk,
            "reason": "休假",
            "ids": [alices_customer.pk, shared.pk, charlies_customer.pk],
        },
        follow=True,
    )
    alices_customer.refresh_from_db()
    assert alices_customer.owner == bob
    assert OwnershipTransfer.objects.filter(customer=alices_customer, reason="休假").exists()
    assert Customer.objects.get(pk=charlies_customer.pk).owner.username == "charlie"
    text = response.content.decode()
    assert "1 customer transferred to Bob" in text
    assert "2 skipped" in text


def test_bulk_share_with_a_team_at_edit_level(client, alices_customer, teams):
    login(client, alices_customer.owner).post(
        BULK,
        {
            "action": "share",
            "target": f"team:{teams['west'].pk}",
            "level": "edit",
            "ids": [alices_customer.pk],
        },
    )
    share = CustomerShare.objects.get(customer=alices_customer)
    assert (share.team, share.level) == (teams["west"], "edit")


def test_bulk_tag_adds_the_tag_to_editable_customers_only(
    client, alices_customer, charlies_customer
):
    response = login(client, alices_customer.owner).post(
        BULK,
        {"action": "tag", "tags": "回访", "ids": [alices_customer.pk, charlies_customer.pk]},
        follow=True,
    )
    assert set(alices_customer.tags.values_list("name", flat=True)) == {"VIP", "回访"}
    assert not charlies_customer.tags.exists()
    assert "1 skipped" in response.content.decode()


def test_bulk_action_without_selection_changes_nothing(client, alices_customer, bob):
    response = login(client, alices_customer.owner).post(
        BULK, {"action": "transfer", "to_user": bob.pk}, follow=True
    )
    assert "Select at least one customer" in response.content.decode()
    assert Customer.objects.get(pk=alices_customer.pk).owner == alices_customer.owner


def test_analyst_sees_customers_without_bulk_select_or_new_button(client, nina, alices_customer):
    response = login(client, nina).get(LIST)
    body = response.content.decode()
    assert "王伟" in body
    assert 'name="ids"' not in body
    assert reverse("customers:create") not in body


def test_manager_filtering_by_owner_gets_a_transfer_all_link(client, mike, alice, alices_customer):
    body = login(client, mike).get(LIST, {"owner": alice.pk}).content.decode()
    assert reverse("customers:transfer_all") in body


def test_transfer_all_hands_every_customer_to_the_new_owner(
    client, mike, alice, bob, alices_customer
):
    create_customer(alice, {"name": "李娜"})
    response = login(client, mike).post(
        reverse("customers:transfer_all"),
        {"from_user": alice.pk, "to_user": bob.pk, "reason": "离职"},
        follow=True,
    )
    assert not Customer.objects.filter(owner=alice).exists()
    assert Customer.objects.filter(owner=bob).count() == 2
    assert "2 customers of Alice transferred to Bob" in response.content.decode()


def test_rep_may_not_open_transfer_all(client, alice):
    assert login(client, alice).get(reverse("customers:transfer_all")).status_code == 403


def test_transfer_all_link_comes_with_the_htmx_table_when_filtering_by_owner(client, mike, alice):
    response = login(client, mike).get(
        LIST, {"owner": alice.pk}, headers={"HX-Request": "true", "HX-Target": "customer-table"}
    )
    assert f"{reverse('customers:transfer_all')}?from_user={alice.pk}" in response.content.decode()


def test_the_filter_form_keeps_the_chosen_owner_tag_and_kind(client, mike, alices_book, alice):
    body = login(client, mike).get(LIST, {"owner": alice.pk, "tag": "VIP", "kind": "person"})
    html = body.content.decode()
    assert f'<option value="{alice.pk}" selected>{alice}</option>' in html
    assert '<option value="VIP" selected>VIP</option>' in html
    assert '<option value="person" selected>Person</option>' in html
    assert '<option value="company">Company</option>' in html


def test_the_bulk_form_offers_colleagues_and_teams_to_share_with(client, alices_book, alice, bob):
    html = login(client, alice).get(LIST).content.decode()
    assert f'<option value="user:{bob.pk}">{bob}</option>' in html
    assert f'<option value="team:{alice.team.pk}">{alice.team}</option>' in html


def test_a_row_shows_the_kind_icon_tags_and_when_it_changed(client, alices_book):
    html = login(client, alices_book).get(LIST, {"tag": "经销商"}).content.decode()
    row = html[html.index("深圳华强电子有限公司") - 400 :]
    assert "bi-building" in row
    assert '<span class="badge text-bg-secondary tag-badge me-1">经销商</span>' in row
    assert re.search(r"(now|ago)</td>", row)  # "now", "3 seconds ago": naturaltime


def test_a_row_names_its_owner_and_a_pooled_customers_row_says_pool(client, ada, world, charlie):
    html = login(client, ada).get(LIST, {"q": "charlie newest"}).content.decode()
    owned = html[html.index("charlie newest") :]
    pooled = login(client, ada).get(LIST, {"q": "company pool 3"}).content.decode()
    pooled = pooled[pooled.index("company pool 3") :]

    assert f'<td class="hide-sm text-nowrap">{charlie}</td>' in owned
    assert '<span class="badge text-bg-info">Pool</span>' in pooled


def test_the_new_owner_choices_leave_out_analysts_and_inactive_users(
    client, alices_book, bob, nina
):
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    html = login(client, alices_book).get(LIST).content.decode()
    owners = html[
        html.index('name="to_user"') : html.index("</select>", html.index('name="to_user"'))
    ]
    assert str(alices_book) in owners
    assert str(bob) not in owners and str(nina) not in owners


def test_the_new_owner_choices_name_each_colleagues_team(client, alices_book, alice):
    html = login(client, alices_book).get(LIST).content.decode()
    owners = html[html.index('name="to_user"') :]
    assert f'<option value="{alice.pk}">{alice} · {alice.team}</option>' in owners


def test_a_rows_checkbox_carries_the_customers_id(client, alices_customer, alice):
    html = login(client, alice).get(LIST).content.decode()
    assert f'name="ids" value="{alices_customer.pk}"' in html


def test_a_colleague_without_a_team_is_offered_by_name_alone(client, alices_book):
    loner = create_user("loner", "Loner-pass-2026", role="rep", validate_password=False)
    html = login(client, alices_book).get(LIST).content.decode()
    assert f'<option value="{loner.pk}">{loner}</option>' in html
