"""`guanxi import customers|contacts FILE --mapping M`: M is a mapping saved in the web app or
a JSON file {"column header": "field"}; a file that cannot serve is one clear error and keeps
no job."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guanxi.customers.models import Contact, Customer
from guanxi.customers.models_import import ImportJob
from guanxi.customers.services import create_customer

pytestmark = pytest.mark.django_db


def run(what, path, *args) -> str:
    out = io.StringIO()
    try:
        call_command("import", what, str(path), *args, stdout=out, stderr=io.StringIO())
    except SystemExit:
        pass
    return out.getvalue()


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def mapping_file(tmp_path, mapping) -> str:
    return str(write(tmp_path, "mapping.json", json.dumps(mapping, ensure_ascii=False)))


def test_a_json_mapping_file_maps_the_columns(alice, tmp_path):
    path = write(tmp_path, "c.csv", "客户全称,移动,备忘\n王伟,13800138000,老客户\n")
    mapping = mapping_file(tmp_path, {"客户全称": "name", "移动": "phone"})

    out = run("customers", path, "--owner", "alice", "--mapping", mapping)

    wang = Customer.objects.get()
    assert (wang.name, wang.phone, wang.notes) == ("王伟", "+8613800138000", "")
    assert "Columns not imported: 备忘" in out


def test_a_json_mapping_file_maps_a_contacts_file(alice, tmp_path):
    acme = create_customer(alice, {"kind": "company", "name": "广州华信贸易有限公司"})
    path = write(tmp_path, "contacts.csv", f"公司编号,人\n{acme.pk},张经理\n")
    mapping = mapping_file(tmp_path, {"公司编号": "customer_id", "人": "name"})

    run("contacts", path, "--user", "alice", "--mapping", mapping)

    assert Contact.objects.get().customer == acme


def test_a_mapping_file_that_does_not_exist_is_one_line(alice, tmp_path):
    path = write(tmp_path, "c.csv", "姓名\n王伟\n")
    with pytest.raises(CommandError, match=r"^--mapping .*missing\.json: there is no such file\.$"):
        run("customers", path, "--owner", "alice", "--mapping", str(tmp_path / "missing.json"))
    assert not ImportJob.objects.exists()


def test_a_mapping_file_that_is_not_json_is_one_line(alice, tmp_path):
    path = write(tmp_path, "c.csv", "姓名\n王伟\n")
    mapping = str(write(tmp_path, "mapping.json", "客户全称: name\n"))
    with pytest.raises(CommandError, match=r"mapping\.json is not JSON \(.*\): write"):
        run("customers", path, "--owner", "alice", "--mapping", mapping)
    assert not ImportJob.objects.exists()


def test_a_mapping_file_naming_an_unknown_field_lists_the_fields(alice, tmp_path):
    path = write(tmp_path, "c.csv", "姓名\n王伟\n")
    mapping = mapping_file(tmp_path, {"姓名": "nmae"})
    with pytest.raises(CommandError, match='Not a field: "nmae". The fields are: .*name'):
        run("customers", path, "--owner", "alice", "--mapping", mapping)
    assert not ImportJob.objects.exists()


def test_a_mapping_file_naming_a_column_the_file_lacks_is_refused_and_keeps_no_job(alice, tmp_path):
    path = write(tmp_path, "c.csv", "姓名\n王伟\n")
    mapping = mapping_file(tmp_path, {"姓名": "name", "手机号码": "phone"})
    with pytest.raises(
        CommandError, match='Not a column of the file: "手机号码". Its columns are: "姓名"'
    ):
        run("customers", path, "--owner", "alice", "--mapping", mapping)
    assert not ImportJob.objects.exists()
    assert not Customer.objects.exists()


def test_a_name_that_is_neither_a_saved_mapping_nor_a_file_says_what_mapping_takes(alice, tmp_path):
    path = write(tmp_path, "c.csv", "姓名\n王伟\n")
    with pytest.raises(CommandError, match="There is no saved mapping 'crm-old', nor a file"):
        run("customers", path, "--owner", "alice", "--mapping", "crm-old")
