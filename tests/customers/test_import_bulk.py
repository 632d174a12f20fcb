"""The import's bulk path: the same validation as create_customer, history rows, tags, and a
number of queries that does not grow with the rows."""

import datetime as dt
import gc
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.customers import services
from guanxi.customers.bulk import CustomerCleaner, insert_customers
from guanxi.customers.models import Customer, CustomField, custom_fields_cached

ROWS = [
    {"name": "王伟", "phone": "13800138000", "email": "WW@Example.com"},
    {"name": "李娜", "phone": "138 0013 8001", "id_number": "11010519491231002x"},
    {"name": "  赵六  ", "gender": "female", "birthday": dt.date(1990, 5, 1)},
    {"name": "Acme", "kind": "company", "id_number": "91110000600037341L"},
    {"name": "Acme", "kind": "company", "gender": "male"},
    {"name": "钱七", "birthday": dt.date(2999, 1, 1)},
    {"name": "孙八", "birthday": dt.date(1850, 1, 1)},
    {"name": "周九", "phone": "12345"},
    {"name": "吴十", "phone": "+1 650 253 0000"},
    {"name": "郑一", "email": "not-an-email"},
    {"name": "郑二", "email": "a@LOCALHOST"},
    {"name": "冯三", "id_number": "11010519491231002A"},
    {"name": "陈四", "gender": "robot"},
    {"name": "x" * 121},
    {"name": ""},
    {"name": "褚五", "custom": {"car_model": "Model Y", "level": "金卡", "spend": "12.50"}},
    {"name": "卫六", "custom": {"level": "钻石卡"}},
    {"name": "蒋七", "custom": {"spend": "lots"}},
    {"name": "沈八", "custom": {"unknown": "x"}},
    {"name": "韩九", "custom": {"car_model": "y" * 600}},
    {"name": "杨十", "notes": "n" * 5001},
    {"name": "朱一", "phone_alt": "02887654321", "wechat_id": "zhu_1", "company_name": "长城汽车"},
    {"name": "秦二", "kind": "nonsense"},
    {"name": "尤三", "birthday_calendar": "lunar", "income_band": "gt50k"},
    {"name": "许四", "wechat_id": "a b!"},
    {"name": "何五", "wechat_id": " he_wu_88 "},
]


@pytest.fixture
def custom_fields(db):
    CustomField.objects.create(key="car_model", label="车型", field_type="text")
    CustomField.objects.create(
        key="level", label="等级", field_type="choice", choices=["金卡", "银卡"]
    )
    CustomField.objects.create(key="spend", label="年消费", field_type="number")


def _slow(user, data):
    try:
        customer = services.prepare_customer(user, data, owner=user)
    except ValidationError as exc:
        return exc.message_dict
    values = {name: getattr(customer, name) for name in services.EDITABLE_FIELDS}
    values["search_text"] = customer.search_text
    return values


def _fast(user, data):
    with custom_fields_cached() as definitions:
        try:
            return CustomerCleaner(user, user, definitions).clean(dict(data))
        except ValidationError as exc:
            return exc.message_dict


@pytest.mark.parametrize("data", ROWS, ids=range(len(ROWS)))
def test_the_bulk_cleaner_gives_what_create_customer_validation_gives(alice, custom_fields, data):
    assert _fast(alice, data) == _slow(alice, dict(data))


def test_a_required_custom_field_fails_a_row_without_it(alice, custom_fields):
    CustomField.objects.create(key="must", label="必填", field_type="text", required=True)
    assert _fast(alice, {"name": "王伟"}) == _slow(alice, {"name": "王伟"})
    assert "custom.must" in _fast(alice, {"name": "王伟"})


