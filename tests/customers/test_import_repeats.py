"""A row repeating an earlier row of the file (the same phone typed another way, the same
e-mail in capitals): a repeat of a row that matched an existing customer is a match of that
customer, not a failure; a repeat of a row that creates a customer is skipped under "skip",
another customer under "create" and stays an in-file duplicate under "update"."""

import pytest

from guanxi.customers import import_fixes, import_reports, imports
from guanxi.customers.models import Customer
from guanxi.customers.models_import import ImportJob
from guanxi.customers.services import create_customer

pytestmark = pytest.mark.django_db

#: Rows 3, 5 and 6 hold one phone: as typed, full-width, with 0086.
PHONES = (
    "姓名,手机,城市\n"
    "李娜,13912345678,深圳\n"
    "王伟,13800138000,广州\n"
    "赵敏,13700137000,杭州\n"
    "王伟,１３８００１３８０００,广州\n"
    "王伟,0086 138 0013 8000,广州\n"
)


def _run(user, tmp_path, text: str, **options) -> tuple[ImportJob, list[list[str]]]:
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    batch_size = options.pop("batch_size", imports.BATCH_SIZE)
    job = imports.new_job(user, path, owner=user, **options)
    imports.process(job, batch_size=batch_size)
    return job, import_reports.read_report(job)


def _counts(job) -> tuple[int, int, int, int]:
    return job.imported, job.updated, job.skipped, job.failed


def test_repeats_of_a_row_matching_a_customer_are_skipped_as_that_customer(alice, tmp_path):
    known = create_customer(alice, {"name": "王伟", "phone": "13800138000"})

    job, report = _run(alice, tmp_path, PHONES)

    assert _counts(job) == (2, 0, 3, 0)
    reason = f"Already exists as customer #{known.pk}; skipped."
    assert [(line[0], line[3]) for line in report] == [("3", reason), ("5", reason), ("6", reason)]


def test_an_e_mail_in_capitals_repeating_a_matched_row_is_skipped(alice, tmp_path):
    known = create_customer(alice, {"name": "王伟", "email": "wang@example.com"})
    text = "姓名,邮箱\n王伟,wang@example.com\n王伟,WANG@Example.COM\n"

    job, report = _run(alice, tmp_path, text)

    assert _counts(job) == (0, 0, 2, 0)
    assert report[1] == [
        "3",
        "邮箱",
        "WANG@Example.COM",
        f"Already exists as customer #{known.pk}; skipped.",
    ]


def test_skipped_repeats_are_no_rows_to_fix(alice, tmp_path):
    create_customer(alice, {"name": "王伟", "phone": "13800138000"})
    job, _report = _run(alice, tmp_path, PHONES)

    assert import_fixes.failed_rows(job) == {}


def test_a_repeat_in_a_later_batch_is_skipped_as_the_same_customer(alice, tmp_path):
    known = create_customer(alice, {"name": "王伟", "phone": "13800138000"})

    job, report = _run(alice, tmp_path, PHONES, batch_size=2)

    assert _counts(job) == (2, 0, 3, 0)
    assert {line[3] for line in report} == {f"Already exists as customer #{known.pk}; skipped."}


def test_under_update_a_repeat_saying_the_same_changes_nothing_more(alice, tmp_path):
    known = create_customer(alice, {"name": "王伟", "phone": "13800138000"})

    job, report = _run(alice, tmp_path, PHONES, on_duplicate="update")

    assert _counts(job) == (2, 1, 2, 0)
    assert report == []
    known.refresh_from_db()
    assert (known.city, known.version, known.history.count()) == ("广州市", 2, 2)


def test_under_update_a_repeat_adding_a_value_updates_the_same_customer_once(alice, tmp_path):
    known = create_customer(alice, {"name": "王伟", "phone": "13800138000"})
    text = (
        "姓名,手机,城市,邮箱,标签\n"
        "王伟,13800138000,广州,,VIP\n"
        "王伟,+86 138 0013 8000,,wang@example.com,老客户\n"
    )

    job, _report = _run(alice, tmp_path, text, on_duplicate="update")

    assert _counts(job) == (0, 2, 0, 0)
    known.refresh_from_db()
    assert (known.city, known.email, known.version) == ("广州市", "wang@example.com", 2)
    assert known.history.count() == 2  # the creation, one update
    assert sorted(known.tags.values_list("name", flat=True)) == ["VIP", "老客户"]


