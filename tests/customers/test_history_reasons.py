"""A history row's reason: stored as fixed English words, shown in the reader's language."""

import pytest
from django.urls import reverse
from django.utils import translation

from guanxi.customers import history_reasons
from guanxi.customers.merge import merge_customers
from guanxi.customers.services import create_customer, delete_customer, restore_customer
from tests.conftest import login


@pytest.mark.parametrize(
    ("stored", "chinese"),
    [
        ("import", "导入"),
        ("deleted", "已删除"),
        ("demo data", "演示数据"),
        (history_reasons.merged_in(12), "已将 #12 合并到此客户"),
        (history_reasons.merged_into(7), "已合并到 #7"),
        (history_reasons.merge_undone(12), "已撤销与 #12 的合并"),
    ],
)
def test_our_reasons_are_shown_in_chinese(stored, chinese):
    with translation.override("zh-hans"):
        assert history_reasons.shown(stored) == chinese


def test_our_reasons_are_shown_as_stored_in_english():
    with translation.override("en"):
        assert history_reasons.shown(history_reasons.merged_in(12)) == (
            "merged #12 into this customer"
        )


def test_a_typed_reason_is_shown_as_typed():
    with translation.override("zh-hans"):
        assert history_reasons.shown("客户搬家，交给杭州组") == "客户搬家，交给杭州组"
        assert history_reasons.shown("merged #12 into this customer, then edited") == (
            "merged #12 into this customer, then edited"
        )


def test_the_history_tab_shows_a_merge_in_the_readers_language(client, alice):
    survivor = create_customer(alice, {"name": "王伟", "phone": "13800138000"})
    other = create_customer(alice, {"name": "王玮", "phone": "13800138000"})
    merge_customers(alice, survivor.pk, other.pk)
    login(client, alice)

    page = client.get(
        reverse("customers:tab", args=[survivor.pk, "history"]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert f"已将 #{other.pk} 合并到此客户" in page.content.decode()


def test_the_api_gives_the_stored_reason(client, alice):
    customer = create_customer(alice, {"name": "王伟"})
    delete_customer(alice, customer.pk)
    restore_customer(alice, customer.pk)
    login(client, alice)

    history = client.get(
        f"/api/v1/customers/{customer.pk}/history", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).json()

    assert [entry["reason"] for entry in history["items"]][:2] == ["restored", "deleted"]


def test_the_history_tab_shows_the_demos_reason_in_the_readers_language(client, alice):
    customer = create_customer(alice, {"name": "王伟"})
    customer.history.update(history_change_reason=history_reasons.DEMO)  # as `guanxi demo` writes
    login(client, alice)

    page = client.get(
        reverse("customers:tab", args=[customer.pk, "history"]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert "演示数据" in page.text and "demo data" not in page.text
