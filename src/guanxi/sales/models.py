"""Sales: products and price lists, quotes and orders, pipelines, opportunities and leads."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Role
from guanxi.core.fields import BoundedTextField, trim_required
from guanxi.core.models import TimeStamped, Versioned
from guanxi.customers.models import SourceChannel


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


MONEY = {"max_digits": 14, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2}


def _sees_everything(user) -> bool:
    return user.is_superuser or user.role in (Role.ADMIN, Role.ANALYST)


def _active(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.is_active


class CustomerScopedQuerySet(models.QuerySet):
    """Records that belong to a customer are visible exactly when their customer is."""

    def visible_to(self, user):
        from guanxi.customers.queries import seen_customer_of

        if not _active(user):
            return self.none()
        return self.filter(seen_customer_of(user))

    def editable_by(self, user):
        from guanxi.customers.queries import seen_customer_of

        if not _active(user):
            return self.none()
        return self.filter(seen_customer_of(user, editable=True))


# ---------------------------------------------------------------------------------------------
# Products and prices


class Product(TimeStamped):
    """Something the company sells, with its list price (the price when no price list applies)."""

    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=100, blank=True, db_index=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True, default="")
    list_price = models.DecimalField(_("list price"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(
                condition=Q(list_price__gte=0), name="product_price_not_negative"
            )
        ]
        indexes = [models.Index(fields=["active", "name"], name="product_active_name")]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    def clean(self):
        errors = {}
        trim_required(self, "sku", errors)
        trim_required(self, "name", errors)
        if self.list_price is not None and self.list_price < 0:
            errors["list_price"] = _g("The price cannot be negative.")
        if errors:
            raise ValidationError(errors)


class PriceList(TimeStamped):
    """Prices for a customer tier and/or region, valid between two dates.

    ``tier`` matches a customer carrying a tag of that name (e.g. "VIP"), the customer record
    having no tier field of its own; ``province`` and ``city`` match the customer's address.
    Empty criteria match everyone. The most specific valid list wins (see services.price_for).
    """

    name = models.CharField(_("name"), max_length=100)
    tier = models.CharField(_("customer tier"), max_length=50, blank=True)
    province = models.CharField(_("province"), max_length=30, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _g("The end date is before the start date.")})


class PriceListItem(models.Model):
    """The price of one product in one price list."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="price_list_items")
    price = models.DecimalField(_("price"), **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product"], name="price_list_item_unique"
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="price_item_not_negative"),
        ]
        indexes = [models.Index(fields=["product", "price_list"], name="price_item_product")]

    def __str__(self) -> str:
        return f"{self.price_list_id}:{self.product_id} = {self.price}"


# ---------------------------------------------------------------------------------------------
# Quotes and orders


class LineBase(models.Model):
    """A product line with its computed amounts (see pricing.line_amounts)."""

    position = models.PositiveSmallIntegerField(default=0)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    discount_percent = models.DecimalField(_("discount %"), default=0, **PERCENT)
    tax_rate = models.DecimalField(_("tax rate %"), default=0, **PERCENT)
    subtotal = models.DecimalField(_("subtotal"), default=0, **MONEY)
    discount = models.DecimalField(_("discount"), default=0, **MONEY)
    tax = models.DecimalField(_("tax"), default=0, **MONEY)
    total = models.DecimalField(_("total"), default=0, **MONEY)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"


def _line_constraints(prefix: str) -> list:
    return [
        models.CheckConstraint(condition=Q(quantity__gt=0), name=f"{prefix}_quantity_positive"),
        models.CheckConstraint(condition=Q(unit_price__gte=0), name=f"{prefix}_price_not_negative"),
        models.CheckConstraint(
            condition=Q(discount_percent__gte=0, discount_percent__lte=100),
            name=f"{prefix}_discount_percent",
        ),
        models.CheckConstraint(
            condition=Q(tax_rate__gte=0, tax_rate__lte=100), name=f"{prefix}_tax_rate"
        ),
    ]


class TotalsBase(models.Model):
    """Stored document totals, always written by the service from the lines."""

    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    subtotal = models.DecimalField(_("subtotal"), default=0, **MONEY)
    discount_total = models.DecimalField(_("discount"), default=0, **MONEY)
    tax_total = models.DecimalField(_("tax"), default=0, **MONEY)
    total = models.DecimalField(_("total"), default=0, **MONEY)

    class Meta:
        abstract = True


