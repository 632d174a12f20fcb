"""Placeholder names in the duplicate finder (客户001, 张先生, a name thousands share): numbered
names and titles are records, not typos; however many customers share a name or a look-alike,
the scan stays bounded and counts what it left out; exact keys are not touched."""

import pytest
from django.utils import timezone

from guanxi.customers import duplicates
from guanxi.customers.duplicates import find_candidates, name_key, scan_duplicates
from guanxi.customers.models import Customer, DuplicatePair
from guanxi.customers.services import create_customer

pytestmark = pytest.mark.django_db


def _bulk(owner, names, city="广州市", **values):
    """Customers as an import of a test file makes them: many at once, in one city."""
    now = timezone.now()
    return Customer.objects.bulk_create(
        Customer(
            name=name,
            city=city,
            owner=owner,
            search_text=name,
            created_at=now,
            updated_at=now,
            **values,
        )
        for name in names
    )


def _name_pairs():
    candidates = find_candidates(Customer.objects.alive(), reasons=["name"])
    return {tuple(sorted((c.a, c.b))) for c in candidates}


def _ids(*customers):
    return tuple(sorted(c.pk for c in customers))


def test_a_names_digits_and_title_are_its_tag_and_the_rest_is_compared():
    assert name_key("大文件客户12", "person") == ("dawenjiankehu", "dwjkh", "12")
    assert name_key("客户００１", "person") == ("kehu", "kh", "001")
    assert name_key("张先生", "person") == ("zhang", "z", "先生")
    assert name_key("张先生", "company") == ("zhangxiansheng", "zxs", "")
    assert name_key("Zhang Wei 2", "person") == ("zhangwei", "zw", "2")


def test_names_that_differ_only_in_their_digits_are_not_similar(alice):
    _bulk(
        alice,
        [
            "客户001",
            "客户002",
            "大文件客户1",
            "大文件客户12",
            "大文件客户29998",
            "大文件客户29999",
            "测试1",
            "测试2",
            "Customer 7",
            "Customer 8",
        ],
    )

    assert _name_pairs() == set()


def test_typos_are_still_similar_names(alice):
    wang, wang_typo = _bulk(alice, ["王伟", "王玮"])
    zhang, zhang_typo = _bulk(alice, ["Zhang Xiaoming", "Zhang Xiaomin"])
    numbered, numbered_typo = _bulk(alice, ["Zhang Xiaoming 2", "Zhang Xiaomng 2"])

    assert _name_pairs() == {
        _ids(wang, wang_typo),
        _ids(zhang, zhang_typo),
        _ids(numbered, numbered_typo),
    }


def test_a_title_is_compared_as_a_whole(alice):
    zhang, homophone = _bulk(alice, ["张先生", "章先生"])
    _bulk(alice, ["郑先生", "张女士"])

    assert _name_pairs() == {_ids(zhang, homophone)}


def test_a_name_shared_by_more_than_ten_in_a_city_pairs_none_of_them(alice):
    ten = _bulk(alice, ["李女士"] * 10, city="广州市")
    _bulk(alice, ["李女士"] * 11, city="深圳市")
    skips = duplicates.NameSkips()

    pairs = find_candidates(Customer.objects.alive(), skipped=skips)

    assert {(c.a, c.b) for c in pairs} == {
        (a.pk, b.pk) for i, a in enumerate(ten) for b in ten[i + 1 :]
    }
    assert skips.counts() == {"common_name": 11, "not_compared": 0}


def test_a_huge_same_name_block_is_bounded_and_counted(alice):
    _bulk(alice, ["张先生"] * 3000)
    first, second = _bulk(alice, ["王伟", "王玮"])

    result = scan_duplicates()

    assert result.customers == 3002
    assert list(DuplicatePair.objects.values_list("customer_a", "customer_b")) == [
        _ids(first, second)
    ]
    assert result.skipped == {"common_name": 3000, "not_compared": 0}
    assert result.names_skipped == 3000


def test_a_spelling_a_letter_from_more_than_ten_others_pairs_with_none(alice):
    # 12 names a letter apart from each other: each has 11 look-alikes.
    _bulk(alice, [f"Zhang Xiaoming {letter}" for letter in "abcdefghijkl"])
    # 11 names: each has 10, all 55 pairs proposed.
    eleven = _bulk(alice, [f"Li Xiaohong {letter}" for letter in "abcdefghijk"], city="深圳市")
    skips = duplicates.NameSkips()

    pairs = find_candidates(Customer.objects.alive(), skipped=skips)

    assert {(c.a, c.b) for c in pairs} == {
        (a.pk, b.pk) for i, a in enumerate(eleven) for b in eleven[i + 1 :]
    }
    assert skips.counts() == {"common_name": 0, "not_compared": 12}


def test_a_block_over_the_comparison_budget_gets_its_same_pinyin_pairs_only(alice, monkeypatch):
    monkeypatch.setattr(duplicates, "MAX_BLOCK_COMPARISONS", 0)
    wang, homophone = _bulk(alice, ["王伟", "王玮"])
    _bulk(alice, ["Zhang Xiaoming", "Zhang Xiaomin"])
    skips = duplicates.NameSkips()

    pairs = find_candidates(Customer.objects.alive(), skipped=skips)

    assert [(c.a, c.b) for c in pairs] == [_ids(wang, homophone)]
    assert skips.counts() == {"common_name": 0, "not_compared": 2}


def test_exact_keys_are_not_touched_by_the_name_rules(alice):
    switchboard = _bulk(alice, ["张先生"] * 30, phone="+862087654321")
    first = create_customer(alice, {"name": "客户001", "email": "Same@Example.com"})
    second = create_customer(alice, {"name": "客户002", "email": "same@example.com"})

    result = scan_duplicates()

    pairs = set(DuplicatePair.objects.values_list("customer_a", "customer_b", "reasons"))
    assert pairs == {(switchboard[0].pk, c.pk, "phone") for c in switchboard[1:]} | {
        (*_ids(first, second), "email")
    }
    assert result.by_reason == {"phone": 29, "email": 1}
    assert result.skipped["common_name"] == 30


def test_the_scan_keeps_how_many_it_left_out_and_the_page_and_api_say_it(client, ada, alice):
    from django.urls import reverse

    from guanxi.customers.models_merge import DuplicateScan
    from tests.conftest import login

    _bulk(alice, ["张先生"] * 11)
    scan_duplicates()

    assert DuplicateScan.objects.latest("requested_at").names_skipped == 11
    login(client, ada)
    html = client.get(reverse("customers:duplicates")).content.decode()
    assert "11 customers with names that many share" in html
    body = client.get("/api/v1/customers/duplicates/scan").json()
    assert body["names_skipped"] == 11
