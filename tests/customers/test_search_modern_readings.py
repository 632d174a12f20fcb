"""Pinyin as Chinese is read today (core.pinyin_modern): "wang" finds 王伟, not 方芳, whom
pypinyin's classical reading wǎng of 方 had made a match; heteronyms and surnames keep every
reading they have today (曾 zeng and ceng, 单 shan). Migration 0039 rebuilds the texts."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from guanxi.core.pinyin import pinyin_variants
from guanxi.customers.models import Contact, Customer
from guanxi.customers.queries import customers_for
from guanxi.customers.services import add_contact, create_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _names(rows) -> list[str]:
    return sorted(c.name for c in rows)


@pytest.mark.parametrize(
    ("name", "fulls"),
    [
        ("方芳", ["fangfang"]),
        ("王伟", ["wangwei"]),
        ("曾伟", ["cengwei", "zengwei"]),
        ("单伟", ["danwei", "chanwei", "shanwei"]),
    ],
)
def test_a_name_is_spelt_in_the_readings_it_has_today(name, fulls):
    assert sorted(pinyin_variants(name)[0]) == sorted(fulls)


@pytest.fixture
def book(alice):
    for name in ("王伟", "方芳", "曾伟", "单伟"):
        create_customer(alice, {"name": name})


@pytest.mark.parametrize(
    ("query", "found"),
    [("wang", ["王伟"]), ("fang", ["方芳"]), ("zeng", ["曾伟"]), ("shan", ["单伟"]), ("yu", [])],
)
def test_the_list_finds_a_name_by_how_it_is_read_today(client, alice, book, query, found):
    page = login(client, alice).get("/customers/", {"q": query}).content.decode()

    for name in ("王伟", "方芳", "曾伟", "单伟"):
        assert (f">{name}<" in page) == (name in found), name


def _migration():
    return importlib.import_module("guanxi.customers.migrations.0039_search_modern_readings")


def _set_text(table: str, pk: int, text: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET search_text = %s WHERE id = %s", [text, pk])  # noqa: S608


def test_the_migration_spells_old_texts_anew(alice, book):
    fang = Customer.objects.get(name="方芳")
    right = fang.search_text
    _set_text("customers_customer", fang.pk, "方芳 fangfang pangfang wangfang ff pf wf")
    assert _names(customers_for(alice, q="wang")) == ["方芳", "王伟"]

    _migration().rebuild(apps, type("SchemaEditor", (), {"connection": connection})())

    assert Customer.objects.get(pk=fang.pk).search_text == right
    assert _names(customers_for(alice, q="wang")) == ["王伟"]


def test_the_migration_spells_a_contacts_text_anew_with_its_customers_name(alice, book):
    fang = Customer.objects.get(name="方芳")
    contact = add_contact(alice, fang.pk, {"name": "方明"})
    right = Contact.objects.get(pk=contact.pk).search_text
    _set_text("customers_contact", contact.pk, "方明 fangming wangming fm wm")

    _migration().rebuild(apps, type("SchemaEditor", (), {"connection": connection})())

    assert Contact.objects.get(pk=contact.pk).search_text == right


def test_the_migration_leaves_a_text_without_such_a_character(alice, book):
    zhang = create_customer(alice, {"name": "张三"})  # neither character read otherwise before
    _set_text("customers_customer", zhang.pk, "kept as it is")

    _migration().rebuild(apps, type("SchemaEditor", (), {"connection": connection})())

    assert Customer.objects.get(pk=zhang.pk).search_text == "kept as it is"
