"""API shapes for sales. Inputs refuse unknown fields and check only shape and length; the
rules (amount not negative, quantity above zero, stage of the pipeline, transitions) live in
sales.services, so pages and API refuse the same things with the same messages."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

from guanxi.accounts.schemas import UserRef
from guanxi.customers.models import SourceChannel
from guanxi.sales.masking import lead_masks_for, masked_lead_value
from guanxi.sales.models import Lead, Opportunity, Order, PriceList, Product, Quote


def _text(model, field: str):
    return Annotated[str, StringConstraints(max_length=model._meta.get_field(field).max_length)]


def _choice(choices):
    return Literal[tuple(choices.values)]


Currency = Annotated[str, StringConstraints(min_length=3, max_length=3, to_upper=True)]
SourceChoice = _choice(SourceChannel)
OrderStatus = _choice(Order.Status)
QuoteStatus = _choice(Quote.Status)
LeadStatus = Literal[tuple(v for v in Lead.Status.values if v != Lead.Status.CONVERTED)]
ChannelChoice = _choice(Order.Channel)


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class CustomerRef(Schema):
    id: int
    name: str


# --- products ----------------------------------------------------------------------------------


class ProductIn(_Input):
    sku: _text(Product, "sku")
    name: _text(Product, "name")
    category: _text(Product, "category") = ""
    unit: _text(Product, "unit") = ""
    list_price: Decimal
    currency: Currency | None = None
    active: bool = True


class ProductPatch(_Input):
    sku: _text(Product, "sku") | None = None
    name: _text(Product, "name") | None = None
    category: _text(Product, "category") | None = None
    unit: _text(Product, "unit") | None = None
    list_price: Decimal | None = None
    currency: Currency | None = None
    active: bool | None = None


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    category: str
    unit: str
    list_price: Decimal
    currency: str
    active: bool


class PriceOut(Schema):
    product: int
    customer: int | None
    on: dt.date
    price: Decimal
    currency: str
    price_list: int | None


class PriceListItemIn(_Input):
    product: int
    price: Decimal


class PriceListIn(_Input):
    name: _text(PriceList, "name")
    tier: _text(PriceList, "tier") = ""
    province: _text(PriceList, "province") = ""
    city: _text(PriceList, "city") = ""
    valid_from: dt.date
    valid_to: dt.date | None = None
    currency: Currency | None = None
    active: bool = True
    items: list[PriceListItemIn] = []


class PriceListPatch(_Input):
    """Only the fields sent change; ``items``, when sent, replaces every item of the list."""

    name: _text(PriceList, "name") | None = None
    tier: _text(PriceList, "tier") | None = None
    province: _text(PriceList, "province") | None = None
    city: _text(PriceList, "city") | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    currency: Currency | None = None
    active: bool | None = None
    items: list[PriceListItemIn] | None = None


class PriceListItemOut(Schema):
    product: int
    sku: str
    name: str
    price: Decimal

    @staticmethod
    def resolve_product(obj) -> int:
        return obj.product_id

    @staticmethod
    def resolve_sku(obj) -> str:
        return obj.product.sku

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.product.name


class PriceListOut(Schema):
    id: int
    name: str
    tier: str
    province: str
    city: str
    valid_from: dt.date
    valid_to: dt.date | None
    currency: str
    active: bool
    items: list[PriceListItemOut]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())


# --- lines, quotes, orders ----------------------------------------------------------------------


class LineIn(_Input):
    product: int
    quantity: Decimal
    unit_price: Decimal | None = None  # default: services.price_for(product, customer, date)
    discount_percent: Decimal = Decimal(0)
    tax_rate: Decimal = Decimal(0)
    description: Annotated[str, StringConstraints(max_length=200)] = ""


class LineOut(Schema):
    id: int
    position: int
    product: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal

    @staticmethod
    def resolve_product(obj) -> int:
        return obj.product_id


class OrderIn(_Input):
    customer: int
    lines: list[LineIn]
    number: _text(Order, "number") = ""
    status: OrderStatus = Order.Status.DRAFT
    order_date: dt.date | None = None
    due_date: dt.date | None = None
    paid_date: dt.date | None = None
    channel: ChannelChoice = ""
    store: _text(Order, "store") = ""
    currency: Currency | None = None
    notes: _text(Order, "notes") = ""
    owner: int | None = None
    opportunity: int | None = None


class OrderPatch(_Input):
    status: OrderStatus | None = None
    order_date: dt.date | None = None  # drafts only
    due_date: dt.date | None = None
    paid_date: dt.date | None = None
    channel: ChannelChoice | None = None
    store: _text(Order, "store") | None = None
    notes: _text(Order, "notes") | None = None
    owner: int | None = None
    lines: list[LineIn] | None = None
    version: int | None = None


class OrderOut(Schema):
    id: int
    number: str
    customer: CustomerRef
    owner: UserRef
    status: str
    order_date: dt.date
    due_date: dt.date | None
    paid_date: dt.date | None
    channel: str
    store: str
    currency: str
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    quote_id: int | None
    opportunity_id: int | None
    notes: str
    version: int
    lines: list[LineOut]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


class QuoteIn(_Input):
    customer: int
    lines: list[LineIn]
    number: _text(Quote, "number") = ""
    quote_date: dt.date | None = None
    valid_until: dt.date | None = None
    currency: Currency | None = None
    notes: _text(Quote, "notes") = ""
    opportunity: int | None = None


class QuoteStatusIn(_Input):
    status: QuoteStatus


class QuoteConvertIn(_Input):
    order_date: dt.date | None = None
    status: Literal["draft", "confirmed"] = "confirmed"


class QuoteOut(Schema):
    id: int
    number: str
    customer: CustomerRef
    owner: UserRef
    status: str
    quote_date: dt.date
    valid_until: dt.date | None
    currency: str
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    opportunity_id: int | None
    notes: str
    version: int
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


# --- pipelines and opportunities ------------------------------------------------------------------


class StageOut(Schema):
    id: int
    name: str
    name_en: str
    label: str
    position: int
    probability: int
    kind: str


class PipelineOut(Schema):
    id: int
    name: str
    is_default: bool
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj):
        return list(obj.stages.all())


class _OpportunityFields(_Input):
    name: _text(Opportunity, "name")
    amount: Decimal = Decimal(0)
    currency: Currency | None = None
    expected_close_date: dt.date | None = None
    probability: int | None = None
    is_commit: bool = False
    competitor: _text(Opportunity, "competitor") = ""
    next_step: _text(Opportunity, "next_step") = ""
    notes: _text(Opportunity, "notes") = ""
    source: SourceChoice = ""


class OpportunityIn(_OpportunityFields):
    customer: int
    pipeline: int | None = None
    stage: int | None = None
    owner: int | None = None


class OpportunityPatch(_Input):
    name: _text(Opportunity, "name") | None = None
    amount: Decimal | None = None
    currency: Currency | None = None
    expected_close_date: dt.date | None = None
    probability: int | None = None
    is_commit: bool | None = None
    competitor: _text(Opportunity, "competitor") | None = None
    next_step: _text(Opportunity, "next_step") | None = None
    notes: _text(Opportunity, "notes") | None = None
    owner: int | None = None
    version: int | None = None


class MoveIn(_Input):
    stage: int
    lost_reason: Annotated[str, StringConstraints(max_length=255)] | None = None
    version: int | None = None


class StageRef(Schema):
    id: int
    label: str
    kind: str
    probability: int


class OpportunityOut(Schema):
    id: int
    name: str
    customer: CustomerRef
    owner: UserRef
    amount: Decimal
    currency: str
    expected_close_date: dt.date | None
    pipeline_id: int
    stage: StageRef
    stage_entered_at: dt.datetime
    probability: int | None
    effective_probability: int
    is_commit: bool
    competitor: str
    next_step: str
    lost_reason: str
    won_at: dt.datetime | None
    lost_at: dt.datetime | None
    source: str
    lead_id: int | None
    notes: str
    version: int
    created_at: dt.datetime


class StageChangeOut(Schema):
    id: int
    from_stage: StageRef | None
    to_stage: StageRef
    at: dt.datetime
    by: UserRef | None
    days_in_from_stage: float | None
    note: str

    @staticmethod
    def resolve_days_in_from_stage(obj) -> float | None:
        if obj.seconds_in_from_stage is None:
            return None
        return round(obj.seconds_in_from_stage / 86400, 2)


# --- leads -----------------------------------------------------------------------------------------


class LeadIn(_Input):
    name: _text(Lead, "name")
    company: _text(Lead, "company") = ""
    title: _text(Lead, "title") = ""
    phone: _text(Lead, "phone") = ""
    email: _text(Lead, "email") = ""
    source: SourceChoice = ""
    province: _text(Lead, "province") = ""
    city: _text(Lead, "city") = ""
    notes: _text(Lead, "notes") = ""
    owner: int | None = None
    allow_duplicate: bool = False


class LeadStatusIn(_Input):
    status: LeadStatus
    reason: Annotated[str, StringConstraints(max_length=255)] = ""


class ConvertOpportunityIn(_Input):
    name: _text(Opportunity, "name") | None = None
    amount: Decimal | None = None
    currency: Currency | None = None
    expected_close_date: dt.date | None = None
    probability: int | None = None
    competitor: _text(Opportunity, "competitor") | None = None
    next_step: _text(Opportunity, "next_step") | None = None


class LeadConvertIn(_Input):
    customer: int | None = None
    new_customer: bool = False
    stage: int | None = None
    opportunity: ConvertOpportunityIn | None = None


class LeadOut(Schema):
    id: int
    name: str
    company: str
    title: str
    phone: str
    email: str
    source: str
    status: str
    disqualified_reason: str
    owner: UserRef | None
    province: str
    city: str
    notes: str
    converted_at: dt.datetime | None
    converted_customer_id: int | None
    converted_opportunity_id: int | None
    version: int
    created_at: dt.datetime
    masked: bool = Field(description="True when phone and e-mail are shown masked to you.")
    web_form_id: int | None = None
    duplicate_of_id: int | None = Field(None, description="The lead this one may duplicate.")
    duplicate_customer_id: int | None = Field(
        None, description="The customer this lead may duplicate."
    )

    # Masked for the asking user the way the pages mask them (sales.masking).
    @staticmethod
    def resolve_masked(obj, context) -> bool:
        return lead_masks_for(context["request"].auth, obj)

    @staticmethod
    def resolve_phone(obj, context) -> str:
        return masked_lead_value(context["request"].auth, obj, "phone")

    @staticmethod
    def resolve_email(obj, context) -> str:
        return masked_lead_value(context["request"].auth, obj, "email")


class ConvertedOut(Schema):
    customer: CustomerRef
    opportunity: OpportunityOut
    lead: LeadOut


# --- analytics reads ---------------------------------------------------------------------------------


class FunnelStageOut(Schema):
    stage_id: int
    name: str
    kind: str
    position: int
    probability: int
    count: int
    amount: Decimal
    reached: int | None
    reached_amount: Decimal | None
    conversion: float | None
    avg_days: float | None


class FunnelOut(Schema):
    pipeline: CustomerRef
    team: int | None
    start: dt.date | None
    end: dt.date | None
    stages: list[FunnelStageOut]
    total: int
    win_rate: float | None


class Figures(Schema):
    won: Decimal
    pipeline: Decimal
    weighted: Decimal
    commit: Decimal
    best_case: Decimal
    historical: Decimal


class RepForecastOut(Figures):
    owner_id: int
    name: str
    team_id: int | None


class TeamForecastOut(Figures):
    team_id: int | None
    name: str


class WinRateOut(Schema):
    stage_id: int
    rate: float
    sample: int


class ForecastOut(Schema):
    period: str
    start: dt.date
    end: dt.date
    currency: str
    history_months: int
    win_rates: list[WinRateOut]
    reps: list[RepForecastOut]
    teams: list[TeamForecastOut]
    total: Figures


class CustomerValueOut(Schema):
    customer: int
    currency: str
    total_spend: Decimal
    order_count: int
    first_purchase: dt.date | None
    last_purchase: dt.date | None
    other_currencies: dict[str, Decimal]
