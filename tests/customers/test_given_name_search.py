"""A person is found by the given name alone (娜娜 finds 欧阳娜娜, 小明 finds 张小明): a query of
one or two characters matches the start of a word, so the given name is a word of its own."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from guanxi.customers.models import Contact, Customer
from guanxi.customers.queries import customers_for
from guanxi.customers.search import given_name
from guanxi.customers.services import add_contact, create_customer, update_customer
from guanxi.ops.search import global_search, search_contacts

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "given"),
    [
        ("张小明", "小明"),
        ("欧阳娜娜", "娜娜"),
        ("司马相如", "相如"),
        ("张 小明", "小明"),
        ("王伟", ""),  # a single character: every 伟 would match
        ("欧阳娜", ""),
        ("John Smith", ""),
        ("阿卜杜拉·艾买提", ""),
        ("", ""),
    ],
)
def test_the_given_name_of_a_chinese_name(name, given):
    assert given_name(name) == given


@pytest.fixture
def book(alice):
    for name in ("欧阳娜娜", "李娜娜", "张小明", "娜姐"):
        create_customer(alice, {"name": name})


def names(rows) -> list[str]:
    return sorted(c.name for c in rows)


def test_a_two_character_given_name_finds_the_people_who_have_it(alice, book):
    assert names(customers_for(alice, q="娜娜")) == ["李娜娜", "欧阳娜娜"]
    assert names(customers_for(alice, q="小明")) == ["张小明"]


def test_one_character_finds_the_given_names_that_start_with_it(alice, book):
    assert names(customers_for(alice, q="娜")) == ["娜姐", "李娜娜", "欧阳娜娜"]


def test_a_companys_name_has_no_given_name_but_its_pairs_of_characters(alice):
    company = create_customer(alice, {"kind": "company", "name": "华为技术"})

    assert "为技术" not in company.search_text.split()  # what a person's given name would be
    assert names(customers_for(alice, q="为技")) == ["华为技术"]  # search.brand_words


def test_a_renamed_person_is_found_by_the_new_given_name_only(alice, book):
    zhang = Customer.objects.get(name="张小明")

    update_customer(alice, zhang.pk, {"name": "张晓东"})

    assert names(customers_for(alice, q="小明")) == []
    assert names(customers_for(alice, q="晓东")) == ["张晓东"]


def test_the_api_and_the_global_search_find_by_the_given_name(client, alice, book):
    client.force_login(alice)

    found = client.get("/api/v1/customers", {"q": "娜娜"}).json()["items"]

    assert sorted(c["name"] for c in found) == ["李娜娜", "欧阳娜娜"]
    assert names(global_search(alice, "小明").customers) == ["张小明"]


def test_a_contact_is_found_by_the_given_name(alice, alices_customer):
    add_contact(alice, alices_customer, {"name": "欧阳娜娜"})

    assert names(search_contacts(alice, "娜娜", limit=5)) == ["欧阳娜娜"]


def test_the_migration_gives_the_people_of_before_their_given_names(alice, alices_customer):
    wang = create_customer(alice, {"name": "欧阳娜娜", "phone": "13912345678"})
    firm = create_customer(alice, {"kind": "company", "name": "华为技术"})
    contact = add_contact(alice, alices_customer, {"name": "张小明"})
    texts = {firm.pk: Customer.objects.get(pk=firm.pk).search_text}
    with connection.cursor() as cursor:  # as the search text was written before
        cursor.execute(
            "UPDATE customers_customer SET search_text = "
            "'欧阳娜娜 ouyangnana oynn 13912345678 8613912345678' WHERE id = %s",
            [wang.pk],
        )
        cursor.execute(
            "UPDATE customers_contact SET search_text = '张小明 zhangxiaoming zxm' WHERE id = %s",
            [contact.pk],
        )
    assert names(customers_for(alice, q="娜娜")) == []
    migration = importlib.import_module("guanxi.customers.migrations.0033_given_name_search")

    migration.rebuild(apps, connection.schema_editor())

    assert names(customers_for(alice, q="娜娜")) == ["欧阳娜娜"]
    assert names(search_contacts(alice, "小明", limit=5)) == ["张小明"]
    assert Customer.objects.get(pk=firm.pk).search_text == texts[firm.pk]
    assert "小明" in Contact.objects.get(pk=contact.pk).search_text.split()
