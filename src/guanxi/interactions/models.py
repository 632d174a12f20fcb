"""The timeline of contacts with a customer (calls, visits, messages, notes), their
attachments, tasks and follow-ups, and the secret tokens of the per-user calendar feeds.

Interactions have no link to an opportunity: interactions and sales are sibling apps, and a
foreign key either way would tie them together. An opportunity's activity is the customer's
timeline.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Role
from guanxi.accounts.services import subteam_ids
from guanxi.core.fields import BoundedTextField
from guanxi.core.models import TimeStamped


class InteractionKind(models.TextChoices):
    CALL = "call", _("Call")
    VISIT = "visit", _("Visit")
    EMAIL = "email", _("E-mail")
    WECHAT = "wechat", _("WeChat")
    QQ = "qq", _("QQ")
    SMS = "sms", _("SMS")
    MEETING = "meeting", _("Meeting")
    NOTE = "note", _("Note")


class Direction(models.TextChoices):
    OUT = "out", _("Outgoing")
    IN = "in", _("Incoming")


class InteractionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An interaction is visible exactly when its customer is."""
        from guanxi.customers.queries import seen_customer_of

        return self.filter(seen_customer_of(user))


class Interaction(TimeStamped):
    """One contact with a customer: who, how, when, what was said and what came of it."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="interactions",
        verbose_name=_("customer"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=InteractionKind.choices)
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, default=Direction.OUT
    )
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = BoundedTextField(_("notes"), max_length=5000, blank=True)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("logged by"),
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="interactions_joined",
        verbose_name=_("colleagues"),
    )
    contacts = models.ManyToManyField(
        "customers.Contact", blank=True, related_name="interactions", verbose_name=_("contacts")
    )

    objects = InteractionQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-occurred_at", "-id"], name="interaction_timeline"),
            models.Index(fields=["customer", "kind", "-occurred_at"], name="interaction_kind"),
        ]
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")

    def __str__(self) -> str:
        return self.subject or self.get_kind_display()


class Attachment(models.Model):
    """A file attached to an interaction, stored under MEDIA_ROOT/attachments/ and served only
    through a permission-checked view."""

    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to="attachments/%Y/%m/", max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Tasks the user may see: their own (assigned or created), every task on a customer
        they can see, and — for a manager — the personal tasks of their team; an admin all."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser or user.role == Role.ADMIN:
            return self
        from guanxi.customers.queries import seen_customer_of

        q = Q(assignee_id=user.pk) | Q(created_by_id=user.pk) | seen_customer_of(user)
        if user.role == Role.MANAGER and user.team_id:
            q |= Q(customer__isnull=True, assignee__team_id__in=subteam_ids(user.team_id))
        return self.filter(q)

    def open(self):
        return self.filter(status=TaskStatus.OPEN)


class Task(TimeStamped):
    """A follow-up to do by a time, for one person, optionally about a customer; recurring tasks
    (every ``recurrence_days``) create their next occurrence when completed."""

    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
        verbose_name=_("customer"),
    )
    title = models.CharField(_("title"), max_length=200)
    notes = BoundedTextField(_("notes"), max_length=5000, blank=True)
    due_at = models.DateTimeField(_("due"))
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("assignee"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    priority = models.CharField(
        _("priority"), max_length=6, choices=Priority.choices, default=Priority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=4, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    recurrence_days = models.PositiveSmallIntegerField(
        _("repeat every (days)"), null=True, blank=True
    )
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_occurrence",
        help_text=_("The occurrence this one follows, for recurring tasks."),
    )

    objects = TaskQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="task_my_day"),
            models.Index(fields=["customer", "status", "due_at"], name="task_customer"),
            # The task list (API) in due order, each task checked for the user as read: without
            # it every task was read and sorted (100,000 tasks: 0.2 s on SQLite).
            models.Index(fields=["due_at", "id"], name="task_due"),
            models.Index(
                fields=["remind_at"],
                name="task_reminder_due",
                condition=Q(status="open", reminded_at__isnull=True, remind_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recurrence_days__isnull=True) | Q(recurrence_days__gte=1),
                name="task_recurrence_positive",
            ),
        ]
        ordering = ["due_at", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.status == TaskStatus.DONE


class FeedToken(models.Model):
    """The secret in the URL of a user's iCalendar feed of open tasks; regenerating it
    invalidates every copy of the old link."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="task_feed_token"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"feed of {self.user_id}"
