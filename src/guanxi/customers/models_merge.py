"""Duplicate candidates, the scans that find them, "not a duplicate" dismissals and the record of
every merge (for undo)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DuplicateReason(models.TextChoices):
    PHONE = "phone", _("Same phone")
    EMAIL = "email", _("Same e-mail")
    ID_NUMBER = "id_number", _("Same ID number / USCC")
    NAME = "name", _("Similar name")


class DuplicatePair(models.Model):
    """Two live customers that look like the same one, found by the last duplicate scan.

    ``customer_a`` has the smaller id. ``reasons`` lists every reason found (comma-separated),
    ``reason`` the strongest; ``score`` is 0–100 (exact keys 100, names their similarity).
    Pages and the API show a pair only to a user who can see both customers.
    """

    customer_a = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    customer_b = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    reason = models.CharField(_("reason"), max_length=12, choices=DuplicateReason.choices)
    reasons = models.CharField(_("reasons"), max_length=60)
    score = models.FloatField(_("score"))
    detail = models.CharField(_("matched on"), max_length=255, blank=True)
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer_a", "customer_b"], name="duplicate_pair"),
            models.CheckConstraint(
                condition=Q(customer_a__lt=F("customer_b")), name="duplicate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["-score", "-id"], name="duplicate_score_id")]
        verbose_name = _("duplicate candidate")
        verbose_name_plural = _("duplicate candidates")

    def __str__(self) -> str:
        return f"#{self.customer_a_id} ≈ #{self.customer_b_id} ({self.reasons}, {self.score:.0f})"


class DuplicateScan(models.Model):
    """One look for duplicates among every live customer: asked for by a user (the review page's
    "scan again", the API) or by the nightly job and the command (``requested_by`` empty). It is
    waiting until ``started_at``, running until ``finished_at``; ``customers`` and ``pairs``
    say what it went through and found, ``error`` why it stopped."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    customers = models.PositiveIntegerField(default=0)
    pairs = models.PositiveIntegerField(default=0)
    #: Customers left out of the name comparison: a name many share, a spelling with many
    #: look-alikes, a block too large to compare (``duplicates.NameSkips``).
    names_skipped = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    #: The error of a scan asked for while another ran: closed unrun, that one answers it.
    SUPERSEDED = "another scan was running"

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("duplicate scan")
        verbose_name_plural = _("duplicate scans")

    def __str__(self) -> str:
        return f"duplicate scan #{self.pk} ({self.status})"

    @property
    def status(self) -> str:
        """queued, running, done, failed or superseded (closed unrun: another was running)."""
        if self.finished_at is not None:
            if self.error == self.SUPERSEDED:
                return "superseded"
            return "failed" if self.error else "done"
        return "running" if self.started_at is not None else "queued"


class DuplicateDismissal(models.Model):
    """ "These two are not the same customer": the pair is never proposed again."""

    customer_a = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    customer_b = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer_a", "customer_b"], name="duplicate_dismissal"
            ),
            models.CheckConstraint(
                condition=Q(customer_a__lt=F("customer_b")), name="duplicate_dismissal_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.customer_a_id} ≠ #{self.customer_b_id}"


class MergeRecord(models.Model):
    """One merge of ``other`` into ``survivor``: enough to undo it within the recycle-bin window.

    ``survivor_before`` / ``survivor_after`` hold the survivor's fields the merge changed (old and
    new values, JSON); ``other_values`` the loser's fields as they were; ``moved`` the related
    rows re-pointed to the survivor (``[[app.Model, field, [ids]], …]``); ``removed`` the rows
    deleted because the survivor already had the same one (a share with the same user, a tag,
    a follower): ``[[app.Model, {column: value}], …]``, recreated by an undo; a share's entry
    has a third item when the merge made the survivor's share to the same user one to edit,
    ``{"id": that share, "level": its level before}``; the other's duplicate pairs are there
    too, proposed again after an undo. A contact of both (``merge.same_contacts``) is kept
    once: the rows pointing at the other's are moved to the survivor's, their entries in
    ``moved`` with a fourth item ``[from contact, to contact]``, and the other's contact is in
    ``removed``. ``changed`` holds the values the merge changed on rows it kept, ``[[app.Model,
    id, {field: [before, after]}], …]`` (a primary contact of the other demoted, the empty
    fields of a contact of both filled), put back by an undo where they are still the merge's.
    """

    survivor = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    survivor_before = models.JSONField(default=dict)
    survivor_after = models.JSONField(default=dict)
    other_values = models.JSONField(default=dict)
    moved = models.JSONField(default=list)
    removed = models.JSONField(default=list)
    changed = models.JSONField(default=list)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")

    def __str__(self) -> str:
        return f"#{self.other_id} merged into #{self.survivor_id}"

    @property
    def moved_count(self) -> int:
        return sum(len(ids) for _label, _field, ids, *_contacts in self.moved)
