"""Pages, messages and API errors come out in Simplified Chinese or English, and the catalogue is complete."""

import importlib.util
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from guanxi.accounts.models import User
from guanxi.customers.models import Customer
from guanxi.sales.services import create_opportunity
from tests.conftest import login

#: What a phone number that is none is told (guanxi.core.phones.invalid_message).
PHONE_MESSAGE = (
    "Enter a valid phone number: a mobile such as 13800138000, a landline with its area code "
    "such as 020-87654321, or a number with its country code such as +852 9123 4567."
)
PHONE_MESSAGE_ZH = (
    "请输入有效的电话号码：手机号（如 13800138000）、带区号的固定电话（如 020-87654321）"
    "或带国家/地区代码的号码（如 +852 9123 4567）。"
)

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "src" / "guanxi" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _check_translations():
    spec = importlib.util.spec_from_file_location(
        "check_translations", ROOT / "scripts" / "check_translations.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _in(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# --- pages ---------------------------------------------------------------------------------


def test_login_page_is_chinese_with_the_chinese_cookie(client, db):
    html = _page(_in(client, "zh-hans"), "/login/")
    assert "登录" in html
    assert "用户名" in html
    assert "客户关系管理" in html
    assert "Sign in" not in html


def test_login_page_is_english_with_the_english_cookie(client, db):
    html = _page(_in(client, "en"), "/login/")
    assert "Sign in" in html
    assert "Customer relationship management" in html
    assert "登录" not in html


def test_login_page_follows_a_chinese_browser_before_any_choice(client, db):
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "登录" in html


def test_customer_list_is_chinese_with_the_chinese_cookie(client, alice, alices_customer):
    html = _page(_in(login(client, alice), "zh-hans"), "/customers/")
    assert "新建客户" in html
    assert "负责人" in html
    assert "1 位客户" in html
    assert "New customer" not in html


def test_customer_list_is_english_with_the_english_cookie(client, alice, alices_customer):
    html = _page(_in(login(client, alice), "en"), "/customers/")
    assert "New customer" in html
    assert "1 customer" in html
    assert "新建客户" not in html


def test_customer_card_is_chinese_with_the_chinese_cookie(client, alice, alices_customer):
    html = _page(_in(login(client, alice), "zh-hans"), f"/customers/{alices_customer.pk}/")
    for text in ("基本信息", "联系方式", "负责人", "历史记录", "编辑", "转移"):
        assert text in html, text
    assert "Identity" not in html


def test_customer_card_is_english_with_the_english_cookie(client, alice, alices_customer):
    html = _page(_in(login(client, alice), "en"), f"/customers/{alices_customer.pk}/")
    assert "Identity" in html
    assert "History" in html
    assert "基本信息" not in html


def test_customer_form_labels_and_choices_are_chinese(client, alice):
    html = _page(_in(login(client, alice), "zh-hans"), "/customers/new/")
    for text in ("新建客户", "手机", "生日历法", "公历", "农历", "来源渠道", "转介绍"):
        assert text in html, text


def test_analytics_page_is_chinese_with_the_chinese_cookie(client, alice):
    html = _page(_in(login(client, alice), "zh-hans"), "/analytics/")
    assert "客户价值分析" in html
    assert "尚未计算" in html
    assert "Customer value analysis" not in html


def test_analytics_page_is_english_with_the_english_cookie(client, alice):
    html = _page(_in(login(client, alice), "en"), "/analytics/")
    assert "Customer value analysis" in html
    assert "客户价值分析" not in html


def test_sales_board_is_chinese_with_the_chinese_cookie(client, alice, alices_customer):
    create_opportunity(alice, alices_customer.pk, {"name": "茶叶年度采购", "amount": "50000"})
    html = _page(_in(login(client, alice), "zh-hans"), "/sales/opportunities/board/")
    for text in ("商机看板", "新建商机", "茶叶年度采购", ">推进<"):
        assert text in html, text
    assert "Opportunity board" not in html
    assert ">Move<" not in html


def test_my_day_is_chinese_with_the_chinese_cookie(client, alice):
    html = _page(_in(login(client, alice), "zh-hans"), "/my-day/")
    for text in ("今日工作", "逾期", "今天没有到期的任务。", "未来 7 天", "新建任务"):
        assert text in html, text
    assert "My day" not in html


def test_import_page_is_chinese_with_the_chinese_cookie(client, alice):
    html = _page(_in(login(client, alice), "zh-hans"), "/customers/import/")
    for text in ("导入客户", "上传并对应列", "最近的导入", "还没有导入记录。"):
        assert text in html, text
    assert "Import customers" not in html


# --- the user's saved language --------------------------------------------------------------


def test_saved_chinese_applies_in_a_new_browser(client, alice, alices_customer):
    User.objects.filter(pk=alice.pk).update(language="zh-hans")
    alice.refresh_from_db()

    html = _page(login(client, alice), "/customers/")

    assert "新建客户" in html


def test_saved_english_wins_over_a_chinese_browser(client, alice, alices_customer):
    User.objects.filter(pk=alice.pk).update(language="en")
    alice.refresh_from_db()
    login(client, alice)

    html = client.get("/customers/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()

    assert "New customer" in html


def test_flash_message_after_a_save_is_chinese(client, alice):
    _in(login(client, alice), "zh-hans")

    response = client.post(
        "/customers/new/",
        {"kind": "person", "name": "李娜", "birthday_calendar": "solar"},
        follow=True,
    )

    assert "已创建客户 李娜。" in response.content.decode()


# --- API errors ----------------------------------------------------------------------------


def _post_customer(client, payload, language):
    return client.post(
        "/api/v1/customers",
        payload,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )


def _messages(response, field):
    assert response.status_code == 422, response.content
    return [e["message"] for e in response.json()["errors"] if e["field"] == field]


def test_api_phone_error_is_chinese_for_a_chinese_client(client, alice):
    login(client, alice)
    response = _post_customer(client, {"name": "李娜", "phone": "12345"}, "zh-hans")
    assert _messages(response, "phone") == [PHONE_MESSAGE_ZH]


def test_api_phone_error_is_english_for_an_english_client(client, alice):
    login(client, alice)
    response = _post_customer(client, {"name": "李娜", "phone": "12345"}, "en")
    assert _messages(response, "phone") == [PHONE_MESSAGE]


def test_api_model_validation_error_is_chinese_for_a_chinese_client(client, alice):
    login(client, alice)
    response = _post_customer(client, {"name": "李娜", "birthday": "2999-01-01"}, "zh-hans")
    assert _messages(response, "birthday") == ["生日不能晚于今天。"]


def test_permission_refusal_is_chinese_for_a_chinese_client(client, nina):
    login(client, nina)
    response = client.post(
        "/api/v1/customers",
        {"name": "李娜"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "您的角色为只读。"


# --- the catalogue -------------------------------------------------------------------------


def test_the_catalogue_is_complete_and_compiled():
    assert _check_translations().main(["check_translations"]) == 0


def test_the_catalogue_declares_one_plural_form_for_chinese():
    header = CATALOGUE.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header


@pytest.fixture
def catalogue_copy(tmp_path):
    target = tmp_path / "zh_Hans" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(CATALOGUE, target / "django.po")
    shutil.copy(CATALOGUE.with_suffix(".mo"), target / "django.mo")
    return target / "django.po"


def test_the_check_reports_an_untranslated_entry(catalogue_copy):
    text = catalogue_copy.read_text(encoding="utf-8")
    catalogue_copy.write_text(text.replace('msgstr "用户名"', 'msgstr ""', 1), encoding="utf-8")
    problems = _check_translations().check_catalogue(catalogue_copy)
    assert any("'Username' is not translated" in p for p in problems)


def test_the_check_reports_a_fuzzy_entry(catalogue_copy):
    text = catalogue_copy.read_text(encoding="utf-8")
    marked = text.replace('msgid "Username"', '#, fuzzy\nmsgid "Username"', 1)
    catalogue_copy.write_text(marked, encoding="utf-8")
    problems = _check_translations().check_catalogue(catalogue_copy)
    assert any("'Username' is fuzzy" in p for p in problems)


def test_the_check_reports_a_lost_placeholder(catalogue_copy):
    text = catalogue_copy.read_text(encoding="utf-8")
    broken = text.replace('msgstr "已创建用户 %(name)s。"', 'msgstr "已创建用户。"', 1)
    catalogue_copy.write_text(broken, encoding="utf-8")
    problems = _check_translations().check_catalogue(catalogue_copy)
    assert any("placeholders" in p for p in problems)


def test_the_check_reports_a_compiled_file_out_of_step(catalogue_copy):
    text = catalogue_copy.read_text(encoding="utf-8")
    catalogue_copy.write_text(text.replace('msgstr "用户名"', 'msgstr "帐号"', 1), encoding="utf-8")
    problems = _check_translations().check_catalogue(catalogue_copy)
    assert any("out of date" in p for p in problems)


def test_a_text_too_long_is_worded_for_a_user_in_chinese():
    field = Customer._meta.get_field("name")
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as caught:
            field.clean("王" * (field.max_length + 1), None)
        messages = [str(m) for m in caught.value.messages]

    assert messages == [f"最多 {field.max_length} 个字符（现有 {field.max_length + 1} 个）。"]
