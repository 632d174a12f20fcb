"""A phone with one full-width digit is saved normalised by the form's service and the
import (its fast path too), so search and the duplicate check find it; migration 0035
normalises the phones saved before."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from guanxi.customers import imports, queries
from guanxi.customers.models import Contact, Customer
from guanxi.customers.services import add_contact, create_customer

pytestmark = pytest.mark.django_db

migration = importlib.import_module("guanxi.customers.migrations.0035_phones_ascii_digits")


def test_a_new_customer_with_a_full_width_digit_is_found_by_its_ascii_digits(alice):
    customer = create_customer(alice, {"name": "王倩", "phone": "1380013800０"})

    assert customer.phone == "+8613800138000"
    assert [c.pk for c in queries.search_customers(alice, "13800138000")] == [customer.pk]


def test_an_imported_phone_with_a_full_width_digit_is_a_duplicate_of_the_ascii_one(alice, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("姓名,手机\n王倩,13800138000\n李雷,1380013800０\n", encoding="utf-8")

    job = imports.process(imports.new_job(alice, path, owner=alice))

    assert (job.imported, job.skipped + job.failed) == (1, 1)
    assert list(Customer.objects.values_list("phone", flat=True)) == ["+8613800138000"]


def test_the_fast_path_stores_a_full_width_digit_in_ascii(alice, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("姓名,手机\n李雷,1394444000３\n", encoding="utf-8")

    imports.process(imports.new_job(alice, path, owner=alice))

    assert Customer.objects.get().phone == "+8613944440003"


def _migrate():
    migration.normalise_phones(apps, SimpleNamespace(connection=connection))


def test_the_migration_normalises_a_saved_phone_and_its_search_text(alice):
    customer = create_customer(alice, {"name": "王倩", "phone": "13800138000"})
    Customer.objects.filter(pk=customer.pk).update(
        phone="+861380013800０", phone_alt="+861390013900０", search_text="王倩"
    )

    _migrate()

    customer.refresh_from_db()
    assert (customer.phone, customer.phone_alt) == ("+8613800138000", "+8613900139000")
    assert customer.version == 2
    assert "13800138000" in customer.search_text
    assert customer.history.first().history_change_reason == "phone digits normalised"


def test_the_migration_normalises_a_contacts_phone(alice):
    customer = create_customer(alice, {"name": "华信公司", "kind": "company"})
    contact = add_contact(alice, customer, {"name": "李助理", "phone": "13800138000"})
    Contact.objects.filter(pk=contact.pk).update(phone="+861380013800０")

    _migrate()

    contact.refresh_from_db()
    assert contact.phone == "+8613800138000"
    assert "13800138000" in contact.search_text


def test_the_migration_leaves_a_value_that_is_no_number_as_it_is(alice):
    customer = create_customer(alice, {"name": "王倩"})
    Customer.objects.filter(pk=customer.pk).update(phone="微信同号")

    _migrate()

    customer.refresh_from_db()
    assert (customer.phone, customer.version) == ("微信同号", 1)
