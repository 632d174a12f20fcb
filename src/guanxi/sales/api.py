"""API routes for sales: funnel, forecast, pipelines, products and prices, orders, quotes,
opportunities and leads. Mount with ``api.add_router("/", router)``: the paths carry their own
prefixes (/sales/…, /orders, /products, /quotes, /opportunities, /leads). Each route parses,
calls a service or query, and shapes the answer; access control and rules live in
sales.services / sales.queries / sales.funnel / sales.forecast."""

from typing import Annotated

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from guanxi.core.api_errors import error_responses
from guanxi.core.days import Day
from guanxi.core.etags import etag, expected_version
from guanxi.core.ids import Id
from guanxi.core.pagination import DEFAULT_LIMIT, Cursor, Limit, Page, keyset_page
from guanxi.customers.services import access_customer
from guanxi.sales import queries, services
from guanxi.sales.forecast import forecast as build_forecast
from guanxi.sales.funnel import funnel as build_funnel
from guanxi.sales.models import PURCHASE_STATUSES, Pipeline, PriceList, PriceListItem, Product
from guanxi.sales.schemas import (
    ConvertedOut,
    CustomerValueOut,
    ForecastOut,
    FunnelOut,
    LeadConvertIn,
    LeadIn,
    LeadOut,
    LeadStatus,
    LeadStatusIn,
    MoveIn,
    OpportunityIn,
    OpportunityOut,
    OpportunityPatch,
    OrderIn,
    OrderOut,
    OrderPatch,
    OrderStatus,
    PipelineOut,
    PriceListIn,
    PriceListOut,
    PriceListPatch,
    PriceOut,
    ProductIn,
    ProductOut,
    ProductPatch,
    QuoteConvertIn,
    QuoteIn,
    QuoteOut,
    QuoteStatusIn,
    StageChangeOut,
)

router = Router(tags=["sales"])


IfMatch = Annotated[str | None, Header(alias="If-Match", description='ETag from GET, e.g. "3".')]
READ_ERRORS = error_responses(401, 404, 422)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 412, 422)
StageKind = Annotated[str, Query(pattern="^(open|won|lost)?$")]


def _version(if_match: str | None, body_version: int | None) -> int | None:
    version = expected_version(if_match)
    return body_version if version is None and if_match is None else version


# --- funnel, forecast, pipelines, customer value -------------------------------------------------


@router.get("/sales/pipelines", response={200: list[PipelineOut], **READ_ERRORS})
def list_pipelines(request):
    """The active pipelines with their stages in order (stage ids for moves and filters)."""
    return list(queries.pipelines())


@router.get("/sales/funnel", response={200: FunnelOut, **READ_ERRORS})
def sales_funnel(
    request,
    pipeline: Id | None = None,
    team: Id | None = None,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
):
    """The funnel of the opportunities created from ``from`` to ``to`` (inclusive), of a team
    and its sub-teams if given, among those you may see."""
    if pipeline is None:
        chosen = services.default_pipeline()
    else:
        chosen = Pipeline.objects.filter(pk=pipeline).first()
        if chosen is None:
            raise ValidationError({"pipeline": _("Unknown pipeline.")})
    if start and end and end < start:
        raise ValidationError({"to": _("The end date is before the start date.")})
    return build_funnel(request.auth, chosen, team=team, start=start, end=end)


@router.get("/sales/forecast", response={200: ForecastOut, **READ_ERRORS})
def sales_forecast(
    request, period: str, team: Id | None = None, months: Annotated[int, Query(ge=1, le=60)] = 12
):
    """The forecast of a month (2026-11) or quarter (2026-Q4): won, weighted pipeline, commit,
    best case and the forecast from win rates of the past ``months`` months; per rep, per team
    and in total."""
    return build_forecast(request.auth, period, team=team, history_months=months)


@router.get(
    "/sales/customers/{int:customer_id}/value", response={200: CustomerValueOut, **READ_ERRORS}
)
def customer_value(request, customer_id: int):
    """A customer's value so far: total spend, order count, first and last purchase."""
    customer = access_customer(request.auth, customer_id)
    return {"customer": customer.pk, **queries.customer_value(customer)}


# --- products -------------------------------------------------------------------------------------


@router.get("/products", response={200: Page[ProductOut], **READ_ERRORS})
def list_products(
    request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    q: str = "",
    category: str = "",
    active: bool | None = True,
):
    rows, nxt = keyset_page(
        queries.products_for(request.auth, q=q, category=category, active=active),
        "-id",
        cursor=cursor,
        limit=limit,
    )
    return {"items": rows, "next_cursor": nxt}


