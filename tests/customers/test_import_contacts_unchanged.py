"""A contacts file imported again under "update": a row that would change nothing is skipped,
as the customer import skips one (no write, no history row, no new "updated just now")."""

import pytest

from guanxi.customers import contact_imports
from guanxi.customers.models import Contact
from guanxi.customers.models_import import OnDuplicate
from guanxi.customers.services import create_customer


@pytest.fixture
def acme(alice):
    return create_customer(
        alice, {"kind": "company", "name": "广州华信贸易有限公司", "phone": "02087654321"}
    )


def _import(tmp_path, user, text: str, on_duplicate=OnDuplicate.CREATE):
    path = tmp_path / "contacts.csv"
    path.write_text(text, encoding="utf-8")
    job = contact_imports.new_job(user, path, on_duplicate=on_duplicate)
    return contact_imports.process(job)


def _file(acme, title: str = "总监") -> str:
    return (
        "客户编号,联系人,职务,手机,邮箱,主要联系人\n"
        f"{acme.pk},张经理,{title},13912345678,Zhang@Acme.cn,是\n"
        f"{acme.pk},李会计,会计,,,否\n"
    )


def test_an_unchanged_file_imported_again_under_update_is_all_skipped(alice, acme, tmp_path):
    _import(tmp_path, alice, _file(acme))
    stamps = dict(Contact.objects.values_list("pk", "updated_at"))
    versions = Contact.history.count()

    job = _import(tmp_path, alice, _file(acme), on_duplicate=OnDuplicate.UPDATE)

    assert (job.imported, job.updated, job.skipped, job.failed) == (0, 0, 2, 0)
    assert Contact.history.count() == versions
    assert dict(Contact.objects.values_list("pk", "updated_at")) == stamps


def test_a_changed_field_is_updated(alice, acme, tmp_path):
    _import(tmp_path, alice, _file(acme))
    versions = Contact.history.count()

    job = _import(tmp_path, alice, _file(acme, title="采购总监"), on_duplicate=OnDuplicate.UPDATE)

    assert (job.imported, job.updated, job.skipped, job.failed) == (0, 1, 1, 0)
    assert Contact.objects.get(name="张经理").title == "采购总监"
    assert Contact.history.count() == versions + 1
