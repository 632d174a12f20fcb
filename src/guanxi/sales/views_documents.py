"""Products, orders and quotes pages. Orders and quotes are created with dynamic lines whose
unit price is prefilled from price_for (the JSON ``price`` view)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.days import day_or_none
from guanxi.core.ids import int_or_none
from guanxi.core.pagination import peek_page
from guanxi.customers.services import access_customer
from guanxi.sales import queries, services
from guanxi.sales.forms import (
    DocumentForm,
    ProductForm,
    apply_errors,
    line_errors,
    lines_for_service,
    parse_lines,
)
from guanxi.sales.models import Order, Product, Quote
from guanxi.sales.views_common import (
    PAGE_SIZE,
    customer_choices,
    querystring_without,
    require_writer,
)

ORDER_BUTTONS = {
    Order.Status.CONFIRMED: ("btn-primary", "bi-check2-circle"),
    Order.Status.PAID: ("btn-success", "bi-cash-coin"),
    Order.Status.SHIPPED: ("btn-info", "bi-truck"),
    Order.Status.CANCELLED: ("btn-outline-danger", "bi-x-circle"),
    Order.Status.REFUNDED: ("btn-outline-warning", "bi-arrow-counterclockwise"),
}
QUOTE_BUTTONS = {
    Quote.Status.SENT: ("btn-primary", "bi-send"),
    Quote.Status.ACCEPTED: ("btn-success", "bi-hand-thumbs-up"),
    Quote.Status.REJECTED: ("btn-outline-danger", "bi-hand-thumbs-down"),
    Quote.Status.EXPIRED: ("btn-outline-secondary", "bi-hourglass-bottom"),
}


def _can_manage_catalogue(user) -> bool:
    return user.is_superuser or user.role in ("admin", "manager")


# ---------------------------------------------------------------- products


@login_required
def product_list(request):
    user = request.user
    params = {
        "q": request.GET.get("q", "").strip()[:100],
        "category": request.GET.get("category", "").strip()[:100],
        "inactive": request.GET.get("inactive") == "1",
    }
    qs = queries.products_for(
        user,
        q=params["q"],
        category=params["category"],
        active=None if params["inactive"] else True,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    categories = (
        Product.objects.exclude(category="").order_by("category").values_list("category", flat=True)
    ).distinct()
    return render(
        request,
        "sales/product_list.html",
        {
            "nav": "sales",
            "sales_nav": "products",
            "page": page,
            "params": params,
            "filtered": bool(params["q"] or params["category"] or params["inactive"]),
            "categories": list(categories[:200]),
            "query": querystring_without(request, "page"),
            "can_manage": _can_manage_catalogue(user),
        },
    )


def _product_form(request, product=None):
    user = request.user
    if not _can_manage_catalogue(user):
        raise PermissionDenied(_("Only an admin or a manager can change the product catalogue."))
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in ProductForm.Meta.fields}
        try:
            if product is None:
                saved = services.create_product(user, data)
            else:
                saved = services.update_product(user, product.pk, data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Product %(name)s saved.") % {"name": saved.name})
            return redirect("sales:products")
    return render(
        request,
        "sales/product_form.html",
        {"nav": "sales", "sales_nav": "products", "form": form, "product": product},
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_create(request):
    return _product_form(request)


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request, pk):
    product = Product.objects.filter(pk=pk).first()
    if product is None:
        raise Http404
    return _product_form(request, product)


@login_required
def price(request):
    """{"price": "128.00", "currency": "CNY", "price_list": name} for a product and customer,
    to prefill a line's unit price."""
    product = Product.objects.filter(pk=int_or_none(request.GET.get("product"))).first()
    if product is None:
        raise Http404
    customer = None
    if request.GET.get("customer"):
        customer = access_customer(request.user, request.GET["customer"])
    amount, price_list = services.resolve_price(
        product, customer, day_or_none(request.GET.get("on"))
    )
    return JsonResponse(
        {
            "price": str(amount),
            "currency": product.currency,
            "price_list": price_list.name if price_list else "",
        }
    )


def _product_choices():
    return list(
        Product.objects.filter(active=True).only("pk", "sku", "name", "unit", "list_price")[:500]
    )


# ---------------------------------------------------------------- orders


@login_required
def order_list(request):
    user = request.user
    params = {
        "customer": int_or_none(request.GET.get("customer")),
        "status": request.GET.get("status", "")
        if request.GET.get("status") in Order.Status.values
        else "",
        "start": day_or_none(request.GET.get("start")),
        "end": day_or_none(request.GET.get("end")),
    }
    customer = None
    if params["customer"]:
        customer = access_customer(user, params["customer"])
    qs = queries.orders_for(
        user,
        customer=params["customer"],
        start=params["start"],
        end=params["end"],
        statuses=[params["status"]] if params["status"] else None,
    )
    # The page's rows and one more, not a COUNT(*) of every order the user sees (the count of
    # a rep's orders was most of the page at 200,000 orders, and grows with the table).
    page = peek_page(qs, request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "sales/order_list.html",
        {
            "nav": "sales",
            "sales_nav": "orders",
            "page": page,
            "params": params,
            "customer": customer,
            "filtered": any(params.values()),
            "statuses": Order.Status.choices,
            "query": querystring_without(request, "page"),
            "can_write": user.can_write,
        },
    )


