"""A customer's city is stored in one form: a prefecture-level city or a municipality typed
without its 市 gets it (广州 → 广州市), whatever the path (form, API, import), and the city
filter reads what is typed the same way, so "广州" and "广州市" find the same customers.
Anything else is kept as typed, only trimmed. Migration 0040 rewrites the cities stored
before (``place_names.city_name``)."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

from guanxi.customers import imports
from guanxi.customers.cities import stored_city
from guanxi.customers.duplicates import find_candidates
from guanxi.customers.models import Customer
from guanxi.customers.place_names import city_name
from guanxi.customers.services import create_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db
LIST = reverse("customers:list")
CREATE = reverse("customers:create")
API = "/api/v1/customers"
JSON = "application/json"

migration = importlib.import_module("guanxi.customers.migrations.0040_city_full_names")


def page_names(response) -> list[str]:
    return sorted(c.name for c in response.context["page"].object_list)


def api_names(response) -> list[str]:
    return sorted(row["name"] for row in response.json()["items"])


def _migrate() -> None:
    migration.normalise_cities(apps, SimpleNamespace(connection=connection))


def _stored_as(customer: Customer, city: str) -> Customer:
    """``customer`` with ``city`` written as a record saved before the normalisation could be."""
    Customer.objects.filter(pk=customer.pk).update(city=city)
    customer.refresh_from_db()
    return customer


# --- the one form ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("广州", "广州市"),
        ("广州市", "广州市"),
        (" 广州市 ", "广州市"),
        ("\u3000广州\u3000", "广州市"),
        ("广 州", "广州市"),
        ("北京", "北京市"),
        ("上海", "上海市"),
        ("重庆市", "重庆市"),
        ("乌鲁木齐", "乌鲁木齐市"),
    ],
)
def test_a_city_typed_short_or_full_has_one_form(typed, stored):
    assert city_name(typed) == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("延边朝鲜族自治州", "延边朝鲜族自治州"),
        ("延边", "延边"),
        ("昆山", "昆山"),
        ("昆山市", "昆山市"),
        ("天河区", "天河区"),
        ("东京", "东京"),
        (" Tokyo ", "Tokyo"),
        ("New York", "New York"),
        ("", ""),
    ],
)
def test_a_county_a_prefecture_or_a_place_abroad_is_kept_as_typed(typed, stored):
    assert city_name(typed) == stored


def test_a_short_name_two_places_answer_to_is_not_guessed():
    # 吉林 is the province (吉林省) as much as its city (吉林市).
    assert city_name("吉林") == "吉林"
    assert city_name("吉林市") == "吉林市"


# --- every path that writes a city -------------------------------------------------------------


def test_the_form_stores_a_short_city_in_full(client, alice):
    data = {"kind": "person", "name": "王倩", "birthday_calendar": "solar", "city": " 杭州 "}

    response = login(client, alice).post(CREATE, data)

    assert response.status_code == 302
    assert Customer.objects.get(name="王倩").city == "杭州市"


def test_the_api_stores_a_short_city_in_full(client, alice):
    login(client, alice)

    body = client.post(API, {"name": "王倩", "city": "广州"}, content_type=JSON).json()

    assert body["city"] == "广州市"
    assert Customer.objects.get(pk=body["id"]).city == "广州市"


def test_an_api_edit_stores_a_short_city_in_full(client, alice):
    customer = create_customer(alice, {"name": "王倩", "city": "广州"})
    login(client, alice)

    body = client.patch(f"{API}/{customer.pk}", {"city": "北京"}, content_type=JSON).json()

    assert body["city"] == "北京市"


def test_the_api_keeps_a_foreign_city_as_typed(client, alice):
    login(client, alice)

    body = client.post(API, {"name": "佐藤", "city": "东京"}, content_type=JSON).json()

    assert body["city"] == "东京"


def test_the_import_stores_short_cities_in_full_and_keeps_a_foreign_one(alice, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "姓名,城市\n王倩,广州\n李雷,\u3000杭州市 \n佐藤,东京\n金美,延边朝鲜族自治州\n",
        encoding="utf-8",
    )

    job = imports.process(imports.new_job(alice, path, owner=alice))

    assert job.imported == 4
    assert dict(Customer.objects.values_list("name", "city")) == {
        "王倩": "广州市",
        "李雷": "杭州市",
        "佐藤": "东京",
        "金美": "延边朝鲜族自治州",
    }


# --- the filter --------------------------------------------------------------------------------


@pytest.fixture
def guangzhou(alice):
    """王倩 typed "广州", 王倩 and 陈广 typed "广州市", 沈沪 in 上海市."""
    create_customer(alice, {"name": "王倩", "city": "广州"})
    create_customer(alice, {"name": "王倩", "city": "广州市"})
    create_customer(alice, {"name": "陈广", "city": "广州市"})
    create_customer(alice, {"name": "沈沪", "city": "上海"})
    return alice


@pytest.mark.parametrize("typed", ["广州", "广州市", " 广州 ", "\u3000广州市"])
def test_the_list_finds_every_customer_of_the_city_however_either_was_typed(
    client, guangzhou, typed
):
    response = login(client, guangzhou).get(LIST, {"city": typed})

    assert page_names(response) == ["王倩", "王倩", "陈广"]


@pytest.mark.parametrize("typed", ["广州", "广州市"])
def test_the_api_finds_every_customer_of_the_city_by_either_name(client, guangzhou, typed):
    response = login(client, guangzhou).get(API, {"city": typed})

    assert api_names(response) == ["王倩", "王倩", "陈广"]


def test_a_known_city_is_read_without_a_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert stored_city("广州") == "广州市"
        assert stored_city(" 北京 ") == "北京市"


def test_a_foreign_city_is_filtered_as_typed(client, alice):
    create_customer(alice, {"name": "Smith", "city": " New York "})
    login(client, alice)

    assert page_names(client.get(LIST, {"city": "New York"})) == ["Smith"]


def test_the_same_names_in_a_city_typed_two_ways_are_paired_as_duplicates(guangzhou):
    short, *full = Customer.objects.filter(name="王倩").order_by("pk")

    pairs = {(c.a, c.b) for c in find_candidates(Customer.objects.alive())}

    assert all((short.pk, other.pk) in pairs for other in full)


# --- the migration -----------------------------------------------------------------------------


@pytest.fixture
def stored_before(alice):
    """Customers saved before the normalisation: 广州 and 杭州 without their 市, one with spaces,
    beside 广州市 and cities kept as they are."""
    made = {}
    for key, name, city in [
        ("short", "王倩", "广州"),
        ("spaced", "李雷", " 杭州 "),
        ("full", "王倩", "广州市"),
        ("full2", "王倩", "广州市"),
        ("abroad", "佐藤", "东京"),
        ("prefecture", "金美", "延边"),
        ("province", "朴敏", "吉林"),
    ]:
        made[key] = _stored_as(create_customer(alice, {"name": name}), city)
    return made


def test_the_migration_writes_stored_cities_in_their_one_form(stored_before):
    _migrate()

    cities = {key: Customer.objects.get(pk=c.pk).city for key, c in stored_before.items()}
    assert cities == {
        "short": "广州市",
        "spaced": "杭州市",
        "full": "广州市",
        "full2": "广州市",
        "abroad": "东京",
        "prefecture": "延边",
        "province": "吉林",
    }


def test_the_migration_records_each_change_in_history_and_keeps_the_version(stored_before):
    short, full = stored_before["short"], stored_before["full"]

    _migrate()

    rewritten = Customer.objects.get(pk=short.pk)
    last = rewritten.history.first()
    assert (last.city, last.history_type, last.history_user_id) == ("广州市", "~", None)
    assert last.history_change_reason == "city name normalised"
    assert (last.name, last.version) == ("王倩", short.version)
    assert rewritten.history.count() == 2
    assert (rewritten.version, rewritten.updated_at) == (short.version, short.updated_at)
    assert Customer.objects.get(pk=full.pk).history.count() == 1


def test_the_migration_runs_again_as_a_no_op(stored_before):
    _migrate()
    _migrate()

    assert Customer.objects.get(pk=stored_before["short"].pk).history.count() == 2


def test_the_migration_rewrites_in_chunks(stored_before, monkeypatch):
    monkeypatch.setattr(migration, "CHUNK", 1)
    owner = stored_before["short"].owner
    more = [_stored_as(create_customer(owner, {"name": n}), "广州") for n in ("甲", "乙")]

    _migrate()

    assert {Customer.objects.get(pk=c.pk).city for c in more} == {"广州市"}


def test_after_the_migration_the_filter_finds_the_customers_stored_short(
    client, alice, stored_before
):
    _migrate()
    login(client, alice)

    assert page_names(client.get(LIST, {"city": "广州"})) == ["王倩", "王倩", "王倩"]
    assert api_names(client.get(API, {"city": "杭州市"})) == ["李雷"]


def test_after_the_migration_a_search_within_the_city_finds_them(client, alice, stored_before):
    # The search index keeps the city in a column of its own (SQLite's FTS table by trigger,
    # PostgreSQL's trigram index): the UPDATE moves them to 广州市 there too.
    _migrate()
    login(client, alice)

    assert page_names(client.get(LIST, {"city": "广州", "q": "wangqian"})) == ["王倩"] * 3
    assert api_names(client.get(API, {"city": "广州市", "q": "王倩"})) == ["王倩"] * 3


def test_after_the_migration_the_duplicate_finder_pairs_the_city_typed_short(stored_before):
    _migrate()

    pairs = {(c.a, c.b) for c in find_candidates(Customer.objects.alive())}

    short = stored_before["short"]
    assert (short.pk, stored_before["full"].pk) in pairs
    assert (short.pk, stored_before["full2"].pk) in pairs