@router.post("/products", response={201: ProductOut, **WRITE_ERRORS})
def create_product(request, payload: ProductIn):
    """Add a product (admins and managers)."""
    data = payload.model_dump(exclude_none=True)
    return Status(201, services.create_product(request.auth, data))


def _product(product_id: int) -> Product:
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise Http404
    return product


@router.get("/products/{int:product_id}", response={200: ProductOut, **READ_ERRORS})
def get_product(request, product_id: int):
    return _product(product_id)


@router.patch("/products/{int:product_id}", response={200: ProductOut, **WRITE_ERRORS})
def update_product(request, product_id: int, payload: ProductPatch):
    return services.update_product(request.auth, product_id, payload.model_dump(exclude_unset=True))


@router.get("/products/{int:product_id}/price", response={200: PriceOut, **READ_ERRORS})
def product_price(request, product_id: int, customer: Id | None = None, on: Day | None = None):
    """The price for a customer on a date: the most specific valid price list, else the list
    price."""
    product = _product(product_id)
    buyer = access_customer(request.auth, customer) if customer is not None else None
    on = on or timezone.localdate()
    price, price_list = services.resolve_price(product, buyer, on)
    currency = price_list.currency if price_list else product.currency
    return {
        "product": product.pk,
        "customer": customer,
        "on": on,
        "price": price,
        "currency": currency,
        "price_list": price_list.pk if price_list else None,
    }


# --- price lists -----------------------------------------------------------------------------------


def _price_list(price_list_id: int) -> PriceList:
    found = (
        PriceList.objects.filter(pk=price_list_id)
        .prefetch_related(
            Prefetch(
                "items",
                queryset=PriceListItem.objects.select_related("product").order_by("product__sku"),
            )
        )
        .first()
    )
    if found is None:
        raise Http404
    return found


@router.get("/price-lists", response={200: Page[PriceListOut], **READ_ERRORS})
def list_price_lists(
    request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    q: str = "",
    active: bool | None = None,
):
    """Price lists, newest first, with their items; ``q`` matches name, tier, province, city."""
    qs = queries.price_lists_for(request.auth, q=q, active=active).prefetch_related(
        Prefetch(
            "items",
            queryset=PriceListItem.objects.select_related("product").order_by("product__sku"),
        )
    )
    rows, nxt = keyset_page(qs, "-id", cursor=cursor, limit=limit)
    return {"items": rows, "next_cursor": nxt}


@router.post("/price-lists", response={201: PriceListOut, **WRITE_ERRORS})
def create_price_list(request, payload: PriceListIn):
    """Add a price list with its items (admins and managers); a product may appear once."""
    data = payload.model_dump(exclude_none=True, exclude={"items"})
    price_list = services.create_price_list(
        request.auth, data, [item.model_dump() for item in payload.items]
    )
    return Status(201, _price_list(price_list.pk))


@router.get("/price-lists/{int:price_list_id}", response={200: PriceListOut, **READ_ERRORS})
def get_price_list(request, price_list_id: int):
    return _price_list(price_list_id)


@router.patch("/price-lists/{int:price_list_id}", response={200: PriceListOut, **WRITE_ERRORS})
def update_price_list(request, price_list_id: int, payload: PriceListPatch):
    """Change the fields sent; ``items``, when sent, replaces all the items (admins and
    managers)."""
    changes = payload.model_dump(exclude_unset=True, exclude={"items"})
    items = [item.model_dump() for item in payload.items] if payload.items is not None else None
    services.update_price_list(request.auth, price_list_id, changes, items)
    return _price_list(price_list_id)


# --- orders ----------------------------------------------------------------------------------------


@router.get("/orders", response={200: Page[OrderOut], **READ_ERRORS})
def list_orders(
    request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    customer: Id | None = None,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    status: Annotated[list[OrderStatus] | None, Query()] = None,
    purchases: bool = False,
    owner: Id | None = None,
):
    """Orders you may see, newest order date first, with their lines. ``from``/``to`` bound the
    order date (inclusive); ``status`` may repeat; ``purchases=true`` keeps only the purchase
    history (confirmed, paid, shipped)."""
    if start and end and end < start:
        raise ValidationError({"to": _("The end date is before the start date.")})
    statuses = list(status or [])
    if purchases:
        statuses = [s for s in (statuses or PURCHASE_STATUSES) if s in PURCHASE_STATUSES] or ["-"]
    qs = queries.orders_for(
        request.auth, customer=customer, start=start, end=end, statuses=statuses, owner=owner
    ).prefetch_related("lines")
    rows, nxt = queries.page_orders(qs, cursor or "", limit)
    return {"items": rows, "next_cursor": nxt}


