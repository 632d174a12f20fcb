"""A row whose keys match two different existing customers (its phone one's, its e-mail
another's) is not an update of either under "update": it fails naming both."""

import pytest

from guanxi.customers import import_reports, imports
from guanxi.customers.models_import import OnDuplicate
from guanxi.customers.services import create_customer

pytestmark = pytest.mark.django_db


def _run(user, tmp_path, text: str, **options):
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    job = imports.new_job(user, path, owner=user, **options)
    imports.process(job)
    return job, import_reports.read_report(job)


def test_a_row_matching_two_customers_fails_naming_both(alice, tmp_path):
    by_phone = create_customer(alice, {"name": "甲", "phone": "13800138000"})
    by_email = create_customer(alice, {"name": "乙", "email": "b@example.com"})
    text = "姓名,手机,邮箱\n冲突行,13800138000,b@example.com\n"

    job, report = _run(alice, tmp_path, text, on_duplicate=OnDuplicate.UPDATE)

    assert (job.updated, job.failed) == (0, 1)
    assert report == [
        [
            "2",
            "手机",
            "13800138000",
            f"This row matches several customers: the mobile phone is customer #{by_phone.pk}'s, "
            f"the e-mail is customer #{by_email.pk}'s. Check it before importing it again.",
        ]
    ]
    by_phone.refresh_from_db()
    assert (by_phone.name, by_phone.email) == ("甲", "")


def test_a_customer_the_user_may_not_see_is_not_named(alice, charlie, tmp_path):
    create_customer(charlie, {"name": "乙", "email": "b@example.com"})
    mine = create_customer(alice, {"name": "甲", "phone": "13800138000"})
    text = "姓名,手机,邮箱\n冲突行,13800138000,b@example.com\n"

    job, report = _run(alice, tmp_path, text, on_duplicate=OnDuplicate.UPDATE)

    assert job.failed == 1
    assert f"#{mine.pk}'s" in report[0][3]
    assert "the e-mail is another customer's" in report[0][3]


def test_under_skip_such_a_row_is_skipped_as_before(alice, tmp_path):
    create_customer(alice, {"name": "甲", "phone": "13800138000"})
    create_customer(alice, {"name": "乙", "email": "b@example.com"})
    text = "姓名,手机,邮箱\n冲突行,13800138000,b@example.com\n"

    job, _report = _run(alice, tmp_path, text)

    assert (job.skipped, job.failed) == (1, 0)


def test_keys_all_of_one_customer_update_it(alice, tmp_path):
    known = create_customer(alice, {"name": "甲", "phone": "13800138000", "email": "a@example.com"})
    text = "姓名,手机,邮箱,城市\n甲,13800138000,a@example.com,广州\n"

    job, _report = _run(alice, tmp_path, text, on_duplicate=OnDuplicate.UPDATE)

    assert (job.updated, job.failed) == (1, 0)
    known.refresh_from_db()
    assert known.city == "广州市"
