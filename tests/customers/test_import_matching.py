"""Which existing customer an imported row is the same as: by name, only with its company (a
person) or as a company; never a customer in the recycle bin. Each lookup is one query per
key field and batch (``bulk.alive_matching``)."""

import io

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.customers import bulk, import_reports, imports
from guanxi.customers.services import create_customer, delete_customer


def _import_skipping(tmp_path, text: str) -> tuple[str, list[str]]:
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    args = ("--owner", "alice", "--on-duplicate", "skip")
    try:
        call_command("import", "customers", str(path), *args, stdout=out, stderr=io.StringIO())
    except SystemExit:  # nothing imported: the command's exit status 1
        pass
    report_path = import_reports.report_path_for(path)
    report = (
        report_path.read_text(encoding="utf-8-sig").splitlines()[1:] if report_path.exists() else []
    )
    return out.getvalue(), report


def test_a_person_is_the_same_as_the_namesake_of_the_same_company(alice, tmp_path):
    create_customer(alice, {"name": "王伟", "company_name": "长城汽车"})
    byd = create_customer(alice, {"name": "王伟", "company_name": "比亚迪"})

    out, report = _import_skipping(tmp_path, "姓名,公司\n王伟,比亚迪\n")

    assert "imported 0, updated 0, skipped 1, failed 0" in out
    assert f"#{byd.pk};" in report[0]


def test_a_person_of_another_company_is_a_new_customer(alice, tmp_path):
    create_customer(alice, {"name": "王伟", "company_name": "长城汽车"})

    out, _report = _import_skipping(tmp_path, "姓名,公司\n王伟,比亚迪\n")

    assert "imported 1, updated 0, skipped 0, failed 0" in out


def test_a_company_is_the_same_as_a_company_of_that_name_not_a_person(alice, tmp_path):
    create_customer(alice, {"name": "Acme", "company_name": "Acme"})
    company = create_customer(alice, {"name": "Acme", "kind": "company"})

    out, report = _import_skipping(tmp_path, "Name,Kind\nAcme,company\n")

    assert "skipped 1" in out
    assert f"#{company.pk};" in report[0]


def test_a_customer_in_the_recycle_bin_is_no_duplicate(alice, tmp_path):
    gone = create_customer(alice, {"name": "王伟", "phone": "13800138000"})
    delete_customer(alice, gone.pk)

    out, _report = _import_skipping(tmp_path, "姓名,手机\n王伟,13800138000\n")

    assert "imported 1, updated 0, skipped 0, failed 0" in out


def test_people_are_looked_up_by_name_and_employer(alice):
    create_customer(alice, {"name": "王伟", "company_name": "长城汽车"})
    create_customer(alice, {"name": "王伟"})
    create_customer(alice, {"name": "王伟", "kind": "company"})
    byd = create_customer(alice, {"name": "王伟", "company_name": "比亚迪"})
    li = create_customer(alice, {"name": "李娜", "company_name": "长城汽车"})

    found = bulk.alive_people({("王伟", "比亚迪"), ("李娜", "长城汽车")}, ("id",))

    assert sorted(r["id"] for r in found) == [byd.pk, li.pk]


def test_companies_are_looked_up_by_name_among_companies(alice):
    create_customer(alice, {"name": "Acme", "company_name": "Acme"})
    company = create_customer(alice, {"name": "Acme", "kind": "company"})

    found = bulk.alive_matching("name", {"Acme"}, ("id",), kind="company")

    assert [r["id"] for r in found] == [company.pk]


def test_a_lookup_finds_every_value_asked_in_one_query(alice):
    phones = [f"1380013{i:04d}" for i in range(30)]
    for i, phone in enumerate(phones):
        create_customer(alice, {"name": f"客户{i}", "phone": phone})

    with CaptureQueriesContext(connection) as queries:
        found = bulk.alive_matching("phone", {f"+86{p}" for p in phones[:20]}, ("id", "phone"))

    assert len([q for q in queries if "customers_customer" in q["sql"]]) == 1
    assert sorted(r["phone"] for r in found) == sorted(f"+86{p}" for p in phones[:20])


def test_an_update_matched_by_a_phone_keeps_the_customers_name_and_says_so(alice, tmp_path):
    company = create_customer(
        alice, {"name": "广州鸿运贸易有限公司", "kind": "company", "phone": "020-83331234"}
    )
    path = tmp_path / "c.csv"
    path.write_text("姓名,电话,城市\n庚座机,020-83331234,广州市\n", encoding="utf-8")
    job = imports.new_job(alice, path, owner=alice, on_duplicate="update")

    imports.process(job)

    company.refresh_from_db()
    assert (company.name, company.city, job.updated, job.failed) == (
        "广州鸿运贸易有限公司",
        "广州市",
        1,
        0,
    )
    (line,) = import_reports.read_report(job)
    assert line[3].startswith("Name not changed: the row matched this customer by its landline")
    assert import_reports.split_report([line]) == ([], [line])  # a note, nothing to fix


def test_an_update_matched_by_a_phone_with_the_name_spaced_otherwise_is_no_rename(alice, tmp_path):
    create_customer(alice, {"name": "王伟", "phone": "13800138000"})
    path = tmp_path / "c.csv"
    path.write_text("姓名,手机,城市\n王 伟,13800138000,广州市\n", encoding="utf-8")
    job = imports.new_job(alice, path, owner=alice, on_duplicate="update")

    imports.process(job)

    assert import_reports.read_report(job) == []
