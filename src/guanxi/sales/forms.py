"""Forms for the sales pages. They only parse what the browser sent: the services validate,
and their ValidationError is put back on the fields with ``apply_errors``."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import SourceChannel
from guanxi.sales.models import Lead, Order, Product

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
MAX_LINES = 100


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service ValidationError on the matching fields; other keys become form errors."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, messages in exc.message_dict.items():
        target = key if key in form.fields else None
        for message in messages:
            form.add_error(target, message)


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class OpportunityForm(StyledForm):
    """Create and edit an opportunity; customer, pipeline and stage only when creating."""

    customer = forms.IntegerField(label=_("Customer"), widget=forms.Select)
    name = forms.CharField(label=_("Name"), max_length=200)
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, initial=0)
    expected_close_date = forms.DateField(label=_("Expected close"), required=False, widget=DATE)
    pipeline = forms.TypedChoiceField(label=_("Pipeline"), coerce=int, choices=())
    stage = forms.TypedChoiceField(label=_("Stage"), coerce=int, choices=(), required=False)
    probability = forms.IntegerField(
        label=_("Probability %"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("Leave empty to use the stage's probability."),
    )
    is_commit = forms.BooleanField(
        label=_("Commit: I expect to close it this period"), required=False
    )
    competitor = forms.CharField(label=_("Competitor"), max_length=100, required=False)
    next_step = forms.CharField(label=_("Next step"), max_length=255, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=SourceChannel.choices, required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, choices=())
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    SERVICE_FIELDS = (
        "name",
        "amount",
        "expected_close_date",
        "probability",
        "is_commit",
        "competitor",
        "next_step",
        "source",
        "notes",
    )

    def __init__(self, *args, pipelines=(), owners=None, customers=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].widget.choices = [("", _("Choose a customer…")), *customers]
        if editing:
            for name in ("customer", "pipeline", "stage"):
                del self.fields[name]
        else:
            self.fields["pipeline"].choices = [(p.pk, p.name) for p in pipelines]
            self.fields["stage"].choices = [("", _("First stage"))] + [
                (s.pk, f"{p.name} · {s.label}")
                for p in pipelines
                for s in p.stages.all()
                if s.kind != "lost"
            ]
        if owners is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = [("", _("Me"))] + [(u.pk, str(u)) for u in owners]

    def service_data(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in self.SERVICE_FIELDS if k in self.cleaned_data}


class LeadForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    company = forms.CharField(label=_("Company"), max_length=120, required=False)
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=SourceChannel.choices, required=False)
    province = forms.CharField(label=_("Province"), max_length=30, required=False)
    city = forms.CharField(label=_("City"), max_length=30, required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, choices=())
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    allow_duplicate = forms.BooleanField(required=False, widget=forms.HiddenInput)

    SERVICE_FIELDS = ("name", "company", "title", "phone", "email", "source", "province", "city")

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = [("", _("Me"))] + [(u.pk, str(u)) for u in owners]

    def service_data(self) -> dict:
        data = {k: self.cleaned_data.get(k) or "" for k in self.SERVICE_FIELDS}
        data["notes"] = self.cleaned_data.get("notes") or ""
        return data


class LeadStatusForm(StyledForm):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(v, label) for v, label in Lead.Status.choices if v != Lead.Status.CONVERTED],
    )
    reason = forms.CharField(label=_("Reason (to disqualify)"), max_length=255, required=False)


class LeadConvertForm(StyledForm):
    CHOICES = (
        ("match", _("The matching existing customer, else a new one")),
        ("new", _("A new customer")),
        ("existing", _("This existing customer")),
    )
    target = forms.ChoiceField(
        label=_("Convert into"), choices=CHOICES, initial="match", widget=forms.RadioSelect
    )
    customer = forms.IntegerField(label=_("Existing customer"), required=False, widget=forms.Select)
    name = forms.CharField(label=_("Opportunity name"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=14, decimal_places=2, required=False, min_value=0
    )
    expected_close_date = forms.DateField(label=_("Expected close"), required=False, widget=DATE)

    def __init__(self, *args, customers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].widget.attrs["class"] = "form-check-input"
        self.fields["customer"].widget.choices = [("", _("Choose a customer…")), *customers]

    def clean(self):
        data = super().clean()
        if data.get("target") == "existing" and not data.get("customer"):
            self.add_error("customer", _("Choose the customer."))
        return data

    def opportunity_data(self) -> dict:
        data = {}
        for key in ("name", "amount", "expected_close_date"):
            if self.cleaned_data.get(key) not in (None, ""):
                data[key] = self.cleaned_data[key]
        return data


class ProductForm(forms.ModelForm):
    """Parses the product; the service validates (Product.clean through full_clean)."""

    class Meta:
        model = Product
        fields = ("sku", "name", "category", "unit", "list_price", "currency", "active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def _post_clean(self):
        pass


class DocumentForm(StyledForm):
    """The header of a new order or quote (lines are parsed by parse_lines)."""

    customer = forms.IntegerField(label=_("Customer"), widget=forms.Select)
    date = forms.DateField(label=_("Date"), required=False, widget=DATE)
    due_date = forms.DateField(label=_("Payment due"), required=False, widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)
    channel = forms.ChoiceField(label=_("Channel"), choices=Order.Channel.choices, required=False)
    store = forms.CharField(label=_("Store"), max_length=100, required=False)
    opportunity = forms.IntegerField(required=False, widget=forms.HiddenInput)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, kind: str = "order", customers=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].widget.choices = [("", _("Choose a customer…")), *customers]
        if editing:
            # The customer of an existing order is fixed; the version read guards the save.
            del self.fields["customer"]
            self.fields["version"].required = True
        else:
            del self.fields["version"]
        if kind == "order":
            self.fields["date"].label = _("Order date")
            del self.fields["valid_until"]
        else:
            self.fields["date"].label = _("Quote date")
            for name in ("due_date", "channel", "store"):
                del self.fields[name]


LINE_KEYS = ("product", "quantity", "unit_price", "discount_percent", "tax_rate")


def parse_lines(post) -> list[dict]:
    """Rows lines-<i>-<field> from the POST, in order, skipping rows left entirely empty.

    Each row keeps what was typed (for redisplay); ``product`` becomes an int when it is one,
    so the service reports an unknown product on the line."""
    indexes = set()
    for key in post:
        if key.startswith("lines-") and key.count("-") == 2:
            index = key.split("-")[1]
            if index.isdigit():
                indexes.add(int(index))
    rows = []
    for i in sorted(indexes)[:MAX_LINES]:
        row = {k: (post.get(f"lines-{i}-{k}") or "").strip() for k in LINE_KEYS}
        if not any(row.values()):
            continue
        rows.append(row)
    return rows


def lines_for_service(rows: list[dict]) -> list[dict]:
    lines = []
    for row in rows:
        line = {k: v for k, v in row.items() if k != "product" and v != ""}
        product = row["product"]
        line["product"] = int(product) if product.isdigit() else None
        line.setdefault("quantity", "")
        lines.append(line)
    return lines


def line_errors(exc: ValidationError, rows: list[dict]) -> dict:
    """Split a service error into per-line messages (set on the rows) and the rest."""
    rest: dict[str, list] = {}
    for key, messages in exc.message_dict.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit():
            i = int(parts[1])
            if i < len(rows):
                rows[i].setdefault("errors", {}).setdefault(parts[2], []).extend(messages)
                continue
        rest.setdefault(key, []).extend(messages)
    return rest


class PriceListForm(StyledForm):
    """The header of a price list (its items are parsed by parse_price_items)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    tier = forms.CharField(
        label=_("Customer tier"),
        max_length=50,
        required=False,
        help_text=_("A tag the customer carries, e.g. VIP; empty for every customer."),
    )
    province = forms.CharField(label=_("Province"), max_length=30, required=False)
    city = forms.CharField(label=_("City"), max_length=30, required=False)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_to = forms.DateField(
        label=_("Valid to"), required=False, widget=DATE, help_text=_("Empty: no end date.")
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    SERVICE_FIELDS = (
        "name",
        "tier",
        "province",
        "city",
        "valid_from",
        "valid_to",
        "currency",
        "active",
    )

    def service_data(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in self.SERVICE_FIELDS}


MAX_PRICE_ITEMS = 500


def parse_price_items(post) -> list[dict]:
    """Rows items-<i>-product / items-<i>-price from the POST, in order, skipping empty rows;
    what was typed is kept for redisplay."""
    indexes = set()
    for key in post:
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "items" and parts[1].isdigit():
            indexes.add(int(parts[1]))
    rows = []
    for i in sorted(indexes)[:MAX_PRICE_ITEMS]:
        row = {k: (post.get(f"items-{i}-{k}") or "").strip() for k in ("product", "price")}
        if any(row.values()):
            rows.append(row)
    return rows


def price_item_errors(exc: ValidationError, rows: list[dict]) -> dict:
    """Put items.<i>.<field> errors on the rows; the rest is returned for the form."""
    rest: dict[str, list] = {}
    for key, messages in exc.message_dict.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "items" and parts[1].isdigit():
            i = int(parts[1])
            if i < len(rows):
                rows[i].setdefault("errors", {}).setdefault(parts[2], []).extend(messages)
                continue
        rest.setdefault(key, []).extend(messages)
    return rest