@router.post("/orders", response={201: OrderOut, **WRITE_ERRORS})
def create_order(request, payload: OrderIn, response: HttpResponse):
    """Create an order with its lines; a line without unit_price takes the customer's price."""
    data = payload.model_dump(exclude_none=True, exclude={"customer", "lines"})
    order = services.create_order(
        request.auth,
        payload.customer,
        [line.model_dump(exclude_none=True) for line in payload.lines],
        **data,
    )
    response["ETag"] = etag(order.version)
    return Status(201, services.access_order(request.auth, order.pk))


@router.get("/orders/{int:order_id}", response={200: OrderOut, **READ_ERRORS})
def get_order(request, order_id: int, response: HttpResponse):
    order = services.access_order(request.auth, order_id)
    response["ETag"] = etag(order.version)
    return order


@router.patch("/orders/{int:order_id}", response={200: OrderOut, **WRITE_ERRORS})
def update_order(
    request, order_id: int, payload: OrderPatch, response: HttpResponse, if_match: IfMatch = None
):
    """Change the header, move the status along the allowed transitions, or (drafts only)
    replace the lines. Send the ETag as If-Match (or ``version``) to refuse stale edits."""
    changes = payload.model_dump(exclude_unset=True, exclude={"lines", "version"})
    lines = (
        [line.model_dump(exclude_none=True) for line in payload.lines]
        if payload.lines is not None
        else None
    )
    order = services.update_order(
        request.auth,
        order_id,
        changes,
        lines=lines,
        expected_version=_version(if_match, payload.version),
    )
    response["ETag"] = etag(order.version)
    return services.access_order(request.auth, order.pk)


# --- quotes ----------------------------------------------------------------------------------------


@router.get("/quotes", response={200: Page[QuoteOut], **READ_ERRORS})
def list_quotes(
    request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    customer: Id | None = None,
    status: str = "",
):
    qs = queries.quotes_for(request.auth, customer=customer, status=status).prefetch_related(
        "lines"
    )
    rows, nxt = keyset_page(qs, "-id", cursor=cursor, limit=limit)
    return {"items": rows, "next_cursor": nxt}


@router.post("/quotes", response={201: QuoteOut, **WRITE_ERRORS})
def create_quote(request, payload: QuoteIn):
    data = payload.model_dump(exclude_none=True, exclude={"customer", "lines"})
    quote = services.create_quote(
        request.auth,
        payload.customer,
        [line.model_dump(exclude_none=True) for line in payload.lines],
        **data,
    )
    return Status(201, services.access_quote(request.auth, quote.pk))


@router.get("/quotes/{int:quote_id}", response={200: QuoteOut, **READ_ERRORS})
def get_quote(request, quote_id: int):
    return services.access_quote(request.auth, quote_id)


@router.post("/quotes/{int:quote_id}/status", response={200: QuoteOut, **WRITE_ERRORS})
def set_quote_status(request, quote_id: int, payload: QuoteStatusIn):
    services.set_quote_status(request.auth, quote_id, payload.status)
    return services.access_quote(request.auth, quote_id)


@router.post("/quotes/{int:quote_id}/convert", response={201: OrderOut, **WRITE_ERRORS})
def convert_quote(request, quote_id: int, payload: QuoteConvertIn):
    """Turn a sent or accepted quote into an order (once)."""
    order = services.convert_quote(
        request.auth, quote_id, order_date=payload.order_date, status=payload.status
    )
    return Status(201, services.access_order(request.auth, order.pk))


# --- opportunities ---------------------------------------------------------------------------------


@router.get("/opportunities", response={200: Page[OpportunityOut], **READ_ERRORS})
def list_opportunities(
    request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    pipeline: Id | None = None,
    stage: Id | None = None,
    owner: Id | None = None,
    customer: Id | None = None,
    status: StageKind = "",
    q: str = "",
):
    """Opportunities you may see (those of customers you may see), newest first; ``q``
    finds them by name or by their customer's name, pinyin, initials, phone digits, e-mail or
    company, as the global search does."""
    qs = queries.opportunities_for(
        request.auth,
        pipeline=pipeline,
        stage=stage,
        owner=owner,
        customer=customer,
        status=status,
        q=q,
    )
    rows, nxt = keyset_page(qs, "-id", cursor=cursor, limit=limit)
    return {"items": rows, "next_cursor": nxt}


@router.post("/opportunities", response={201: OpportunityOut, **WRITE_ERRORS})
def create_opportunity(request, payload: OpportunityIn, response: HttpResponse):
    data = payload.model_dump(exclude_none=True, exclude={"customer", "pipeline", "stage", "owner"})
    opp = services.create_opportunity(
        request.auth,
        payload.customer,
        data,
        pipeline=payload.pipeline,
        stage=payload.stage,
        owner=payload.owner,
    )
    response["ETag"] = etag(opp.version)
    return Status(201, services.access_opportunity(request.auth, opp.pk))


