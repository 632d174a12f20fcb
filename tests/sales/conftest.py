"""Sales fixtures: the default pipeline's stages by English name, a small catalogue."""

from decimal import Decimal

import pytest

from guanxi.sales.models import Pipeline
from guanxi.sales.services import create_product


@pytest.fixture
def pipeline(db):
    return Pipeline.objects.get(is_default=True)


@pytest.fixture
def stages(pipeline):
    """{"Prospecting": Stage, …, "Won": Stage, "Lost": Stage}."""
    return {s.name_en: s for s in pipeline.stages.all()}


@pytest.fixture
def tea(ada):
    return create_product(
        ada,
        {
            "sku": "TEA-001",
            "name": "铁观音 Tieguanyin",
            "unit": "box",
            "list_price": Decimal("128.00"),
            "category": "tea",
        },
    )


@pytest.fixture
def cups(ada):
    return create_product(
        ada,
        {
            "sku": "CUP-006",
            "name": "Tea cups (6)",
            "unit": "set",
            "list_price": Decimal("59.90"),
            "category": "ware",
        },
    )


def at(day: str, hour: int = 12):
    """An aware datetime at ``hour`` local time on an ISO day ("2026-10-01")."""
    import datetime as dt

    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


@pytest.fixture
def bobs_customer(bob):
    from guanxi.customers.services import create_customer

    return create_customer(bob, {"name": "李娜", "phone": "13700137000"})


@pytest.fixture
def api_client(client):
    """The Django test client against the project's API (sales routes under /api/v1)."""
    return client
