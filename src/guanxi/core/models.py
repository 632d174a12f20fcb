"""Base models shared by every domain, the access log and in-app notifications."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    """Created and updated times, kept by the database layer."""

    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Versioned(models.Model):
    """A counter raised by every write, so an edit based on a stale read can be refused."""

    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True


class SoftDeleteQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)


class SoftDeletable(models.Model):
    """Deleted records go to a recycle bin (deleted_at set) until an admin purges them."""

    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("deleted by"),
    )

    class Meta:
        abstract = True

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class AccessLog(models.Model):
    """One row per view, reveal, export or merge of customer data: who saw what, when, from where.

    Read newest first, by everyone's, one user's or a team's entries (member by member), an
    action, an object, or a span of time: each of those reads has an index that gives its rows
    in ``at`` order, so a page costs a page at tens of millions of rows (core.access_log)."""

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        REVEAL = "reveal", _("revealed")
        EXPORT = "export", _("exported")
        MERGE = "merge", _("merged")
        UNMERGE = "unmerge", _("undid a merge")

    class Via(models.TextChoices):
        WEB = "web", _("web")
        API = "api", _("API")
        CLI = "cli", _("command line")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        # The first column of the (user, at, id) indexes below, which answer the same reads.
        db_index=False,
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    object_type = models.CharField(max_length=64)
    object_id = models.BigIntegerField(null=True, blank=True)
    detail = models.CharField(max_length=255, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    via = models.CharField(max_length=8, choices=Via.choices, default=Via.WEB)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        # The user's and action's end with (at, id), the log's order read backwards: a page of
        # one user's or action's entries is an index range in order (no sort), and on
        # PostgreSQL a team's members' newest (at, id) are read from the index alone.
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"]),
            models.Index(fields=["user", "at", "id"], name="accesslog_user_at"),
            models.Index(fields=["action", "at", "id"], name="accesslog_action_at"),
            models.Index(fields=["user", "action", "at", "id"], name="accesslog_user_action_at"),
        ]
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} {self.object_type}#{self.object_id}"


class Notification(models.Model):
    """An in-app message to one user; other domains add events through notify()."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=32)
    event = models.CharField(max_length=32, default="other")
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.message


class NotificationEvent(models.TextChoices):
    """The kinds of event a user can choose channels for; notify() files anything else under
    OTHER, so a new event from another domain is covered by the catch-all until it gets a row."""

    ASSIGNED = "assigned", _("Assigned to you")
    SHARED = "shared", _("Shared with you")
    CUSTOMER_CHANGED = "customer_changed", _("A customer you own or follow changed")
    TASK_DUE = "task_due", _("Task due (reminders)")
    OTHER = "other", _("Everything else")


class NotificationPreference(models.Model):
    """One user's channels for one event kind; without a row the defaults in
    guanxi.core.notifications.DEFAULT_CHANNELS apply."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(_("event"), max_length=32, choices=NotificationEvent.choices)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("by e-mail"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="notification_pref_unique")
        ]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id} {self.event}"