@router.get("/opportunities/{int:opportunity_id}", response={200: OpportunityOut, **READ_ERRORS})
def get_opportunity(request, opportunity_id: int, response: HttpResponse):
    opp = services.access_opportunity(request.auth, opportunity_id)
    response["ETag"] = etag(opp.version)
    return opp


@router.patch("/opportunities/{int:opportunity_id}", response={200: OpportunityOut, **WRITE_ERRORS})
def update_opportunity(
    request,
    opportunity_id: int,
    payload: OpportunityPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    """Change fields (to change the stage, POST …/move)."""
    changes = payload.model_dump(exclude_unset=True, exclude={"owner", "version"})
    opp = services.update_opportunity(
        request.auth,
        opportunity_id,
        changes,
        owner=payload.owner,
        expected_version=_version(if_match, payload.version),
    )
    response["ETag"] = etag(opp.version)
    return services.access_opportunity(request.auth, opp.pk)


@router.post(
    "/opportunities/{int:opportunity_id}/move", response={200: OpportunityOut, **WRITE_ERRORS}
)
def move_opportunity(
    request, opportunity_id: int, payload: MoveIn, response: HttpResponse, if_match: IfMatch = None
):
    """Move to another stage of the same pipeline; a lost stage needs ``lost_reason``."""
    opp = services.move_opportunity(
        request.auth,
        opportunity_id,
        payload.stage,
        payload.lost_reason,
        expected_version=_version(if_match, payload.version),
    )
    response["ETag"] = etag(opp.version)
    return services.access_opportunity(request.auth, opp.pk)


@router.get(
    "/opportunities/{int:opportunity_id}/history",
    response={200: list[StageChangeOut], **READ_ERRORS},
)
def opportunity_history(request, opportunity_id: int):
    """The stage moves, oldest first, with the days spent in the stage left."""
    opp = services.access_opportunity(request.auth, opportunity_id)
    return list(queries.stage_history(opp))


# --- leads -----------------------------------------------------------------------------------------


@router.get("/leads", response={200: Page[LeadOut], **READ_ERRORS})
def list_leads(
    request,
    cursor: Cursor = None,
    limit: Limit = DEFAULT_LIMIT,
    status: LeadStatus | None = None,
    owner: Id | None = None,
    q: str = "",
):
    """Your leads (a manager: the team's and the unassigned; admin and analyst: all)."""
    qs = queries.leads_for(request.auth, status=status or "", owner=owner, q=q)
    rows, nxt = keyset_page(qs, "-id", cursor=cursor, limit=limit)
    return {"items": rows, "next_cursor": nxt}


@router.post("/leads", response={201: LeadOut, **WRITE_ERRORS})
def create_lead(request, payload: LeadIn):
    """Capture a lead. A likely duplicate of a customer or lead (same phone, e-mail, or name at
    the same company) is refused with 409 naming the matches; resend with
    ``allow_duplicate: true`` to keep it anyway."""
    data = payload.model_dump(exclude={"owner", "allow_duplicate"})
    lead = services.create_lead(
        request.auth, data, owner=payload.owner, allow_duplicate=payload.allow_duplicate
    )
    return Status(201, lead)


@router.get("/leads/{int:lead_id}", response={200: LeadOut, **READ_ERRORS})
def get_lead(request, lead_id: int):
    return services.access_lead(request.auth, lead_id)


@router.post("/leads/{int:lead_id}/status", response={200: LeadOut, **WRITE_ERRORS})
def set_lead_status(request, lead_id: int, payload: LeadStatusIn):
    return services.set_lead_status(request.auth, lead_id, payload.status, payload.reason)


@router.post("/leads/{int:lead_id}/convert", response={201: ConvertedOut, **WRITE_ERRORS})
def convert_lead(request, lead_id: int, payload: LeadConvertIn):
    """Convert into a customer (the given one, the matching existing one, or a new one) and an
    opportunity; the lead keeps its data and links to both."""
    opportunity = payload.opportunity.model_dump(exclude_none=True) if payload.opportunity else {}
    customer, opp = services.convert_lead(
        request.auth,
        lead_id,
        customer_id=payload.customer,
        new_customer=payload.new_customer,
        opportunity=opportunity,
        stage=payload.stage,
    )
    return Status(
        201,
        {
            "customer": customer,
            "opportunity": services.access_opportunity(request.auth, opp.pk),
            "lead": services.access_lead(request.auth, lead_id),
        },
    )