def _buttons(table: dict, status: str, styles: dict, labels) -> list[dict]:
    return [
        {"status": s, "label": labels(s).label, "style": styles[s][0], "icon": styles[s][1]}
        for s in labels.values
        if s in table.get(status, ())
    ]


@login_required
def order_detail(request, pk):
    user = request.user
    order = services.access_order(user, pk)
    can_edit = user.can_write and Order.objects.editable_by(user).filter(pk=order.pk).exists()
    return render(
        request,
        "sales/order_detail.html",
        {
            "nav": "sales",
            "sales_nav": "orders",
            "order": order,
            "lines": list(order.lines.select_related("product")),
            "can_edit": can_edit,
            "transitions": _buttons(
                services.ORDER_TRANSITIONS, order.status, ORDER_BUTTONS, Order.Status
            )
            if can_edit
            else [],
        },
    )


@login_required
@require_POST
def order_status(request, pk):
    user = request.user
    order = services.access_order(user, pk)
    require_writer(user)
    status = request.POST.get("status", "")
    try:
        order = services.set_order_status(
            user, order.pk, status, paid_date=request.POST.get("paid_date") or None
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Order %(number)s is now %(status)s.")
            % {"number": order.number, "status": order.get_status_display()},
        )
    return redirect("sales:order", pk=order.pk)


