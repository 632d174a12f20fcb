"""A removed contact, kept for its undo within the recycle-bin window."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RemovedContact(models.Model):
    """A contact removed from a customer: its values (``values``: {column: value}) and the
    rows that pointed at it (``rows``: ``related.kept_rows``' entries: the interactions it took
    part in, its place on a relationship map), written back by ``services.restore_contact``."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    contact_id = models.PositiveIntegerField()
    values = models.JSONField(default=dict)
    rows = models.JSONField(default=list)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    restored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "contact_id"], name="removed_contact")]
        verbose_name = _("removed contact")
        verbose_name_plural = _("removed contacts")

    def __str__(self) -> str:
        return f"contact #{self.contact_id} of customer #{self.customer_id}"
