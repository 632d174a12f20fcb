"""The customer record (客户资料卡): persons and companies, contacts, tags, custom fields,
ownership, sharing, followers and transfers."""

import datetime as dt
import operator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation
from functools import reduce

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from guanxi.accounts.models import Role, TeamClosure
from guanxi.accounts.services import subteam_ids
from guanxi.core.fields import BoundedTextField, closed_up, trim_required
from guanxi.core.identity import normalize_resident_id, normalize_uscc
from guanxi.core.models import SoftDeletable, SoftDeleteQuerySet, TimeStamped, Versioned
from guanxi.core.phones import normalize_phone
from guanxi.core.wechat import normalize_wechat_id
from guanxi.customers.place_names import city_name
from guanxi.customers.search import contact_search_text


class Kind(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class Gender(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class BirthdayCalendar(models.TextChoices):
    SOLAR = "solar", _("Solar (公历)")
    LUNAR = "lunar", _("Lunar (农历)")


class IncomeBand(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    BELOW_5K = "lt5k", _("Below ¥5,000 / month")
    FROM_5K = "5k-10k", _("¥5,000–10,000 / month")
    FROM_10K = "10k-20k", _("¥10,000–20,000 / month")
    FROM_20K = "20k-50k", _("¥20,000–50,000 / month")
    ABOVE_50K = "gt50k", _("Above ¥50,000 / month")


class SourceChannel(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    WALK_IN = "walk_in", _("Walk-in")
    REFERRAL = "referral", _("Referral")
    WEBSITE = "website", _("Website")
    CAMPAIGN = "campaign", _("Campaign")
    PHONE = "phone", _("Phone")
    WECHAT = "wechat", _("WeChat")
    # 抖音, 小红书, 微博, 快手, B站: where many now find a shop.
    SOCIAL = "social", _("Social media")
    EXHIBITION = "exhibition", _("Exhibition")
    IMPORT = "import", _("Import")
    OTHER = "other", _("Other")


class ValueOrientation(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    RELATIONSHIP = "relationship", _("Relationship")
    PRICE_PERFORMANCE = "price_performance", _("Price–performance")
    TIME_EFFICIENCY = "time_efficiency", _("Time efficiency")


class ShareLevel(models.TextChoices):
    READ = "read", _("Read")
    EDIT = "edit", _("Edit")


class Tag(models.Model):
    """A label on customers ("VIP", "车主", "Guangzhou fair 2026")."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    color = models.CharField(_("colour"), max_length=7, default="#6c757d")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CustomField(models.Model):
    """An admin-defined extra field on every customer; values live in ``Customer.custom``."""

    class FieldType(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")

    key = models.SlugField(_("key"), max_length=50, unique=True)
    label = models.CharField(_("label"), max_length=100)
    field_type = models.CharField(_("type"), max_length=10, choices=FieldType.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.label

    def clean(self):
        if self.field_type == self.FieldType.CHOICE and not self.choices:
            raise ValidationError({"choices": _g("A choice field needs at least one choice.")})

    def parse(self, value):
        """The stored form of ``value`` (text, number as string, ISO date, or one choice)."""
        if value in (None, ""):
            if self.required:
                raise ValidationError(_g("This field is required."))
            return None
        if self.field_type == self.FieldType.NUMBER:
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                raise ValidationError(_g("Enter a number.")) from None
            if not number.is_finite():
                raise ValidationError(_g("Enter a number."))
            return str(number)
        if self.field_type == self.FieldType.DATE:
            if isinstance(value, dt.date):
                return value.isoformat()
            try:
                return dt.date.fromisoformat(str(value)).isoformat()
            except ValueError:
                raise ValidationError(_g("Enter a date as YYYY-MM-DD.")) from None
        if self.field_type == self.FieldType.CHOICE:
            if str(value) not in [str(c) for c in self.choices]:
                raise ValidationError(
                    _g("Choose one of: %(choices)s.")
                    % {"choices": ", ".join(map(str, self.choices))}
                )
            return str(value)
        text = str(value)
        if len(text) > 500:
            raise ValidationError(_g("At most 500 characters."))
        return text


_custom_fields_cache: ContextVar[dict | None] = ContextVar("custom_fields_cache", default=None)


def active_custom_fields() -> dict[str, CustomField]:
    """The active custom field definitions by key (from the cache while one is open)."""
    cached = _custom_fields_cache.get()
    if cached is not None:
        return cached
    return {f.key: f for f in CustomField.objects.filter(active=True)}


@contextmanager
def custom_fields_cached():
    """Read the custom field definitions once for a block that validates many customers (an
    import) instead of once per customer."""
    token = _custom_fields_cache.set(active_custom_fields())
    try:
        yield _custom_fields_cache.get()
    finally:
        _custom_fields_cache.reset(token)


#: The share levels that let a user see a customer.
SEEN_LEVELS = (ShareLevel.READ, ShareLevel.EDIT)


#: The most members of a manager's team read one by one (``CustomerQuerySet._team_ways``);
#: a larger team is read as one way. SQLite allows 500 parts in one compound SELECT.
MEMBERS_APART = 64


class CustomerQuerySet(SoftDeleteQuerySet):
    def visible_to(
        self,
        user,
        *,
        include_deleted: bool = False,
        newest: int | None = None,
        below: int | None = None,
        tested=None,
        once: bool = False,
        owner: int | None = None,
        probed: bool = False,
    ):
        """The one entry point of access control: the customers ``user`` may see.

        Admins and analysts see all; a manager sees the customers of their team and every
        sub-team; everyone sees what they own and what is shared with them or their team.

        ``newest=n`` is for a page newest first: what it gives holds the ``n`` newest of them
        (with an id below ``below`` when given), read way by way (``_newest_seen``) where the
        user sees only some customers; the caller orders by -id and slices. Alive ones only.
        ``tested`` (a function narrowing a customer queryset) keeps only the customers it lets
        through, tested row by row as each way is read: a condition many customers meet.
        ``once`` says the SQL is run now and not kept (as a prepared read keeps it): a
        manager's team is then read as its members now are, one way each (``_team_ways``).
        ``owner`` (with ``newest``) says the page shows only that user's customers (``tested``
        keeps only them): the ways that cannot reach them are not read.
        ``probed`` says the result is checked one customer at a time (``EXISTS``, ``pk=`` the
        outer row's customer: ``customers.queries.seen_customer_of``), as ``_reach`` explains.
        """
        if newest is not None:
            if include_deleted:
                raise ValueError("newest= reads alive customers only")
            seen = self._newest_seen(
                user, newest, below=below, tested=tested, once=once, owner=owner
            )
            if seen is not None:
                qs = self.alive().filter(pk__in=seen)
            else:
                qs = self.visible_to(user)
                qs = tested(qs) if tested else qs
            return qs if below is None else qs.filter(pk__lt=below)
        qs = self if include_deleted else self.alive()
        ways = self.ways_seen(user, probed=probed)
        if ways is None:
            return qs
        if not ways:
            return qs.none()
        return qs.filter(reduce(operator.or_, ways))

    @classmethod
    def ways_seen(
        cls,
        user,
        *,
        shares: bool = True,
        apart: bool = False,
        owner: int | None = None,
        probed: bool = False,
    ) -> list[Q] | None:
        """The ways ``user`` reaches a customer, one condition each: owning it, a share (not
        with ``shares=False``), their team's (a manager), the pools. visible_to shows those
        matching any of them; None is for who sees every customer, [] for who sees none.
        ``apart``: a manager's team as one way per member (``_team_ways``). ``owner``: only
        the ways that may reach that user's customers (not the pools, not another owner's).
        ``probed``: as ``_reach`` says."""
        if cls._sees_none(user):
            return []
        if cls.sees_every(user):
            return None
        ways = cls._reach(
            user, SEEN_LEVELS, pools=False, shares=shares, apart=apart, owner=owner, probed=probed
        )
        return ways if owner else [*ways, cls._pool_reach(user)]

    @staticmethod
    def _sees_none(user) -> bool:
        return not getattr(user, "is_authenticated", False) or not user.is_active

    @classmethod
    def sees_every(cls, user) -> bool:
        """Whether ``user`` sees every customer (``ways_seen`` is None), told without building
        the ways (0.24 ms for a rep)."""
        if cls._sees_none(user):
            return False
        return user.is_superuser or user.role in (Role.ADMIN, Role.ANALYST)

    @classmethod
    def sees_some(cls, user) -> bool:
        """Whether ``user`` sees some customers but not every one (``ways_seen`` is a list of
        ways, never empty then), told without building the ways."""
        return not cls._sees_none(user) and not cls.sees_every(user)

    def _newest_seen(
        self,
        user,
        n: int,
        *,
        below: int | None = None,
        tested=None,
        once: bool = False,
        owner: int | None = None,
    ) -> "QuerySet | None":
        """The ids of the ``n`` newest customers ``user`` sees (with an id below ``below`` when
        given, and that ``tested`` lets through), as one subquery; None when the user sees every
        customer or none (the plain newest-first read is right then).

        A rep's list read the customers newest first and skipped those she may not see: a new
        rep with none of her own walked all of a million (0.4 s), and anyone's list walked every
        customer someone else imported since her last one. Here each way is read newest first
        on its own, at most ``n`` of each: her own customers through customer_owner_alive, the
        pool through customer_pool_newest, the shares from the share's side (its index is in
        customer order; read from the customers' side, SQLite walked them all). With ``owner``
        only the ways that may reach that user's customers: a manager's list of a rep outside
        the team read each member's customers to the end, finding none of the rep's there
        (0.2-0.3 s on PostgreSQL at a million when searched too)."""
        ways = self.ways_seen(user, shares=False, apart=once, owner=owner)
        if ways is None or self._sees_none(user):
            return None  # sees every customer, or none
        if owner:
            narrowing = tested

            def tested(qs):
                return (narrowing(qs) if narrowing else qs).filter(owner_id=owner)

        parts = []
        for way in ways:
            part = self.alive().filter(way)
            if tested:
                part = tested(part)
            if below is not None:
                part = part.filter(pk__lt=below)
            parts.append(part.order_by("-id").values("id")[:n])
        for holder in self._share_holders(user):
            part = CustomerShare.objects.filter(**holder, level__in=SEEN_LEVELS)
            if tested:  # the customer tested by primary key, the shares still read in order
                matching = tested(self.alive().filter(pk=OuterRef("customer_id")))
                part = part.filter(Exists(matching))
            else:
                part = part.exclude(customer__deleted_at__isnull=False)
            if below is not None:
                part = part.filter(customer_id__lt=below)
            parts.append(part.order_by("-customer_id").values("customer_id")[:n])
        if not connections[self.db].features.supports_slicing_ordering_in_compound:  # SQLite
            parts = [self.model.objects.filter(pk__in=p).order_by().values("id") for p in parts]
        return parts[0].union(*parts[1:], all=True)

    def seen_ids(self, user):
        """The ids of every customer ``user`` sees, as one subquery for a read of all of them
        (the analytics' segments): each of her ways read on its own, through its index (a
        manager's team one way per member, ``_team_ways``), the reads put together (UNION ALL:
        a customer reached two ways comes twice, which ``IN`` does not mind). None for who sees
        every customer. The ways are ``visible_to``'s, so the customers are the same; read as
        one condition, SQLite tested it on all of a million customers to find a rep's 33,000
        (1.3 s; 0.2 s so). The SQL reads the team as it now is: run it now, never keep it."""
        ways = self.ways_seen(user, apart=True)
        if ways is None:
            return None
        parts = [self.alive().filter(way).order_by().values("pk") for way in ways]
        if not parts:
            return self.none().values("pk")
        return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]

    def pooled(self):
        """The customers in the public pool (客户公海): no owner."""
        return self.filter(owner__isnull=True)

    def editable_by(self, user, *, include_deleted: bool = False, probed: bool = False):
        """The customers ``user`` may change: like visible_to, but analysts none and shares at
        edit (``probed`` as there)."""
        qs = self if include_deleted else self.alive()
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return qs.none()
        if user.role == Role.ANALYST and not user.is_superuser:
            return qs.none()
        if user.is_superuser or user.role == Role.ADMIN:
            return qs
        ways = self._reach(user, levels=(ShareLevel.EDIT,), probed=probed)
        return qs.filter(reduce(operator.or_, ways))

    @classmethod
    def _reach(
        cls,
        user,
        levels,
        *,
        pools: bool = True,
        shares: bool = True,
        apart: bool = False,
        owner: int | None = None,
        probed: bool = False,
    ) -> list[Q]:
        """Owning, shares at ``levels`` (unless ``shares`` is False), and for a manager the
        team's customers (``_team_ways``) and (``pools``) the pooled customers of the team's
        pools, which they edit to assign them. ``owner``: only the ways that may reach that
        user's customers.

        The shares are the list of the customers shared with the user (``id IN``), which the
        databases read once into a hash; ``probed``, where the customers are checked one at a
        time for the rows of another table, they are a probe of the share's index per customer
        instead. PostgreSQL counts that hash as the cost of each probe: the deals board of a
        rep at a million customers then merged every customer with the deals instead of
        checking the fifty cards (41 ms a column; 9 ms so)."""
        ways = [Q(owner_id=user.pk)] if owner in (None, user.pk) else []
        if shares:
            shared = CustomerShare.objects.filter(level__in=levels).filter(
                reduce(operator.or_, (Q(**holder) for holder in cls._share_holders(user)))
            )
            if probed:
                ways.append(Q(Exists(shared.filter(customer_id=OuterRef("pk")))))
            else:
                ways.append(Q(pk__in=shared.values("customer_id")))
        if user.role == Role.MANAGER and user.team_id:
            ways += cls._team_ways(user, apart=apart, owner=owner)
            if pools and not owner:
                ways.append(Q(owner__isnull=True, pool_team_id__in=subteam_ids(user.team_id)))
        return ways

    @staticmethod
    def _team_ways(user, *, apart: bool = False, owner: int | None = None) -> list[Q]:
        """A manager's team: the customers owned by anyone in the team or a sub-team, as one
        condition; with ``apart``, one condition per member as the team now is (at most
        MEMBERS_APART of them), each read through customer_owner_alive. Read as one, the
        team's newest customers are found by walking every customer newest first, which a
        condition few of them meet made a walk of all of a million (0.2-0.4 s); the members
        are read now, so such SQL must not outlive the request. With ``owner``, apart, only
        that member's way (none when the owner is not in the team)."""
        team = Q(owner__team_id__in=subteam_ids(user.team_id))
        if not apart:
            return [team]
        members = list(
            get_user_model()
            .objects.filter(team_id__in=subteam_ids(user.team_id))
            .exclude(pk=user.pk)
            .order_by("pk")
            .values_list("pk", flat=True)[: MEMBERS_APART + 1]
        )
        if len(members) > MEMBERS_APART:
            return [team]
        return [Q(owner_id=pk) for pk in members if owner in (None, pk)]

    @staticmethod
    def _share_holders(user) -> list[dict]:
        """Whom a share to ``user`` names (lookups on the share): the user, or the user's team."""
        return [{"user_id": user.pk}, *([{"team_id": user.team_id}] if user.team_id else [])]

    @staticmethod
    def _pool_reach(user) -> Q:
        """Pooled customers a rep or manager sees: the company-wide pool, the pools of their
        team and of every team above it, and (a manager) the pools of their sub-teams."""
        q = Q(pool_team__isnull=True)
        if user.team_id:
            q |= Q(
                pool_team_id__in=TeamClosure.objects.filter(descendant_id=user.team_id).values(
                    "ancestor_id"
                )
            )
            if user.role == Role.MANAGER:
                q |= Q(pool_team_id__in=subteam_ids(user.team_id))
        return Q(owner__isnull=True) & q


class Customer(TimeStamped, Versioned, SoftDeletable):
    """One customer, person or company: fixed data, ownership, tags and custom fields.

    Phones are stored in E.164, the ID number (resident ID for a person, unified social credit
    code for a company) validated; ``search_text`` holds name, pinyin, initials, phone digits,
    e-mail and company for search. Every change is kept in ``history``.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("name"), max_length=120)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    birthday_calendar = models.CharField(
        _("birthday calendar"),
        max_length=5,
        choices=BirthdayCalendar.choices,
        default=BirthdayCalendar.SOLAR,
        help_text=_("Which calendar the customer celebrates the birthday by."),
    )
    # Indexed in Meta: one plain index each (a field's db_index adds a second, for LIKE, on
    # PostgreSQL, which no read uses and every write pays for).
    id_number = models.CharField(_("ID number / USCC"), max_length=18, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    phone_alt = models.CharField(_("other phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    wechat_id = models.CharField(_("WeChat ID"), max_length=64, blank=True)
    company_name = models.CharField(_("employer"), max_length=120, blank=True)
    province = models.CharField(_("province"), max_length=30, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    district = models.CharField(_("district"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    occupation = models.CharField(_("occupation"), max_length=60, blank=True)
    income_band = models.CharField(
        _("income band"), max_length=10, choices=IncomeBand.choices, blank=True
    )
    source_channel = models.CharField(
        _("source channel"), max_length=16, choices=SourceChannel.choices, blank=True
    )
    value_orientation = models.CharField(
        _("value orientation"), max_length=20, choices=ValueOrientation.choices, blank=True
    )
    notes = BoundedTextField(_("notes"), blank=True, max_length=5000)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    tag_names = models.CharField(_("tags"), max_length=500, blank=True, editable=False)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # customer_owner_id (owner, -id) answers every read by owner
        related_name="owned_customers",
        verbose_name=_("owner"),
        help_text=_("Empty while the customer is in the public pool."),
    )
    # Public pool (customers.pool): the facts the recycling rules read, pushed down by the
    # interactions and sales services, and the customer's state while pooled.
    owned_since = models.DateTimeField(_("owned since"), default=timezone.now)
    last_followup_at = models.DateTimeField(_("last follow-up"), null=True, blank=True)
    last_won_at = models.DateTimeField(_("last won opportunity"), null=True, blank=True)
    pooled_at = models.DateTimeField(_("in the pool since"), null=True, blank=True)
    pool_reason = models.CharField(_("pool reason"), max_length=200, blank=True)
    pool_team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("pool"),
        help_text=_("Whose pool: this team and its sub-teams; empty: the company-wide pool."),
    )
    pool_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    pool_warned_due = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="customers", verbose_name=_("tags"))
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="followed_customers",
        verbose_name=_("followers"),
    )
    search_text = models.TextField(editable=False, blank=True)
    # SoftDeletable's, without its own index: customer_alive_id (deleted_at, -id) answers
    # every read by it.
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    history = HistoricalRecords(
        excluded_fields=[
            "search_text",
            "updated_at",
            "created_at",
            "owned_since",
            "last_followup_at",
            "last_won_at",
            "pool_warned_at",
            "pool_warned_due",
        ],
        # History is read by customer (its id) and date; the copies of the customer table's
        # other indexes cost every change a write each and answered no query.
        no_db_index=[
            "deleted_at",
            "id_number",
            "phone",
            "email",
            "city",
            "created_by",
            "deleted_by",
            "owner",
            "pool_team",
        ],
    )
    objects = CustomerQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["owner", "-id"], name="customer_owner_id"),
            # A rep's own customers and the pool, newest first (CustomerQuerySet._newest_seen):
            # PostgreSQL reads the one above in order only when the query filters no other
            # column, and an IS NULL in order not at all.
            models.Index(
                fields=["owner", "-id"],
                name="customer_owner_alive",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["-id"],
                name="customer_pool_newest",
                condition=Q(owner__isnull=True, deleted_at__isnull=True),
            ),
            models.Index(fields=["deleted_at", "-id"], name="customer_alive_id"),
            # By name, and a person by name and employer (the import's duplicate key) without
            # reading every namesake.
            models.Index(fields=["name", "company_name"], name="customer_name_company"),
            models.Index(fields=["phone"], name="customer_phone"),
            # The other phone, where there is one (a few customers in ten): the duplicate check
            # of a new customer and the import's match read it; a query names the condition.
            models.Index(
                fields=["phone_alt"], name="customer_phone_alt", condition=Q(phone_alt__gt="")
            ),
            models.Index(fields=["email"], name="customer_email"),
            models.Index(fields=["id_number"], name="customer_id_number"),
            # A city's customers newest first: a list filtered by city reads them through it.
            models.Index(fields=["city", "-id"], name="customer_city_newest"),
            models.Index(
                fields=["-pooled_at", "-id"],
                name="customer_pool",
                condition=Q(owner__isnull=True),
            ),
            # An owner's customers warned they go back to the pool (pool.returning_soon, on the
            # pool page): the few warned ones, not every customer of hers.
            models.Index(
                fields=["owner", "pool_warned_due"],
                name="customer_pool_warned",
                condition=Q(pool_warned_due__isnull=False),
            ),
        ]
        ordering = ["-id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name

    def clean_fields(self, exclude=None):
        # A phone's length is its stored number's (E.164, 16 characters at most), which
        # clean() gives or says why not: as written a number may be longer ("0086 (0)755
        # 8888 1234"), and "13800138006/13900139006" was told twice, too long and no number.
        # An ID number's length clean() tells with its reason ("zeros were added in front"),
        # which the field's "at most 18 characters" would only have preceded.
        super().clean_fields(exclude={*(exclude or ()), "phone", "phone_alt", "id_number"})

    def clean(self):
        """Normalise phones and IDs and check the invariants; errors are keyed by field."""
        errors: dict[str, list] = {}
        trim_required(self, "name", errors)
        self.name = closed_up(self.name)
        # 广州 → 广州市: the city filter and the duplicate finder read one form of a city.
        self.city = city_name(self.city)
        for field in ("phone", "phone_alt"):
            try:
                setattr(self, field, normalize_phone(getattr(self, field)))
            except ValidationError as exc:
                errors.setdefault(field, []).extend(exc.messages)
        if self.email:
            # The field's own validator has checked the address (an error is reported once).
            self.email = self.email.strip().lower()
        try:  # checked here, not by a field validator: those are part of the migrations
            self.wechat_id = normalize_wechat_id(self.wechat_id)
        except ValidationError as exc:
            errors.setdefault("wechat_id", []).extend(exc.messages)
        try:
            if self.kind == Kind.COMPANY:
                self.id_number = normalize_uscc(self.id_number)
            else:
                self.id_number = normalize_resident_id(self.id_number)
        except ValidationError as exc:
            errors.setdefault("id_number", []).extend(exc.messages)
        if self.kind == Kind.COMPANY and (self.gender or self.birthday):
            errors.setdefault("kind", []).append(_g("A company has no gender or birthday."))
        if self.birthday and self.birthday > timezone.localdate():
            errors.setdefault("birthday", []).append(_g("The birthday cannot be in the future."))
        if self.birthday and self.birthday.year < 1900:
            errors.setdefault("birthday", []).append(_g("The birthday is before 1900."))
        custom_errors = self._clean_custom()
        if custom_errors:
            errors.update(custom_errors)
        if errors:
            raise ValidationError(errors)

    def _clean_custom(self) -> dict:
        errors: dict[str, list] = {}
        values = dict(self.custom or {})
        definitions = active_custom_fields()
        cleaned = {}
        for key in values:
            if key not in definitions:
                errors.setdefault(f"custom.{key}", []).append(_g("Unknown custom field."))
        for key, field in definitions.items():
            try:
                parsed = field.parse(values.get(key))
            except ValidationError as exc:
                errors.setdefault(f"custom.{key}", []).extend(exc.messages)
                continue
            if parsed is not None:
                cleaned[key] = parsed
        self.custom = cleaned
        return errors

    @property
    def lunar_birthday(self) -> str:
        """The birthday in the lunar calendar, e.g. "农历三月初八"."""
        if not self.birthday:
            return ""
        from lunar_python import Solar

        lunar = Solar.fromYmd(self.birthday.year, self.birthday.month, self.birthday.day).getLunar()
        return f"农历{lunar.getMonthInChinese()}月{lunar.getDayInChinese()}"


class Contact(TimeStamped):
    """A person at a company customer (or a family member of a person customer).

    ``search_text`` holds name, pinyin, initials, phone digits, e-mail and WeChat ID for
    search, then its customer's name with its pinyin and initials (``search.
    contact_search_text``, indexed by ``contact_search_index``): ``save()`` rebuilds it, and
    the bulk writes, which bypass it, call ``refresh_search_text``; a customer renamed has its
    contacts' rewritten (``services.rename_in_contacts``)."""

    #: The fields ``search_text`` is built from.
    SEARCHED_FIELDS = ("name", "phone", "email", "wechat_id")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    wechat_id = models.CharField(_("WeChat ID"), max_length=64, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    search_text = models.TextField(editable=False, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "created_at", "search_text"])

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            # One primary contact a customer: making another primary demotes it first
            # (``services.add_contact`` / ``update_contact``, the contact import, a merge).
            models.UniqueConstraint(
                fields=["customer"], condition=Q(is_primary=True), name="contact_one_primary"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def refresh_search_text(self, customer_name: str | None = None) -> None:
        """Rebuild ``search_text`` from the searched fields' current values and the name of
        its customer (``customer_name``, else its customer's: read when not at hand)."""
        if customer_name is None:
            customer_name = self.customer.name if self.customer_id else ""
        values = {f: getattr(self, f) for f in self.SEARCHED_FIELDS}
        self.search_text = contact_search_text(values, customer_name)

    def save(self, *args, **kwargs):
        # Derived storage, like an index entry: every save keeps it in step with the fields,
        # so no write path (services, forms, admin, tests) can leave a contact unfindable.
        fields = kwargs.get("update_fields")
        if fields is None:
            self.refresh_search_text()
        elif set(fields) & {*self.SEARCHED_FIELDS, "customer", "customer_id"}:
            self.refresh_search_text()
            kwargs["update_fields"] = {*fields, "search_text"}
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        # The phone's length is its stored number's, as Customer.clean_fields says.
        super().clean_fields(exclude={*(exclude or ()), "phone"})

    def clean(self):
        """Normalise the phone, e-mail and WeChat ID; errors are keyed by field."""
        errors: dict[str, list] = {}
        trim_required(self, "name", errors)  # an empty name is clean_fields' to report, once
        self.name = closed_up(self.name)
        try:
            self.phone = normalize_phone(self.phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
        if self.email:
            self.email = self.email.strip().lower()
        try:  # as Customer.clean
            self.wechat_id = normalize_wechat_id(self.wechat_id)
        except ValidationError as exc:
            errors["wechat_id"] = exc.messages
        if errors:
            raise ValidationError(errors)


class CustomerShare(models.Model):
    """A customer shared with one user or one team, to read or to edit."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="customer_shares",
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="customer_shares",
    )
    level = models.CharField(max_length=4, choices=ShareLevel.choices, default=ShareLevel.READ)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer share")
        verbose_name_plural = _("customer shares")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, team__isnull=True)
                    | Q(user__isnull=True, team__isnull=False)
                ),
                name="share_user_xor_team",
            ),
            models.UniqueConstraint(
                fields=["customer", "user"],
                name="share_unique_user",
                condition=Q(user__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["customer", "team"],
                name="share_unique_team",
                condition=Q(team__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["user", "customer"]),
            models.Index(fields=["team", "customer"]),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.user_id or self.team_id} ({self.level})"


class OwnershipTransfer(models.Model):
    """The record of one customer moving from one owner to another."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="transfers")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Kind(models.TextChoices):
        TRANSFER = "transfer", _("Transfer")
        RECYCLE = "recycle", _("Returned to the pool by rule")
        RELEASE = "release", _("Released to the pool")
        CLAIM = "claim", _("Claimed from the pool")
        ASSIGN = "assign", _("Assigned from the pool")

    reason = models.CharField(max_length=200, blank=True)
    batch = models.CharField(max_length=32, blank=True, db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TRANSFER)
    # A default rather than auto_now_add, so the pool services can stamp their ``now``.
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["to_user", "kind", "at"], name="transfer_claims")]
        verbose_name = _("ownership transfer")
        verbose_name_plural = _("ownership transfers")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.from_user_id} → {self.to_user_id}"


from guanxi.customers.models_import import ImportJob, SavedMapping  # noqa: E402,F401
from guanxi.customers.models_merge import (  # noqa: E402,F401
    DuplicateDismissal,
    DuplicatePair,
    DuplicateScan,
    MergeRecord,
)
from guanxi.customers.models_pool import PoolRule  # noqa: E402,F401
from guanxi.customers.models_removed import RemovedContact  # noqa: E402,F401
