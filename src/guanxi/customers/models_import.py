"""Import jobs (one uploaded file on its way in) and saved column mappings."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


class OnDuplicate(models.TextChoices):
    SKIP = "skip", _("Skip the row")
    UPDATE = "update", _("Update the existing customer")
    CREATE = "create", _("Create another customer")


class ImportJob(models.Model):
    """One import of a CSV/XLSX file: its mapping, choices, progress and counts.

    ``next_row`` is the first data row not yet committed and ``report_offset`` the size of the
    error report at that point; both move in the same transaction as each batch, so a job that
    stopped (crash, deploy) continues exactly where it left off.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        CHECKED = "checked", _("Checked (dry run)")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Stopped by an error")

    # What the file holds: "customers" here; other apps import through the same job and report
    # machinery under their own kind (sales: "orders"), each listing only its own jobs.
    kind = models.CharField(max_length=20, default="customers", db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_path = models.CharField(max_length=500)
    file_name = models.CharField(max_length=255)
    mapping = models.JSONField(default=dict, blank=True)
    on_duplicate = models.CharField(
        max_length=8, choices=OnDuplicate.choices, default=OnDuplicate.SKIP
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    next_row = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    report_path = models.CharField(max_length=500, blank=True)
    report_offset = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    # The language of whoever queued the run: its report's reasons are written in it (the
    # worker has no request to take it from).
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.next_row / self.total_rows))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def mark_queued(self, *, fresh: bool) -> None:
        """Queued for the job worker. A ``fresh`` run (a dry run, or an import that does not
        continue a stopped one) starts from the first row with new counts and a new report:
        the earlier run's go now, not when the worker takes the job up, so the page never
        shows them as this run's."""
        self.status, self.error = self.Status.QUEUED, ""
        self.language = translation.get_language() or ""
        fields = ["status", "error", "language"]
        if fresh:
            self.next_row = self.imported = self.updated = self.skipped = self.failed = 0
            self.report_offset = 0
            fields += ["next_row", "imported", "updated", "skipped", "failed", "report_offset"]
            if self.report_path:
                Path(self.report_path).unlink(missing_ok=True)
        self.save(update_fields=fields)

    def discard(self) -> None:
        """Forget this import: its uploaded file, its report and the job (a file of customers'
        data is kept only while it is wanted). What it imported stays. Not while it runs."""
        if self.status in (self.Status.QUEUED, self.Status.RUNNING):
            raise ValidationError(_("An import cannot be removed while it runs."))
        for path in (self.file_path, self.report_path):
            if path:
                Path(path).unlink(missing_ok=True)
        self.delete()


class SavedMappingQuerySet(models.QuerySet):
    def fitting(self, headers: list[str], targets: set[str]) -> "SavedMapping | None":
        """The saved mapping made for files like one with these ``headers``: every column it
        names is among them and maps to one of ``targets`` (the fields of the file's kind),
        the one naming the most columns first (then the newest). None when none fits."""
        present = set(headers)
        best, best_size = None, 0
        for saved in self.order_by("-created_at", "-pk"):
            columns = saved.mapping or {}
            fits = set(columns) <= present and set(columns.values()) <= targets
            if fits and len(columns) > best_size:
                best, best_size = saved, len(columns)
        return best


class SavedMapping(models.Model):
    """A named column mapping (source header → customer field) to reuse on the next file."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    mapping = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = SavedMappingQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ExportJob(models.Model):
    """An export too big to answer in one request: written in the background to a file under
    the data directory, as the user who asked (visibility, masking), then downloaded."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Stopped by an error")

    # What is exported: "customers" or "contacts" (customers.exports.KINDS), each list's
    # filters in ``filters``.
    kind = models.CharField(max_length=20, default="customers")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    format = models.CharField(max_length=4, default="csv")
    filters = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=16, blank=True)  # of the headers, as the page was
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    written_rows = models.PositiveIntegerField(default=0)
    file_path = models.CharField(max_length=500, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.file_name or self.format} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.written_rows / self.total_rows))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
