"""The import names a matching phone by its kind: a 400 number or a landline is no 手机."""

import pytest

from guanxi.customers import import_reports, imports
from guanxi.customers.services import create_customer

pytestmark = pytest.mark.django_db


def _reasons(user, tmp_path, text: str) -> list[str]:
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    job = imports.new_job(user, path, owner=user)
    imports.process(job)
    return [line[3] for line in import_reports.read_report(job)]


def test_a_400_number_already_held_is_called_a_400_number(alice, bob, tmp_path):
    create_customer(bob, {"name": "客服中心", "kind": "company", "phone": "400-800-8888"})

    reasons = _reasons(alice, tmp_path, "客户名称,手机\n客服部,4008008888\n")

    assert reasons == ["A customer with the same 400 number exists; skipped."]


def test_a_landline_repeated_in_the_file_is_called_a_landline(alice, tmp_path):
    reasons = _reasons(alice, tmp_path, "姓名,电话\n王伟,020-87654321\n李娜,02087654321\n")

    assert reasons == ["Same landline number as row 2 of this file; skipped."]


def test_a_mobile_is_still_a_mobile_phone(alice, tmp_path):
    reasons = _reasons(alice, tmp_path, "姓名,手机\n王伟,13800138000\n李娜,138 0013 8000\n")

    assert reasons == ["Same mobile phone as row 2 of this file; skipped."]
