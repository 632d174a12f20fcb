"""The /search/ page shows a found contact's e-mail, so a match on it can be told apart; its
phone is masked as on the record, its e-mail never."""

import re

import pytest
from django.urls import reverse

from guanxi.customers.services import add_contact, create_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def zhang(alice):
    company = create_customer(alice, {"kind": "company", "name": "广州华信贸易有限公司"})
    return add_contact(
        alice,
        company,
        {"name": "张经理", "phone": "13712346666", "email": "zhang.jingli@huaxin.example.com"},
    )


def _contacts_table(page: str) -> str:
    return re.search(r"Contacts <span.*?</table>", page, re.S).group(0)


def test_a_contact_found_by_its_email_shows_the_email(client, alice, zhang):
    page = login(client, alice).get(reverse("ops:search"), {"q": "zhang.jingli@huaxin"}).text

    table = _contacts_table(page)
    assert "张经理" in table
    assert '<th scope="col">E-mail</th>' in table
    assert ">zhang.jingli@huaxin.example.com</td>" in table


def test_an_analyst_sees_the_email_in_full_and_the_phone_masked(client, nina, zhang):
    page = login(client, nina).get(reverse("ops:search"), {"q": "张经理"}).text

    table = _contacts_table(page)
    assert ">zhang.jingli@huaxin.example.com</td>" in table
    assert "+86 137 **** 6666" in table and "1234" not in table


def test_a_contact_without_an_email_shows_a_dash(client, alice, zhang):
    add_contact(alice, zhang.customer, {"name": "张会计"})

    page = login(client, alice).get(reverse("ops:search"), {"q": "张会计"}).text

    assert '<td class="text-break">—</td>' in _contacts_table(page)
