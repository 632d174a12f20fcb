"""Every change to sales data goes through these functions, each taking the acting user.

Validation errors are raised as ValidationError keyed by field ("lines.0.quantity" for a line),
before anything is written; multi-row writes run in one transaction, so a refusal leaves nothing
half-done.
"""

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Role, User
from guanxi.accounts.queries import is_manager_of
from guanxi.core.access_log import log_access
from guanxi.customers.models import Customer, Kind, SourceChannel
from guanxi.customers.place_names import city_name
from guanxi.customers.pool import record_win
from guanxi.customers.services import StaleVersion as CustomerStaleVersion
from guanxi.customers.services import access_customer, add_contact, create_customer
from guanxi.sales.lead_routing import assign_lead, mark_duplicate
from guanxi.sales.models import (
    Lead,
    Opportunity,
    Order,
    OrderLine,
    Pipeline,
    PriceList,
    PriceListItem,
    Product,
    Quote,
    QuoteLine,
    Stage,
    StageChange,
)
from guanxi.sales.pricing import document_totals, line_amounts


class StaleVersion(CustomerStaleVersion):
    """The record changed since the caller read it (HTTP 409)."""

    def __init__(self, current_version: int):
        Exception.__init__(
            self,
            _(
                "This record was changed by someone else meanwhile. "
                "Reload it and apply your change again."
            ),
        )
        self.current_version = current_version


# ---------------------------------------------------------------------------------------------
# Parsing and permission helpers


