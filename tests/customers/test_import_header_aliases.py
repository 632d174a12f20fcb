"""Headers as Chinese spreadsheets write them are matched: with a bracketed note ("手机（必填）",
"客户名称\\n(必填)"), the usual other words for a field (所在城市, 客户经理, 联系方式, 税号…), and
a company list ("公司名称, 联系人, 联系电话") is a list of companies."""

import pytest

from guanxi.customers import import_mapping

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("手机（必填）", "phone"),
        ("手机号码(必填)", "phone"),
        ("客户名称\n(必填)", "name"),
        ("*姓名【必填】", "name"),
        ("备注(选填)", "notes"),
        ("所在\n城市", "city"),
        ("所在城市", "city"),
        ("所在省份", "province"),
        ("所在地区", "city"),
        ("客户标签", "tags"),
        ("客户经理", "owner"),
        ("跟进人", "owner"),
        ("归属人", "owner"),
        ("联系方式", "phone"),
        ("通讯地址", "address"),
        ("出生年月", "birthday"),
        ("职位", "occupation"),
        ("所在公司", "company_name"),
        ("税号", "id_number"),
        ("纳税人识别号", "id_number"),
        ("ＥＭＡＩＬ", "email"),
    ],
)
def test_a_usual_header_is_matched(header, target):
    assert import_mapping.auto_mapping([header]) == {header: target}


def test_an_office_phone_is_the_other_phone():
    assert import_mapping.auto_mapping(["姓名", "手机", "办公电话"])["办公电话"] == "phone_alt"


@pytest.mark.parametrize("header", ["QQ", "客户类别", "地区"])
def test_a_header_with_no_field_of_its_own_is_left_unmatched(header):
    assert header not in import_mapping.auto_mapping(["姓名", header])


def test_a_header_that_is_only_a_bracketed_note_keeps_its_words():
    assert import_mapping.header_key("(备注)") == "备注"


def test_a_company_list_with_contact_persons_is_a_list_of_companies():
    headers = ["公司名称", "联系人", "联系电话", "职位", "地址"]

    mapping = import_mapping.auto_mapping(headers)

    assert mapping == {
        "公司名称": "name",
        "联系人": "contact_name",
        "联系电话": "phone",
        "职位": "contact_title",
        "地址": "address",
    }


def test_a_customer_name_column_beside_a_contact_stays_the_name():
    mapping = import_mapping.auto_mapping(["客户名称", "联系人", "工作单位"])

    assert mapping == {"客户名称": "name", "工作单位": "company_name"}


def test_a_person_list_with_an_employer_keeps_the_person_as_the_name():
    mapping = import_mapping.auto_mapping(["姓名", "公司名称", "手机"])

    assert mapping == {"姓名": "name", "公司名称": "company_name", "手机": "phone"}
