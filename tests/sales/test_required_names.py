"""A product's SKU and name, an opportunity's and a lead's name: spaces only are missing, and a
missing one is said once (Django's own blank check runs before the model's)."""

import pytest
from django.core.exceptions import ValidationError

from guanxi.sales.models import Lead, Opportunity, Product
from guanxi.sales.services import create_lead, create_opportunity, create_product


@pytest.mark.parametrize("blank", ["", "   "])
@pytest.mark.parametrize("field", ["sku", "name"])
def test_a_product_without_a_sku_or_name_is_refused_with_one_message(ada, field, blank):
    data = {"sku": "T-1", "name": "龙井", "list_price": "10", field: blank}
    with pytest.raises(ValidationError) as err:
        create_product(ada, data)
    assert len(err.value.message_dict[field]) == 1
    assert not Product.objects.exists()


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_lead_without_a_name_is_refused_with_one_message(alice, blank):
    with pytest.raises(ValidationError) as err:
        create_lead(alice, {"name": blank, "phone": "13900139000"})
    assert len(err.value.message_dict["name"]) == 1
    assert not Lead.objects.exists()


@pytest.mark.parametrize("blank", ["", "   "])
def test_an_opportunity_without_a_name_is_refused_with_one_message(
    alice, alices_customer, stages, blank
):
    with pytest.raises(ValidationError) as err:
        create_opportunity(alice, alices_customer.pk, {"name": blank, "amount": "1"})
    assert len(err.value.message_dict["name"]) == 1
    assert not Opportunity.objects.exists()
