"""The access-log page: admins read everyone's entries, managers their team's, nobody else any;
filters, paging, empty states, and customers named only to who may see them."""

import pytest
from django.urls import reverse

from guanxi.core.models import AccessLog
from guanxi.core.templatetags import navigation
from guanxi.ops import access_log_views
from guanxi.sales.services import create_lead
from tests.conftest import login
from tests.core.access_log_entries import entry

URL = "/access-log/"


def _rows(response) -> list[dict]:
    return response.context["rows"]


def test_the_page_is_at_access_log():
    assert reverse("access_log") == URL


def test_admin_sees_everyones_entries_newest_first(client, ada, alice, charlie):
    entry(alice, minutes=1, detail="first")
    entry(charlie, minutes=2, detail="second")
    entry(None, minutes=3, detail="by a deleted user")
    login(client, ada)

    response = client.get(URL)

    assert response.status_code == 200
    assert [r["detail"] for r in _rows(response)] == ["by a deleted user", "second", "first"]
    assert "(deleted user)" in response.content.decode()


def test_manager_sees_only_the_entries_of_her_teams_members(client, ada, mike, alice, bob, charlie):
    entry(alice, minutes=1, detail="alice's")
    entry(bob, minutes=2, detail="bob's")
    entry(mike, minutes=3, detail="mike's own")
    entry(charlie, minutes=4, detail="charlie's, another team")
    entry(ada, minutes=5, detail="ada's, above her")
    login(client, mike)

    response = client.get(URL)

    assert [r["detail"] for r in _rows(response)] == ["mike's own", "bob's", "alice's"]
    assert "charlie" not in response.content.decode().lower()


@pytest.mark.parametrize("who", ["alice", "nina"])
def test_reps_and_analysts_get_403(client, request, who):
    login(client, request.getfixturevalue(who))
    assert client.get(URL).status_code == 403


def test_signed_out_visitor_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_menu_links_the_page_for_admins_and_managers_only(client, settings, ada, mike, alice):
    settings.DEBUG = False  # menus are kept per kind of user, as in production
    navigation._rendered.clear()
    try:
        seen = {}
        for user in (ada, mike, alice):
            login(client, user)
            seen[user.username] = (
                f'href="{URL}"' in client.get(reverse("customers:list")).content.decode()
            )
    finally:
        navigation._rendered.clear()
    assert seen == {"ada": True, "mike": True, "alice": False}


def test_the_page_filters_by_user_action_customer_and_days(
    client, ada, alice, bob, alices_customer
):
    entry(alice, "view", alices_customer.pk, minutes=0, detail="match")
    entry(bob, "view", alices_customer.pk, minutes=1, detail="other user")
    entry(alice, "reveal", alices_customer.pk, minutes=2, detail="other action")
    entry(alice, "view", alices_customer.pk + 1, minutes=3, detail="other customer")
    entry(alice, "view", alices_customer.pk, minutes=60 * 24 * 3, detail="later day")
    login(client, ada)

    response = client.get(
        URL,
        {
            "user": alice.pk,
            "action": "view",
            "customer": alices_customer.pk,
            "since": "2026-11-20",
            "until": "2026-11-21",
        },
    )

    assert [r["detail"] for r in _rows(response)] == ["match"]


def test_the_days_are_the_viewers_and_both_included(client, ada, alice):
    entry(alice, minutes=-10 * 60 - 1, detail="2026-11-19 23:59 in Shanghai")
    entry(alice, minutes=-10 * 60, detail="2026-11-20 00:00")
    entry(alice, minutes=14 * 60 - 1, detail="2026-11-20 23:59")
    entry(alice, minutes=14 * 60, detail="2026-11-21 00:00")
    login(client, ada)

    response = client.get(URL, {"since": "2026-11-20", "until": "2026-11-20"})

    assert [r["detail"] for r in _rows(response)] == ["2026-11-20 23:59", "2026-11-20 00:00"]


def test_each_action_is_shown_by_its_label(client, ada, alice, alices_customer):
    for minutes, action in enumerate(AccessLog.Action.values):
        entry(alice, action, alices_customer.pk, minutes=minutes)
    login(client, ada)

    response = client.get(URL)

    assert [r["action"] for r in _rows(response)] == [
        "undid a merge",
        "merged",
        "exported",
        "revealed",
        "viewed",
    ]


def test_the_page_shows_when_who_what_detail_via_and_ip(client, ada, alice, alices_customer):
    entry(alice, "reveal", alices_customer.pk, detail="phone")
    login(client, ada)

    html = client.get(URL).content.decode()

    assert "2026-11-20 10:00:00" in html
    assert "Alice" in html
    assert "revealed" in html
    assert f'href="/customers/{alices_customer.pk}/">王伟</a>' in html
    assert "phone" in html
    assert "web" in html
    assert "10.0.0.1" in html


def test_a_customer_the_viewer_cannot_see_is_shown_by_id_not_name(
    client, mike, alice, charlies_customer
):
    # Alice saw Charlie's customer while it was shared with her; Mike's team does not see it.
    entry(alice, "view", charlies_customer.pk)
    login(client, mike)

    html = client.get(URL).content.decode()

    assert f"#{charlies_customer.pk}" in html
    assert charlies_customer.name not in html
    assert f'href="/customers/{charlies_customer.pk}/"' not in html


