"""Fields several columns of a file may fill (``import_mapping.JOINED_FIELDS``): a sheet with
备注 and 备注 again, or two tag columns, loses none of them."""

import pytest

from guanxi.customers import import_mapping, import_rows, import_tables, imports
from guanxi.customers.models import Customer

pytestmark = pytest.mark.django_db


def _import(user, tmp_path, text: str):
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    job = imports.new_job(user, path, owner=user)
    imports.process(job)
    job.refresh_from_db()
    return job


def test_two_notes_columns_are_both_mapped_to_the_notes():
    mapping = import_mapping.auto_mapping(["姓名", "备注", "手机", "备注 (2)"])

    assert mapping == {"姓名": "name", "备注": "notes", "手机": "phone", "备注 (2)": "notes"}


def test_two_notes_columns_are_kept_a_line_each(alice, tmp_path):
    _import(alice, tmp_path, "姓名,备注,备注\n李娜,老客户,喜欢喝茶\n")

    assert Customer.objects.get().notes == "老客户\n喜欢喝茶"


def test_an_empty_second_notes_column_leaves_the_first(alice, tmp_path):
    _import(alice, tmp_path, "姓名,备注,备注\n李娜,老客户,\n王伟,,只在第二列\n")

    assert list(Customer.objects.order_by("id").values_list("notes", flat=True)) == [
        "老客户",
        "只在第二列",
    ]


def test_two_tag_columns_give_every_tag_once(alice, tmp_path):
    _import(alice, tmp_path, "姓名,标签,标签\n李娜,VIP，老客户,VIP\n")

    assert sorted(Customer.objects.get().tags.values_list("name", flat=True)) == ["VIP", "老客户"]


def test_notes_too_long_together_fail_the_row_on_the_notes(alice, tmp_path, monkeypatch):
    monkeypatch.setitem(import_rows._TEXT_LIMITS, "notes", 10)

    job = _import(alice, tmp_path, "姓名,备注,备注\n李娜,一二三四五六,七八九十一\n")

    assert (job.imported, job.failed) == (0, 1)


def test_a_field_that_takes_one_column_still_refuses_two():
    with pytest.raises(import_tables.ImportFileError, match="mapped twice"):
        import_mapping.check_mapping(
            {"姓名": "name", "手机": "phone", "电话": "phone"}, ["姓名", "手机", "电话"]
        )


def test_a_mapping_with_two_notes_columns_is_accepted():
    mapping = {"姓名": "name", "备注": "notes", "说明": "notes"}

    assert import_mapping.check_mapping(mapping, ["姓名", "备注", "说明"]) == mapping