def _int(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number.")}) from None


def _decimal(
    value,
    field: str,
    *,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    places: int = 2,
) -> Decimal:
    """A finite Decimal from a number or a string, within bounds, else a field error."""
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    if minimum is not None and number < minimum:
        if minimum == 0:
            raise ValidationError({field: _("This cannot be negative.")})
        raise ValidationError({field: _("Enter a number of at least %(min)s.") % {"min": minimum}})
    if maximum is not None and number > maximum:
        raise ValidationError({field: _("Enter a number of at most %(max)s.") % {"max": maximum}})
    if -number.as_tuple().exponent > places:  # type: ignore[operator]
        raise ValidationError({field: _("Use at most %(n)d decimal places.") % {"n": places}})
    return number


def _date(value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        raise ValidationError({field: _("Enter a date as YYYY-MM-DD.")})
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError({field: _("Enter a date as YYYY-MM-DD.")}) from None


def _require_write(user) -> None:
    if not getattr(user, "can_write", False):
        raise PermissionDenied(_("Your role is read-only."))


def _is_admin(user) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def _check_assignee(user, owner: User, field: str = "owner") -> None:
    """A rep assigns to self, a manager to self or the team, an admin to anyone who sells."""
    if not owner.is_active or owner.role == Role.ANALYST:
        raise ValidationError({field: _("The owner must be an active user who can sell.")})
    if owner.pk == user.pk or _is_admin(user):
        return
    if user.role == Role.MANAGER and is_manager_of(user, owner):
        return
    raise ValidationError({field: _("You can only assign to yourself or your team.")})


def _user(value, field: str = "owner") -> User:
    if isinstance(value, User):
        return value
    user = User.objects.filter(pk=_int(value, field)).first()
    if user is None:
        raise ValidationError({field: _("Unknown user.")})
    return user


def _check_unknown(data: dict, allowed: Iterable[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({f: _("Unknown field.") for f in sorted(unknown)})


def _full_clean(obj, exclude=()) -> None:
    obj.full_clean(exclude=list(exclude), validate_unique=True, validate_constraints=False)


def _access(queryset_for, model_name: str, user, obj_id, *, edit: bool):
    """Fetch one record the user may see (or edit); not visible is a 404, visible but not
    editable is a 403."""
    try:
        pk = int(obj_id)
    except (TypeError, ValueError):
        raise Http404 from None
    obj = queryset_for(edit).filter(pk=pk).first()
    if obj is None:
        if edit and queryset_for(False).filter(pk=pk).exists():
            raise PermissionDenied(
                _("You may view this %(what)s but not change it.") % {"what": model_name}
            )
        raise Http404
    return obj


def access_opportunity(user, opportunity_id, *, edit: bool = False) -> Opportunity:
    """The opportunity if its customer is visible (editable) to the user, else 404 (403)."""

    def qs(e):
        base = Opportunity.objects.editable_by(user) if e else Opportunity.objects.visible_to(user)
        return base.select_related("customer", "owner", "stage", "pipeline")

    return _access(qs, _("opportunity"), user, opportunity_id, edit=edit)


def access_order(user, order_id, *, edit: bool = False) -> Order:
    def qs(e):
        base = Order.objects.editable_by(user) if e else Order.objects.visible_to(user)
        return base.select_related("customer", "owner")

    return _access(qs, _("order"), user, order_id, edit=edit)


def access_quote(user, quote_id, *, edit: bool = False) -> Quote:
    def qs(e):
        base = Quote.objects.editable_by(user) if e else Quote.objects.visible_to(user)
        return base.select_related("customer", "owner")

    return _access(qs, _("quote"), user, quote_id, edit=edit)


def access_lead(user, lead_id, *, edit: bool = False) -> Lead:
    def qs(e):
        base = Lead.objects.editable_by(user) if e else Lead.objects.visible_to(user)
        return base.select_related("owner")

    return _access(qs, _("lead"), user, lead_id, edit=edit)


# ---------------------------------------------------------------------------------------------
# Products and prices

PRODUCT_FIELDS = ("sku", "name", "category", "unit", "list_price", "currency", "active")


def _require_catalogue_manager(user) -> None:
    if not (_is_admin(user) or user.role == Role.MANAGER):
        raise PermissionDenied(_("Only an admin or a manager can change the product catalogue."))


@transaction.atomic
def create_product(user, data: dict) -> Product:
    """Add a product to the catalogue (admins and managers)."""
    _require_catalogue_manager(user)
    _check_unknown(data, PRODUCT_FIELDS)
    data = dict(data)
    if "list_price" in data:
        data["list_price"] = _decimal(data["list_price"], "list_price", minimum=Decimal(0))
    product = Product(**data)
    _full_clean(product)
    product.save()
    return product


@transaction.atomic
def update_product(user, product_id, changes: dict) -> Product:
    _require_catalogue_manager(user)
    _check_unknown(changes, PRODUCT_FIELDS)
    product = Product.objects.select_for_update().filter(pk=_int(product_id, "product")).first()
    if product is None:
        raise Http404
    for field, value in changes.items():
        if field == "list_price":
            value = _decimal(value, "list_price", minimum=Decimal(0))
        setattr(product, field, value)
    _full_clean(product)
    product.save()
    return product


PRICE_LIST_FIELDS = (
    "name",
    "tier",
    "province",
    "city",
    "valid_from",
    "valid_to",
    "currency",
    "active",
)


def _set_price_list_fields(price_list: PriceList, data: dict) -> dict[str, list]:
    """Copy ``data`` onto the price list; the errors by field (dates, currency, model rules)."""
    errors: dict[str, list] = {}
    for field, value in data.items():
        try:
            if field in ("valid_from", "valid_to"):
                value = _date(value, field)
            elif field == "currency":
                value = (value or "").strip().upper()
                if len(value) != 3 or not value.isalpha() or not value.isascii():
                    raise ValidationError({field: _("Enter a three-letter currency code.")})
            elif field == "active":
                value = bool(value)
            elif value is None:
                value = ""
            else:
                value = str(value).strip()
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        setattr(price_list, field, value)
    try:
        _full_clean(price_list, exclude=[f for f in errors])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    return errors


def _price_list_items(items) -> tuple[list[tuple[Product, Decimal]], dict[str, list]]:
    """Validated (product, price) pairs from ``[{"product": id, "price": p}, …]`` (or the older
    ``{product_id: price}``); errors keyed items.<i>.product / items.<i>.price. A product may
    appear once per list."""
    if isinstance(items, dict):
        items = [{"product": k, "price": v} for k, v in items.items()]
    rows = list(items or [])
    ids = []
    for row in rows:
        product = row.get("product")
        if isinstance(product, Product):
            ids.append(product.pk)
        else:
            try:
                ids.append(int(product))
            except (TypeError, ValueError):
                continue
    products = Product.objects.in_bulk(ids)
    errors: dict[str, list] = {}
    seen: dict[int, int] = {}
    pairs = []
    for i, row in enumerate(rows):
        prefix = f"items.{i}."
        product = row.get("product")
        if not isinstance(product, Product):
            try:
                product = products.get(int(product))
            except (TypeError, ValueError):
                product = None
        if product is None:
            errors.setdefault(prefix + "product", []).append(_("Unknown product."))
        elif product.pk in seen:
            errors.setdefault(prefix + "product", []).append(
                _("This product is already priced on line %(n)d.") % {"n": seen[product.pk] + 1}
            )
        else:
            seen[product.pk] = i
        price = row.get("price")
        try:
            if price in (None, ""):
                raise ValidationError({"price": _("This field is required.")})
            price = _decimal(price, "price", minimum=Decimal(0))
        except ValidationError as exc:
            for messages in exc.message_dict.values():
                errors.setdefault(prefix + "price", []).extend(messages)
            continue
        if product is not None:
            pairs.append((product, price))
    return pairs, errors


def _write_items(price_list: PriceList, pairs) -> None:
    PriceListItem.objects.bulk_create(
        [PriceListItem(price_list=price_list, product=p, price=price) for p, price in pairs]
    )


@transaction.atomic
def create_price_list(user, data: dict, items=None) -> PriceList:
    """A price list with its items (``[{"product": id, "price": p}, …]`` or ``{id: price}``).

    Admins and managers only. Every problem of the header and the items is reported at once
    (an end before the start, a negative price, a product twice) and nothing is written."""
    _require_catalogue_manager(user)
    _check_unknown(data, PRICE_LIST_FIELDS)
    price_list = PriceList()
    errors = _set_price_list_fields(price_list, data)
    pairs, item_errors = _price_list_items(items)
    errors.update(item_errors)
    if errors:
        raise ValidationError(errors)
    price_list.save()
    _write_items(price_list, pairs)
    return price_list


@transaction.atomic
def update_price_list(user, price_list_id, changes: dict, items=None) -> PriceList:
    """Change a price list's header and, when ``items`` is given, replace its items (a line
    left out is removed). Admins and managers only; all or nothing."""
    _require_catalogue_manager(user)
    _check_unknown(changes, PRICE_LIST_FIELDS)
    price_list = (
        PriceList.objects.select_for_update().filter(pk=_int(price_list_id, "price_list")).first()
    )
    if price_list is None:
        raise Http404
    errors = _set_price_list_fields(price_list, changes)
    pairs: list = []
    if items is not None:
        pairs, item_errors = _price_list_items(items)
        errors.update(item_errors)
    if errors:
        raise ValidationError(errors)
    price_list.save()
    if items is not None:
        price_list.items.all().delete()
        _write_items(price_list, pairs)
    return price_list


def _specificity(price_list: PriceList) -> int:
    return (
        (4 if price_list.tier else 0)
        + (2 if price_list.city else 0)
        + (1 if price_list.province else 0)
    )


def resolve_price(
    product: Product, customer: Customer | None, on_date: dt.date | None = None
) -> tuple[Decimal, PriceList | None]:
    """The price of ``product`` for ``customer`` on a date, and the price list it came from.

    Among the active price lists valid that day whose criteria all match the customer and that
    price the product, the most specific wins (tier over city over province over none), then
    the one that started latest; without one, the product's list price.
    """
    on_date = on_date or timezone.localdate()
    candidates = (
        PriceListItem.objects.filter(
            product=product, price_list__active=True, price_list__valid_from__lte=on_date
        )
        .filter(Q(price_list__valid_to__isnull=True) | Q(price_list__valid_to__gte=on_date))
        .select_related("price_list")
    )
    tags: set[str] = set()
    if customer is not None:
        tags = set(customer.tags.values_list("name", flat=True))
    best = None
    for item in candidates:
        pl = item.price_list
        if pl.tier and pl.tier not in tags:
            continue
        if pl.province and (customer is None or pl.province != customer.province):
            continue
        # A customer's city is stored in its full name (广州市: place_names.city_name); a
        # price list's as it was typed (广州 or 广州市).
        if pl.city and (customer is None or city_name(pl.city) != customer.city):
            continue
        key = (_specificity(pl), pl.valid_from, pl.pk)
        if best is None or key > best[0]:
            best = (key, item)
    if best is None:
        return product.list_price, None
    return best[1].price, best[1].price_list


def price_for(
    product: Product, customer: Customer | None, on_date: dt.date | None = None
) -> Decimal:
    """The price of ``product`` for ``customer`` on ``on_date`` (see resolve_price)."""
    return resolve_price(product, customer, on_date)[0]


# ---------------------------------------------------------------------------------------------
# Lines (shared by quotes and orders)

LINE_FIELDS = ("product", "description", "quantity", "unit_price", "discount_percent", "tax_rate")


def _build_lines(
    line_model, rows: list[dict], customer: Customer, on_date: dt.date, currency: str
) -> list:
    """Validated, priced line objects (unsaved); every error is keyed lines.<i>.<field>."""
    if not rows:
        raise ValidationError({"lines": _("Add at least one line.")})
    errors: dict[str, list] = {}
    products = {
        p.pk: p
        for p in Product.objects.filter(
            pk__in=[r.get("product") for r in rows if isinstance(r.get("product"), int)]
        )
    }
    lines = []
    for i, row in enumerate(rows):
        prefix = f"lines.{i}."
        try:
            _check_unknown(row, LINE_FIELDS)
            product = row.get("product")
            if not isinstance(product, Product):
                product = products.get(product) if isinstance(product, int) else None
            if product is None:
                raise ValidationError({"product": _("Unknown product.")})
            quantity = _decimal(row.get("quantity", 1), "quantity", places=3)
            if quantity <= 0:
                raise ValidationError({"quantity": _("The quantity must be more than zero.")})
            if row.get("unit_price") in (None, ""):
                if product.currency != currency:
                    raise ValidationError(
                        {
                            "unit_price": _(
                                "The product is priced in %(cur)s; give a price in %(doc)s."
                            )
                            % {"cur": product.currency, "doc": currency}
                        }
                    )
                unit_price = price_for(product, customer, on_date)
            else:
                unit_price = _decimal(row["unit_price"], "unit_price", minimum=Decimal(0))
            discount = _decimal(
                row.get("discount_percent") or 0,
                "discount_percent",
                minimum=Decimal(0),
                maximum=Decimal(100),
            )
            tax_rate = _decimal(
                row.get("tax_rate") or 0, "tax_rate", minimum=Decimal(0), maximum=Decimal(100)
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(prefix + field, []).extend(messages)
            continue
        amounts = line_amounts(quantity, unit_price, discount, tax_rate)
        lines.append(
            line_model(
                position=i,
                product=product,
                description=(row.get("description") or product.name)[:200],
                quantity=quantity,
                unit_price=unit_price,
                discount_percent=discount,
                tax_rate=tax_rate,
                subtotal=amounts.subtotal,
                discount=amounts.discount,
                tax=amounts.tax,
                total=amounts.total,
            )
        )
    if errors:
        raise ValidationError(errors)
    return lines


def _apply_totals(document, lines) -> None:
    totals = document_totals(lines)
    document.subtotal = totals.subtotal
    document.discount_total = totals.discount
    document.tax_total = totals.tax
    document.total = totals.total


def _temporary_number() -> str:
    return "tmp-" + uuid.uuid4().hex


def _assign_number(document, prefix: str) -> None:
    if document.number.startswith("tmp-"):
        document.number = f"{prefix}-{document.pk:06d}"
        type(document).objects.filter(pk=document.pk).update(number=document.number)


def _check_number(model, number: str) -> str:
    number = (number or "").strip()
    if number and model.objects.filter(number=number).exists():
        raise ValidationError({"number": _("This number is already used.")})
    if len(number) > 40:
        raise ValidationError({"number": _("At most 40 characters.")})
    return number


# ---------------------------------------------------------------------------------------------
# Orders

# The one table of allowed order status changes. Shipping before payment is a credit sale.
ORDER_TRANSITIONS: dict[str, set[str]] = {
    Order.Status.DRAFT: {Order.Status.CONFIRMED, Order.Status.CANCELLED},
    Order.Status.CONFIRMED: {Order.Status.PAID, Order.Status.SHIPPED, Order.Status.CANCELLED},
    Order.Status.PAID: {Order.Status.SHIPPED, Order.Status.REFUNDED},
    Order.Status.SHIPPED: {Order.Status.PAID, Order.Status.REFUNDED},
    Order.Status.CANCELLED: set(),
    Order.Status.REFUNDED: set(),
}

ORDER_HEADER_FIELDS = (
    "number",
    "status",
    "order_date",
    "due_date",
    "paid_date",
    "channel",
    "store",
    "currency",
    "notes",
    "owner",
    "opportunity",
)
ORDER_EDITABLE_FIELDS = ("due_date", "paid_date", "channel", "store", "notes", "owner")


def _clean_order_header(user, order: Order, data: dict) -> None:
    errors: dict[str, list] = {}
    for field in ("order_date", "due_date", "paid_date"):
        if field in data:
            try:
                setattr(order, field, _date(data[field], field))
            except ValidationError as exc:
                errors.update(exc.message_dict)
    for field in ("channel", "store", "notes", "currency"):
        if field in data:
            setattr(order, field, data[field] or "")
    if "owner" in data and data["owner"] is not None:
        try:
            owner = _user(data["owner"])
            if owner.pk != order.owner_id:
                _check_assignee(user, owner)
            order.owner = owner
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if order.order_date is None:
        errors.setdefault("order_date", []).append(_("This field is required."))
    if order.due_date and order.order_date and order.due_date < order.order_date:
        errors.setdefault("due_date", []).append(_("The due date is before the order date."))
    if order.paid_date and order.order_date and order.paid_date < order.order_date:
        errors.setdefault("paid_date", []).append(_("The payment date is before the order date."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_order(user, customer_id, lines: list[dict], **data) -> Order:
    """Create an order for a customer the user may edit, with its lines and totals.

    ``data`` may hold number (generated when empty), status (draft by default; historical
    imports may give any status), order_date, due_date, paid_date, channel, store, currency,
    notes, owner (default the acting user) and opportunity.
    """
    _require_write(user)
    _check_unknown(data, ORDER_HEADER_FIELDS)
    customer = access_customer(user, customer_id, edit=True)
    status = data.get("status") or Order.Status.DRAFT
    if status not in Order.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    order = Order(
        customer=customer,
        owner=user,
        created_by=user,
        status=status,
        number=_check_number(Order, data.get("number", "")) or _temporary_number(),
        order_date=timezone.localdate(),
    )
    _clean_order_header(user, order, data)
    if status in (Order.Status.PAID, Order.Status.REFUNDED) and order.paid_date is None:
        raise ValidationError({"paid_date": _("A paid order needs its payment date.")})
    if data.get("opportunity"):
        order.opportunity = access_opportunity(user, data["opportunity"])
        if order.opportunity.customer_id != customer.pk:
            raise ValidationError({"opportunity": _("The opportunity is for another customer.")})
    objs = _build_lines(OrderLine, lines, customer, order.order_date, order.currency)
    _apply_totals(order, objs)
    _full_clean(order, exclude=["customer", "owner", "created_by", "number"])
    order.save()
    for line in objs:
        line.order = order
    OrderLine.objects.bulk_create(objs)
    _assign_number(order, "SO")
    return order


@transaction.atomic
def update_order(
    user,
    order_id,
    changes: dict,
    *,
    lines: list[dict] | None = None,
    expected_version: int | None = None,
) -> Order:
    """Change an order's header (due/paid date, channel, store, notes, owner), its status
    (through the transition table) and, while it is a draft, its order date and lines."""
    _require_write(user)
    access_order(user, order_id, edit=True)
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=int(order_id))
    )
    if expected_version is not None and order.version != expected_version:
        raise StaleVersion(order.version)
    changes = dict(changes)
    status = changes.pop("status", None)
    _check_unknown(changes, (*ORDER_EDITABLE_FIELDS, "order_date"))
    order_date = order.order_date
    _clean_order_header(user, order, changes)
    if order.order_date != order_date and order.status != Order.Status.DRAFT:
        raise ValidationError({"order_date": _("Only a draft order's date can be changed.")})
    if lines is not None:
        if order.status != Order.Status.DRAFT:
            raise ValidationError({"lines": _("Only a draft order's lines can be changed.")})
        objs = _build_lines(OrderLine, lines, order.customer, order.order_date, order.currency)
        order.lines.all().delete()
        for line in objs:
            line.order = order
        OrderLine.objects.bulk_create(objs)
        _apply_totals(order, objs)
    if status is not None and status != order.status:
        _transition_order(order, status, paid_date=order.paid_date)
    order.version += 1
    order.save()
    return order


def _transition_order(order: Order, status: str, *, paid_date: dt.date | None) -> None:
    if status not in Order.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status not in ORDER_TRANSITIONS[order.status]:
        raise ValidationError(
            {
                "status": _("An order cannot go from %(old)s to %(new)s.")
                % {"old": Order.Status(order.status).label, "new": Order.Status(status).label}
            }
        )
    if status == Order.Status.PAID:
        order.paid_date = paid_date or order.paid_date or timezone.localdate()
    if status == Order.Status.REFUNDED and order.paid_date is None:
        raise ValidationError({"status": _("An unpaid order cannot be refunded.")})
    order.status = status


@transaction.atomic
def set_order_status(user, order_id, status: str, *, paid_date=None) -> Order:
    """Move an order along ORDER_TRANSITIONS; paying stamps the paid date (default today)."""
    _require_write(user)
    access_order(user, order_id, edit=True)
    order = Order.objects.select_for_update().get(pk=int(order_id))
    _transition_order(order, status, paid_date=_date(paid_date, "paid_date"))
    if order.paid_date and order.paid_date < order.order_date:
        raise ValidationError({"paid_date": _("The payment date is before the order date.")})
    order.version += 1
    order.save(update_fields=["status", "paid_date", "version", "updated_at"])
    return order


# ---------------------------------------------------------------------------------------------
# Quotes

QUOTE_TRANSITIONS: dict[str, set[str]] = {
    Quote.Status.DRAFT: {Quote.Status.SENT, Quote.Status.REJECTED},
    Quote.Status.SENT: {Quote.Status.ACCEPTED, Quote.Status.REJECTED, Quote.Status.EXPIRED},
    Quote.Status.EXPIRED: {Quote.Status.SENT},
    Quote.Status.ACCEPTED: set(),
    Quote.Status.REJECTED: set(),
}


@transaction.atomic
def create_quote(user, customer_id, lines: list[dict], **data) -> Quote:
    """Create a draft quote for a customer the user may edit, priced by price_for()."""
    _require_write(user)
    _check_unknown(
        data, ("number", "quote_date", "valid_until", "currency", "notes", "opportunity")
    )
    customer = access_customer(user, customer_id, edit=True)
    quote = Quote(
        customer=customer,
        owner=user,
        created_by=user,
        number=_check_number(Quote, data.get("number", "")) or _temporary_number(),
        currency=data.get("currency") or Quote._meta.get_field("currency").default(),
        notes=data.get("notes") or "",
    )
    quote.quote_date = _date(data.get("quote_date"), "quote_date") or timezone.localdate()
    quote.valid_until = _date(data.get("valid_until"), "valid_until")
    if quote.valid_until and quote.valid_until < quote.quote_date:
        raise ValidationError({"valid_until": _("The quote expires before it is made.")})
    if data.get("opportunity"):
        quote.opportunity = access_opportunity(user, data["opportunity"])
        if quote.opportunity.customer_id != customer.pk:
            raise ValidationError({"opportunity": _("The opportunity is for another customer.")})
    objs = _build_lines(QuoteLine, lines, customer, quote.quote_date, quote.currency)
    _apply_totals(quote, objs)
    quote.save()
    for line in objs:
        line.quote = quote
    QuoteLine.objects.bulk_create(objs)
    _assign_number(quote, "QT")
    return quote


@transaction.atomic
def set_quote_status(user, quote_id, status: str) -> Quote:
    """Move a quote along QUOTE_TRANSITIONS."""
    _require_write(user)
    access_quote(user, quote_id, edit=True)
    quote = Quote.objects.select_for_update().get(pk=int(quote_id))
    if status not in Quote.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    if status not in QUOTE_TRANSITIONS[quote.status]:
        raise ValidationError(
            {
                "status": _("A quote cannot go from %(old)s to %(new)s.")
                % {"old": Quote.Status(quote.status).label, "new": Quote.Status(status).label}
            }
        )
    quote.status = status
    quote.version += 1
    quote.save(update_fields=["status", "version", "updated_at"])
    return quote


@transaction.atomic
def convert_quote(
    user, quote_id, *, order_date=None, status: str = Order.Status.CONFIRMED
) -> Order:
    """Turn a sent or accepted quote into an order with the same lines and prices; a sent quote
    becomes accepted. A quote converts once."""
    _require_write(user)
    access_quote(user, quote_id, edit=True)
    quote = (
        Quote.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=int(quote_id))
    )
    if Order.objects.filter(quote=quote).exists():
        raise ValidationError({"quote": _("This quote has already been turned into an order.")})
    if quote.status not in (Quote.Status.SENT, Quote.Status.ACCEPTED):
        raise ValidationError({"status": _("Only a sent or accepted quote becomes an order.")})
    if status not in (Order.Status.DRAFT, Order.Status.CONFIRMED):
        raise ValidationError({"status": _("A new order is a draft or confirmed.")})
    lines = [
        {
            "product": line.product,
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount_percent": line.discount_percent,
            "tax_rate": line.tax_rate,
        }
        for line in quote.lines.select_related("product")
    ]
    order = create_order(
        user,
        quote.customer_id,
        lines,
        status=status,
        currency=quote.currency,
        order_date=_date(order_date, "order_date") or timezone.localdate(),
        notes=quote.notes,
        opportunity=quote.opportunity_id,
    )
    order.quote = quote
    order.save(update_fields=["quote"])
    if quote.status != Quote.Status.ACCEPTED:
        quote.status = Quote.Status.ACCEPTED
        quote.version += 1
        quote.save(update_fields=["status", "version", "updated_at"])
    return order


# ---------------------------------------------------------------------------------------------
# Pipelines and opportunities


def default_pipeline() -> Pipeline:
    pipeline = Pipeline.objects.filter(is_default=True, active=True).first() or (
        Pipeline.objects.filter(active=True).first()
    )
    if pipeline is None:
        raise ValidationError({"pipeline": _("There is no active pipeline.")})
    return pipeline


def _stage(pipeline_id: int, stage_id) -> Stage:
    stage = Stage.objects.filter(pipeline_id=pipeline_id, pk=_int(stage_id, "stage")).first()
    if stage is None:
        raise ValidationError({"stage": _("Unknown stage for this pipeline.")})
    return stage


OPPORTUNITY_FIELDS = (
    "name",
    "amount",
    "currency",
    "expected_close_date",
    "probability",
    "is_commit",
    "competitor",
    "next_step",
    "notes",
    "source",
)


def _set_opportunity_fields(opp: Opportunity, data: dict) -> None:
    errors: dict[str, list] = {}
    for field, value in data.items():
        try:
            if field == "amount":
                value = _decimal(value if value is not None else 0, "amount", minimum=Decimal(0))
            elif field == "expected_close_date":
                value = _date(value, field)
            elif field == "probability":
                value = None if value in (None, "") else _int(value, field)
                if value is not None and not 0 <= value <= 100:
                    raise ValidationError({field: _("Enter a probability between 0 and 100.")})
            elif field == "is_commit":
                value = bool(value)
            elif field == "source" and value and value not in SourceChannel.values:
                raise ValidationError({field: _("Unknown source.")})
            elif value is None:
                value = ""
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        setattr(opp, field, value)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_opportunity(
    user,
    customer_id,
    data: dict,
    *,
    pipeline=None,
    stage=None,
    owner=None,
    lead: Lead | None = None,
    at: dt.datetime | None = None,
) -> Opportunity:
    """Open an opportunity on a customer the user may edit, in ``stage`` (default: the first
    stage of the pipeline), and log where it started. ``at`` backdates it (imports, demo)."""
    _require_write(user)
    _check_unknown(data, OPPORTUNITY_FIELDS)
    customer = access_customer(user, customer_id, edit=True)
    owner = _user(owner) if owner is not None else user
    _check_assignee(user, owner)
    if pipeline is None and stage is not None and not isinstance(stage, Stage):
        found = Stage.objects.filter(pk=_int(stage, "stage")).select_related("pipeline").first()
        if found is None:
            raise ValidationError({"stage": _("Unknown stage for this pipeline.")})
        stage = found
    if pipeline is None:
        pipeline = stage.pipeline if isinstance(stage, Stage) else default_pipeline()
    elif not isinstance(pipeline, Pipeline):
        pipeline = Pipeline.objects.filter(pk=_int(pipeline, "pipeline"), active=True).first()
        if pipeline is None:
            raise ValidationError({"pipeline": _("Unknown pipeline.")})
    if stage is None:
        stage = pipeline.stages.filter(kind=Stage.Kind.OPEN).order_by("position").first()
        if stage is None:
            raise ValidationError({"stage": _("This pipeline has no open stage.")})
    else:
        stage = _stage(pipeline.pk, stage.pk if isinstance(stage, Stage) else stage)
    now = at or timezone.now()
    opp = Opportunity(
        customer=customer,
        owner=owner,
        created_by=user,
        pipeline=pipeline,
        stage=stage,
        stage_entered_at=now,
        created_at=now,
        lead=lead,
    )
    _set_opportunity_fields(opp, data)
    if stage.kind == Stage.Kind.WON:
        opp.won_at = now
    elif stage.kind == Stage.Kind.LOST:
        raise ValidationError({"stage": _("Open the opportunity first, then mark it lost.")})
    _full_clean(opp, exclude=["customer", "owner", "created_by", "pipeline", "stage", "lead"])
    opp.save()
    StageChange.objects.create(opportunity=opp, from_stage=None, to_stage=stage, at=now, by=user)
    if opp.won_at:
        record_win(customer.pk, opp.won_at)  # the pool's clock (customers.pool)
    return opp


@transaction.atomic
def update_opportunity(
    user, opportunity_id, changes: dict, *, expected_version: int | None = None, owner=None
) -> Opportunity:
    """Change an opportunity's fields (not its stage: see move_opportunity)."""
    _require_write(user)
    _check_unknown(changes, OPPORTUNITY_FIELDS)
    access_opportunity(user, opportunity_id, edit=True)
    opp = (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("stage")
        .get(pk=int(opportunity_id))
    )
    if expected_version is not None and opp.version != expected_version:
        raise StaleVersion(opp.version)
    _set_opportunity_fields(opp, changes)
    if owner is not None:
        new_owner = _user(owner)
        if new_owner.pk != opp.owner_id:
            _check_assignee(user, new_owner)
            opp.owner = new_owner
    _full_clean(opp, exclude=["customer", "owner", "created_by", "pipeline", "stage", "lead"])
    opp.version += 1
    opp.save()
    return opp


@transaction.atomic
def move_opportunity(
    user,
    opp_id,
    stage_id,
    lost_reason: str | None = None,
    *,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Opportunity:
    """Move an opportunity to another stage of its pipeline and log the move with the time it
    spent in the stage it leaves. A lost stage needs a reason; won and lost stamp won_at /
    lost_at, reopening clears them. ``at`` backdates the move (imports, demo data)."""
    _require_write(user)
    access_opportunity(user, opp_id, edit=True)
    opp = (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("stage")
        .get(pk=int(opp_id))
    )
    if expected_version is not None and opp.version != expected_version:
        raise StaleVersion(opp.version)
    stage = _stage(opp.pipeline_id, stage_id)
    if stage.pk == opp.stage_id:
        return opp
    reason = (lost_reason or "").strip()
    if stage.kind == Stage.Kind.LOST and not reason:
        raise ValidationError({"lost_reason": _("Say why the opportunity was lost.")})
    if len(reason) > 255:
        raise ValidationError({"lost_reason": _("At most 255 characters.")})
    now = at or timezone.now()
    if now < opp.stage_entered_at:
        raise ValidationError(
            {"at": _("The move is dated before the opportunity entered its current stage.")}
        )
    StageChange.objects.create(
        opportunity=opp,
        from_stage_id=opp.stage_id,
        to_stage=stage,
        at=now,
        by=user,
        seconds_in_from_stage=int((now - opp.stage_entered_at).total_seconds()),
        note=reason if stage.kind == Stage.Kind.LOST else "",
    )
    opp.stage = stage
    opp.stage_entered_at = now
    opp.won_at = now if stage.kind == Stage.Kind.WON else None
    opp.lost_at = now if stage.kind == Stage.Kind.LOST else None
    opp.lost_reason = reason if stage.kind == Stage.Kind.LOST else ""
    if stage.kind != Stage.Kind.OPEN:
        opp.probability = None  # a forecast override means nothing once the deal is closed
    opp.version += 1
    opp.save()
    if opp.won_at:
        record_win(opp.customer_id, opp.won_at)  # the pool's clock (customers.pool)
    return opp


# ---------------------------------------------------------------------------------------------
# Leads

LEAD_FIELDS = ("name", "company", "title", "phone", "email", "source", "province", "city", "notes")


def _customer_matches(phone: str, email: str, name: str, company: str) -> dict[str, Q]:
    """The duplicate criteria against customers, keyed by the lead field they concern."""
    criteria: dict[str, Q] = {}
    if phone:
        criteria["phone"] = Q(phone=phone) | Q(phone_alt=phone) | Q(contacts__phone=phone)
    if email:
        criteria["email"] = Q(email=email) | Q(contacts__email=email)
    if name and company:
        criteria["name"] = Q(name=name, company_name=company) | Q(
            kind=Kind.COMPANY, name=company, contacts__name=name
        )
    return criteria


def _lead_matches(phone: str, email: str, name: str, company: str) -> dict[str, Q]:
    criteria: dict[str, Q] = {}
    if phone:
        criteria["phone"] = Q(phone=phone)
    if email:
        criteria["email"] = Q(email=email)
    if name and company:
        criteria["name"] = Q(name=name, company=company)
    return criteria


def find_duplicates(
    user,
    *,
    phone: str = "",
    email: str = "",
    name: str = "",
    company: str = "",
    exclude_lead: int | None = None,
) -> dict[str, list[str]]:
    """Messages per field for customers and leads that look like the same person: same phone,
    same e-mail, or same name at the same company. Records the user cannot see are named only
    by their owner, so the check leaks nothing but their existence."""
    found: dict[str, list[str]] = {}
    for field, q in _customer_matches(phone, email, name, company).items():
        matches = list(Customer.objects.alive().filter(q).select_related("owner").distinct()[:3])
        if not matches:
            continue
        seen = set(
            Customer.objects.visible_to(user)
            .filter(pk__in=[c.pk for c in matches])
            .values_list("pk", flat=True)
        )
        for c in matches:
            if c.pk in seen:
                msg = _("Customer %(name)s (#%(id)d) already has this.") % {
                    "name": c.name,
                    "id": c.pk,
                }
            else:
                msg = _("A customer owned by %(owner)s already has this.") % {"owner": c.owner}
            found.setdefault(field, []).append(msg)
    for field, q in _lead_matches(phone, email, name, company).items():
        leads = Lead.objects.filter(q).exclude(status=Lead.Status.CONVERTED)
        if exclude_lead:
            leads = leads.exclude(pk=exclude_lead)
        matches = list(leads.select_related("owner")[:3])
        if not matches:
            continue
        seen = set(
            Lead.objects.visible_to(user)
            .filter(pk__in=[x.pk for x in matches])
            .values_list("pk", flat=True)
        )
        for lead in matches:
            if lead.pk in seen:
                msg = _("Lead %(name)s (#%(id)d) already has this.") % {
                    "name": lead.name,
                    "id": lead.pk,
                }
            else:
                msg = _("A lead owned by %(owner)s already has this.") % {
                    "owner": lead.owner or _("nobody")
                }
            found.setdefault(field, []).append(msg)
    return found


class DuplicateFound(ValidationError):
    """The new lead matches existing customers or leads; resend with allow_duplicate."""


@transaction.atomic
def create_lead(user, data: dict, *, owner=None, allow_duplicate: bool = False) -> Lead:
    """Capture a lead, refusing likely duplicates of a customer or lead unless
    ``allow_duplicate`` (then the lead is kept, linked to the first match).

    The owner: the one named; else, for a manager or admin, whoever the assignment rule of
    their team picks (assign_lead), falling back to themselves; a rep's lead is their own, as
    a rep may not assign to anyone else."""
    _require_write(user)
    _check_unknown(data, LEAD_FIELDS)
    by_rule = owner is None and (_is_admin(user) or user.role == Role.MANAGER)
    owner = _user(owner) if owner is not None else user
    _check_assignee(user, owner)
    lead = Lead(
        owner=owner, created_by=user, **{k: v if v is not None else "" for k, v in data.items()}
    )
    if lead.source and lead.source not in SourceChannel.values:
        raise ValidationError({"source": _("Unknown source.")})
    _full_clean(lead, exclude=["owner", "created_by"])
    found = find_duplicates(
        user, phone=lead.phone, email=lead.email, name=lead.name, company=lead.company
    )
    if found and not allow_duplicate:
        raise DuplicateFound(found)
    if found:
        mark_duplicate(lead)
    lead.save()
    if by_rule:
        assign_lead(lead, team_id=user.team_id, actor=user)
    return lead


def reveal_lead_field(user, lead_id, field: str, *, request=None, via: str = "web") -> str:
    """The full phone or e-mail of a lead the user sees masked, written to the access log;
    only for roles allowed to reveal (as customers.services.reveal_field)."""
    lead = access_lead(user, lead_id)
    if field not in ("phone", "email"):
        raise ValidationError({"field": _("Only the phone and e-mail are masked.")})
    if not user.can_reveal:
        raise PermissionDenied(_("Your role may not reveal masked data."))
    log_access(user, "reveal", "lead", lead.pk, request=request, detail=field, via=via)
    return getattr(lead, field)


@transaction.atomic
def set_lead_status(user, lead_id, status: str, reason: str = "") -> Lead:
    """New, contacted, qualified, or disqualified with a reason (conversion: convert_lead)."""
    _require_write(user)
    access_lead(user, lead_id, edit=True)
    lead = Lead.objects.select_for_update().get(pk=int(lead_id))
    if lead.status == Lead.Status.CONVERTED:
        raise ValidationError({"status": _("This lead has been converted.")})
    if status not in Lead.Status.values or status == Lead.Status.CONVERTED:
        raise ValidationError({"status": _("Unknown status.")})
    lead.status = status
    lead.disqualified_reason = reason.strip() if status == Lead.Status.DISQUALIFIED else ""
    _full_clean(lead, exclude=["owner", "created_by"])
    lead.version += 1
    lead.save()
    return lead


def _matching_customer(user, lead: Lead) -> Customer | None:
    """The existing customer this lead is, by phone, then e-mail, then name + company; refused
    when the only match is one the user cannot edit."""
    for _field, q in _customer_matches(lead.phone, lead.email, lead.name, lead.company).items():
        matches = Customer.objects.alive().filter(q).distinct()
        mine = Customer.objects.editable_by(user).filter(pk__in=matches.values("pk")).first()
        if mine is not None:
            return mine
        other = matches.select_related("owner").first()
        if other is not None:
            raise ValidationError(
                {
                    "customer": _(
                        "This lead matches a customer owned by %(owner)s that you cannot change. Ask "
                        "them to share it, or convert into a new customer."
                    )
                    % {"owner": other.owner}
                }
            )
    return None


@transaction.atomic
def convert_lead(
    user,
    lead_id,
    *,
    customer_id=None,
    new_customer: bool = False,
    opportunity: dict | None = None,
    stage=None,
) -> tuple[Customer, Opportunity]:
    """Turn a lead into a customer (the given one, else the matching existing one, else a new
    one) plus an opportunity, keeping everything the lead held: the person becomes a contact of
    a company customer, the notes and source travel to the customer and the opportunity, and the
    lead stays, marked converted and linked to both. All or nothing."""
    _require_write(user)
    access_lead(user, lead_id, edit=True)
    lead = Lead.objects.select_for_update(of=("self",)).select_related("owner").get(pk=int(lead_id))
    if lead.status == Lead.Status.CONVERTED:
        raise ValidationError({"status": _("This lead has already been converted.")})
    if lead.status == Lead.Status.DISQUALIFIED:
        raise ValidationError({"status": _("A disqualified lead cannot be converted.")})
    owner = lead.owner if lead.owner and lead.owner.is_active else user
    if customer_id is not None:
        customer = access_customer(user, customer_id, edit=True)
    elif new_customer:
        customer = None
    else:
        customer = _matching_customer(user, lead)
    provenance = _("Converted from lead #%(id)d (source: %(source)s) on %(date)s.") % {
        "id": lead.pk,
        "source": lead.get_source_display() or "—",
        "date": timezone.localdate().isoformat(),
    }
    contact = {
        "name": lead.name,
        "title": lead.title,
        "phone": lead.phone,
        "email": lead.email,
        "is_primary": True,
    }
    if customer is None:
        data = {
            "name": lead.company or lead.name,
            "phone": lead.phone,
            "email": lead.email,
            "province": lead.province,
            "city": lead.city,
            "notes": "\n\n".join(filter(None, [lead.notes, provenance])),
        }
        if lead.company:
            data["kind"] = Kind.COMPANY
        if lead.source:
            data["source_channel"] = lead.source
        customer = create_customer(
            user, data, owner=owner, contacts=[contact] if lead.company else []
        )
    elif (
        lead.company
        and not customer.contacts.filter(
            Q(name=lead.name) | (Q(phone=lead.phone) if lead.phone else Q(pk__in=[]))
        ).exists()
    ):
        contact["is_primary"] = False
        add_contact(user, customer, contact)
    opp_data = {
        "name": lead.company or lead.name,
        "source": lead.source,
        "notes": "\n\n".join(filter(None, [lead.notes, provenance])),
    }
    opp_data.update(opportunity or {})
    opp_owner = owner
    if customer.owner_id != owner.pk and owner.pk != user.pk:
        try:
            _check_assignee(user, owner)
        except ValidationError:
            opp_owner = user
    opp = create_opportunity(user, customer.pk, opp_data, stage=stage, owner=opp_owner, lead=lead)
    lead.status = Lead.Status.CONVERTED
    lead.converted_at = timezone.now()
    lead.converted_by = user
    lead.converted_customer = customer
    lead.converted_opportunity = opp
    lead.version += 1
    lead.save()
    return customer, opp
