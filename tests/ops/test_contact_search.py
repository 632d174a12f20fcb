"""Contacts are found through their ``search_text`` as customers are: name, full pinyin,
initials (every reading of a heteronym), phone digits and any part of the e-mail, in the
global search (navbar, /search/, GET /api/v1/search), only where their customer is visible."""

import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from guanxi.customers.models import Contact
from guanxi.customers.search import own_words
from guanxi.customers.services import (
    add_contact,
    delete_customer,
    share_customer,
    update_contact,
)
from guanxi.ops.search import global_search, search_contacts
from tests.conftest import login

pytestmark = pytest.mark.django_db
API = "/api/v1/search"


@pytest.fixture
def litaitai(alice, alices_customer):
    """李太太 (litaitai@example.com, 13912345678), a contact of Alice's 王伟."""
    return add_contact(
        alice,
        alices_customer,
        {"name": "李太太", "phone": "13912345678", "email": "LiTaiTai@Example.com"},
    )


def names(rows) -> list[str]:
    return [c.name for c in rows]


@pytest.mark.parametrize(
    "query",
    ["litaitai", "ltt", "李太", "李太太", "LiTaiTai", "1391234", "139 1234 5678", "taitai@exa"],
)
def test_a_contact_is_found_by_pinyin_initials_name_phone_and_email_part(alice, litaitai, query):
    assert names(search_contacts(alice, query, limit=5)) == ["李太太"]


@pytest.mark.parametrize("query", ["litaitai@example.com", "example.com", "+86 139 1234 5678"])
def test_a_contact_is_found_by_the_whole_email_domain_or_phone(alice, litaitai, query):
    assert names(search_contacts(alice, query, limit=5)) == ["李太太"]


def test_a_query_that_is_not_in_the_contact_finds_nothing(alice, litaitai):
    assert names(search_contacts(alice, "wangtaitai", limit=5)) == []
    assert names(search_contacts(alice, "tt", limit=5)) == []  # not the start of a word


def test_every_reading_of_a_heteronym_finds_the_contact(alice, alices_customer):
    add_contact(alice, alices_customer, {"name": "曾小乐"})

    assert names(search_contacts(alice, "zengxiaole", limit=5)) == ["曾小乐"]
    assert names(search_contacts(alice, "cengxiaoyue", limit=5)) == ["曾小乐"]
    assert names(search_contacts(alice, "zxl", limit=5)) == ["曾小乐"]


def test_a_rep_does_not_find_another_reps_customers_contacts(charlie, litaitai):
    for query in ("litaitai", "ltt", "李太", "1391234", "taitai@exa"):
        assert names(search_contacts(charlie, query, limit=5)) == []


def test_a_colleague_finds_the_contact_once_the_customer_is_shared(alice, bob, litaitai):
    assert names(search_contacts(bob, "ltt", limit=5)) == []

    share_customer(alice, litaitai.customer_id, to_user=bob)

    assert names(search_contacts(bob, "ltt", limit=5)) == ["李太太"]


def test_a_customer_in_the_recycle_bin_hides_its_contacts(alice, litaitai):
    delete_customer(alice, litaitai.customer_id)

    assert names(search_contacts(alice, "litaitai", limit=5)) == []


def test_an_edited_contact_is_found_by_its_new_name_not_the_old(alice, litaitai):
    update_contact(alice, litaitai.customer_id, litaitai.pk, {"name": "张太太"})

    assert names(search_contacts(alice, "zhangtaitai", limit=5)) == ["张太太"]
    assert names(search_contacts(alice, "litaitai", limit=5)) == ["张太太"]  # still the e-mail
    assert names(search_contacts(alice, "ltt", limit=5)) == []


def test_a_save_of_some_fields_keeps_the_search_text_in_step(alice, litaitai):
    litaitai.phone = "+8613700001111"
    litaitai.save(update_fields=["phone"])

    assert names(search_contacts(alice, "13700001111", limit=5)) == ["李太太"]
    assert names(search_contacts(alice, "1391234", limit=5)) == []


def test_the_api_and_the_search_page_list_the_contact(client, alice, litaitai):
    login(client, alice)

    body = client.get(API, {"q": "ltt"}).json()
    page = client.get("/search/", {"q": "litaitai"}).content.decode()

    assert [c["name"] for c in body["contacts"]] == ["李太太"]
    assert body["contacts"][0]["customer_name"] == "王伟"
    assert "李太太" in page


def test_a_reps_older_contacts_are_found_past_a_batch_of_others_newer_ones(
    alice, charlie, alices_customer, charlies_customer
):
    mine = [add_contact(alice, alices_customer, {"name": f"李太太{i}"}).pk for i in range(3)]
    for i in range(70):  # newer than hers, all matching, more than the first batch reads
        add_contact(charlie, charlies_customer, {"name": f"李太太分{i}"})

    found = global_search(alice, "litaitai", limit=5).contacts

    assert [c.pk for c in found] == sorted(mine, reverse=True)


def test_the_migration_fills_the_search_text_of_existing_contacts(alice, litaitai):
    Contact.objects.update(search_text="")  # as before the column held anything
    assert names(search_contacts(alice, "ltt", limit=5)) == []
    migration = importlib.import_module("guanxi.customers.migrations.0027_contact_search_text")

    migration.fill(apps, type("SchemaEditor", (), {"connection": connection})())

    assert names(search_contacts(alice, "ltt", limit=5)) == ["李太太"]
    filled = Contact.objects.get().search_text
    litaitai.refresh_search_text()
    assert filled == own_words(litaitai.search_text)  # 0036 adds the customer's name


def _import(tmp_path, user, text: str, *args) -> str:
    path = tmp_path / "contacts.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("import", "contacts", str(path), "--user", user.username, *args, stdout=out)
    return out.getvalue()


def test_imported_contacts_are_found_by_pinyin_and_their_updates_too(
    alice, alices_customer, tmp_path
):
    header = "客户编号,联系人,手机,邮箱\n"
    row = f"{alices_customer.pk},李太太,13912345678,litaitai@example.com\n"
    assert "imported 1" in _import(tmp_path, alice, header + row)
    assert names(search_contacts(alice, "ltt", limit=5)) == ["李太太"]

    changed = f"{alices_customer.pk},李太太,13912345678,mrsli@example.com\n"
    assert "updated 1" in _import(tmp_path, alice, header + changed, "--on-duplicate", "update")

    assert names(search_contacts(alice, "mrsli", limit=5)) == ["李太太"]
    assert names(search_contacts(alice, "taitai@exa", limit=5)) == []
