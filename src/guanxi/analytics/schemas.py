"""API schemas of the analytics routes."""

import datetime as dt

from ninja import Schema


class CrossSellOut(Schema):
    product_id: int
    sku: str
    name: str
    because: list[str]
    confidence: float
    lift: float


class CustomerValueOut(Schema):
    customer_id: int
    as_of: dt.date | None
    computed_at: dt.datetime | None
    first_purchase: dt.date | None = None
    last_purchase: dt.date | None = None
    order_count: int = 0
    revenue: float = 0
    frequency: int = 0
    recency: float = 0
    T: float = 0  # noqa: N815
    monetary_value: float = 0
    abc_class: str = ""
    tier: str = ""
    revenue_share: float = 0
    rfm_r: int | None = None
    rfm_f: int | None = None
    rfm_m: int | None = None
    rfm_segment: str = ""
    p_alive: float | None = None
    expected_purchases: float | None = None
    expected_spend: float | None = None
    predicted_clv: float | None = None
    stage: str = ""
    loyalty: str = ""
    churn_score: float | None = None
    churn_band: str = ""
    credit_grade: str = ""
    credit_score: float | None = None
    overdue_amount: float = 0
    attractiveness: float | None = None
    selection_quadrant: str = ""
    cross_sell: list[CrossSellOut] = []


class SegmentOut(Schema):
    segment: str
    customers: int
    revenue: float


class SegmentsOut(Schema):
    by: str
    as_of: dt.date | None
    segments: list[SegmentOut]


class ParetoOut(Schema):
    as_of: dt.date | None
    customers: int
    top20_share: float | None
    points: list[tuple[float, float]]


class RuleOut(Schema):
    antecedents: list[int]
    consequents: list[int]
    antecedent_names: list[str]
    consequent_names: list[str]
    support: float
    confidence: float
    lift: float
    leverage: float
    conviction: float | None


class RulesOut(Schema):
    computed_at: dt.datetime | None
    items: list[RuleOut]
