"""Long text fields enforce their limit in every domain, not only in forms."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from guanxi.interactions.models import Interaction
from guanxi.interactions.services import log_interaction
from guanxi.sales.models import Order
from guanxi.sales.services import create_order, create_product


def test_an_order_with_notes_over_5000_characters_is_refused(ada, alice, alices_customer):
    product = create_product(ada, {"sku": "OIL", "name": "机油", "list_price": Decimal("80")})
    with pytest.raises(ValidationError) as err:
        create_order(
            alice, alices_customer.pk, [{"product": product.pk, "quantity": 1}], notes="记" * 5001
        )
    assert "notes" in err.value.message_dict
    assert not Order.objects.exists()


def test_an_interaction_body_over_5000_characters_is_refused(alice, alices_customer):
    with pytest.raises(ValidationError) as err:
        log_interaction(alice, alices_customer.pk, {"kind": "call", "body": "记" * 5001})
    assert "body" in err.value.message_dict
    assert not Interaction.objects.exists()
