"""Analytics results: one metrics row per customer, lifecycle snapshots, association rules
and a record of every refresh with the fitted model parameters."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CustomerMetrics(models.Model):
    """Everything the engine knows about one customer, rewritten by each refresh."""

    # Derived data, rewritten whole by each refresh: no database-level foreign key, so a bulk
    # COPY of a million rows queues no per-row integrity check (the ORM still cascades).
    customer = models.OneToOneField(
        "customers.Customer",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="metrics",
        db_constraint=False,
    )
    computed_at = models.DateTimeField()
    as_of = models.DateField()
    # Purchase history (historical value).
    first_purchase = models.DateField(null=True)
    last_purchase = models.DateField(null=True)
    order_count = models.IntegerField(default=0)
    revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    frequency = models.IntegerField(default=0)
    recency = models.FloatField(default=0)
    T = models.FloatField(default=0)  # noqa: N815 - the BG/NBD literature's name
    monetary_value = models.FloatField(default=0)
    # Value grading.
    abc_class = models.CharField(max_length=1, blank=True)
    tier = models.CharField(max_length=10, blank=True, db_index=True)
    revenue_share = models.FloatField(default=0)
    rfm_r = models.SmallIntegerField(null=True)
    rfm_f = models.SmallIntegerField(null=True)
    rfm_m = models.SmallIntegerField(null=True)
    rfm_segment = models.CharField(max_length=24, blank=True, db_index=True)
    # Lifetime value (potential value).
    p_alive = models.FloatField(null=True)
    expected_purchases = models.FloatField(null=True)  # over the configured horizon
    expected_spend = models.FloatField(null=True)
    predicted_clv = models.FloatField(null=True)
    # Relationship.
    stage = models.CharField(max_length=16, blank=True, db_index=True)
    loyalty = models.CharField(max_length=10, blank=True)
    churn_score = models.FloatField(null=True)
    churn_band = models.CharField(max_length=8, blank=True, db_index=True)
    credit_grade = models.CharField(max_length=1, blank=True)
    credit_score = models.FloatField(null=True)
    overdue_amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    attractiveness = models.FloatField(null=True)
    selection_quadrant = models.CharField(max_length=12, blank=True)

    class Meta:
        verbose_name = _("customer metrics")
        verbose_name_plural = _("customer metrics")
        indexes = [models.Index(fields=["-revenue"], name="metrics_revenue")]

    def __str__(self) -> str:
        return f"metrics of customer {self.customer_id} as of {self.as_of}"


class LifecycleSnapshot(models.Model):
    """Each customer's lifecycle stage on a date, to count the flows between two dates."""

    as_of = models.DateField(db_index=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    stage = models.CharField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["as_of", "customer"], name="snapshot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.stage} on {self.as_of}"


class AssociationRule(models.Model):
    """A cross-sell rule mined from order baskets: who buys the antecedents also buys these."""

    antecedents = models.JSONField()  # product ids
    consequents = models.JSONField()
    support = models.FloatField()
    confidence = models.FloatField()
    lift = models.FloatField()
    leverage = models.FloatField()
    conviction = models.FloatField(null=True)  # null stands for infinity (confidence 1)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-lift", "-confidence"]

    def __str__(self) -> str:
        return f"{self.antecedents} → {self.consequents} (lift {self.lift:.2f})"


class RefreshRun(models.Model):
    """One run of the analytics refresh: when, how long, on how much, with which parameters."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True)
    as_of = models.DateField()
    customers = models.IntegerField(default=0)
    orders = models.IntegerField(default=0)
    seconds = models.FloatField(null=True)
    params = models.JSONField(default=dict)  # BG/NBD and Gamma-Gamma parameters, timings
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"refresh as of {self.as_of} at {self.started_at:%Y-%m-%d %H:%M}"