class SalesDocument(TimeStamped, Versioned, TotalsBase):
    """What a quote and an order share: the customer, the rep, the deal it came from, a unique
    number, notes and who created it. Related names follow the class: ``customer.quotes``,
    ``customer.orders``."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="%(class)ss",
        verbose_name=_("customer"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="%(class)ss",
        verbose_name=_("sales rep"),
    )
    opportunity = models.ForeignKey(
        "sales.Opportunity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="%(class)ss",
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    notes = BoundedTextField(_("notes"), blank=True, max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CustomerScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class Quote(SalesDocument):
    """A priced offer to a customer (报价单); an accepted quote converts into an order."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    quote_date = models.DateField(_("quote date"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        indexes = [models.Index(fields=["customer", "quote_date"], name="quote_customer_date")]

    def __str__(self) -> str:
        return self.number


class QuoteLine(LineBase):
    """One line of a quote."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")

    class Meta(LineBase.Meta):
        constraints = _line_constraints("quote_line")


class Order(SalesDocument):
    """A customer order (客户订单). Confirmed, paid and shipped orders are the purchase history
    the analytics read; due and paid dates feed the credit analysis."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONFIRMED = "confirmed", _("Confirmed")
        PAID = "paid", _("Paid")
        SHIPPED = "shipped", _("Shipped")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    class Channel(models.TextChoices):
        UNKNOWN = "", _("Unknown")
        STORE = "store", _("Store")
        ONLINE = "online", _("Online shop")
        PHONE = "phone", _("Phone")
        WECHAT = "wechat", _("WeChat")
        SALES_REP = "sales_rep", _("Sales rep")
        DISTRIBUTOR = "distributor", _("Distributor")
        OTHER = "other", _("Other")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    order_date = models.DateField(_("order date"), default=timezone.localdate)
    due_date = models.DateField(_("payment due"), null=True, blank=True)
    paid_date = models.DateField(_("paid on"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, blank=True)
    store = models.CharField(_("store"), max_length=100, blank=True)
    quote = models.OneToOneField(
        Quote, null=True, blank=True, on_delete=models.SET_NULL, related_name="order"
    )

    class Meta:
        ordering = ["-order_date", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["customer", "order_date"], name="order_customer_date"),
            # Covers the analytics scan of the purchase history (status and date filter the
            # rows; the other columns are all it reads), a fraction of the table's width.
            models.Index(
                fields=["status", "order_date", "customer", "total", "due_date", "paid_date"],
                name="order_purchase_facts",
            ),
            models.Index(fields=["owner", "order_date"], name="order_owner_date"),
            models.Index(fields=["order_date", "id"], name="order_date_id"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative")
        ]

    def __str__(self) -> str:
        return self.number


# Orders in these states are purchases: the history that analytics and customer value read.
PURCHASE_STATUSES = (Order.Status.CONFIRMED, Order.Status.PAID, Order.Status.SHIPPED)


class OrderLine(LineBase):
    """One line of an order."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")

    class Meta(LineBase.Meta):
        constraints = _line_constraints("order_line")
        indexes = [models.Index(fields=["product", "order"], name="order_line_product")]


# ---------------------------------------------------------------------------------------------
# Pipelines, stages, opportunities


class Pipeline(models.Model):
    """A sales process: an ordered set of stages."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    is_default = models.BooleanField(_("default"), default=False)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """One step of a pipeline with its win probability; kind tells open, won or lost apart."""

    class Kind(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(_("position"))
    probability = models.PositiveSmallIntegerField(_("probability %"))
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices, default=Kind.OPEN)

    class Meta:
        ordering = ["pipeline_id", "position", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_unique_name"),
            models.CheckConstraint(condition=Q(probability__lte=100), name="stage_probability"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language (rows are data, so gettext cannot translate them)."""
        if self.name_en and (translation.get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Opportunity(TimeStamped, Versioned):
    """A deal in progress (商机): amount, expected close, stage, and how it ended."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("customer"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=200)
    amount = models.DecimalField(_("amount"), default=0, **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    expected_close_date = models.DateField(_("expected close"), null=True, blank=True)
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="opportunities")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="opportunities")
    stage_entered_at = models.DateTimeField(default=timezone.now)
    probability = models.PositiveSmallIntegerField(
        _("probability %"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the stage's probability."),
    )
    is_commit = models.BooleanField(
        _("commit"), default=False, help_text=_("The rep commits to closing it this period.")
    )
    competitor = models.CharField(_("competitor"), max_length=100, blank=True)
    next_step = models.CharField(_("next step"), max_length=255, blank=True)
    lost_reason = models.CharField(_("lost reason"), max_length=255, blank=True)
    won_at = models.DateTimeField(_("won at"), null=True, blank=True)
    lost_at = models.DateTimeField(_("lost at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=SourceChannel.choices, blank=True)
    lead = models.ForeignKey(
        "sales.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = BoundedTextField(_("notes"), blank=True, max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CustomerScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [
            models.Index(fields=["pipeline", "stage", "-id"], name="opp_pipeline_stage"),
            models.Index(fields=["owner", "expected_close_date"], name="opp_owner_close"),
            models.Index(fields=["customer", "-id"], name="opp_customer"),
            models.Index(fields=["expected_close_date"], name="opp_close"),
            models.Index(fields=["won_at"], name="opp_won_at"),
            models.Index(fields=["created_at"], name="opp_created"),
            # The funnel's cohort (a pipeline's deals created in a period) and the board's
            # columns by amount (read from the top, LIMIT 50) cover what their aggregates read,
            # customer included for the access check; the forecast's recently lost deals.
            models.Index(
                fields=["pipeline", "created_at", "stage", "amount", "customer"],
                name="opp_pipeline_created",
            ),
            models.Index(fields=["lost_at"], name="opp_lost_at"),
            models.Index(
                fields=["pipeline", "stage", "amount", "id", "customer"], name="opp_board_amount"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="opp_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(probability__isnull=True) | Q(probability__lte=100),
                name="opp_probability",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_probability(self) -> int:
        return self.probability if self.probability is not None else self.stage.probability

    def clean(self):
        errors = {}
        trim_required(self, "name", errors)
        if self.amount is not None and self.amount < 0:
            errors["amount"] = _g("The amount cannot be negative.")
        if self.probability is not None and not 0 <= self.probability <= 100:
            errors["probability"] = _g("Enter a probability between 0 and 100.")
        if self.stage_id and self.pipeline_id and self.stage.pipeline_id != self.pipeline_id:
            errors["stage"] = _g("This stage belongs to another pipeline.")
        if errors:
            raise ValidationError(errors)


class StageChangeQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The stage-change log is append-only.")

    def delete(self):
        raise TypeError("The stage-change log is append-only.")


class StageChange(models.Model):
    """One move of an opportunity between stages (append-only).

    ``seconds_in_from_stage`` is how long the opportunity sat in ``from_stage`` before this
    move, so the average days in a stage is one SQL aggregate. The first row of every
    opportunity has no ``from_stage``: it records where it started.
    """

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        Stage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    seconds_in_from_stage = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(max_length=255, blank=True)  # the lost reason, on a move to lost

    objects = StageChangeQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["opportunity", "at"], name="stage_change_opp"),
            models.Index(fields=["to_stage", "opportunity"], name="stage_change_to"),
            models.Index(fields=["from_stage"], name="stage_change_from"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} → {self.to_stage_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The stage-change log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The stage-change log is append-only.")


# ---------------------------------------------------------------------------------------------
# Leads


class LeadQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A rep sees own leads; a manager also the team's and the unassigned; admin and
        analyst all."""
        from guanxi.accounts.queries import team_member_ids

        if not _active(user):
            return self.none()
        if _sees_everything(user):
            return self.all()
        if user.role == Role.MANAGER and user.team_id:
            return self.filter(
                Q(owner_id=user.pk) | Q(owner_id__in=team_member_ids(user)) | Q(owner__isnull=True)
            )
        return self.filter(owner_id=user.pk)

    def editable_by(self, user):
        if not _active(user) or (user.role == Role.ANALYST and not user.is_superuser):
            return self.none()
        return self.visible_to(user)


class Lead(TimeStamped, Versioned):
    """A prospect not yet qualified (线索); convert_lead() turns it into a customer and an
    opportunity, and the lead stays, linked to both."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        QUALIFIED = "qualified", _("Qualified")
        DISQUALIFIED = "disqualified", _("Disqualified")
        CONVERTED = "converted", _("Converted")

    name = models.CharField(_("name"), max_length=120)
    company = models.CharField(_("company"), max_length=120, blank=True)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    source = models.CharField(_("source"), max_length=16, choices=SourceChannel.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    disqualified_reason = models.CharField(_("disqualified because"), max_length=255, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        verbose_name=_("owner"),
    )
    province = models.CharField(_("province"), max_length=30, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    notes = BoundedTextField(_("notes"), blank=True, max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    converted_at = models.DateTimeField(null=True, blank=True)
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    converted_customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads"
    )
    converted_opportunity = models.ForeignKey(
        Opportunity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Captured although it looked like someone already known (web form, "create anyway"): the
    # first match, shown on the lead page as "possible duplicate of …".
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    duplicate_customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    web_form = models.ForeignKey(
        "sales.LeadForm",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        verbose_name=_("web form"),
    )

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["owner", "status", "-id"], name="lead_owner_status"),
            models.Index(fields=["status", "-id"], name="lead_status"),
            models.Index(fields=["name", "company"], name="lead_name_company"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.company})" if self.company else self.name

    def clean_fields(self, exclude=None):
        # Trim and lower-case the e-mail before the field's own validator checks it (once).
        self.email = (self.email or "").strip().lower()
        super().clean_fields(exclude=exclude)

    def clean(self):
        from guanxi.core.phones import normalize_phone

        errors: dict[str, list] = {}
        trim_required(self, "name", errors)
        self.company = (self.company or "").strip()
        try:
            self.phone = normalize_phone(self.phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
        if self.status == self.Status.DISQUALIFIED and not self.disqualified_reason.strip():
            errors["disqualified_reason"] = [_g("Say why the lead is disqualified.")]
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------
# Lead assignment rules and web-to-lead forms


class AssignmentRule(TimeStamped):
    """How a team's new leads find their owner when nobody was named (assign_lead).

    Round robin hands leads to the members in turn; the cursor (``last_assigned``) lives in this
    row and is moved under a row lock, so two leads arriving together never get the same turn.
    By region matches the lead's province and city against ``routes`` (city before province),
    falling back to round robin among the members.
    """

    class Mode(models.TextChoices):
        ROUND_ROBIN = "round_robin", _("Round robin")
        REGION = "region", _("By region")

    team = models.OneToOneField(
        "accounts.Team",
        on_delete=models.CASCADE,
        related_name="lead_assignment_rule",
        verbose_name=_("team"),
    )
    mode = models.CharField(
        _("mode"), max_length=12, choices=Mode.choices, default=Mode.ROUND_ROBIN
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("members taking part")
    )
    active = models.BooleanField(_("active"), default=True)
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_count = models.PositiveIntegerField(_("leads assigned"), default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["team__name", "id"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")

    def __str__(self) -> str:
        return f"{self.team} · {self.get_mode_display()}"


class RegionRoute(models.Model):
    """In a by-region rule: leads from this province (and city, when given) go to ``member``."""

    rule = models.ForeignKey(AssignmentRule, on_delete=models.CASCADE, related_name="routes")
    province = models.CharField(_("province"), max_length=30)
    city = models.CharField(_("city"), max_length=30, blank=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("member"),
    )

    class Meta:
        ordering = ["province", "city", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "province", "city"], name="region_route_unique")
        ]

    def __str__(self) -> str:
        return f"{self.province} {self.city} → {self.member_id}"


def new_form_token() -> str:
    import secrets

    return secrets.token_urlsafe(24)


class LeadForm(TimeStamped):
    """A public web-to-lead form: anyone holding the URL with its token may post a lead, which
    the team's assignment rule then hands out. Rotating the token retires old embeds."""

    name = models.CharField(_("name"), max_length=100)
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, related_name="+", verbose_name=_("team")
    )
    token = models.CharField(max_length=64, unique=True, default=new_form_token, editable=False)
    source = models.CharField(
        _("source"),
        max_length=16,
        choices=SourceChannel.choices,
        blank=True,
        default=SourceChannel.WEBSITE,
    )
    active = models.BooleanField(_("active"), default=True)
    thank_you = models.CharField(_("thank-you message"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")

    def __str__(self) -> str:
        return self.name
