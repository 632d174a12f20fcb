"""A row with no type whose name ends as a company's (…有限公司, …厂, Co., Ltd.) is a company;
a company is a duplicate of an existing company of the same name, however its brackets,
full-width letters or case are written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guanxi.customers import import_reports, import_rows, imports
from guanxi.customers.models import Customer, Kind
from guanxi.customers.models_import import ImportJob, OnDuplicate
from guanxi.customers.services import create_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _run(user, tmp_path, text: str, **options):
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    job = imports.new_job(user, path, owner=user, **options)
    imports.process(job)
    return job, import_reports.read_report(job)


@pytest.mark.parametrize(
    "name",
    [
        "深圳市华强电子有限公司",
        "佛山市南海区利达五金厂",
        "广州天河区小明餐饮店",
        "北京中关村软件集团",
        "上海浦东新区某某商行",
        "成都某某个体工商户",
        "广州某某（中国）有限公司",
        "某某科技有限公司（筹）",
        "ABC Trading Co., Ltd.",
        "Acme Inc",
        "Muster GmbH",
    ],
)
def test_a_name_ending_as_a_company_s_is_a_company(name):
    assert import_rows.named_as_company(name)


@pytest.mark.parametrize("name", ["王伟", "合计科技", "Wang Lei", "李公", "Lincoln"])
def test_a_person_s_name_is_no_company(name):
    assert not import_rows.named_as_company(name)


def test_rows_without_a_type_named_as_companies_are_imported_as_companies(alice, tmp_path):
    text = "客户名称,城市\n深圳市华强电子有限公司,深圳\n王伟,广州\n"

    job, _report = _run(alice, tmp_path, text)

    assert job.imported == 2
    assert Customer.objects.get(name="深圳市华强电子有限公司").kind == Kind.COMPANY
    assert Customer.objects.get(name="王伟").kind == Kind.PERSON


def test_the_type_column_wins_over_the_name(alice, tmp_path):
    text = "客户名称,类型\n小明餐饮店,个人\n"

    job, _report = _run(alice, tmp_path, text)

    assert Customer.objects.get(name="小明餐饮店").kind == Kind.PERSON


def test_an_empty_type_cell_lets_the_name_tell(alice, tmp_path):
    text = "客户名称,类型\n小明餐饮店,\n"

    _run(alice, tmp_path, text)

    assert Customer.objects.get(name="小明餐饮店").kind == Kind.COMPANY


def test_a_row_with_a_gender_stays_a_person(alice, tmp_path):
    text = "客户名称,性别\n王小店,男\n"

    _run(alice, tmp_path, text)

    assert Customer.objects.get(name="王小店").kind == Kind.PERSON


def test_the_mapping_page_count_of_companies_by_name(alice, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("客户名称\n甲有限公司\n乙厂\n王伟\n", encoding="utf-8")
    table = imports.read_table(path)

    assert import_rows.companies_by_name(table, {"客户名称": "name"}) == 2


def test_a_company_list_imported_twice_creates_each_company_once(alice, tmp_path):
    text = "客户名称,地址\n深圳市华强电子有限公司,某路0号\n佛山市南海区利达五金厂,某路1号\n"
    _run(alice, tmp_path, text)

    job, report = _run(alice, tmp_path, text)

    assert (job.imported, job.skipped) == (0, 2)
    assert Customer.objects.count() == 2


def test_an_existing_company_is_found_whatever_its_brackets_width_or_case(alice, tmp_path):
    bracketed = create_customer(alice, {"name": "广州某某（中国）有限公司", "kind": Kind.COMPANY})
    latin = create_customer(alice, {"name": "ABC TRADING CO., LTD.", "kind": Kind.COMPANY})
    text = '客户名称\n广州某某(中国)有限公司\n"ＡＢＣ Trading Co., Ltd."\n'

    job, report = _run(alice, tmp_path, text)

    assert (job.imported, job.skipped) == (0, 2), report
    assert {line[3] for line in report} == {
        f"Already exists as customer #{bracketed.pk}; skipped.",
        f"Already exists as customer #{latin.pk}; skipped.",
    }


def test_a_company_named_twice_in_a_file_is_an_in_file_duplicate(alice, tmp_path):
    text = "客户名称\n广州某某（中国）有限公司\n广州某某(中国)有限公司\n"

    job, _report = _run(alice, tmp_path, text)

    assert (job.imported, job.skipped) == (1, 1)


def test_an_update_by_phone_keeps_the_type_the_name_only_suggests(alice, tmp_path):
    known = create_customer(alice, {"name": "王小明", "phone": "13800138000"})
    text = "客户名称,手机,城市\n小明餐饮店,13800138000,广州\n"

    job, _report = _run(alice, tmp_path, text, on_duplicate=OnDuplicate.UPDATE)

    known.refresh_from_db()
    assert job.updated == 1
    # Matched by its mobile: neither its type nor its name changes (renamed by its ID only).
    assert (known.kind, known.name, known.city) == (Kind.PERSON, "王小明", "广州市")


def test_a_row_without_a_type_named_as_an_existing_company_is_that_company(alice, tmp_path):
    known = create_customer(alice, {"name": "广州市测试贸易有限公司00", "kind": Kind.COMPANY})
    text = "姓名,备注\n广州市测试贸易有限公司00,K\n"

    job, report = _run(alice, tmp_path, text)

    assert (job.imported, job.skipped) == (0, 1)
    assert report[0][3] == f"Already exists as customer #{known.pk}; skipped."


def test_namesakes_without_a_type_in_one_file_are_both_imported(alice, tmp_path):
    text = "姓名,手机\n王伟,13800138000\n王伟,13912345678\n"

    job, _report = _run(alice, tmp_path, text)

    assert (job.imported, job.failed) == (2, 0)


def test_a_row_saying_it_is_a_person_is_no_company_of_its_name(alice, tmp_path):
    create_customer(alice, {"name": "华为", "kind": Kind.COMPANY})
    text = "姓名,类型\n华为,个人\n"

    job, _report = _run(alice, tmp_path, text)

    assert job.imported == 1


def test_the_mapping_page_says_how_many_rows_are_taken_for_companies(client, alice):
    client = login(client, alice)
    text = "客户名称,城市\n甲有限公司,广州\n乙五金厂,佛山\n王伟,深圳\n"
    client.post(
        "/customers/import/",
        {"file": SimpleUploadedFile("c.csv", text.encode(), "text/csv")},
    )
    job = ImportJob.objects.get()

    page = client.get(f"/customers/import/{job.pk}/").text

    assert "2 rows have no type and a company&#x27;s name" in page