def test_an_export_is_shown_as_the_customer_list_with_its_detail(client, ada, alice):
    entry(alice, "export", None, detail="10 rows, csv, q=zhang, city=深圳市")
    login(client, ada)

    html = client.get(URL).content.decode()

    assert "Customer list" in html
    assert "10 rows, csv, q=zhang, city=深圳市" in html


def test_an_empty_log_says_nothing_was_logged(client, ada):
    login(client, ada)
    response = client.get(URL)
    assert 'id="log-empty"' in response.content.decode()
    assert "Nothing has been logged yet." in response.content.decode()


def test_filters_no_entry_matches_say_so_and_offer_every_entry(client, ada, alice):
    entry(alice, "view")
    login(client, ada)
    html = client.get(URL, {"action": "export"}).content.decode()
    assert "No entries match these filters." in html
    assert 'id="access-log"' not in html


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2026-02-30"}, "since"),
        ({"until": "yesterday"}, "until"),
        ({"action": "delete"}, "action"),
        ({"customer": "abc"}, "customer"),
        ({"since": "2026-11-21", "until": "2026-11-20"}, "until"),
        ({"since": "0001-01-01"}, "since"),
    ],
)
def test_a_bad_filter_is_an_error_on_its_field_and_lists_nothing(client, ada, alice, params, field):
    entry(alice, "view")
    login(client, ada)

    response = client.get(URL, params)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert _rows(response) == []
    assert 'id="log-invalid"' in response.content.decode()


def test_a_manager_cannot_filter_by_someone_outside_her_team(client, mike, alice, charlie):
    entry(charlie, "view")
    login(client, mike)

    response = client.get(URL, {"user": charlie.pk})

    assert "user" in response.context["form"].errors
    assert _rows(response) == []


def test_the_page_is_paged_without_counting(client, monkeypatch, ada, alice):
    monkeypatch.setattr(access_log_views, "PAGE_SIZE", 2)
    for minutes in range(5):
        entry(alice, minutes=minutes, detail=f"n{minutes}")
    login(client, ada)

    first = client.get(URL, {"user": alice.pk})
    third = client.get(URL, {"user": alice.pk, "page": 3})

    assert [r["detail"] for r in _rows(first)] == ["n4", "n3"]
    assert first.context["page"].has_next
    assert f"user={alice.pk}&amp;page=2" in first.content.decode()
    assert [r["detail"] for r in _rows(third)] == ["n0"]
    assert not third.context["page"].has_next


def test_a_managers_page_is_paged_through_her_team(client, monkeypatch, mike, alice, bob):
    monkeypatch.setattr(access_log_views, "PAGE_SIZE", 2)
    for minutes in range(6):
        entry(alice if minutes % 2 else bob, minutes=minutes, detail=f"n{minutes}")
    login(client, mike)

    pages = [_rows(client.get(URL, {"page": n})) for n in (1, 2, 3)]

    assert [[r["detail"] for r in rows] for rows in pages] == [
        ["n5", "n4"],
        ["n3", "n2"],
        ["n1", "n0"],
    ]


@pytest.mark.parametrize("who", ["ada", "mike"])
def test_the_page_reads_a_fixed_number_of_queries(
    client, request, who, alice, bob, alices_customer, django_assert_max_num_queries
):
    for minutes in range(30):
        entry(
            alice if minutes % 2 else bob, "view", alices_customer.pk + minutes % 3, minutes=minutes
        )
    login(client, request.getfixturevalue(who))
    with django_assert_max_num_queries(7):
        response = client.get(URL)
    assert len(_rows(response)) == 30


def test_a_leads_reveal_is_shown_as_the_lead_with_a_link(client, ada, alice):
    lead = create_lead(alice, {"name": "赵磊", "phone": "13911112222"})
    entry(alice, "reveal", lead.pk, object_type="lead", detail="phone")
    login(client, ada)

    html = client.get(URL).content.decode()

    assert f'href="/sales/leads/{lead.pk}/">赵磊</a>' in html


def test_a_reveal_names_the_field_by_its_label_in_the_readers_language(
    client, ada, alice, alices_customer
):
    entry(alice, "reveal", alices_customer.pk, detail="id_number")

    rows = _rows(login(client, ada).get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans"))

    assert rows[0]["detail"] == "身份证号 / 信用代码"


def test_the_api_gives_a_reveals_field_as_written(client, ada, alice, alices_customer):
    entry(alice, "reveal", alices_customer.pk, detail="id_number")

    body = login(client, ada).get("/api/v1/access-log").json()

    assert body["items"][0]["detail"] == "id_number"


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("275 rows, xlsx, city=广州市", "275 行，xlsx，city=广州市"),
        ("10 rows, csv, all", "10 行，csv，全部"),
        ("merged #3294 into #238 (merge 3)", "将 #3294 合并到 #238（合并 3）"),
        ("undid merge 3: #3294 restored from #238", "撤销合并 3：#3294 从 #238 恢复"),
    ],
)
def test_an_export_or_a_merge_reads_in_the_readers_language(
    client, ada, alice, alices_customer, stored, shown
):
    entry(alice, "export", None, object_type="customer", detail=stored)

    rows = _rows(login(client, ada).get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans"))

    assert rows[0]["detail"] == shown


def test_the_api_gives_an_exports_detail_as_written(client, ada, alice):
    entry(alice, "export", None, object_type="customer", detail="10 rows, csv, all")

    body = login(client, ada).get("/api/v1/access-log").json()

    assert body["items"][0]["detail"] == "10 rows, csv, all"
