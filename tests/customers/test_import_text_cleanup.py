"""A cell's text as its field keeps it: a line break or tab inside a one-line field is a space,
full-width letters and spaces in a name are half-width, an e-mail typed in full width is read;
the notes keep their lines, and Chinese punctuation stays as written."""

import pytest

from guanxi.customers import import_reports, imports
from guanxi.customers.models import Customer

pytestmark = pytest.mark.django_db


def _run(user, tmp_path, text: str):
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    job = imports.new_job(user, path, owner=user)
    imports.process(job)
    return job, import_reports.read_report(job)


def test_a_line_break_inside_a_chinese_name_is_closed_up_and_in_an_address_one_space(
    alice, tmp_path
):
    job, _report = _run(alice, tmp_path, '姓名,地址\n"换行\n姓名","某路\t1号"\n')

    customer = Customer.objects.get()
    assert (customer.name, customer.address) == ("换行姓名", "某路 1号")


def test_a_line_break_in_a_latin_name_is_one_space_too(alice, tmp_path):
    _run(alice, tmp_path, '姓名\n"Wang\r\nLei"\n')

    assert Customer.objects.get().name == "Wang Lei"


def test_the_notes_keep_their_lines(alice, tmp_path):
    _run(alice, tmp_path, '姓名,备注\n王伟,"第一行\n第二行"\n')

    assert Customer.objects.get().notes == "第一行\n第二行"


def test_full_width_letters_and_spaces_in_a_name_are_half_width(alice, tmp_path):
    _run(alice, tmp_path, "姓名\nＷａｎｇ　Ｌｅｉ\n")

    assert Customer.objects.get().name == "Wang Lei"


def test_chinese_brackets_in_a_company_name_are_kept(alice, tmp_path):
    _run(alice, tmp_path, "客户名称\n广州某某（中国）有限公司\n")

    assert Customer.objects.get().name == "广州某某（中国）有限公司"


def test_an_e_mail_typed_in_full_width_is_read(alice, tmp_path):
    job, report = _run(alice, tmp_path, "姓名,邮箱\n王伟,ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ\n")

    assert (job.imported, report) == (1, [])
    assert Customer.objects.get().email == "wang@example.com"
