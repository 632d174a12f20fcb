"""Phone and ID numbers are masked by role."""

from guanxi.customers.masking import masked_value, shown_value
from guanxi.customers.services import share_customer


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


def test_pages_show_a_masked_number_from_elsewhere_as_the_api_gives_it():
    assert shown_value("phone_alt", "+16502530000", masked=True) == "+165****0000"


def test_pages_show_an_id_number_as_stored_or_masked():
    assert shown_value("id_number", "11010519491231002X", masked=False) == "11010519491231002X"
    assert shown_value("id_number", "11010519491231002X", masked=True) == "110***********002X"


def test_pages_show_nothing_for_a_number_not_given():
    assert shown_value("phone", "", masked=True) == ""
    assert shown_value("id_number", "", masked=True) == ""
