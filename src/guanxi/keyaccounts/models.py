"""Key-account plans (大客户计划) for company customers: goals, the relationship map of the
customer's contacts, and a review cadence kept as a recurring task in interactions.

A plan is visible exactly when its customer is; it lives above interactions (it creates the
review task through interactions' services) and beside sales.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from guanxi.core.fields import BoundedTextField
from guanxi.core.models import TimeStamped, Versioned

MAX_REVIEW_DAYS = 365


class AccountPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A plan is visible exactly when its customer is."""
        from guanxi.customers.queries import seen_customer_of

        return self.filter(seen_customer_of(user))


class AccountPlan(TimeStamped, Versioned):
    """The plan for one company customer: the strategy, how often it is reviewed, and the
    review task (its first occurrence; later ones follow ``next_occurrence``)."""

    customer = models.OneToOneField(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="account_plan",
        verbose_name=_("customer"),
    )
    strategy = BoundedTextField(_("strategy"), max_length=5000, blank=True)
    review_every_days = models.PositiveSmallIntegerField(
        _("review every (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REVIEW_DAYS)],
    )
    review_task = models.ForeignKey(
        "interactions.Task",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("review task"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AccountPlanQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(review_every_days__isnull=True)
                | Q(review_every_days__gte=1, review_every_days__lte=MAX_REVIEW_DAYS),
                name="account_plan_review_days_range",
            ),
        ]
        verbose_name = _("key-account plan")
        verbose_name_plural = _("key-account plans")

    def __str__(self) -> str:
        return str(_("Plan for %(name)s") % {"name": self.customer.name})


class GoalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACHIEVED = "achieved", _("Achieved")
    MISSED = "missed", _("Missed")
    DROPPED = "dropped", _("Dropped")


class PlanGoal(TimeStamped):
    """One goal of a plan: what, how much, by when, and how it stands."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=200)
    target_value = models.DecimalField(
        _("target value"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN
    )

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.title


class DecisionRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    USER = "user", _("User")
    GATEKEEPER = "gatekeeper", _("Gatekeeper")
    CHAMPION = "champion", _("Champion")


class Attitude(models.TextChoices):
    SUPPORTER = "supporter", _("Supporter")
    NEUTRAL = "neutral", _("Neutral")
    OPPONENT = "opponent", _("Opponent")


class Relationship(TimeStamped):
    """A contact of the customer on the relationship map: their part in the decision, how
    much they weigh, where they stand, and which of our people keeps the relationship."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="relationships")
    contact = models.ForeignKey(
        "customers.Contact",
        on_delete=models.CASCADE,
        related_name="plan_relationships",
        verbose_name=_("contact"),
    )
    role = models.CharField(_("role in the decision"), max_length=16, choices=DecisionRole.choices)
    influence = models.PositiveSmallIntegerField(
        _("influence (1–5)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    attitude = models.CharField(
        _("attitude"), max_length=10, choices=Attitude.choices, default=Attitude.NEUTRAL
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("relationship owner"),
    )
    notes = BoundedTextField(_("notes"), max_length=1000, blank=True)

    class Meta:
        ordering = ["-influence", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "contact"], name="relationship_contact_once"),
            models.CheckConstraint(
                condition=Q(influence__gte=1, influence__lte=5), name="relationship_influence_1_5"
            ),
        ]
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")

    def __str__(self) -> str:
        return f"{self.contact_id} {self.role}"
