"""Price-list pages: the list (everyone signed in reads it, like the catalogue) and the create
and edit form with its items (admins and managers, as services._require_catalogue_manager)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guanxi.sales import queries, services
from guanxi.sales.forms import PriceListForm, apply_errors, parse_price_items, price_item_errors
from guanxi.sales.models import PriceList, Product, default_currency
from guanxi.sales.views_common import PAGE_SIZE, querystring_without
from guanxi.sales.views_documents import _can_manage_catalogue

PRODUCT_CHOICES = 1000


@login_required
def price_list_list(request):
    user = request.user
    state = request.GET.get("state", "")
    params = {
        "q": request.GET.get("q", "").strip()[:100],
        "state": state if state in ("active", "inactive") else "",
    }
    active = {"active": True, "inactive": False}.get(params["state"])
    qs = queries.price_lists_for(user, q=params["q"], active=active)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "sales/price_list_list.html",
        {
            "nav": "sales",
            "sales_nav": "products",
            "page": page,
            "params": params,
            "filtered": bool(params["q"] or params["state"]),
            "query": querystring_without(request, "page"),
            "can_manage": _can_manage_catalogue(user),
        },
    )


def _products(rows: list[dict]) -> list[Product]:
    """The products to choose from: the active catalogue, plus any product already chosen."""
    products = list(
        Product.objects.filter(active=True)
        .only("pk", "sku", "name", "unit", "list_price", "currency", "active")
        .order_by("sku")[:PRODUCT_CHOICES]
    )
    known = {str(p.pk) for p in products}
    chosen = [int(r["product"]) for r in rows if r.get("product", "").isdigit()]
    extra = [pk for pk in chosen if str(pk) not in known]
    if extra:
        products += list(Product.objects.filter(pk__in=extra).order_by("sku"))
    return products


def _price_list_form(request, price_list: PriceList | None = None):
    user = request.user
    if not _can_manage_catalogue(user):
        raise PermissionDenied(_("Only an admin or a manager can change the product catalogue."))
    if price_list is None:
        initial = {"currency": default_currency(), "active": True}
    else:
        initial = {f: getattr(price_list, f) for f in PriceListForm.SERVICE_FIELDS}
    form = PriceListForm(request.POST or None, initial=initial)
    if request.method == "POST":
        rows = parse_price_items(request.POST)
    elif price_list is not None:
        rows = [
            {"product": str(item.product_id), "price": str(item.price)}
            for item in queries.price_list_items(price_list)
        ]
    else:
        rows = []
    if request.method == "POST" and form.is_valid():
        items = [{"product": r["product"] or None, "price": r["price"]} for r in rows]
        try:
            if price_list is None:
                saved = services.create_price_list(user, form.service_data(), items)
            else:
                saved = services.update_price_list(user, price_list.pk, form.service_data(), items)
        except ValidationError as exc:
            rest = price_item_errors(exc, rows)
            if rest:
                apply_errors(form, ValidationError(rest))
            elif not form.errors:
                form.add_error(None, _("Please correct the lines marked below."))
        else:
            messages.success(request, _("Price list %(name)s saved.") % {"name": saved.name})
            return redirect("sales:price_lists")
    return render(
        request,
        "sales/price_list_form.html",
        {
            "nav": "sales",
            "sales_nav": "products",
            "form": form,
            "price_list": price_list,
            "rows": rows or [{"product": "", "price": ""}],
            "products": _products(rows),
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def price_list_create(request):
    return _price_list_form(request)


@login_required
@require_http_methods(["GET", "POST"])
def price_list_edit(request, pk):
    price_list = PriceList.objects.filter(pk=pk).first()
    if price_list is None:
        raise Http404
    return _price_list_form(request, price_list)
