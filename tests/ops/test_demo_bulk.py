"""The demo's fast paths: the same data as before for a seed, whether the rows are made in a
child process or not, with shortcuts that agree with the libraries they stand in for, and a
search index built once at the end that finds every customer."""

import datetime as dt
import hashlib
import random

import pytest
from django.db import connection
from pypinyin import lazy_pinyin
from stdnum.cn import ric

from guanxi.accounts.models import User
from guanxi.customers import search_index
from guanxi.customers.models import Contact, Customer
from guanxi.customers.queries import search_customers
from guanxi.customers.services import create_customer, search_text_for
from guanxi.ops import demo
from guanxi.ops import demo_data as data
from guanxi.ops.demo_sales import buyer_of, generate_sales

TODAY = dt.date(2026, 5, 1)


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


def test_a_seed_gives_the_customers_and_sales_it_gave_before_the_fast_paths():
    # Digests of what the generators made for this seed before the loader was made faster.
    items = list(demo.generate_customers(500, 7, today=TODAY))
    made = [(c.fields, c.owner, c.tags, c.followers, c.shares, c.contacts) for c in items]
    plan = generate_sales([buyer_of(c) for c in items], 7, TODAY)

    assert _digest(made) == "2c10b7d741b5fb5459281f70df5d60e1817956b01e3796c382ab807fbdbc620c"
    assert _digest((plan.orders, plan.opportunities, plan.leads)) == (
        "3d237c588c50cd93e674da0df1831813cf14104596c686e64b77051064df0aeb"
    )


def _ids() -> demo._Ids:
    return demo._Ids(
        customer=1,
        contact=1,
        users={u.username: k for k, u in enumerate(data.USERS, start=1)},
        teams={t.name: k for k, t in enumerate(data.TEAMS, start=1)},
        tags={name: k for k, (name, _colour, _p) in enumerate(data.TAGS, start=1)},
    )


def test_the_child_process_sends_exactly_the_rows_made_in_process():
    tables = demo._CustomerTables(dt.datetime(2026, 5, 1, 10, tzinfo=dt.UTC))
    ids = _ids()

    def produce():
        return demo._demo_rows(700, 5, TODAY, ids, tables)

    inline = list(produce())
    from_child = list(demo._in_child(produce))

    assert [kind for kind, _ in inline] == ["customers", "customers done", "sales"]
    assert from_child == inline


def test_a_failure_in_the_child_process_is_raised_in_the_parent():
    def produce():
        yield "customers", []
        raise ValueError("no more names")

    with pytest.raises(RuntimeError, match="no more names"):
        list(demo._in_child(produce))


def test_email_spelling_is_what_lazy_pinyin_gives():
    names = set()
    for c in demo.generate_customers(1500, 3, today=TODAY):
        names.add(c.fields["name"])
        names.update(contact["name"] for contact in c.contacts)
    names.update(["曾长乐", "单解", "重庆", "行长", "朝阳"])  # heteronyms and phrases

    assert all(demo._spelled(name) == lazy_pinyin(name) for name in names)


def test_resident_id_validity_by_place_and_year_is_what_stdnum_says():
    rng = random.Random(1)
    codes = [r.id_code for r in data.REGIONS] + list(data.BIRTH_PLACE_CODES)
    codes += [c[:4] + "00" for c in codes] + ["110228", "370901", "999999"]
    for _ in range(3000):
        code = rng.choice(codes)
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(60 * 365))
        body = f"{code}{born:%Y%m%d}123"
        number = body + ric.calc_check_digit(body + "?")

        assert demo._valid_id_prefix(number[:14]) == ric.is_valid(number)


def test_weighted_picks_are_the_draws_random_choices_makes():
    pairs = data.SURNAMES
    picker = demo._Picker(random.Random(9), pairs)
    rng = random.Random(9)
    values, cum = [v for v, _ in pairs], list(demo.itertools.accumulate(w for _, w in pairs))

    assert [picker() for _ in range(5000)] == [
        rng.choices(values, cum_weights=cum)[0] for _ in range(5000)
    ]


@pytest.mark.django_db
def test_a_demo_loaded_through_a_child_process_stores_the_generated_customers():
    demo.load_demo(customers=90, seed=12, today=TODAY, parallel=True)

    stored = list(Customer.objects.order_by("id").values_list("name", "phone", "owner__username"))
    made = [
        (c.fields["name"], c.fields["phone"], c.owner)
        for c in demo.generate_customers(90, 12, today=TODAY)
    ]
    assert stored == made


@pytest.mark.django_db
def test_every_demo_customer_has_the_search_text_the_service_computes():
    demo.load_demo(customers=150, seed=21, today=TODAY, parallel=True)
    for values in Customer.objects.values():
        assert values["search_text"] == search_text_for(values)


@pytest.mark.django_db
def test_demo_history_records_copy_the_customer_as_created_by_its_owner():
    demo.load_demo(customers=60, seed=2, today=TODAY)
    for record in Customer.history.select_related("history_user"):
        customer = Customer.objects.get(pk=record.id)
        assert record.history_type == "+"
        assert record.history_date == customer.created_at
        assert record.history_user_id == customer.owner_id
        assert (record.name, record.phone, record.custom) == (
            customer.name,
            customer.phone,
            customer.custom,
        )
    contact = Contact.objects.select_related("customer").first()
    created = Contact.history.get(id=contact.pk)
    assert created.history_user_id == contact.customer.owner_id
    assert created.history_date == contact.created_at == contact.customer.created_at


@pytest.mark.django_db
def test_the_search_index_built_after_the_load_finds_every_customer_and_keeps_up():
    demo.load_demo(customers=120, seed=6, today=TODAY)
    admin = User.objects.get(username="admin")

    for customer in Customer.objects.exclude(phone=""):
        assert customer.pk in search_index.match_ids(customer.phone.removeprefix("+86"))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            assert {name for (name,) in cursor.fetchall()} >= set(search_index._TRIGGERS)
        else:
            cursor.execute(
                "SELECT 1 FROM pg_indexes WHERE indexname = %s", [search_index.TRGM_INDEX]
            )
            assert cursor.fetchone()
    # The index is left in its normal state: later writes are indexed as they happen.
    added = create_customer(admin, {"name": "欧阳娜娜", "phone": "13912345678"})
    assert added in search_customers(admin, "ouyang")
    assert added in search_customers(admin, "13912345678")


def test_company_names_stay_unique_when_a_citys_two_character_brands_run_out(monkeypatch):
    monkeypatch.setattr(data, "BRAND_CHARS", list("安达信和"))  # 12 two-character brands
    generator = demo._Generator(3, TODAY)

    names = [generator.company_name("上海市", "零售") for _ in range(30)]

    assert len(set(names)) == 30
    two_characters = [n for n in names if len(n) == len("上海安达商贸有限公司")]
    assert 0 < len(two_characters) <= 12
    assert all(len(n) == len("上海安达信商贸有限公司") for n in set(names) - set(two_characters))
