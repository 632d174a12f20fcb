"""Phone and ID numbers are masked by role."""

from guanxi.customers.masking import masked_value
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
