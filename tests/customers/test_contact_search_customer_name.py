"""The contacts list (page and API) finds a contact by its customer's name, its pinyin and its
initials, those whose own details match listed first; the name follows a rename, a merge and
its undo, a contact's edit and an import, and the migration that gave every contact its
customer's name (0036). A rep never finds another rep's customer's people so."""

import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from guanxi.customers import contact_search_index, merge
from guanxi.customers.models import Contact
from guanxi.customers.search import own_words
from guanxi.customers.services import (
    add_contact,
    create_customer,
    remove_contact,
    restore_contact,
    update_contact,
    update_customer,
)
from tests.conftest import login

URL = "/customers/contacts/"
API = "/api/v1/contacts"
HUAXIN_PEOPLE = ["张经理", "李太太"]  # 广州华信贸易有限公司's, newest first
migration = importlib.import_module("guanxi.customers.migrations.0036_contact_search_customer_name")


def _page(client, q: str, **params) -> list[str]:
    response = client.get(URL, {"q": q, **params})
    assert response.status_code == 200
    return [row["name"] for row in response.context["rows"]]


def _api(client, q: str, **params) -> list[str]:
    response = client.get(API, {"q": q, **params})
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


@pytest.mark.parametrize("q", ["华信贸易", "广州", "huaxin", "HuaXin", "gzhx", "gzhxmyyxgs"])
def test_the_page_finds_a_companys_people_by_its_name_pinyin_or_initials(
    client, alice, huaxin, bobs_shared_company, q, either_reach
):
    assert _page(login(client, alice), q) == HUAXIN_PEOPLE


@pytest.mark.parametrize("q", ["华信贸易", "huaxin", "gzhx"])
def test_the_api_finds_a_companys_people_by_its_name_pinyin_or_initials(
    client, alice, huaxin, bobs_shared_company, q, either_reach
):
    assert _api(login(client, alice), q) == HUAXIN_PEOPLE


def test_a_shared_companys_people_are_found_by_its_name_too(
    client, alice, bobs_shared_company, either_reach
):
    assert _page(login(client, alice), "yuanhang") == ["孙丽"]


def test_another_reps_companys_people_are_not_found_by_its_name(
    client, alice, huaxin, charlies_company, either_reach
):
    client = login(client, alice)

    assert _page(client, "锦城贸易") == []
    assert _api(client, "jincheng") == []
    assert "赵敏" not in client.get(API, {"q": "cdjc"}).text


def test_a_contact_whose_own_name_matches_comes_before_newer_people_of_a_company_so_named(
    client, alice, huaxin, either_reach
):
    tea = create_customer(alice, {"kind": "company", "name": "李太太茶行"})
    add_contact(alice, tea, {"name": "王五"})
    add_contact(alice, tea, {"name": "赵六"})
    client = login(client, alice)

    assert _page(client, "李太太") == ["李太太", "赵六", "王五"]
    assert _api(client, "ltt") == ["李太太", "赵六", "王五"]


def test_the_pages_go_on_from_the_own_matches_to_the_companys_people(
    client, alice, huaxin, settings, either_reach
):
    tea = create_customer(alice, {"kind": "company", "name": "李太太茶行"})
    add_contact(alice, tea, {"name": "王五"})
    add_contact(alice, tea, {"name": "赵六"})
    settings.CUSTOMER_PAGE_SIZE = 1
    client = login(client, alice)

    pages = [_page(client, "李太太", page=n) for n in (1, 2, 3, 4)]

    assert pages == [["李太太"], ["赵六"], ["王五"], []]


