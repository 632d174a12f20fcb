"""Phone and ID numbers are masked by role."""

import pytest
from django.urls import reverse

from guanxi.core.phones import mask_phone
from guanxi.customers.masking import masked_value, shown_value
from guanxi.customers.services import add_contact, create_customer, share_customer
from tests.conftest import login


def test_the_owner_sees_the_phone_in_full(alices_customer, alice):
    assert masked_value(alice, alices_customer, "phone") == "+8613800138000"


def test_a_rep_sees_a_shared_customers_phone_and_id_masked(alices_customer, alice, bob):
    share_customer(alice, alices_customer.pk, to_user=bob)
    assert masked_value(bob, alices_customer, "phone") == "+86138****8000"
    assert masked_value(bob, alices_customer, "id_number") == "110***********002X"


def test_an_analyst_always_sees_masked_values(alices_customer, nina):
    assert "****" in masked_value(nina, alices_customer, "phone")


def test_a_manager_sees_full_values(alices_customer, mike):
    assert masked_value(mike, alices_customer, "id_number") == "11010519491231002X"


def test_pages_show_a_masked_mobile_in_the_grouping_of_a_full_one():
    assert shown_value("phone", "+8613800138000", masked=False) == "+86 138 0013 8000"
    assert shown_value("phone", "+8613800138000", masked=True) == "+86 138 **** 8000"


@pytest.mark.parametrize(
    ("stored", "full", "masked"),
    [
        ("+8613712346666", "+86 137 1234 6666", "+86 137 **** 6666"),  # a mobile
        ("+862087653169", "+86 20 8765 3169", "+86 20 **** 3169"),  # Guangzhou, 020
        ("+861065529988", "+86 10 6552 9988", "+86 10 **** 9988"),  # Beijing, 010
        ("+8675588881234", "+86 755 8888 1234", "+86 755 **** 1234"),  # Shenzhen, 0755
        ("+85291234567", "+852 9123 4567", "+852 **** 4567"),  # Hong Kong
    ],
)
def test_pages_show_a_masked_phone_in_the_grouping_of_a_full_one(stored, full, masked):
    assert shown_value("phone", stored, masked=False) == full
    assert shown_value("phone", stored, masked=True) == masked


@pytest.mark.parametrize(
    ("stored", "masked"),
    [
        ("+869411234567", "+86 94* *** 4567"),  # a seven-digit number in Gannan, 0941
        ("+16502530000", "+1 65*-***-0000"),
    ],
)
def test_pages_hide_the_digits_the_api_hides_where_they_straddle_the_groups(stored, masked):
    assert shown_value("phone_alt", stored, masked=True) == masked
    hidden = [i for i, c in enumerate(mask_phone(stored)) if c == "*"]
    assert [i for i, c in enumerate(masked.replace(" ", "").replace("-", "")) if c == "*"] == (
        hidden
    )


def test_pages_show_an_id_number_as_stored_or_masked():
    assert shown_value("id_number", "11010519491231002X", masked=False) == "11010519491231002X"
    assert shown_value("id_number", "11010519491231002X", masked=True) == "110***********002X"


def test_pages_show_nothing_for_a_number_not_given():
    assert shown_value("phone", "", masked=True) == ""
    assert shown_value("id_number", "", masked=True) == ""


def test_an_analyst_sees_a_landline_and_a_contacts_mobile_masked_alike_on_a_card(
    client, alice, nina
):
    company = create_customer(
        alice, {"kind": "company", "name": "广州华信贸易有限公司", "phone": "020-8765 3169"}
    )
    add_contact(alice, company, {"name": "张经理", "phone": "13712346666"})

    page = login(client, nina).get(reverse("customers:detail", args=[company.pk])).text

    assert "+86 20 **** 3169" in page and "+86 137 **** 6666" in page
    assert "+8620****3169" not in page and "8765" not in page
