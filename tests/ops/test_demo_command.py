"""`guanxi demo`: the demo company loads into an empty database, valid and searchable."""

import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from guanxi.accounts.models import Team, User
from guanxi.customers import history_reasons
from guanxi.customers.models import Contact, Customer, CustomerShare
from guanxi.customers.services import search_text_for
from guanxi.ops.demo import generate_customers, load_demo
from guanxi.ops.demo_data import DEMO_PASSWORD, USERS

pytestmark = pytest.mark.django_db


def _demo(**options):
    out = []

    class Out:
        def write(self, text):
            out.append(text)

    call_command("demo", stdout=Out(), **options)
    return "".join(out)


def test_demo_creates_the_company_teams_users_and_customers():
    output = _demo(customers=40)
    assert Customer.objects.count() == 40
    assert Team.objects.get(name="广州销售组").parent.name == "华南销售部"
    assert User.objects.count() == len(USERS)
    assert "Loaded the demo company: 40 customers" in output


def test_demo_prints_every_login_with_the_shared_password():
    output = _demo(customers=5)
    assert DEMO_PASSWORD in output
    for spec in USERS:
        assert spec.username in output


def test_demo_users_sign_in_with_the_demo_password():
    _demo(customers=0)
    assert authenticate(username="wang.fang", password=DEMO_PASSWORD) is not None
    assert User.objects.get(username="zhou.jie").role == "manager"
    assert User.objects.get(username="wang.fang").manager.username == "zhou.jie"


def test_demo_stores_exactly_what_the_generator_made_for_the_seed():
    today = dt.date(2026, 5, 1)
    load_demo(customers=60, seed=11, today=today)
    stored = list(Customer.objects.order_by("id").values_list("name", "phone", "owner__username"))
    expected = [
        (c.fields["name"], c.fields["phone"], c.owner)
        for c in generate_customers(60, 11, today=today)
    ]
    assert stored == expected


def test_demo_customers_pass_the_customer_validation():
    load_demo(customers=80, seed=3)
    for customer in Customer.objects.all():
        customer.full_clean()  # raises on any invalid phone, ID, e-mail or custom field


def test_demo_contacts_pass_the_contact_validation():
    load_demo(customers=80, seed=3)
    assert Contact.objects.exists()
    for contact in Contact.objects.all():
        contact.full_clean()  # raises on any invalid phone, e-mail or WeChat ID


def test_demo_history_rows_give_the_demos_reason_shown_in_the_readers_language():
    load_demo(customers=20, seed=3)
    reasons = {
        *Customer.history.values_list("history_change_reason", flat=True),
        *Contact.history.values_list("history_change_reason", flat=True),
    }
    assert reasons == {history_reasons.DEMO}


def test_demo_search_text_is_what_the_customer_service_would_store():
    load_demo(customers=80, seed=5)
    for c in Customer.objects.all():
        assert c.search_text == search_text_for(c.__dict__)


def test_demo_customers_have_history_contacts_tags_and_shares():
    load_demo(customers=300, seed=2026)
    assert Customer.history.count() == 300
    assert Contact.objects.exists()
    assert Contact.history.count() == Contact.objects.count()
    assert Customer.tags.through.objects.exists()
    assert CustomerShare.objects.exists()
    tagged = Customer.objects.exclude(tag_names="").first()
    assert tagged.tag_names == ", ".join(sorted(t.name for t in tagged.tags.all()))


def test_a_demo_rep_sees_only_own_and_shared_customers():
    load_demo(customers=200, seed=1)
    rep = User.objects.get(username="wang.fang")
    visible = Customer.objects.visible_to(rep)
    assert 0 < visible.count() < 200
    others = visible.exclude(owner=rep)
    assert all(c.shares.filter(user=rep).exists() for c in others)


def test_demo_if_empty_skips_a_database_with_users(ada):
    output = _demo(customers=10, if_empty=True)
    assert Customer.objects.count() == 0
    assert "already has users" in output


def test_demo_refuses_a_database_with_users_without_if_empty(ada):
    with pytest.raises(CommandError, match="already has users"):
        _demo(customers=10)
    assert not Team.objects.filter(name="华南销售部").exists()
