"""A contacts file naming one contact twice (the same name at the same customer, spaces and case
aside, whatever the phones): taken as the customer import takes a repeat. A repeat of a row
adding the contact is skipped under "skip" (naming that row, nothing to fix), another contact
under "create" (with a note) and an error under "update"; a repeat of a row matching an existing
contact is that contact. Two people sharing an office phone are two contacts."""

import pytest

from guanxi.customers import contact_imports, import_fixes, import_reports
from guanxi.customers.models import Contact
from guanxi.customers.models_import import ImportJob
from guanxi.customers.services import add_contact, create_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(alice):
    return create_customer(
        alice, {"kind": "company", "name": "广州华信贸易有限公司", "phone": "02087654321"}
    )


def _file(acme) -> str:
    """Row 5 names 张经理 again (spaced, another mobile) after rows 3 and 4, who share the
    office phone of row 2's 张经理."""
    return (
        "客户编号,联系人,职务,手机\n"
        f"{acme.pk},张经理,采购经理,13912345678\n"
        f"{acme.pk},李会计,会计,020-87654321\n"
        f"{acme.pk},王助理,助理,020-87654321\n"
        f"{acme.pk},张 经理,采购总监,13900000000\n"
    )


def _run(user, tmp_path, text: str, **options) -> tuple[ImportJob, list[list[str]]]:
    path = tmp_path / "contacts.csv"
    path.write_text(text, encoding="utf-8")
    batch_size = options.pop("batch_size", 500)
    job = contact_imports.new_job(user, path, **options)
    contact_imports.process(job, batch_size=batch_size)
    return job, import_reports.read_report(job)


def _counts(job) -> tuple[int, int, int, int]:
    return job.imported, job.updated, job.skipped, job.failed


SKIPPED = "Same contact as row 2 of this file; skipped."
ADDED = "Same contact as row 2 of this file; added as another contact."


def test_two_people_sharing_an_office_phone_are_both_imported(alice, acme, tmp_path):
    job, report = _run(alice, tmp_path, _file(acme))

    assert _counts(job)[0] == 3
    assert sorted(acme.contacts.filter(phone="+862087654321").values_list("name", flat=True)) == [
        "李会计",
        "王助理",
    ]
    assert [line[0] for line in report] == ["5"]  # 张经理 again, not 王助理


def test_under_skip_a_repeat_of_a_new_contact_is_skipped_naming_its_row(alice, acme, tmp_path):
    job, report = _run(alice, tmp_path, _file(acme))

    assert _counts(job) == (3, 0, 1, 0)
    assert report == [["5", "联系人", "张 经理", SKIPPED]]
    assert acme.contacts.get(name="张经理").title == "采购经理"


def test_under_skip_a_repeat_is_no_row_to_fix(alice, acme, tmp_path):
    job, _report = _run(alice, tmp_path, _file(acme))

    assert import_fixes.failed_rows(job) == {}
    assert import_reports.report_by_column(job) == []


def test_under_skip_a_repeat_in_a_later_batch_is_skipped_too(alice, acme, tmp_path):
    job, report = _run(alice, tmp_path, _file(acme), batch_size=2)

    assert _counts(job) == (3, 0, 1, 0)
    assert report == [["5", "联系人", "张 经理", SKIPPED]]


