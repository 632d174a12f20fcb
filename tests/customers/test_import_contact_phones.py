"""A row whose phone or e-mail is that of a contact of an existing customer (李经理 at a
company customer): the import finds it, as the create form does, and skips the row naming that
customer rather than adding a duplicate, under "skip" and "update" alike (the row is not the
company, whose data it must not replace). One query a batch for each."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.customers import bulk, import_fixes, import_reports, imports
from guanxi.customers.models import Contact, Customer
from guanxi.customers.models_import import ImportJob
from guanxi.customers.services import create_customer, delete_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(alice) -> Customer:
    customer = create_customer(alice, {"name": "远景科技", "kind": "company"})
    Contact.objects.create(
        customer=customer, name="李经理", phone="+8613666600001", email="li@yuanjing.cn"
    )
    return customer


def _run(user, tmp_path, text: str, **options) -> tuple[ImportJob, list[list[str]]]:
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    job = imports.process(imports.new_job(user, path, owner=user, **options))
    return job, import_reports.read_report(job)


def test_a_row_with_a_contacts_phone_is_skipped_naming_its_customer(alice, company, tmp_path):
    job, report = _run(alice, tmp_path, "姓名,手机\n李经理,13666600001\n")

    assert (job.imported, job.skipped, job.failed) == (0, 1, 0)
    assert report == [
        [
            "2",
            "手机",
            "13666600001",
            f"Customer #{company.pk} has a contact with this phone number; skipped.",
        ]
    ]
    assert import_fixes.failed_rows(job) == {}


def test_under_update_the_contacts_customer_is_left_as_it_is(alice, company, tmp_path):
    job, _report = _run(
        alice, tmp_path, "姓名,手机,城市\n李经理,13666600001,广州\n", on_duplicate="update"
    )

    assert (job.imported, job.updated, job.skipped) == (0, 0, 1)
    company.refresh_from_db()
    assert (company.name, company.city, company.version) == ("远景科技", "", 1)


def test_a_contact_of_a_customer_another_team_owns_is_not_named(charlie, company, tmp_path):
    job, report = _run(charlie, tmp_path, "姓名,手机\n李经理,13666600001\n")

    assert job.skipped == 1
    assert report[0][3] == "A customer's contact has the same phone number; skipped."


def test_a_customer_with_the_phone_itself_comes_before_a_contact(alice, company, tmp_path):
    own = create_customer(alice, {"name": "李经理", "phone": "13666600001"})

    _job, report = _run(alice, tmp_path, "姓名,手机\n李经理,13666600001\n")

    assert report[0][3] == f"Already exists as customer #{own.pk}; skipped."


def test_a_contact_of_a_customer_in_the_recycle_bin_is_no_match(alice, company, tmp_path):
    delete_customer(alice, company.pk)

    job, _report = _run(alice, tmp_path, "姓名,手机\n李经理,13666600001\n")

    assert job.imported == 1


def test_a_repeat_of_a_row_with_a_contacts_phone_is_skipped_too(alice, company, tmp_path):
    text = "姓名,手机\n李经理,13666600001\n李经理,+86 136 6660 0001\n"

    job, report = _run(alice, tmp_path, text, on_duplicate="update")

    assert (job.imported, job.updated, job.skipped, job.failed) == (0, 0, 2, 0)
    assert {line[3] for line in report} == {
        f"Customer #{company.pk} has a contact with this phone number; skipped."
    }


def test_contacts_are_looked_up_once_a_batch(alice, company, tmp_path):
    rows = "".join(f"客户{i},1390000{i:04d}\n" for i in range(30))
    path = tmp_path / "c.csv"
    path.write_text("姓名,手机\n" + rows, encoding="utf-8")
    job = imports.new_job(alice, path, owner=alice)

    with CaptureQueriesContext(connection) as queries:
        imports.process(job, batch_size=10)

    assert job.imported == 30
    assert len([q for q in queries if "customers_contact" in q["sql"]]) == 3


# --- a contact's e-mail -----------------------------------------------------------------------


def test_a_row_with_a_contacts_email_is_skipped_naming_its_customer(alice, company, tmp_path):
    job, report = _run(alice, tmp_path, "姓名,邮箱\n李经理,li@yuanjing.cn\n")

    assert (job.imported, job.skipped, job.failed) == (0, 1, 0)
    assert report == [
        [
            "2",
            "邮箱",
            "li@yuanjing.cn",
            f"Customer #{company.pk} has a contact with this e-mail; skipped.",
        ]
    ]
    assert import_fixes.failed_rows(job) == {}


def test_a_contacts_email_typed_in_capitals_is_found(alice, company, tmp_path):
    job, report = _run(alice, tmp_path, "姓名,邮箱\n李经理,Li@YuanJing.CN\n")

    assert (job.imported, job.skipped) == (0, 1)
    assert report[0][3] == f"Customer #{company.pk} has a contact with this e-mail; skipped."


def test_under_update_the_customer_of_the_contacts_email_is_left_as_it_is(alice, company, tmp_path):
    text = "姓名,邮箱,城市\n李经理,li@yuanjing.cn,广州\n"

    job, _report = _run(alice, tmp_path, text, on_duplicate="update")

    assert (job.imported, job.updated, job.skipped) == (0, 0, 1)
    company.refresh_from_db()
    assert (company.name, company.city, company.version) == ("远景科技", "", 1)


def test_a_contacts_email_at_a_customer_another_team_owns_is_not_named(charlie, company, tmp_path):
    job, report = _run(charlie, tmp_path, "姓名,邮箱\n李经理,li@yuanjing.cn\n")

    assert job.skipped == 1
    assert report[0][3] == "A customer's contact has the same e-mail; skipped."


def test_a_customer_with_the_email_itself_comes_before_a_contact(alice, company, tmp_path):
    own = create_customer(alice, {"name": "李经理", "email": "li@yuanjing.cn"})

    _job, report = _run(alice, tmp_path, "姓名,邮箱\n李经理,li@yuanjing.cn\n")

    assert report[0][3] == f"Already exists as customer #{own.pk}; skipped."


def test_a_contacts_email_at_a_customer_in_the_recycle_bin_is_no_match(alice, company, tmp_path):
    delete_customer(alice, company.pk)

    job, _report = _run(alice, tmp_path, "姓名,邮箱\n李经理,li@yuanjing.cn\n")

    assert job.imported == 1


def test_a_dry_run_reports_a_contacts_email_as_the_import_does(alice, company, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("姓名,邮箱\n李经理,li@yuanjing.cn\n", encoding="utf-8")

    job = imports.process(imports.new_job(alice, path, owner=alice), dry_run=True)

    assert (job.status, job.imported, job.skipped) == (ImportJob.Status.CHECKED, 0, 1)
    assert import_reports.read_report(job)[0][3] == (
        f"Customer #{company.pk} has a contact with this e-mail; skipped."
    )
    assert Customer.objects.count() == 1


def test_a_repeat_of_a_row_with_a_contacts_email_is_skipped_too(alice, company, tmp_path):
    text = "姓名,邮箱\n李经理,li@yuanjing.cn\n李经理,LI@yuanjing.cn\n"

    job, report = _run(alice, tmp_path, text, on_duplicate="update")

    assert (job.imported, job.updated, job.skipped, job.failed) == (0, 0, 2, 0)
    assert {line[3] for line in report} == {
        f"Customer #{company.pk} has a contact with this e-mail; skipped."
    }


def test_contacts_emails_are_looked_up_once_a_batch(alice, company, tmp_path):
    rows = "".join(f"客户{i},k{i}@example.cn\n" for i in range(30))
    path = tmp_path / "c.csv"
    path.write_text("姓名,邮箱\n" + rows, encoding="utf-8")
    job = imports.new_job(alice, path, owner=alice)

    with CaptureQueriesContext(connection) as queries:
        imports.process(job, batch_size=10)

    assert job.imported == 30
    assert len([q for q in queries if "customers_contact" in q["sql"]]) == 3


def test_contacts_emails_are_read_through_their_index(company):
    plans = []

    def explained(execute, sql, params, many, context):
        if "customers_contact" in sql and not sql.startswith("EXPLAIN"):
            prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
            context["cursor"].execute(prefix + sql, params)
            plans.append(str(context["cursor"].fetchall()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explained):
        found = bulk.alive_contact_emails(["li@yuanjing.cn"])

    assert found == [("li@yuanjing.cn", company.pk)]
    assert len(plans) == 1 and "contact_email" in plans[0]


# --- a customer's other phone ---------------------------------------------------------------


def test_a_row_with_a_customers_other_phone_is_skipped_naming_it(alice, tmp_path):
    existing = create_customer(alice, {"name": "王倩", "phone_alt": "15220003765"})

    job, report = _run(alice, tmp_path, "姓名,手机\n王小倩,15220003765\n")

    assert (job.imported, job.skipped, job.failed) == (0, 1, 0)
    assert report[0][3] == f"Customer #{existing.pk} has this number as its other phone; skipped."


def test_under_update_the_customer_with_the_other_phone_is_left_as_it_is(alice, tmp_path):
    existing = create_customer(alice, {"name": "王倩", "phone_alt": "15220003765"})

    _run(alice, tmp_path, "姓名,手机\n王小倩,15220003765\n", on_duplicate="update")

    assert Customer.objects.get(pk=existing.pk).name == "王倩"


def test_the_other_phone_of_a_customer_in_the_recycle_bin_is_no_match(alice, tmp_path):
    existing = create_customer(alice, {"name": "王倩", "phone_alt": "15220003765"})
    delete_customer(alice, existing.pk)

    job, _report = _run(alice, tmp_path, "姓名,手机\n王小倩,15220003765\n")

    assert job.imported == 1


def test_a_row_skipped_for_another_customers_other_phone_is_not_a_row_to_fix(alice, tmp_path):
    create_customer(alice, {"name": "王倩", "phone_alt": "15220003765"})

    job, _report = _run(alice, tmp_path, "姓名,手机\n王小倩,15220003765\n")

    assert import_fixes.failed_rows(job) == {}