def _document_create(request, kind: str):
    """The create form of an order or a quote: header, dynamic lines, one service call."""
    user = request.user
    require_writer(user)
    selected = request.POST.get("customer") or request.GET.get("customer")
    initial = {
        "customer": int_or_none(selected),
        "opportunity": int_or_none(request.GET.get("opportunity")),
    }
    form = DocumentForm(
        request.POST or None,
        initial=initial,
        kind=kind,
        customers=customer_choices(user, selected),
    )
    rows = parse_lines(request.POST) if request.method == "POST" else []
    line_problem = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        header = {"notes": data.get("notes") or ""}
        if data.get("opportunity"):
            header["opportunity"] = data["opportunity"]
        try:
            if kind == "order":
                header.update(
                    {
                        "order_date": data.get("date"),
                        "due_date": data.get("due_date"),
                        "channel": data.get("channel") or "",
                        "store": data.get("store") or "",
                    }
                )
                header = {k: v for k, v in header.items() if v is not None}
                document = services.create_order(
                    user, data["customer"], lines_for_service(rows), **header
                )
            else:
                header.update(
                    {"quote_date": data.get("date"), "valid_until": data.get("valid_until")}
                )
                document = services.create_quote(
                    user, data["customer"], lines_for_service(rows), **header
                )
        except ValidationError as exc:
            rest = line_errors(exc, rows)
            if "lines" in rest:
                line_problem = rest.pop("lines")
            rename = {"order_date": "date", "quote_date": "date"}
            if rest:
                apply_errors(form, ValidationError({rename.get(k, k): v for k, v in rest.items()}))
            elif not form.errors:
                form.add_error(None, _("Please correct the lines marked below."))
        else:
            if kind == "order":
                messages.success(request, _("Order %(n)s created.") % {"n": document.number})
                return redirect("sales:order", pk=document.pk)
            messages.success(request, _("Quote %(n)s created.") % {"n": document.number})
            return redirect("sales:quote", pk=document.pk)
    if not rows:
        rows = [
            {
                "product": "",
                "quantity": "1",
                "unit_price": "",
                "discount_percent": "",
                "tax_rate": "",
            }
        ]
    return render(
        request,
        "sales/document_form.html",
        {
            "nav": "sales",
            "sales_nav": "orders" if kind == "order" else "quotes",
            "kind": kind,
            "form": form,
            "rows": rows,
            "line_problem": line_problem,
            "products": _product_choices(),
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def order_create(request):
    return _document_create(request, "order")


def _plain_number(value) -> str:
    """A Decimal as typed by a person: 2.000 → "2", 12.50 → "12.5"."""
    text = format(value.normalize(), "f") if value is not None else ""
    return "0" if text in ("-0", "") and value is not None else text


@login_required
@require_http_methods(["GET", "POST"])
def order_edit(request, pk):
    """Edit a draft order's header and lines (update_order, guarded by the version read with
    the form). Other orders are part of the purchase history: read-only, with the reason."""
    user = request.user
    order = services.access_order(user, pk)
    require_writer(user)
    order = services.access_order(user, pk, edit=True)
    context = {"nav": "sales", "sales_nav": "orders", "kind": "order", "order": order}
    if order.status != Order.Status.DRAFT:
        context["readonly"] = True
        return render(
            request,
            "sales/document_form.html",
            context,
            status=409 if request.method == "POST" else 200,
        )
    initial = {
        "date": order.order_date,
        "due_date": order.due_date,
        "channel": order.channel,
        "store": order.store,
        "notes": order.notes,
        "version": order.version,
    }
    form = DocumentForm(request.POST or None, initial=initial, kind="order", editing=True)
    if request.method == "POST":
        rows = parse_lines(request.POST)
    else:
        rows = [
            {
                "product": str(line.product_id),
                "quantity": _plain_number(line.quantity),
                "unit_price": _plain_number(line.unit_price),
                "discount_percent": _plain_number(line.discount_percent)
                if line.discount_percent
                else "",
                "tax_rate": _plain_number(line.tax_rate) if line.tax_rate else "",
            }
            for line in order.lines.all()
        ]
    line_problem = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        header = {
            "order_date": data.get("date"),
            "due_date": data.get("due_date"),
            "channel": data.get("channel") or "",
            "store": data.get("store") or "",
            "notes": data.get("notes") or "",
        }
        try:
            order = services.update_order(
                user,
                order.pk,
                header,
                lines=lines_for_service(rows),
                expected_version=data["version"],
            )
        except services.StaleVersion as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            rest = line_errors(exc, rows)
            if "lines" in rest:
                line_problem = rest.pop("lines")
            if rest:
                rename = {"order_date": "date"}
                apply_errors(form, ValidationError({rename.get(k, k): v for k, v in rest.items()}))
            elif not form.errors:
                form.add_error(None, _("Please correct the lines marked below."))
        else:
            messages.success(request, _("Order %(n)s saved.") % {"n": order.number})
            return redirect("sales:order", pk=order.pk)
    selected = {row["product"] for row in rows}
    products = _product_choices()
    known = {str(p.pk) for p in products}
    missing = [int(pk) for pk in selected - known if pk.isdigit()]
    if missing:  # an inactive product already on the order stays choosable
        products += list(Product.objects.filter(pk__in=missing))
    context.update(
        {
            "form": form,
            "rows": rows or [{"product": "", "quantity": "1"}],
            "line_problem": line_problem,
            "products": products,
        }
    )
    return render(
        request,
        "sales/document_form.html",
        context,
        status=422 if request.method == "POST" else 200,
    )


# ---------------------------------------------------------------- quotes


@login_required
def quote_list(request):
    user = request.user
    params = {
        "customer": int_or_none(request.GET.get("customer")),
        "status": request.GET.get("status", "")
        if request.GET.get("status") in Quote.Status.values
        else "",
    }
    customer = access_customer(user, params["customer"]) if params["customer"] else None
    qs = queries.quotes_for(user, customer=params["customer"], status=params["status"])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "sales/quote_list.html",
        {
            "nav": "sales",
            "sales_nav": "quotes",
            "page": page,
            "params": params,
            "customer": customer,
            "filtered": any(params.values()),
            "statuses": Quote.Status.choices,
            "query": querystring_without(request, "page"),
            "can_write": user.can_write,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def quote_create(request):
    return _document_create(request, "quote")


def _quote_context(request, quote) -> dict:
    user = request.user
    can_edit = user.can_write and Quote.objects.editable_by(user).filter(pk=quote.pk).exists()
    converted = Order.objects.filter(quote=quote).only("pk", "number").first()
    return {
        "nav": "sales",
        "sales_nav": "quotes",
        "quote": quote,
        "lines": list(quote.lines.select_related("product")),
        "can_edit": can_edit,
        "order": converted,
        "transitions": _buttons(
            services.QUOTE_TRANSITIONS, quote.status, QUOTE_BUTTONS, Quote.Status
        )
        if can_edit
        else [],
        "can_convert": can_edit
        and converted is None
        and quote.status in (Quote.Status.SENT, Quote.Status.ACCEPTED),
    }


@login_required
def quote_detail(request, pk):
    quote = services.access_quote(request.user, pk)
    return render(request, "sales/quote_detail.html", _quote_context(request, quote))


@login_required
def quote_print(request, pk):
    """The quote as a document to print or save as PDF (its own print stylesheet)."""
    quote = services.access_quote(request.user, pk)
    context = _quote_context(request, quote)
    return render(request, "sales/quote_print.html", context)


@login_required
@require_POST
def quote_status(request, pk):
    user = request.user
    quote = services.access_quote(user, pk)
    require_writer(user)
    try:
        quote = services.set_quote_status(user, quote.pk, request.POST.get("status", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Quote %(number)s is now %(status)s.")
            % {"number": quote.number, "status": quote.get_status_display()},
        )
    return redirect("sales:quote", pk=quote.pk)


@login_required
@require_POST
def quote_convert(request, pk):
    user = request.user
    quote = services.access_quote(user, pk)
    require_writer(user)
    try:
        order = services.convert_quote(user, quote.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("sales:quote", pk=quote.pk)
    messages.success(
        request,
        _("Quote %(quote)s became order %(order)s.")
        % {"quote": quote.number, "order": order.number},
    )
    return redirect("sales:order", pk=order.pk)
