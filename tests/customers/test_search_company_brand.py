"""A company is found by its brand (字号), which its registered name puts after the places:
润东 finds 广州润东信息技术有限公司, 华信 the people employed by 北京华信科技有限公司. A query of
one or two characters matches the start of a word only, so the search text ends with the
brand's first characters, pinyin and initials (``search.brand_words``)."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Q

from guanxi.customers.bulk import CustomerCleaner, insert_customers
from guanxi.customers.models import Customer, custom_fields_cached
from guanxi.customers.place_names import leading_places
from guanxi.customers.queries import customers_for
from guanxi.customers.search import brand_words, build_search_text, company_brand
from guanxi.customers.services import create_customer, update_customer
from guanxi.ops.search import global_search

pytestmark = pytest.mark.django_db

RUNDONG = "广州润东信息技术有限公司"
BRACKETED = "润东信息技术（广州）有限公司"
BOTH = sorted([RUNDONG, BRACKETED])


@pytest.mark.parametrize(
    ("name", "brand"),
    [
        (RUNDONG, "润东信息技术有限公司"),
        ("北京华信科技有限公司", "华信科技有限公司"),
        ("上海东方物流", "东方物流"),  # 东方市 is in 海南, not in 上海
        ("深圳市腾讯计算机系统有限公司", "腾讯计算机系统有限公司"),
        ("广东省广州市天河区润东信息技术有限公司", "润东信息技术有限公司"),
        ("广东广州润东信息技术有限公司", "润东信息技术有限公司"),
        ("北京市朝阳区华信科技有限公司", "华信科技有限公司"),
        ("浙江省义乌市稠州商贸有限公司", "稠州商贸有限公司"),
        ("义乌市稠州商贸有限公司", "稠州商贸有限公司"),
        ("吉林省吉林市龙潭区江城化工厂", "江城化工厂"),
        ("内蒙古伊利实业集团股份有限公司", "伊利实业集团股份有限公司"),
        ("广州市场营销策划有限公司", "市场营销策划有限公司"),  # 广州 + 市场, not 广州市 + 场
        ("广州 润东 信息技术有限公司", "润东信息技术有限公司"),
    ],
)
def test_the_brand_of_a_company_is_its_name_without_the_places_it_starts_with(name, brand):
    assert company_brand(name) == brand


@pytest.mark.parametrize(
    "name",
    [
        "润东信息技术（广州）有限公司",  # starts with its brand already
        "华为技术有限公司",
        "广州",
        "广州市",
        "广州市天河区",
        "广东省广州市",
        "广州润",  # one character left
        "唐山明",  # a person's name that starts as a city does
        "阿里巴巴网络技术有限公司",  # 阿里地区 is a place in full only
        "Acme Ltd",
        "",
    ],
)
def test_a_name_that_starts_with_no_place_or_is_only_a_place_has_no_brand(name):
    assert company_brand(name) == ""


def test_a_district_is_a_place_only_inside_its_city_or_province():
    assert leading_places("北京市海淀区华信科技") == len("北京市海淀区")
    assert leading_places("广州市海淀区华信科技") == len("广州市")
    assert leading_places("海淀区华信科技") == 0  # a district alone is no place to cut


def test_the_brand_words_are_the_names_pairs_of_characters_and_the_brands_start_spelt():
    assert brand_words(RUNDONG) == ["润东", "东信", "信息", "息技", "技术", "ru", "rd"]
    # Nothing to cut before the brand: its pairs only; none across a bracketed note.
    assert brand_words("润东信息技术（广州）有限公司") == ["润东", "东信", "信息", "息技", "技术"]
    assert brand_words("阿里巴巴（中国）网络技术有限公司") == [
        "阿里",
        "里巴",
        "巴巴",
        "网络",
        "络技",
        "技术",
    ]


def test_a_companys_search_text_ends_with_its_brand_words():
    text = build_search_text(RUNDONG, phones=["+8613800138000"])

    assert text.split()[-7:] == ["润东", "东信", "信息", "息技", "技术", "ru", "rd"]


def test_a_persons_own_name_gives_no_brand_words_but_the_employers_does():
    text = build_search_text("唐山明亮", company="北京华信科技有限公司", person=True)

    assert "明亮" not in text.split()
    assert text.split()[-5:] == ["华信", "信科", "科技", "hu", "hx"]  # 信 read as today


@pytest.fixture
def rundong(alice):
    return create_customer(alice, {"kind": "company", "name": RUNDONG})


@pytest.fixture
def book(alice, rundong):
    for name in (
        "润东信息技术（广州）有限公司",
        "广州",
        "广州恒达物流有限公司",
        "华为技术有限公司",
    ):
        create_customer(alice, {"kind": "company", "name": name})
    for name, employer in (("王伟", "北京华信科技有限公司"), ("李娜", "北京华信科技有限公司")):
        create_customer(alice, {"name": name, "company_name": employer})
    create_customer(alice, {"name": "张伟", "company_name": "华为技术有限公司"})


def names(rows) -> list[str]:
    return sorted(c.name for c in rows)


def test_two_characters_of_the_brand_find_the_company(alice, book):
    assert names(customers_for(alice, q="润东")) == BOTH


@pytest.mark.parametrize("q", ["rundong", "rd", "ru", "润", "RD"])
def test_the_brands_pinyin_and_initials_find_the_company(alice, book, q):
    assert RUNDONG in names(customers_for(alice, q=q))


def test_three_characters_from_the_middle_of_a_name_find_it_as_before(alice, book):
    assert names(customers_for(alice, q="信息技术")) == BOTH


def test_the_brand_of_a_persons_employer_finds_the_person(alice, book):
    assert names(customers_for(alice, q="华信")) == ["李娜", "王伟"]
    assert names(customers_for(alice, q="hx")) == ["李娜", "王伟"]


def test_a_place_alone_finds_what_it_found_before(alice, book):
    assert names(customers_for(alice, q="广州")) == ["广州", "广州恒达物流有限公司", RUNDONG]


def test_a_name_that_is_only_a_place_keeps_the_search_text_it_had():
    assert build_search_text("广州") == "广州 guangzhou gz"


def test_a_person_whose_name_starts_as_a_city_is_not_cut(alice):
    create_customer(alice, {"name": "唐山明亮"})

    assert names(customers_for(alice, q="明亮")) == []


def test_the_list_page_finds_the_company_by_its_brand(client, alice, book):
    client.force_login(alice)

    page = client.get("/customers/", {"q": "润东"})

    assert page.status_code == 200
    assert RUNDONG in page.content.decode()
    assert "华为技术有限公司" not in page.content.decode()


def test_the_api_finds_the_company_by_its_brand(client, alice, book):
    client.force_login(alice)

    found = client.get("/api/v1/customers", {"q": "润东"}).json()["items"]

    assert sorted(c["name"] for c in found) == BOTH


def test_the_global_search_finds_the_company_and_the_employees_by_brand(client, alice, book):
    client.force_login(alice)

    found = client.get("/api/v1/search", {"q": "润东"}).json()["customers"]

    assert sorted(c["name"] for c in found) == BOTH
    assert names(global_search(alice, "华信").customers) == ["李娜", "王伟"]


def test_a_rep_never_finds_another_reps_company_by_its_brand(
    client, alice, charlie, charlies_customer
):
    client.force_login(alice)

    assert names(customers_for(alice, q="锦城")) == []
    assert client.get("/api/v1/customers", {"q": "锦城"}).json()["items"] == []
    assert client.get("/api/v1/search", {"q": "锦城"}).json()["customers"] == []
    assert names(customers_for(charlie, q="锦城")) == ["成都锦城贸易有限公司"]


def test_a_renamed_company_is_found_by_the_new_brand_only(alice, rundong):
    update_customer(alice, rundong.pk, {"name": "广州润西信息技术有限公司"})

    assert names(customers_for(alice, q="润东")) == []
    assert names(customers_for(alice, q="润西")) == ["广州润西信息技术有限公司"]


def test_imported_companies_and_employees_are_found_by_brand(alice):
    rows = [
        {"kind": "company", "name": RUNDONG},
        {"name": "王伟", "company_name": "北京华信科技有限公司"},
    ]
    with custom_fields_cached() as definitions:
        cleaner = CustomerCleaner(alice, alice, definitions)
        values = [cleaner.clean(dict(row)) for row in rows]

    insert_customers(values, [[], []], user=alice, owner=alice)

    assert names(customers_for(alice, q="润东")) == [RUNDONG]
    assert names(customers_for(alice, q="华信")) == ["王伟"]


def _migration():
    return importlib.import_module("guanxi.customers.migrations.0037_search_company_brand")


def _set_text(pk: int, text: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE customers_customer SET search_text = %s WHERE id = %s", [text, pk])


def test_the_migration_gives_the_companies_of_before_their_brand_words(alice, book):
    texts = dict(Customer.objects.values_list("pk", "search_text"))
    before = {pk: _migration().without_brands(_values(pk), text) for pk, text in texts.items()}
    for pk, text in before.items():  # as the search text was written before
        _set_text(pk, text)
    assert names(customers_for(alice, q="润东")) == [BRACKETED]
    assert names(customers_for(alice, q="华信")) == []

    _migration().rebuild(apps, connection, _migration().with_brands)

    assert dict(Customer.objects.values_list("pk", "search_text")) == texts
    assert names(customers_for(alice, q="润东")) == BOTH
    assert names(customers_for(alice, q="华信")) == ["李娜", "王伟"]


def test_the_migrations_reverse_takes_the_brand_words_off_again(alice, book):
    texts = dict(Customer.objects.values_list("pk", "search_text"))
    rundong = Customer.objects.get(name=RUNDONG)

    _migration().rebuild(apps, connection, _migration().without_brands)

    reversed_texts = dict(Customer.objects.values_list("pk", "search_text"))
    assert reversed_texts[rundong.pk] == texts[rundong.pk].removesuffix(
        " 润东 东信 信息 息技 技术 ru rd"
    )
    changed = {pk for pk in texts if texts[pk] != reversed_texts[pk]}
    with_words = Customer.objects.filter(Q(kind="company") | ~Q(company_name=""))
    # Every company and employee, but 广州: a place, no name after it.
    assert changed == set(with_words.exclude(name="广州").values_list("pk", flat=True))
    assert names(customers_for(alice, q="润东")) == [BRACKETED]


def _values(pk: int) -> dict:
    columns = _migration()._COLUMNS
    return dict(zip(columns, Customer.objects.values_list(*columns).get(pk=pk), strict=True))


@pytest.mark.parametrize("q", ["技术", "信息", "东信"])
def test_two_characters_from_anywhere_in_the_name_find_the_company(alice, book, q):
    assert RUNDONG in names(customers_for(alice, q=q))


def test_the_organisation_form_finds_no_company_by_itself(alice, book):
    assert names(customers_for(alice, q="公司")) == []