def test_inserted_customers_have_history_rows_and_tags(alice, custom_fields):
    with custom_fields_cached() as definitions:
        cleaner = CustomerCleaner(alice, alice, definitions)
        rows = [cleaner.clean({"name": "王伟", "phone": "13800138000"}), cleaner.clean(ROWS[15])]
    ids = insert_customers(rows, [["VIP", "车主"], []], user=alice, owner=alice)
    wang, chu = Customer.objects.get(pk=ids[0]), Customer.objects.get(pk=ids[1])
    assert (wang.name, wang.phone, wang.owner, wang.created_by, wang.version) == (
        "王伟",
        "+8613800138000",
        alice,
        alice,
        1,
    )
    assert wang.tag_names == "VIP, 车主"
    assert sorted(wang.tags.values_list("name", flat=True)) == ["VIP", "车主"]
    assert "wangwei" in wang.search_text and "ww" in wang.search_text
    assert chu.custom == {"car_model": "Model Y", "level": "金卡", "spend": "12.50"}
    record = wang.history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        alice,
        "import",
    )
    assert (record.name, record.phone, record.tag_names) == ("王伟", "+8613800138000", "VIP, 车主")
    assert wang.created_at is not None and wang.updated_at is not None


def test_inserted_customers_are_found_by_search(alice):
    from guanxi.customers.queries import customers_for

    with custom_fields_cached() as definitions:
        values = CustomerCleaner(alice, alice, definitions).clean({"name": "王伟"})
    insert_customers([values], [[]], user=alice, owner=alice)
    assert [c.name for c in customers_for(alice, q="wangwei")] == ["王伟"]


def _queries_for_import(tmp_path, alice, first: int, rows: int) -> int:
    path = tmp_path / f"c{rows}.csv"
    numbers = range(first, first + rows)
    lines = "".join(f"客户{i},1380013{i:04d},u{i}@example.com,广州,VIP\n" for i in numbers)
    path.write_text("姓名,手机,邮箱,城市,标签\n" + lines, encoding="utf-8")
    with CaptureQueriesContext(connection) as queries:
        call_command(
            "import",
            "customers",
            str(path),
            "--owner",
            "alice",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_rows(alice, custom_fields, tmp_path):
    few = _queries_for_import(tmp_path, alice, 0, 5)
    many = _queries_for_import(tmp_path, alice, 5, 300)
    assert Customer.objects.count() == 305
    assert many <= few + 2  # SQLite splits a long multi-row INSERT; nothing per row


def test_a_duplicate_in_a_later_batch_is_reported_against_the_first_row(alice, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "姓名,手机\n王一,13800138001\n王二,13800138002\n王三,13800138003\n王四,138 0013 8001\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command(
        "import",
        "customers",
        str(path),
        "--owner",
        "alice",
        "--batch-size",
        "2",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "imported 3, updated 0, skipped 1, failed 0" in out.getvalue()
    report = path.with_name("c.csv.errors.csv").read_text(encoding="utf-8-sig")
    assert "5,手机,138 0013 8001," in report and "row 2 of this file; skipped" in report


def test_updating_many_customers_reads_the_custom_fields_once(alice, custom_fields, tmp_path):
    for i in range(20):
        services.create_customer(alice, {"name": f"客户{i}", "phone": f"1380013{i:04d}"})
    path = tmp_path / "u.csv"
    lines = "".join(f"客户{i},1380013{i:04d},深圳\n" for i in range(20))
    path.write_text("姓名,手机,城市\n" + lines, encoding="utf-8")
    with CaptureQueriesContext(connection) as queries:
        call_command(
            "import",
            "customers",
            str(path),
            "--owner",
            "alice",
            "--on-duplicate",
            "update",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    reads = [q for q in queries if "customers_customfield" in q["sql"]]
    # The header's detection, the automatic mapping, its check, the validation: none per row
    assert len(reads) == 4
    assert Customer.objects.filter(city="深圳市").count() == 20


def test_an_import_leaves_the_collector_on_and_nothing_frozen(alice, tmp_path):
    _queries_for_import(tmp_path, alice, 0, 30)

    assert Customer.objects.count() == 30
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_an_import_leaves_what_was_frozen_before_it_frozen(alice, tmp_path):
    gc.freeze()  # as a server that froze what it loaded at start
    try:
        _queries_for_import(tmp_path, alice, 0, 30)
        assert gc.get_freeze_count() > 0  # not unfrozen (a few frozen objects were freed)
    finally:
        gc.unfreeze()
