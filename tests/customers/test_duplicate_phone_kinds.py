"""查重 on create names a matching 400 number or landline as a phone number, never a mobile
(the tester's 4008008888 "手机"), on the page in Chinese and in the API."""

import pytest

from guanxi.customers.services import create_customer
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def service_line(alice):
    """A company whose number is a 400 number."""
    return create_customer(alice, {"name": "客服中心", "kind": "company", "phone": "400-800-8888"})


def test_a_400_number_already_held_is_named_a_phone_number_on_the_page_in_chinese(
    client, bob, service_line
):
    login(client, bob)

    page = client.post(
        "/customers/new/",
        {"kind": "person", "birthday_calendar": "solar", "name": "王先生", "phone": "4008008888"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()

    assert "Alice 负责的一位客户已有相同的电话号码。" in page
    assert "相同的手机" not in page


def test_a_landline_already_held_is_named_a_phone_number_by_the_api(client, bob, alice):
    create_customer(alice, {"name": "王伟", "phone": "020-87654321"})
    login(client, bob)

    refused = client.post(
        "/api/v1/customers",
        {"name": "王先生", "phone": "02087654321"},
        content_type="application/json",
    )

    assert refused.status_code == 409
    assert refused.json()["errors"] == [
        {"field": "phone", "message": "A customer owned by Alice already has this phone number."}
    ]
