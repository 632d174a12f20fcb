"""Analytics pages: the overview tables and the value panel on the customer card."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from guanxi.analytics import queries
from guanxi.analytics.models import CustomerMetrics
from guanxi.analytics.tasks import refresh_now
from guanxi.customers.services import access_customer

SEGMENT_FIELDS = {
    "tier": _lazy("Value tier"),
    "abc_class": _lazy("ABC class"),
    "rfm_segment": _lazy("RFM segment"),
    "stage": _lazy("Lifecycle stage"),
    "loyalty": _lazy("Loyalty"),
    "churn_band": _lazy("Churn risk"),
    "credit_grade": _lazy("Credit grade"),
    "selection_quadrant": _lazy("Customer selection"),
}


@login_required
def overview(request):
    """Segments, the Pareto summary, the win-back list and the strongest cross-sell rules."""
    by = request.GET.get("by", "tier")
    if by not in SEGMENT_FIELDS:
        by = "tier"
    pareto = queries.pareto(request.user, points=10)
    context = {
        "nav": "analytics",
        "run": queries.last_run(),
        "by": by,
        "by_label": SEGMENT_FIELDS[by],
        "segment_fields": SEGMENT_FIELDS,
        "segments": queries.segments(request.user, by),
        "pareto": pareto,
        "win_back": queries.at_risk_key_customers(request.user, limit=20),
        "rules": queries.rules(limit=15),
    }
    context["rule_names"] = queries.product_names(context["rules"])
    return render(request, "analytics/overview.html", context)


@login_required
@require_POST
def refresh(request):
    """Queue a refresh now (admins); the nightly job does it anyway."""
    if not request.user.is_admin:
        raise PermissionDenied(_("Only an admin can start a refresh."))
    refresh_now()
    messages.success(
        request, _("The analytics refresh has been queued; results appear in a few moments.")
    )
    return redirect("analytics:overview")


@login_required
def customer_panel(request, customer_id: int):
    """The "Value" panel of a customer card (an HTMX partial)."""
    customer = access_customer(request.user, customer_id)
    metrics = CustomerMetrics.objects.filter(customer=customer).first()
    return render(
        request,
        "analytics/partials/customer_panel.html",
        {
            "customer": customer,
            "m": metrics,
            "cross_sell": queries.cross_sell(customer),
        },
    )