def test_a_dry_run_counts_a_repeat_as_the_import_does(alice, acme, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text(_file(acme), encoding="utf-8")
    job = contact_imports.process(contact_imports.new_job(alice, path), dry_run=True, batch_size=2)

    assert _counts(job) == (3, 0, 1, 0)
    assert not Contact.objects.exists()


def test_under_create_a_repeat_is_another_contact_with_a_note(alice, acme, tmp_path):
    job, report = _run(alice, tmp_path, _file(acme), on_duplicate="create")

    assert _counts(job) == (4, 0, 0, 0)
    assert sorted(acme.contacts.values_list("name", flat=True)) == [
        "张经理",
        "张经理",
        "李会计",
        "王助理",
    ]
    assert report == [["5", "联系人", "张 经理", ADDED]]
    assert import_reports.split_report(report) == ([], report)  # a note, no row not imported


def test_under_update_a_repeat_of_a_new_contact_is_an_error(alice, acme, tmp_path):
    job, report = _run(alice, tmp_path, _file(acme), on_duplicate="update")

    assert _counts(job) == (3, 0, 0, 1)
    assert report == [["5", "联系人", "张 经理", "Same contact as row 2 of this file."]]
    assert list(import_fixes.failed_rows(job)) == [5]


def test_under_skip_a_repeat_of_an_existing_contact_is_skipped_as_that_contact(
    alice, acme, tmp_path
):
    add_contact(alice, acme, {"name": "张经理", "phone": "13912345678"})

    job, report = _run(alice, tmp_path, _file(acme))

    assert _counts(job) == (2, 0, 2, 0)
    reason = "Already a contact of this customer; skipped."
    assert [(line[0], line[3]) for line in report] == [("2", reason), ("5", reason)]


def test_under_update_a_repeat_of_an_existing_contact_is_applied_after_the_first(
    alice, acme, tmp_path
):
    zhang = add_contact(alice, acme, {"name": "张经理", "phone": "13912345678"})
    versions = zhang.history.count()

    job, report = _run(alice, tmp_path, _file(acme), on_duplicate="update")

    assert (_counts(job), report) == ((2, 2, 0, 0), [])
    zhang.refresh_from_db()
    assert (zhang.name, zhang.title, zhang.phone) == ("张经理", "采购总监", "+8613900000000")
    assert zhang.history.count() == versions + 1  # one write for both rows


def test_a_name_with_a_new_phone_updates_the_existing_contact(alice, acme, tmp_path):
    zhang = add_contact(alice, acme, {"name": "张经理", "phone": "13912345678"})

    text = f"客户编号,联系人,手机\n{acme.pk},张经理,13900000000\n"
    job, _report = _run(alice, tmp_path, text, on_duplicate="update")

    assert _counts(job) == (0, 1, 0, 0)
    zhang.refresh_from_db()
    assert (acme.contacts.count(), zhang.phone) == (1, "+8613900000000")


def test_another_name_with_an_existing_contacts_phone_is_another_contact(alice, acme, tmp_path):
    add_contact(alice, acme, {"name": "李会计", "phone": "020-87654321"})

    text = f"客户编号,联系人,手机\n{acme.pk},王助理,020-87654321\n"
    job, _report = _run(alice, tmp_path, text, on_duplicate="update")

    assert _counts(job) == (1, 0, 0, 0)
    assert sorted(acme.contacts.values_list("name", flat=True)) == ["李会计", "王助理"]


def test_the_same_name_at_two_customers_is_no_repeat(alice, acme, alices_customer, tmp_path):
    text = f"客户编号,联系人\n{acme.pk},张经理\n{alices_customer.pk},张经理\n"

    job, report = _run(alice, tmp_path, text)

    assert (_counts(job), report) == ((2, 0, 0, 0), [])


def test_a_repeat_saying_primary_again_keeps_the_contact_primary(alice, acme, tmp_path):
    zhang = add_contact(alice, acme, {"name": "张经理", "phone": "13912345678"})
    text = f"客户编号,联系人,主要联系人\n{acme.pk},张经理,是\n{acme.pk},张经理,是\n"

    job, report = _run(alice, tmp_path, text, on_duplicate="update")

    assert (_counts(job), report) == ((0, 1, 1, 0), [])
    zhang.refresh_from_db()
    assert zhang.is_primary


def _section(html: str, element_id: str) -> str:
    """The element ``element_id`` of the page, up to its table's end ("" without one)."""
    start = html.find(f'id="{element_id}"')
    return "" if start < 0 else html[start : html.index("</table>", start)]


def test_the_jobs_page_shows_a_skipped_repeat_apart_from_failures(client, alice, acme, tmp_path):
    text = _file(acme) + f"{acme.pk},赵六,,12345\n"  # row 6 fails: no phone number
    job, _report = _run(alice, tmp_path, text)
    assert _counts(job) == (3, 0, 1, 1)

    html = login(client, alice).get(f"/customers/import/{job.pk}/status/").content.decode()

    problems = _section(html, "import-problems")
    assert "12345" in problems  # the failure is summed up by its column
    assert "Same contact" not in problems  # the skip is no problem of the file
    assert SKIPPED in _section(html, "import-report")  # a row not imported, and why
    assert 'id="import-notes"' not in html
    assert list(import_fixes.failed_rows(job)) == [6]  # the rows to fix: the failure only


def test_the_jobs_page_lists_a_repeat_added_under_create_as_a_note(client, alice, acme, tmp_path):
    job, _report = _run(alice, tmp_path, _file(acme), on_duplicate="create")

    html = login(client, alice).get(f"/customers/import/{job.pk}/status/").content.decode()

    assert ADDED in _section(html, "import-notes")
    assert 'id="import-report"' not in html
    assert 'id="import-problems"' not in html


def test_a_primary_row_skipped_as_an_existing_contact_leaves_the_primary_to_a_later_row(
    alice, acme, tmp_path
):
    add_contact(alice, acme, {"name": "王总", "phone": "13700137000"})
    text = f"客户编号,联系人,主要联系人\n{acme.pk},王总,是\n{acme.pk},李会计,是\n"

    job, report = _run(alice, tmp_path, text)

    assert _counts(job) == (1, 0, 1, 0)
    assert list(acme.contacts.filter(is_primary=True).values_list("name", flat=True)) == ["李会计"]
    assert "primary" not in " ".join(line[3] for line in report)
