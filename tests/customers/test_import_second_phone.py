"""A second phone-like column ("姓名,手机,电话"): the automatic mapping gives it to the other
phone when a column already fills the phone and none is named for the other phone, so its
numbers are not dropped."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guanxi.customers import import_mapping, imports
from guanxi.customers.models import Customer
from guanxi.customers.models_import import ImportJob
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_a_second_phone_column_is_mapped_to_the_other_phone():
    assert import_mapping.auto_mapping(["姓名", "手机", "电话"]) == {
        "姓名": "name",
        "手机": "phone",
        "电话": "phone_alt",
    }


def test_a_column_named_for_the_other_phone_keeps_it_and_a_third_is_left_out():
    mapping = import_mapping.auto_mapping(["姓名", "手机", "电话", "座机"])

    assert mapping == {"姓名": "name", "手机": "phone", "座机": "phone_alt"}


def test_a_second_column_of_another_field_is_still_left_out():
    assert import_mapping.auto_mapping(["姓名", "邮箱", "电子邮件"]) == {
        "姓名": "name",
        "邮箱": "email",
    }


def test_the_mapping_page_selects_the_other_phone_for_the_second_column(client, alice):
    client = login(client, alice)
    text = "姓名,手机,电话\n王倩,13800138000,020-12345678\n"
    client.post("/customers/import/", {"file": SimpleUploadedFile("c.csv", text.encode())})
    job = ImportJob.objects.get()

    page = client.get(f"/customers/import/{job.pk}/").text

    selected = re.findall(r'name="map-(\d)".*?<option value="(\w+)" selected>', page, re.S)
    assert selected == [("0", "name"), ("1", "phone"), ("2", "phone_alt")]


def test_the_second_phones_numbers_are_imported(alice, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("姓名,手机,电话\n王倩,13800138000,15220003765\n", encoding="utf-8")

    job = imports.process(imports.new_job(alice, path, owner=alice))

    assert job.imported == 1
    assert Customer.objects.get().phone_alt == "+8615220003765"
