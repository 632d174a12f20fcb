"""The rules of the public customer pool (客户公海), one per team."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _


class PoolScope(models.TextChoices):
    TEAM = "team", _("This team and its sub-teams")
    COMPANY = "company", _("The whole company")


class PoolRule(models.Model):
    """When a team's customers return to the pool, and how much its reps may claim.

    A rule governs its team and every sub-team that has no active rule of its own. A customer
    returns to the pool when nobody followed it up for ``followup_days`` (or, if set, it had
    no won opportunity for ``won_days``), counted from the later of that event and the day
    its owner got it; the owner is warned ``warn_days`` before. ``scope`` says who sees the
    customers this rule sends to the pool.
    """

    team = models.OneToOneField(
        "accounts.Team", on_delete=models.CASCADE, related_name="pool_rule", verbose_name=_("team")
    )
    followup_days = models.PositiveSmallIntegerField(
        _("days without follow-up"),
        validators=[MinValueValidator(2), MaxValueValidator(3650)],
        help_text=_("A customer nobody followed up for this many days returns to the pool."),
    )
    won_days = models.PositiveSmallIntegerField(
        _("days without a won opportunity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2), MaxValueValidator(3650)],
        help_text=_("Optional: a customer with no won opportunity for this many days returns too."),
    )
    warn_days = models.PositiveSmallIntegerField(
        _("warn the owner days before"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("The owner is warned once, this many days before; never recycled unwarned."),
    )
    daily_claim_cap = models.PositiveSmallIntegerField(
        _("claims per rep per day"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(10000)],
        help_text=_("Empty: no limit."),
    )
    max_owned = models.PositiveIntegerField(
        _("most customers a rep may own"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(1000000)],
        help_text=_("Claims stop at this many owned customers. Empty: no limit."),
    )
    scope = models.CharField(
        _("who sees the pooled customers"),
        max_length=10,
        choices=PoolScope.choices,
        default=PoolScope.TEAM,
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["team__name"]
        verbose_name = _("pool rule")
        verbose_name_plural = _("pool rules")

    def __str__(self) -> str:
        return f"{self.team}: {self.followup_days}d"

    def clean(self):
        errors: dict[str, list] = {}
        shortest = (
            min(d for d in (self.followup_days, self.won_days) if d) if self.followup_days else 0
        )
        if shortest and self.warn_days is not None and self.warn_days >= shortest:
            errors["warn_days"] = [
                _g("Warn fewer days ahead than the rule's %(days)d days.") % {"days": shortest}
            ]
        if errors:
            raise ValidationError(errors)
