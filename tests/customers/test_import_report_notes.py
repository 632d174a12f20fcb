"""The job's page lists a note on a row imported or updated all the same (an owner not
changed, a second primary contact taken as an ordinary one) apart from the rows not imported."""

from guanxi.customers import contact_imports, imports
from guanxi.customers.models_import import OnDuplicate
from guanxi.customers.services import create_customer
from tests.conftest import login


def _section(html: str, table_id: str) -> str:
    """The table ``table_id`` of the page ("" without one)."""
    start = html.find(f'id="{table_id}"')
    return "" if start < 0 else html[start : html.index("</table>", start)]


def test_an_owner_note_on_an_updated_row_is_a_note_not_a_row_not_imported(
    client, ada, alice, alices_customer, tmp_path
):
    path = tmp_path / "c.csv"
    path.write_text(
        f"ID,姓名,城市,负责人,手机\n{alices_customer.pk},王伟,深圳,bob,\n,李娜,广州,,12345\n",
        encoding="utf-8",
    )
    job = imports.new_job(ada, path, on_duplicate=OnDuplicate.UPDATE)
    imports.process(job)
    assert (job.updated, job.imported, job.failed) == (1, 0, 1)

    html = login(client, ada).get(f"/customers/import/{job.pk}/status/").content.decode()

    notes, not_imported = _section(html, "import-notes"), _section(html, "import-report")
    assert "Owner not changed" in notes
    assert "Owner not changed" not in not_imported
    assert "12345" in not_imported  # the failed row is still a row not imported
    assert "Notes on the import" in html


def test_a_second_primary_contact_is_a_note(client, alice, tmp_path):
    acme = create_customer(alice, {"kind": "company", "name": "华信", "phone": "02087654321"})
    path = tmp_path / "contacts.csv"
    path.write_text(
        f"客户编号,联系人,主要联系人\n{acme.pk},张经理,是\n{acme.pk},李会计,是\n",
        encoding="utf-8",
    )
    job = contact_imports.process(contact_imports.new_job(alice, path))
    assert job.imported == 2

    html = login(client, alice).get(f"/customers/import/{job.pk}/status/").content.decode()

    assert "not as the primary contact" in _section(html, "import-notes")
    assert 'id="import-report"' not in html
    assert "Rows not imported" not in html


def test_a_skipped_duplicate_is_still_a_row_not_imported(client, alice, alices_customer, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(f"姓名,手机\n王伟,{alices_customer.phone}\n", encoding="utf-8")
    job = imports.new_job(alice, path)
    imports.process(job)
    assert job.skipped == 1

    html = login(client, alice).get(f"/customers/import/{job.pk}/status/").content.decode()

    assert "skipped" in _section(html, "import-report")
    assert 'id="import-notes"' not in html
