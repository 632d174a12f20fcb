"""A customers file may carry each customer's contact person (联系人, 联系人电话, 职位…): a company
list ("公司名称, 联系人, 联系电话") imports companies, each with its primary contact; an update
adds the contact to an existing customer unless it has one of that name."""

import pytest

from guanxi.customers import import_mapping, import_reports, imports
from guanxi.customers.models import Contact, Customer, Kind
from guanxi.customers.models_import import OnDuplicate
from guanxi.customers.services import add_contact, create_customer

pytestmark = pytest.mark.django_db

COMPANIES = (
    "公司名称,联系人,联系电话,职位,地址\n"
    "广州市白云区某某贸易有限公司,张经理,13912340001,采购经理,白云大道1号\n"
    "深圳某某科技有限公司,李总,13912340002,,南山区\n"
)


def _run(user, tmp_path, text: str, **options):
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    dry_run = options.pop("dry_run", False)
    job = imports.new_job(user, path, owner=user, **options)
    imports.process(job, dry_run=dry_run)
    return job, import_reports.read_report(job)


def test_a_company_list_imports_companies_each_with_its_primary_contact(alice, tmp_path):
    job, report = _run(alice, tmp_path, COMPANIES)

    assert (job.imported, report) == (2, [])
    company = Customer.objects.get(name="广州市白云区某某贸易有限公司")
    assert (company.kind, company.phone, company.company_name) == (
        Kind.COMPANY,
        "+8613912340001",
        "",
    )
    contact = company.contacts.get()
    assert (contact.name, contact.title, contact.is_primary) == ("张经理", "采购经理", True)
    assert contact.history.get().history_type == "+"


def test_a_contact_phone_column_gives_the_contact_its_phone(alice, tmp_path):
    text = (
        "客户名称,联系人姓名,联系人手机,联系人邮箱\n某某有限公司,王伟,13800138000,W@Example.com\n"
    )

    job, report = _run(alice, tmp_path, text)

    assert (job.imported, report) == (1, [])
    contact = Contact.objects.get()
    assert (contact.phone, contact.email) == ("+8613800138000", "w@example.com")


def test_a_bad_contact_phone_fails_the_row_on_its_column(alice, tmp_path):
    text = "客户名称,联系人姓名,联系人手机\n某某有限公司,王伟,12\n"

    job, report = _run(alice, tmp_path, text)

    assert job.failed == 1
    assert report[0][:3] == ["2", "联系人手机", "12"]
    assert not Customer.objects.exists()


def test_a_contact_phone_without_a_contact_name_is_a_row_error(alice, tmp_path):
    text = "客户名称,联系人姓名,联系人手机\n某某有限公司,,13800138000\n"

    job, report = _run(alice, tmp_path, text)

    assert job.failed == 1
    assert report[0][1:] == ["联系人姓名", "", "A contact person needs a name."]


def test_a_dry_run_writes_no_contact(alice, tmp_path):
    job, _report = _run(alice, tmp_path, COMPANIES, dry_run=True)

    assert job.imported == 2
    assert not Contact.objects.exists()


def test_an_update_adds_the_contact_to_an_existing_company(alice, tmp_path):
    company = create_customer(
        alice, {"name": "深圳某某科技有限公司", "kind": Kind.COMPANY, "phone": "13912340002"}
    )
    text = "公司名称,联系人,联系电话\n深圳某某科技有限公司,李总,13912340002\n"

    job, report = _run(alice, tmp_path, text, on_duplicate=OnDuplicate.UPDATE)

    assert (job.updated, job.skipped, report) == (1, 0, [])
    assert [(c.name, c.is_primary) for c in company.contacts.all()] == [("李总", True)]


def test_an_update_keeps_a_contact_of_that_name_and_the_primary_one(alice, tmp_path):
    company = create_customer(
        alice, {"name": "深圳某某科技有限公司", "kind": Kind.COMPANY, "phone": "13912340002"}
    )
    add_contact(alice, company, {"name": "李总", "is_primary": True})
    text = "公司名称,联系人,联系电话\n深圳某某科技有限公司,李总,13912340002\n深圳某某科技有限公司,王工,13912340002\n"

    job, _report = _run(alice, tmp_path, text, on_duplicate=OnDuplicate.UPDATE)

    assert job.failed == 0
    assert sorted((c.name, c.is_primary) for c in company.contacts.all()) == [
        ("李总", True),
        ("王工", False),
    ]


def test_under_skip_an_existing_customer_gets_no_contact(alice, tmp_path):
    company = create_customer(
        alice, {"name": "深圳某某科技有限公司", "kind": Kind.COMPANY, "phone": "13912340002"}
    )
    text = "公司名称,联系人,联系电话\n深圳某某科技有限公司,李总,13912340002\n"

    job, _report = _run(alice, tmp_path, text)

    assert job.skipped == 1
    assert not company.contacts.exists()


def test_a_customer_name_column_before_the_contact_person_makes_a_company_list(alice, tmp_path):
    text = "客户名称,联系人,手机,职位\n广州某某贸易有限公司,王经理,13912340003,采购经理\n"

    job, report = _run(alice, tmp_path, text)

    company = Customer.objects.get(name="广州某某贸易有限公司")
    contact = company.contacts.get()
    assert (job.imported, report, company.kind) == (1, [], Kind.COMPANY)
    assert (contact.name, contact.title, contact.is_primary) == ("王经理", "采购经理", True)


@pytest.mark.parametrize(
    "headers", [["客户名称", "联系人"], ["名称", "联系人"], ["Customer", "Contact"]]
)
def test_the_contact_person_column_after_the_customers_name_is_the_contact(headers):
    assert import_mapping.auto_mapping(headers) == {headers[0]: "name", headers[1]: "contact_name"}


def test_a_persons_name_column_keeps_a_contact_column_out(db):
    assert import_mapping.auto_mapping(["姓名", "联系人"]) == {"姓名": "name"}