def test_the_api_cursor_goes_on_from_the_own_matches_to_the_companys_people(
    client, alice, huaxin, either_reach
):
    tea = create_customer(alice, {"kind": "company", "name": "李太太茶行"})
    add_contact(alice, tea, {"name": "王五"})
    add_contact(alice, tea, {"name": "赵六"})
    client = login(client, alice)
    names, cursor = [], None

    while True:
        params = {"q": "李太太", "limit": 1, **({"cursor": cursor} if cursor else {})}
        body = client.get(API, params).json()
        names += [item["name"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert names == ["李太太", "赵六", "王五"]


@pytest.mark.parametrize("q", ["huaxin", "李太太"])
def test_a_search_by_a_companys_name_reads_no_more_queries_than_by_a_contacts(
    client, alice, huaxin, bobs_shared_company, django_assert_max_num_queries, q
):
    tea = create_customer(alice, {"kind": "company", "name": "李太太茶行"})
    add_contact(alice, tea, {"name": "王五"})
    client = login(client, alice)
    client.get(API)

    with django_assert_max_num_queries(6):  # as test_contact_list_api's search by a name
        assert _api(client, q)


def test_a_renamed_company_is_found_by_its_new_name_not_its_old_one(
    client, alice, huaxin, either_reach
):
    update_customer(alice, huaxin.pk, {"name": "广州新丰贸易有限公司"})
    client = login(client, alice)

    assert _page(client, "华信贸易") == []
    assert _page(client, "huaxin") == []
    assert _page(client, "新丰贸易") == HUAXIN_PEOPLE
    assert _api(client, "xinfeng") == HUAXIN_PEOPLE


def test_a_rename_whose_contacts_cannot_be_rewritten_is_not_saved(
    client, alice, huaxin, monkeypatch
):
    def fail(names, connection=None):
        raise RuntimeError("the contacts' rewrite failed")

    monkeypatch.setattr(contact_search_index, "write_customer_names", fail)

    with pytest.raises(RuntimeError):
        update_customer(alice, huaxin.pk, {"name": "广州新丰贸易有限公司"})

    huaxin.refresh_from_db()
    assert huaxin.name == "广州华信贸易有限公司"
    assert _page(login(client, alice), "huaxin") == HUAXIN_PEOPLE


def test_an_edited_contact_is_still_found_by_its_companys_name(client, alice, huaxin):
    manager = Contact.objects.get(name="张经理")

    update_contact(alice, huaxin.pk, manager.pk, {"name": "张总", "phone": "13700137001"})

    assert _page(login(client, alice), "huaxin") == ["张总", "李太太"]


def test_a_contact_put_back_is_found_by_its_companys_name(client, alice, huaxin):
    manager = Contact.objects.get(name="张经理")
    remove_contact(alice, huaxin.pk, manager.pk)

    restore_contact(alice, huaxin.pk, manager.pk)

    assert _page(login(client, alice), "huaxin") == HUAXIN_PEOPLE


def test_merged_peoples_contacts_are_found_by_the_survivors_name(client, alice, huaxin):
    other = create_customer(alice, {"kind": "company", "name": "佛山远洋物流有限公司"})
    add_contact(alice, other, {"name": "周强"})
    client = login(client, alice)

    merge.merge_customers(alice, huaxin.pk, other.pk)

    assert _page(client, "huaxin") == ["周强", *HUAXIN_PEOPLE]
    assert _page(client, "yuanyang") == []


def test_an_undone_merge_gives_the_contacts_back_their_companys_name(client, alice, huaxin):
    other = create_customer(alice, {"kind": "company", "name": "佛山远洋物流有限公司"})
    add_contact(alice, other, {"name": "周强"})
    record = merge.merge_customers(alice, huaxin.pk, other.pk)
    client = login(client, alice)

    merge.undo_merge(alice, record.pk)

    assert _page(client, "yuanyang") == ["周强"]
    assert _page(client, "huaxin") == HUAXIN_PEOPLE


def test_imported_contacts_are_found_by_their_companys_name(client, alice, huaxin, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(f"客户编号,联系人,手机\n{huaxin.pk},陈工,13912345678\n", encoding="utf-8")
    out = io.StringIO()

    call_command("import", "contacts", str(path), "--user", alice.username, stdout=out)

    assert "imported 1" in out.getvalue()
    assert _page(login(client, alice), "gzhx") == ["陈工", *HUAXIN_PEOPLE]


def test_the_migration_gives_every_contact_its_customers_name_and_the_reverse_takes_it_out(
    client, alice, huaxin, bobs_shared_company
):
    built = dict(Contact.objects.values_list("pk", "search_text"))
    for pk, text in built.items():  # as before the migration: their own words only
        Contact.objects.filter(pk=pk).update(search_text=own_words(text))
    client = login(client, alice)
    assert _page(client, "huaxin") == []

    migration.rebuild(apps, connection)

    assert dict(Contact.objects.values_list("pk", "search_text")) == built
    assert _page(client, "huaxin") == HUAXIN_PEOPLE

    migration.unbuild(connection)

    assert dict(Contact.objects.values_list("pk", "search_text")) == {
        pk: own_words(text) for pk, text in built.items()
    }
    assert _page(client, "huaxin") == []
    assert _page(client, "李太太") == ["李太太"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's way of reading")
def test_a_common_query_walked_gives_the_places_gathered(alice, huaxin, monkeypatch):
    tea = create_customer(alice, {"kind": "company", "name": "张记茶行"})
    for i in range(7):
        add_contact(alice, tea, {"name": f"王{'一二三四五六七'[i]}"})
    for i in range(5):
        add_contact(alice, huaxin, {"name": f"张{'一二三四五'[i]}"})

    def places(common: bool) -> list[list[int]]:
        contact_search_index.forget_common()
        monkeypatch.setattr(contact_search_index, "COMMON_MATCHES", 1 if common else 10**9)
        monkeypatch.setattr(contact_search_index, "LEAST_SPAN", 2)
        read, after = [], None
        while True:
            rows = contact_search_index.ranked_matching("zhang", 4, after=after)
            read.append([place for place, *_rest in rows])
            if len(rows) < 4:
                return read
            after = rows[-1][0]

    walked, gathered = places(common=True), places(common=False)

    assert walked == gathered
    assert [p > 0 for page in walked for p in page] == [True] * 6 + [False] * 7
