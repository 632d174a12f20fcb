"""Exports: visibility, masking, formula neutralisation, access log, CSV and XLSX."""

import csv
import io

import pytest
from django.core.management import call_command
from django.utils import translation
from python_calamine import CalamineWorkbook

from guanxi.core.models import AccessLog
from guanxi.customers.models import Customer
from guanxi.customers.services import create_customer, share_customer
from tests.conftest import login

URL = "/customers/export/"


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _column(table, header):
    index = table[0].index(header)
    return [row[index] for row in table[1:]]


@pytest.fixture
def formula_customer(alice):
    return create_customer(
        alice,
        {
            "name": '=HYPERLINK("http://evil")',
            "notes": "+SUM(A1)",
            "address": "@cmd",
            "city": "-2+3",
        },
    )


def test_export_csv_starts_with_a_bom_and_has_english_headers(client, alice, alices_customer):
    table = _csv(login(client, alice).get(URL, {"format": "csv"}))
    assert table[0][:3] == ["ID", "Kind", "Name"]
    assert _column(table, "Name") == ["王伟"]


def test_export_headers_follow_the_active_language(client, alice, alices_customer):
    client = login(client, alice)
    table = _csv(client.get(URL, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    with translation.override("zh-hans"):
        expected = str(Customer._meta.get_field("name").verbose_name)
    assert expected != "name"
    assert table[0][2] == expected


def test_rep_export_holds_only_visible_customers(client, alice, alices_customer, charlies_customer):
    table = _csv(login(client, alice).get(URL, {"format": "csv"}))
    names = _column(table, "Name")
    assert "王伟" in names
    assert "成都锦城贸易有限公司" not in names


def test_rep_export_masks_the_phone_of_a_customer_shared_with_her(client, alice, bob):
    theirs = create_customer(
        bob, {"name": "李娜", "phone": "13912345678", "id_number": "11010519491231002X"}
    )
    share_customer(bob, theirs.pk, to_user=alice)
    table = _csv(login(client, alice).get(URL, {"format": "csv"}))
    assert _column(table, "Mobile phone") == ["'+86139****5678"]
    assert "11010519491231002X" not in _column(table, "ID number / USCC")


def test_rep_export_shows_her_own_customers_phone_in_full(client, alice, alices_customer):
    table = _csv(login(client, alice).get(URL, {"format": "csv"}))
    assert _column(table, "Mobile phone") == ["'+8613800138000"]


def test_analyst_export_is_masked(client, nina, alices_customer):
    table = _csv(login(client, nina).get(URL, {"format": "csv"}))
    assert _column(table, "Mobile phone") == ["'+86138****8000"]


def test_export_follows_the_list_filters(client, alice, alices_customer):
    create_customer(alice, {"name": "张三", "city": "深圳"})
    table = _csv(login(client, alice).get(URL, {"format": "csv", "city": "深圳"}))
    assert _column(table, "Name") == ["张三"]


def test_csv_export_neutralises_formula_cells(client, alice, formula_customer):
    table = _csv(login(client, alice).get(URL, {"format": "csv"}))
    assert _column(table, "Name") == ['\'=HYPERLINK("http://evil")']
    assert _column(table, "Notes") == ["'+SUM(A1)"]
    assert _column(table, "Address") == ["'@cmd"]
    assert _column(table, "City") == ["'-2+3"]


def test_xlsx_export_writes_formula_like_cells_as_text(client, alice, formula_customer, tmp_path):
    response = login(client, alice).get(URL, {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    name_col = sheet[0].index("Name")
    assert sheet[1][name_col] == '=HYPERLINK("http://evil")'
    assert b"<f>" not in _sheet_xml(path)


def _sheet_xml(path) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml")


def test_export_is_written_to_the_access_log(client, alice, alices_customer):
    b"".join(login(client, alice).get(URL, {"format": "csv", "q": "王"}).streaming_content)
    entry = AccessLog.objects.get(action="export")
    assert entry.user == alice
    assert entry.object_type == "customer"
    assert entry.detail.startswith("1 rows, csv")
    assert "q=王" in entry.detail


def test_export_of_an_unknown_format_is_not_found(client, alice):
    assert login(client, alice).get(URL, {"format": "pdf"}).status_code == 404


def test_export_requires_login(client):
    assert client.get(URL).status_code == 302


def test_export_with_nothing_visible_has_only_the_header(client, charlie, alices_customer):
    table = _csv(login(client, charlie).get(URL, {"format": "csv"}))
    assert len(table) == 1


def test_export_runs_in_a_bounded_number_of_queries(client, alice, django_assert_max_num_queries):
    for i in range(30):
        create_customer(alice, {"name": f"客户{i}"})
    client = login(client, alice)
    with django_assert_max_num_queries(12):
        table = _csv(client.get(URL, {"format": "csv"}))
    assert len(table) == 31


def test_export_command_writes_the_users_view(alice, alices_customer, charlies_customer, tmp_path):
    out = io.StringIO()
    path = tmp_path / "c.csv"
    call_command("export", "customers", str(path), "--user", "alice", stdout=out)
    assert f"exported 1 customer to {path}" in out.getvalue()
    text = path.read_text(encoding="utf-8-sig")
    assert "王伟" in text and "成都锦城" not in text
    assert AccessLog.objects.get(action="export").via == "cli"


def test_export_command_writes_xlsx(alice, alices_customer, tmp_path):
    path = tmp_path / "c.xlsx"
    call_command("export", "customers", str(path), "--user", "alice", stdout=io.StringIO())
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert sheet[1][sheet[0].index("Name")] == "王伟"


def test_export_shows_choice_labels(client, alice):
    create_customer(alice, {"name": "李娜", "kind": "person", "gender": "female"})

    table = _csv(login(client, alice).get(URL, {"format": "csv"}))

    assert (_column(table, "Kind"), _column(table, "Gender")) == (["Person"], ["Female"])


def test_export_choice_labels_follow_the_active_language(client, alice):
    create_customer(alice, {"name": "李娜", "kind": "person", "gender": "female"})
    client = login(client, alice)

    table = _csv(client.get(URL, {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-hans"))

    with translation.override("zh-hans"):
        expected = [str(Customer._meta.get_field("gender").verbose_name)]
    gender = table[0].index(expected[0])
    assert table[1][gender] == "女"


def test_export_shows_a_stored_value_outside_the_choices_as_it_is(client, alice):
    customer = create_customer(alice, {"name": "李娜"})
    Customer.objects.filter(pk=customer.pk).update(income_band="legacy")

    table = _csv(login(client, alice).get(URL, {"format": "csv"}))

    assert _column(table, "Income band") == ["legacy"]