def test_under_update_a_repeat_in_a_later_batch_updates_after_the_first(alice, tmp_path):
    known = create_customer(alice, {"name": "王伟", "phone": "13800138000"})
    text = "姓名,手机,城市,邮箱\n王伟,13800138000,广州,\n王伟,008613800138000,,w@example.com\n"

    job, _report = _run(alice, tmp_path, text, on_duplicate="update", batch_size=1)

    assert _counts(job) == (0, 2, 0, 0)
    known.refresh_from_db()
    assert (known.city, known.email) == ("广州市", "w@example.com")


def test_under_skip_a_repeat_of_a_row_creating_a_customer_is_skipped(alice, tmp_path):
    job, report = _run(alice, tmp_path, PHONES)

    assert _counts(job) == (3, 0, 2, 0)
    assert [(line[0], line[3]) for line in report] == [
        ("5", "Same mobile phone as row 3 of this file; skipped."),
        ("6", "Same mobile phone as row 3 of this file; skipped."),
    ]
    assert Customer.objects.filter(phone="+8613800138000").count() == 1


def test_under_skip_a_repeat_in_a_later_batch_of_a_new_customer_is_skipped(alice, tmp_path):
    job, _report = _run(alice, tmp_path, PHONES, batch_size=2)

    assert _counts(job) == (3, 0, 2, 0)


def test_a_repeat_of_a_row_that_failed_is_imported_in_its_place(alice, tmp_path):
    text = "姓名,手机,生日\n王伟,13800138000,不是日期\n王伟,138 0013 8000,1985-03-05\n"

    job, report = _run(alice, tmp_path, text)

    assert _counts(job) == (1, 0, 0, 1)
    assert [line[0] for line in report] == ["2"]


def test_a_skipped_repeat_is_not_among_the_rows_to_fix(alice, tmp_path):
    job, _report = _run(alice, tmp_path, PHONES)

    assert import_fixes.failed_rows(job) == {}


def test_under_update_a_repeat_of_a_row_creating_a_customer_is_an_in_file_duplicate(
    alice, tmp_path
):
    job, report = _run(alice, tmp_path, PHONES, on_duplicate="update")

    assert _counts(job) == (3, 0, 0, 2)
    assert {line[3] for line in report} == {"Same mobile phone as row 3 of this file."}


def test_with_create_a_repeat_is_another_customer_with_a_note(alice, tmp_path):
    create_customer(alice, {"name": "王伟", "phone": "13800138000"})

    job, report = _run(alice, tmp_path, PHONES, on_duplicate="create")

    assert _counts(job) == (5, 0, 0, 0)
    assert Customer.objects.filter(phone="+8613800138000").count() == 4
    note = "Same mobile phone as row 3 of this file; added as another customer."
    assert [(line[0], line[3]) for line in report] == [("5", note), ("6", note)]
    assert import_reports.split_report(report) == ([], report)  # notes, no row to fix


def test_rows_matching_one_customer_by_different_keys_are_applied_in_turn(alice, tmp_path):
    known = create_customer(
        alice, {"name": "王伟", "phone": "13800138000", "email": "wang@example.com"}
    )
    text = (
        "姓名,手机,邮箱,城市\n"
        "王伟,,wang@example.com,广州\n"  # row 2 updates it by its e-mail
        "王伟,13800138000,,深圳\n"  # row 3 by its phone: applied after row 2
        "王伟,13800138000,,深圳\n"  # row 4 repeats row 3: nothing more to change
    )

    job, report = _run(alice, tmp_path, text, on_duplicate="update")

    assert _counts(job) == (0, 2, 1, 0)
    assert report == []
    known.refresh_from_db()
    assert (known.city, known.version) == ("深圳市", 2)


def test_a_later_row_matching_by_e_mail_the_customer_an_earlier_row_matched_by_phone_is_applied(
    alice, tmp_path
):
    known = create_customer(
        alice, {"name": "数字手机甲", "phone": "13800138000", "email": "a1@example.com"}
    )
    text = (
        "姓名,手机,邮箱,备注\n"
        "改名甲,13800138000,,D\n"  # row 2: by its phone
        "邮箱大写,13900000005,A1@EXAMPLE.COM,E\n"  # row 3: by its e-mail, another phone
    )

    job, report = _run(alice, tmp_path, text, on_duplicate="update")

    assert _counts(job) == (0, 2, 0, 0)
    assert [line[3][:17] for line in report] == ["Name not changed:"] * 2  # matched, not named
    known.refresh_from_db()
    assert (known.name, known.phone, known.notes) == ("数字手机甲", "+8613900000005", "E")
