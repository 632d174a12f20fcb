"""A believable demo company, its people, customers and sales, the same for the same seed.

The generators (``generate_customers``, ``demo_sales.generate_sales``) are pure: rows of field
values keyed by usernames, positions and SKUs, so they can be tested without a database.
``load_demo`` writes them through bulk paths (customers, contacts and their "created" history
records, orders, opportunities, their stage log and leads with one INSERT per chunk, holding the
search text and amounts the services would store).
"""

import bisect
import datetime as dt
import functools
import itertools
import json
import multiprocessing
import operator
import random
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import DateField, DateTimeField, JSONField, Max
from django.utils import timezone
from stdnum.cn import ric

from guanxi.accounts.models import Role, Team, User
from guanxi.accounts.services import create_team
from guanxi.core.pinyin import readings
from guanxi.customers import contact_search_index, history_reasons, search_index
from guanxi.customers.models import (
    Contact,
    CustomerShare,
    CustomField,
    IncomeBand,
    ShareLevel,
    SourceChannel,
    Tag,
    ValueOrientation,
)
from guanxi.customers.models import Customer as CustomerModel
from guanxi.customers.search import (
    build_search_text,
    company_words,
    contact_search_text,
    text_words,
)
from guanxi.ops import demo_data as data
from guanxi.ops.demo_identity import credit_code, landline_number, mobile_number, resident_id
from guanxi.ops.demo_sales import Buyer, SalesPlan, buyer_of, generate_sales
from guanxi.sales.models import (
    Lead,
    Opportunity,
    Order,
    OrderLine,
    Pipeline,
    Product,
    Stage,
    StageChange,
)
from guanxi.sales.pricing import LineAmounts, document_totals, line_amounts

DEFAULT_SEED = 2026
CHUNK = 5000
COMPANY_TRIES = 20  # names taken in a row before a company's brand grows a character
PARALLEL_FROM = 20_000  # customers; below, a child process costs more than it saves
SALES_CUSTOMERS = 50_000  # customers with a sales history; more are sampled down to this

CUSTOM_FIELDS = [
    # key, label, type, choices
    ("car_model", "车型", CustomField.FieldType.CHOICE, data.CAR_MODELS),
    ("warranty_until", "保修到期", CustomField.FieldType.DATE, []),
    ("hobby", "爱好", CustomField.FieldType.TEXT, []),
]

_INCOME = [
    (IncomeBand.UNKNOWN, 30),
    (IncomeBand.BELOW_5K, 10),
    (IncomeBand.FROM_5K, 25),
    (IncomeBand.FROM_10K, 20),
    (IncomeBand.FROM_20K, 10),
    (IncomeBand.ABOVE_50K, 5),
]
_SOURCES = [
    (SourceChannel.WALK_IN, 25),
    (SourceChannel.REFERRAL, 18),
    (SourceChannel.WEBSITE, 12),
    (SourceChannel.CAMPAIGN, 8),
    (SourceChannel.PHONE, 10),
    (SourceChannel.WECHAT, 15),
    (SourceChannel.EXHIBITION, 6),
    (SourceChannel.UNKNOWN, 6),
]
_ORIENTATIONS = [
    (ValueOrientation.UNKNOWN, 40),
    (ValueOrientation.RELATIONSHIP, 20),
    (ValueOrientation.PRICE_PERFORMANCE, 25),
    (ValueOrientation.TIME_EFFICIENCY, 15),
]


_VALID_PLACES: dict[tuple[str, str], bool] = {}


def _valid_id_prefix(prefix: str) -> bool:
    """Whether python-stdnum accepts resident IDs with this place code and birth date.

    Given a real date (the generator's birthdays are), stdnum's answer depends on the place code
    and the birth year only (was the code assigned that year?), so it is asked once per pair: a
    million customers have a few thousand pairs, and each answer reads stdnum's place table."""
    key = (prefix[:6], prefix[6:10])
    found = _VALID_PLACES.get(key)
    if found is None:
        body = prefix + "000"
        found = _VALID_PLACES[key] = ric.is_valid(body + ric.calc_check_digit(body + "?"))
    return found


@functools.lru_cache(maxsize=1 << 17)
def _spelled(name: str) -> list[str]:
    """``pypinyin.lazy_pinyin(name)``: the first reading of each character, or of the phrase
    pypinyin finds, read through core.pinyin's per-character cache (equal for every name the
    generator can make; a test checks a sample)."""
    return [found[0] for found in readings(name)]


@dataclass
class DemoCustomer:
    """One generated customer: model field values plus who owns, follows and shares it."""

    fields: dict
    owner: str
    tags: list[str] = field(default_factory=list)
    followers: list[str] = field(default_factory=list)
    shares: list[tuple[str, str, str]] = field(default_factory=list)  # ("user"|"team", name, level)
    contacts: list[dict] = field(default_factory=list)


@dataclass
class DemoResult:
    customers: int
    contacts: int
    seconds: float
    products: int = 0
    orders: int = 0
    opportunities: int = 0
    leads: int = 0


class _Picker:
    """Weighted choices with the cumulative weights computed once: what
    ``rng.choices(values, cum_weights=cum)[0]`` returns (the same draw from the same stream),
    without its per-call checks, which cost more than the draw a million times over."""

    def __init__(self, rng: random.Random, pairs):
        self.random = rng.random
        self.values = [v for v, _w in pairs]
        self.cum = list(itertools.accumulate(w for _v, w in pairs))
        self.total = self.cum[-1] + 0.0
        self.hi = len(self.values) - 1

    def __call__(self):
        return self.values[bisect.bisect(self.cum, self.random() * self.total, 0, self.hi)]


class _Generator:
    def __init__(self, seed: int, today: dt.date):
        self.rng = random.Random(seed)
        self.today = today
        rng = self.rng
        self.surname = _Picker(rng, data.SURNAMES)
        self.region = _Picker(rng, [(r, r.weight) for r in data.REGIONS])
        self.income = _Picker(rng, _INCOME)
        self.source = _Picker(rng, _SOURCES)
        self.orientation = _Picker(rng, _ORIENTATIONS)
        self.phones: set[str] = set()
        self.company_names: set[str] = set()
        reps = [u for u in data.USERS if u.role == Role.REP and u.cities]
        self.reps_by_city: dict[str, list[str]] = {}
        for rep in reps:
            for city in rep.cities:
                self.reps_by_city.setdefault(city, []).append(rep.username)
        self.all_reps = [u.username for u in reps]
        self.team_of = {u.username: u.team for u in data.USERS}
        self.manager_of = {u.username: u.manager for u in data.USERS}
        self.team_mates = {
            u.username: [v.username for v in reps if v.team == u.team and v.username != u.username]
            for u in reps
        }

    # -- small pieces -------------------------------------------------------------------------
    def person_name(self, male: bool) -> str:
        rng = self.rng
        if rng.random() < 0.35:
            given = rng.choice(data.GIVEN_NAMES_MALE if male else data.GIVEN_NAMES_FEMALE)
        else:
            chars = data.GIVEN_CHARS_MALE if male else data.GIVEN_CHARS_FEMALE
            given = rng.choice(chars) + rng.choice(chars)
        return self.surname() + given

    def mobile(self) -> str:
        while True:
            number = mobile_number(self.rng)
            if number not in self.phones:
                self.phones.add(number)
                return number

    def email(self, name: str) -> str:
        rng = self.rng
        spelled = _spelled(name)
        local = rng.choice(
            [
                "".join(spelled),
                ".".join(spelled[1:] + spelled[:1]),
                "".join(spelled) + str(rng.randrange(1, 999)),
            ]
        )
        return f"{local}@{rng.choice(data.EMAIL_DOMAINS)}"

    def company_name(self, city: str, industry: str) -> str:
        """A company name not given yet: city, a two-character brand, the trade. A big city has
        only 1,560 two-character brands per trade, which a few hundred thousand customers use
        up; after COMPANY_TRIES names taken in a row the brand gets a character longer (so a
        small demo, which never gets there, keeps its names)."""
        rng = self.rng
        short = city.removesuffix("市")
        tries = 0
        while True:
            size = min(2 + tries // COMPANY_TRIES, len(data.BRAND_CHARS))
            brand = "".join(rng.sample(data.BRAND_CHARS, size))
            name = f"{short}{brand}{data.TRADE_WORDS[industry]}有限公司"
            if name not in self.company_names:
                self.company_names.add(name)
                return name
            tries += 1

    def address(self, region: data.Region) -> str:
        rng = self.rng
        text = f"{region.district}{rng.choice(data.STREETS)}{rng.randrange(1, 900)}号"
        if rng.random() < 0.6:
            text += f"{rng.randrange(1, 30)}栋{rng.randrange(1, 33)}{rng.randrange(1, 9):02d}室"
        return text

    def birthday(self) -> dt.date:
        rng = self.rng
        age_days = rng.randrange(20 * 365, 70 * 365)
        return self.today - dt.timedelta(days=age_days)

    def resident_id(self, place: str, birthday: dt.date, male: bool) -> str:
        """An ID issued where the person was born, with a place code that existed in the birth
        year (districts were created and renamed over time; python-stdnum knows when)."""
        for code in (place, place[:4] + "00", *data.BIRTH_PLACE_CODES):
            number = resident_id(self.rng, code, birthday, male)
            # Validity depends on the place and birth date only (the check digit is computed).
            if _valid_id_prefix(number[:14]):
                return number
        return ""

    def owner_for(self, city: str) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.03:
            return "lin.xiao"
        candidates = self.reps_by_city.get(city)
        if candidates and roll < 0.9:
            return rng.choice(candidates)
        return rng.choice(self.all_reps)

    # -- customers ----------------------------------------------------------------------------
    def common(self, region: data.Region, created: dt.datetime) -> dict:
        rng = self.rng
        return {
            "province": region.province,
            "city": region.city,
            "district": region.district,
            "source_channel": self.source(),
            "created_at": created,
            "notes": rng.choice(data.NOTES) if rng.random() < 0.1 else "",
        }

    def person(self, region: data.Region, created: dt.datetime) -> dict:
        rng = self.rng
        male = rng.random() < 0.52
        name = self.person_name(male)
        row = self.common(region, created)
        row.update(
            kind="person",
            name=name,
            gender="",
            birthday=None,
            birthday_calendar="solar",
            id_number="",
            phone="",
            phone_alt="",
            email="",
            wechat_id="",
            company_name="",
            address="",
            industry="",
            occupation="",
            income_band=self.income(),
            value_orientation=self.orientation(),
        )
        if rng.random() < 0.95:
            row["gender"] = "male" if male else "female"
        if rng.random() < 0.8:
            birthday = self.birthday()
            row["birthday"] = birthday
            lunar_share = 0.35 if birthday.year < 1970 else 0.12
            row["birthday_calendar"] = "lunar" if rng.random() < lunar_share else "solar"
            if row["gender"] and rng.random() < 0.45:
                place = region.id_code if rng.random() < 0.6 else rng.choice(data.BIRTH_PLACE_CODES)
                row["id_number"] = self.resident_id(place, birthday, male)
        if rng.random() < 0.93:
            row["phone"] = self.mobile()
        if rng.random() < 0.08:
            row["phone_alt"] = self.mobile()
        if rng.random() < 0.35:
            row["email"] = self.email(name)
        if rng.random() < 0.3:
            row["wechat_id"] = "wxid_" + "".join(
                rng.choices("abcdefghjkmnpqrstuvwxyz23456789", k=10)
            )
        if rng.random() < 0.2:
            row["company_name"] = self.company_name(region.city, rng.choice(data.INDUSTRIES))
        if rng.random() < 0.6:
            row["address"] = self.address(region)
        if rng.random() < 0.6:
            row["occupation"] = rng.choice(data.OCCUPATIONS)
        if rng.random() < 0.35:
            row["industry"] = rng.choice(data.INDUSTRIES)
        return row

    def company(self, region: data.Region, created: dt.datetime) -> tuple[dict, list[dict]]:
        rng = self.rng
        industry = rng.choice(data.INDUSTRIES)
        name = self.company_name(region.city, industry)
        row = self.common(region, created)
        area = data.AREA_CODES.get(region.city)
        row.update(
            kind="company",
            name=name,
            gender="",
            birthday=None,
            birthday_calendar="solar",
            id_number=credit_code(rng, region.code) if rng.random() < 0.85 else "",
            phone=landline_number(rng, area) if area and rng.random() < 0.6 else self.mobile(),
            phone_alt="",
            email="",
            wechat_id="",
            company_name="",
            address=self.address(region),
            industry=industry,
            occupation="",
            income_band="",
            value_orientation=self.orientation(),
        )
        contacts = []
        for i in range(rng.randrange(1, 4)):
            male = rng.random() < 0.5
            contact_name = self.person_name(male)
            contacts.append(
                {
                    "name": contact_name,
                    "title": rng.choice(data.CONTACT_TITLES),
                    "phone": self.mobile(),
                    "email": self.email(contact_name) if rng.random() < 0.5 else "",
                    "is_primary": i == 0,
                }
            )
        return row, contacts

    def custom_and_tags(self, row: dict) -> tuple[dict, list[str]]:
        rng = self.rng
        custom: dict = {}
        tags = [name for name, _colour, p in data.TAGS if p and rng.random() < p]
        if row["kind"] == "company" and rng.random() < 0.4:
            tags.append("企业采购")
        if "车主" in tags or rng.random() < 0.1:
            custom["car_model"] = rng.choice(data.CAR_MODELS)
            if "车主" not in tags:
                tags.append("车主")
            if rng.random() < 0.7:
                custom["warranty_until"] = (
                    self.today + dt.timedelta(days=rng.randrange(-365, 3 * 365))
                ).isoformat()
        if row["kind"] == "person" and rng.random() < 0.2:
            custom["hobby"] = rng.choice(data.HOBBIES)
        return custom, sorted(tags)

    def customers(self, count: int) -> Iterator[DemoCustomer]:
        rng = self.rng
        # The evening of the day, or now if that is earlier: no customer arrives in the future
        # (a duplicate scan run on the demo would count the day's later ones as added since).
        now = min(dt.datetime.combine(self.today, dt.time(18, 0), tzinfo=dt.UTC), timezone.now())
        # Customers arrived over three years; ids follow arrival order.
        offsets = sorted((rng.random() for _ in range(count)), reverse=True)
        for offset in offsets:
            created = now - dt.timedelta(seconds=int(offset * 3 * 365 * 86400))
            region = self.region()
            contacts: list[dict] = []
            if rng.random() < 0.15:
                row, contacts = self.company(region, created)
            else:
                row = self.person(region, created)
            row["custom"], tags = self.custom_and_tags(row)
            owner = self.owner_for(region.city)
            customer = DemoCustomer(fields=row, owner=owner, tags=tags, contacts=contacts)
            manager = self.manager_of.get(owner)
            if manager and ("VIP" in tags or rng.random() < 0.04):
                customer.followers.append(manager)
            mates = self.team_mates.get(owner, [])
            if mates and rng.random() < 0.06:
                level = ShareLevel.EDIT if rng.random() < 0.3 else ShareLevel.READ
                customer.shares.append(("user", rng.choice(mates), level))
            if "VIP" in tags and rng.random() < 0.5:
                customer.shares.append(("team", "客服部", ShareLevel.READ))
            yield customer


def generate_customers(
    count: int, seed: int = DEFAULT_SEED, today: dt.date | None = None
) -> Iterator[DemoCustomer]:
    """``count`` demo customers; the same seed and day give the same customers."""
    return _Generator(seed, today or timezone.localdate()).customers(count)


def has_users() -> bool:
    return User.objects.exists()


def demo_logins() -> list[User]:
    """The demo users still present, in the order they were introduced."""
    by_name = {
        u.username: u
        for u in User.objects.filter(username__in=[d.username for d in data.USERS]).select_related(
            "team"
        )
    }
    return [by_name[d.username] for d in data.USERS if d.username in by_name]


def _create_people() -> dict[str, User]:
    teams: dict[str, Team] = {}
    for spec in data.TEAMS:
        teams[spec.name] = create_team(spec.name, teams[spec.parent] if spec.parent else None)
    # One hash for the shared demo password: hashing it per user would cost seconds.
    password = make_password(data.DEMO_PASSWORD)
    users: dict[str, User] = {}
    for spec in data.USERS:
        user = User(
            username=spec.username,
            display_name=spec.display_name,
            role=spec.role,
            team=teams[spec.team],
            manager=users.get(spec.manager or ""),
            email=f"{spec.username}@example.com",
            password=password,
            is_staff=spec.role == Role.ADMIN,
            is_superuser=spec.role == Role.ADMIN,
        )
        user.full_clean(exclude=["password"])
        user.save()
        users[spec.username] = user
    return users


def _create_reference_data() -> dict[str, Tag]:
    for position, (key, label, field_type, choices) in enumerate(CUSTOM_FIELDS):
        CustomField.objects.get_or_create(
            key=key,
            defaults={
                "label": label,
                "field_type": field_type,
                "choices": choices,
                "position": position,
            },
        )
    for name, colour, _p in data.TAGS:
        Tag.objects.get_or_create(name=name, defaults={"color": colour})
    return {t.name: t for t in Tag.objects.all()}


@functools.lru_cache(maxsize=1 << 18)
def _words(name: str) -> tuple[str, ...]:
    return tuple(build_search_text(name, person=True).split())


def _search_text_of(row: dict) -> str:
    """What customers.services stores in ``search_text`` (``search_text_for``) for a generated
    customer's fields."""
    return _search_text(*(row[key] for key in _SEARCHED))


_SEARCHED = ("kind", "name", "company_name", "phone", "phone_alt", "email", "wechat_id")


def _search_text(kind, name, company, phone, phone_alt, email, wechat_id) -> str:
    """``search_text_for``, with the pinyin of people's names (which repeat a lot) computed
    once per name; company names are unique. Tokens never hold spaces, so joining the pieces
    and dropping repeats gives the same line as one ``build_search_text`` call; a test holds it
    to that. A company's brand words (``company_words``) come last, as there."""
    person = kind == "person"
    tail = build_search_text("", phones=[phone, phone_alt], email=email, extra=[wechat_id])
    named = _words(name) if person else text_words(name)
    words = [
        *named,
        *(text_words(company) if company else ()),
        *tail.split(),
        *company_words(name, company, person=person),
    ]
    return " ".join(dict.fromkeys(words))


def _db_json(value, encoder=None) -> str:
    return json.dumps(value, cls=encoder)  # what connection.ops.adapt_json_value stores


class _Table:
    """The INSERTs of one model's table: rows are tuples of ``columns`` (attribute names), every
    other column takes its default (auto_now fields: the load's time), and ``prepare`` turns a
    row's values into what the database adapter takes (the ORM's adapt_*field_value), so it can
    run in another process than ``write``.

    The ORM's bulk_create builds a model instance per row and prepares each value through its
    field, several times slower than the rest of the demo put together at a million customers.
    ``write`` uses executemany on SQLite and COPY on PostgreSQL."""

    def __init__(self, model, columns, now: dt.datetime, *, prepared: bool = False):
        by_name = {f.attname: f for f in model._meta.concrete_fields}
        self.model = model
        self.columns = tuple(columns)
        rest = [
            f
            for f in model._meta.concrete_fields
            if f.attname not in self.columns and not f.primary_key
        ]
        self.fields = [by_name[c] for c in self.columns] + rest
        self.sqlite = connection.vendor == "sqlite"
        self.zone = connection.timezone if self.sqlite else None
        self.defaults = {f.attname: self._default(f, now) for f in self.fields}
        self.adapters = [
            (i, fn)
            for i, f in enumerate(self.fields[: len(self.columns)])
            if not prepared and (fn := self._adapter(f))
        ]
        self.constants = tuple(self.adapt(f, self.defaults[f.attname]) for f in rest)

    @staticmethod
    def _default(f, now):
        return (
            now
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
            else (f.get_default())
        )

    def _adapter(self, f):
        if isinstance(f, JSONField):
            return functools.partial(_db_json, encoder=f.encoder)
        if not self.sqlite:
            return None  # psycopg takes dates and aware datetimes as they are
        if isinstance(f, DateTimeField):
            return self._sqlite_datetime
        if isinstance(f, DateField):
            return str
        return None

    def _sqlite_datetime(self, value: dt.datetime) -> str:
        # SQLite's adapt_datetimefield_value: naive in the connection's zone (UTC), as text.
        if value.utcoffset() is not None:
            value = value.astimezone(self.zone).replace(tzinfo=None)
        return str(value)

    def adapt(self, f, value):
        fn = self._adapter(f)
        return fn(value) if fn and value is not None else value

    def prepare(self, row) -> tuple:
        """``row`` (values of ``columns``) with every column, as the database adapter takes it."""
        if self.adapters:
            row = list(row)
            for i, fn in self.adapters:
                if row[i] is not None:
                    row[i] = fn(row[i])
        return (*row, *self.constants)

    def write(self, rows: list[tuple]) -> None:
        """INSERT prepared rows."""
        if not rows:
            return
        ops = connection.ops
        table = ops.quote_name(self.model._meta.db_table)
        names = ", ".join(ops.quote_name(f.column) for f in self.fields)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            marks = ", ".join(["%s"] * len(self.fields))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _bulk_insert(model, rows: list[dict]) -> None:
    """INSERT ``rows`` (dicts keyed by attname; a missing key takes the field's default)."""
    if not rows:
        return
    columns = list(dict.fromkeys(k for row in rows for k in row))
    table = _Table(model, columns, timezone.now())
    get = operator.itemgetter(*columns)
    prepared = []
    for row in rows:
        try:
            values = get(row)
        except KeyError:
            values = tuple(row.get(c, table.defaults[c]) for c in columns)
        prepared.append(table.prepare(values if len(columns) > 1 else (values,)))
    table.write(prepared)


# The generator's customer fields, in the order the customer rows hold them.
_FIELDS = (
    "kind", "name", "gender", "birthday", "birthday_calendar", "id_number", "phone", "phone_alt",
    "email", "wechat_id", "company_name", "province", "city", "district", "address", "industry",
    "occupation", "income_band", "value_orientation", "source_channel", "created_at", "notes",
    "custom",
)  # fmt: skip
_CONTACT_FIELDS = ("name", "title", "phone", "email", "is_primary")
_HISTORY = ("history_date", "history_change_reason", "history_type", "history_user_id")


@dataclass
class _Ids:
    """Where the demo's rows start and the ids of what they point at, known before the customer
    rows are made (in a child process for a big demo)."""

    customer: int
    contact: int
    users: dict[str, int]
    teams: dict[str, int]
    tags: dict[str, int]


class _CustomerTables:
    """The tables a chunk of customers goes into, with how their rows are made: customers,
    contacts and their "created" history records (by the owner at the creation time, as the
    services write them), tags, followers and shares."""

    def __init__(self, now: dt.datetime):
        customer_columns = ("id", *_FIELDS, "owner_id", "created_by_id", "tag_names", "search_text")
        contact_columns = ("id", *_CONTACT_FIELDS, "customer_id", "created_at", "search_text")
        self.contact_created = contact_columns.index("created_at")
        self.customer = _Table(CustomerModel, customer_columns, now)
        self.search_at = customer_columns.index("search_text")
        self.searched = operator.itemgetter(*(customer_columns.index(k) for k in _SEARCHED))
        self.customer_history, self.customer_copy = self._history(
            CustomerModel.history.model, customer_columns, now
        )
        self.tag = _Table(CustomerModel.tags.through, ("customer_id", "tag_id"), now)
        self.follower = _Table(CustomerModel.followers.through, ("customer_id", "user_id"), now)
        self.share = _Table(
            CustomerShare, ("customer_id", "level", "created_by_id", "user_id", "team_id"), now
        )
        self.contact = _Table(Contact, contact_columns, now)
        self.contact_history, self.contact_copy = self._history(
            Contact.history.model, contact_columns, now
        )

    @staticmethod
    def _history(model, columns, now):
        """The history table and what a history row copies from the record's prepared row (so
        its values come prepared too)."""
        names = {f.attname for f in model._meta.concrete_fields}
        copied = [i for i, c in enumerate(columns) if c in names]
        table = _Table(model, [columns[i] for i in copied] + list(_HISTORY), now, prepared=True)
        return table, operator.itemgetter(*copied)

    def with_search_text(self, customers: list[tuple]) -> list[tuple]:
        """Customer rows made with ``search_text=False``, with their search text."""
        at, searched = self.search_at, self.searched
        return [(*row[:at], _search_text(*searched(row)), *row[at + 1 :]) for row in customers]

    def rows(
        self,
        chunk: list[DemoCustomer],
        first_id: int,
        first_contact: int,
        ids: _Ids,
        *,
        search_text: bool = True,
    ):
        """The prepared rows of ``chunk`` (customer ids from ``first_id``, contact ids from
        ``first_contact``) by table (the attribute holding it here), in the order they are
        written; without the customers' search text (left to ``with_search_text``) if
        ``search_text`` is false."""
        uid, team_ids, tag_ids = ids.users, ids.teams, ids.tags
        created_at = _FIELDS.index("created_at") + 1
        customers, history, tags, followers, shares, contacts, contact_history = (
            [], [], [], [], [], [], []
        )  # fmt: skip
        fields_of = operator.itemgetter(*_FIELDS)
        contact_of = operator.itemgetter(*_CONTACT_FIELDS)
        contact_id = first_contact
        for pk, item in enumerate(chunk, start=first_id):
            owner = uid[item.owner]
            row = self.customer.prepare(
                (
                    pk,
                    *fields_of(item.fields),
                    owner,
                    owner,
                    ", ".join(item.tags),
                    _search_text_of(item.fields) if search_text else "",
                )
            )
            customers.append(row)
            history.append(
                self.customer_history.prepare(
                    (*self.customer_copy(row), row[created_at], history_reasons.DEMO, "+", owner)
                )
            )
            tags += [(pk, tag_ids[name]) for name in item.tags]
            followers += [(pk, uid[u]) for u in item.followers]
            for kind, name, level in item.shares:
                user = uid[name] if kind == "user" else None
                team = team_ids[name] if kind == "team" else None
                shares.append(self.share.prepare((pk, level, owner, user, team)))
            for c in item.contacts:
                contact = self.contact.prepare(
                    (
                        contact_id,
                        *contact_of(c),
                        pk,
                        item.fields["created_at"],
                        contact_search_text(c, customer_name=item.fields["name"]),
                    )
                )
                contacts.append(contact)
                at = contact[self.contact_created]
                contact_history.append(
                    self.contact_history.prepare(
                        (*self.contact_copy(contact), at, history_reasons.DEMO, "+", owner)
                    )
                )
                contact_id += 1
        return [
            ("customer", customers),
            ("customer_history", history),
            ("tag", [self.tag.prepare(r) for r in tags] if self.tag.constants else tags),
            (
                "follower",
                [self.follower.prepare(r) for r in followers]
                if self.follower.constants
                else followers,
            ),
            ("share", shares),
            ("contact", contacts),
            ("contact_history", contact_history),
        ]


def _create_products() -> dict[str, Product]:
    Product.objects.bulk_create(
        Product(
            sku=p.sku, name=p.name, category=p.category, unit=p.unit, list_price=Decimal(p.price)
        )
        for p in data.PRODUCTS
        if not Product.objects.filter(sku=p.sku).exists()
    )
    return {p.sku: p for p in Product.objects.filter(sku__in=[p.sku for p in data.PRODUCTS])}


def _next_id(model) -> int:
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _stage_map() -> dict[str, Stage] | None:
    """The default pipeline's stages by the generator's keys: open:0…, won, lost."""
    pipeline = Pipeline.objects.filter(is_default=True, active=True).first()
    if pipeline is None:
        return None
    stages = list(pipeline.stages.order_by("position"))
    kinds = {kind: [s for s in stages if s.kind == kind] for kind in Stage.Kind.values}
    if not (kinds["open"] and kinds["won"] and kinds["lost"]):
        return None
    found = {f"open:{i}": s for i, s in enumerate(kinds["open"])}
    last = kinds["open"][-1]
    found.update({f"open:{i}": last for i in range(len(kinds["open"]), 4)})
    found.update(won=kinds["won"][0], lost=kinds["lost"][0])
    return found


@functools.lru_cache(maxsize=1 << 14)
def _line_amounts(quantity: Decimal, price: Decimal, discount: str, tax: str) -> LineAmounts:
    """pricing.line_amounts, once per kind of line (orders repeat a few hundred of them). The
    rates come as text: Decimal("5") and Decimal("5.0") are equal keys but round differently."""
    return line_amounts(quantity, price, Decimal(discount), Decimal(tax))


def _priced(lines, products: dict[str, Product], **link) -> tuple[list[dict], LineAmounts]:
    """Line rows with the amounts the sales services compute (pricing.line_amounts on the list
    price: the demo has no price lists), and the document totals."""
    rows, amounts = [], []
    for position, line in enumerate(lines):
        product = products[line.sku]
        quantity = Decimal(line.quantity)
        money = _line_amounts(
            quantity, product.list_price, str(line.discount_percent), str(line.tax_rate)
        )
        amounts.append(money)
        rows.append(
            {
                "position": position,
                "product_id": product.pk,
                "description": product.name,
                "quantity": quantity,
                "unit_price": product.list_price,
                "discount_percent": line.discount_percent,
                "tax_rate": line.tax_rate,
                "subtotal": money.subtotal,
                "discount": money.discount,
                "tax": money.tax,
                "total": money.total,
                **link,
            }
        )
    return rows, document_totals(amounts)


def _order_time(order_date: dt.date, number: int) -> dt.datetime:
    minutes = (number * 37) % 540  # spread over the working day, 9:00 to 18:00
    start = dt.datetime.combine(order_date, dt.time(9), tzinfo=timezone.get_current_timezone())
    return start + dt.timedelta(minutes=minutes)


def _save_sales(
    plan: SalesPlan, customer_ids: list[int], users: dict[str, User], products
) -> tuple[int, int, int]:
    """Write the plan with explicit primary keys (orders, opportunities and leads point at
    each other), then move the id sequences past them."""
    stages = _stage_map()
    opp_base, order_base, lead_base = _next_id(Opportunity), _next_id(Order), _next_id(Lead)
    opportunities = plan.opportunities if stages else []
    uid = {name: u.pk for name, u in users.items()}
    leads = []
    for k, lead in enumerate(plan.leads):
        owner = uid[lead.owner] if lead.owner else None
        row = {
            **lead.fields,
            "id": lead_base + k,
            "owner_id": owner,
            "created_by_id": owner,
            "created_at": lead.created_at,
        }
        if lead.customer is not None and lead.opportunity is not None and stages:
            row.update(
                converted_at=plan.opportunities[lead.opportunity].moves[0].at,
                converted_by_id=owner,
                converted_customer_id=customer_ids[lead.customer],
                converted_opportunity_id=opp_base + lead.opportunity,
            )
        elif lead.customer is not None:
            row["status"] = Lead.Status.QUALIFIED  # nothing to convert into without a pipeline
        leads.append(row)
    _bulk_insert(Lead, leads)

    opp_rows, changes = [], []
    for k, opp in enumerate(opportunities):
        _lines, totals = _priced(opp.lines, products)
        owner = uid[opp.owner]
        first, last = opp.moves[0], opp.moves[-1]
        stage = stages[last.to]
        opp_rows.append(
            {
                "id": opp_base + k,
                "customer_id": customer_ids[opp.customer],
                "owner_id": owner,
                "created_by_id": owner,
                "name": opp.name[:200],
                "amount": totals.total,
                "expected_close_date": opp.expected_close,
                "pipeline_id": stage.pipeline_id,
                "stage_id": stage.pk,
                "stage_entered_at": last.at,
                "created_at": first.at,
                "competitor": opp.competitor,
                "next_step": opp.next_step,
                "is_commit": opp.is_commit,
                "lost_reason": last.note if last.to == "lost" else "",
                "won_at": last.at if last.to == "won" else None,
                "lost_at": last.at if last.to == "lost" else None,
                "source": opp.source,
                "lead_id": lead_base + opp.lead if opp.lead is not None else None,
                "version": len(opp.moves),
            }
        )
        previous = None
        for move in opp.moves:
            changes.append(
                {
                    "opportunity_id": opp_base + k,
                    "from_stage_id": stages[previous.to].pk if previous else None,
                    "to_stage_id": stages[move.to].pk,
                    "at": move.at,
                    "by_id": owner,
                    "seconds_in_from_stage": (
                        int((move.at - previous.at).total_seconds()) if previous else None
                    ),
                    "note": move.note if move.to == "lost" else "",
                }
            )
            previous = move
    _bulk_insert(Opportunity, opp_rows)
    _bulk_insert(StageChange, changes)

    orders: list[dict] = []
    lines: list[dict] = []
    demo_orders = [o for o in plan.orders if o.opportunity is None or stages]
    for k, order in enumerate(sorted(demo_orders, key=lambda o: o.order_date)):
        pk = order_base + k
        rows, totals = _priced(order.lines, products, order_id=pk)
        lines += rows
        orders.append(
            {
                "id": pk,
                "number": f"SO-{pk:06d}",
                "customer_id": customer_ids[order.customer],
                "owner_id": uid[order.owner],
                "created_by_id": uid[order.owner],
                "status": order.status,
                "order_date": order.order_date,
                "due_date": order.due_date,
                "paid_date": order.paid_date,
                "channel": order.channel,
                "store": order.store,
                "opportunity_id": (
                    opp_base + order.opportunity if order.opportunity is not None else None
                ),
                "created_at": _order_time(order.order_date, pk),
                "subtotal": totals.subtotal,
                "discount_total": totals.discount,
                "tax_total": totals.tax,
                "total": totals.total,
            }
        )
        if len(orders) >= CHUNK:
            _bulk_insert(Order, orders)
            _bulk_insert(OrderLine, lines)
            orders, lines = [], []
    _bulk_insert(Order, orders)
    _bulk_insert(OrderLine, lines)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Order, Opportunity, Lead]):
            cursor.execute(sql)
    return len(demo_orders), len(opportunities), len(leads)


def _demo_rows(
    customers: int,
    seed: int,
    today: dt.date,
    ids: _Ids,
    tables: _CustomerTables,
    *,
    search_text: bool = True,
) -> Iterator[tuple[str, Any]]:
    """Everything the demo writes, in order, as messages: ("customers", [(table, rows), ...])
    per chunk (tables by their name in ``tables``), then ("customers done", None), then ("sales", the SalesPlan of the buyers).

    Beyond SALES_CUSTOMERS customers, a spread sample of that many buy: sales history for a
    million customers (four million orders) would take most of an hour, and the million-customer
    demo is for trying search and lists at scale (benchmarks/datagen.py makes big order books)."""
    step = max(1, -(-customers // SALES_CUSTOMERS))
    buyers: list[Buyer] = []
    chunk: list[DemoCustomer] = []
    first, contact = ids.customer, ids.contact
    for position, item in enumerate(generate_customers(customers, seed, today)):
        chunk.append(item)
        if position % step == 0:
            buyers.append(buyer_of(item))
        if len(chunk) >= CHUNK or position == customers - 1:
            batch = tables.rows(chunk, first, contact, ids, search_text=search_text)
            yield "customers", batch
            first += len(chunk)
            contact += len(batch[-1][1])
            chunk = []
    yield "customers done", None
    yield "sales", generate_sales(buyers, seed, today)


def _send_all(produce: Callable[[], Iterator], sender) -> None:
    """In the child process: send every message of ``produce()``, then ("end", None), or
    ("error", the traceback)."""
    try:
        for message in produce():
            sender.send(message)
        sender.send(("end", None))
    except BrokenPipeError:
        pass  # the parent stopped listening (it failed): nothing to tell
    except BaseException:
        sender.send(("error", traceback.format_exc()))
    finally:
        sender.close()


def _in_child(produce: Callable[[], Iterator]) -> Iterator:
    """The messages of ``produce()``, made in a forked child process while this one writes the
    previous ones (the pipe holds about one message, so the child stays a chunk ahead). The
    child never touches the database: it inherits the ids and tables it needs."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_send_all, args=(produce, sender), daemon=True)
    child.start()
    sender.close()
    try:
        while True:
            try:
                kind, payload = receiver.recv()
            except EOFError:
                raise RuntimeError("The demo data process stopped unexpectedly.") from None
            if kind == "error":
                raise RuntimeError(f"Making the demo data failed:\n{payload}")
            if kind == "end":
                return
            yield kind, payload
    finally:
        receiver.close()
        child.join(timeout=10)
        if child.is_alive():
            child.terminate()
            child.join()


def _build_search_index() -> None:
    """search_index.install (and the contacts' index's) over the loaded customers. PostgreSQL
    refuses CREATE INDEX on a table with pending deferred foreign-key checks: those are run
    first (as the commit would)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            search_index.install()
            contact_search_index.install()
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        search_index.install()
        contact_search_index.install()


def _use_child(customers: int, parallel: bool | None) -> bool:
    if parallel is None:
        parallel = customers >= PARALLEL_FROM
    return parallel and "fork" in multiprocessing.get_all_start_methods()


@transaction.atomic
def load_demo(
    customers: int = 300,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    *,
    parallel: bool | None = None,
) -> DemoResult:
    """Create the demo company (teams, users, products) and ``customers`` customers with two
    years of orders, a year of opportunities and recent leads, in an empty database.

    The customer rows are made in a child process while this one writes (``parallel``; by
    default from PARALLEL_FROM customers), the same rows either way. The search index is
    dropped for the load and built once over all the customers at the end (search_index's
    install, exactly what its triggers would have written row by row, several times faster);
    it all happens in one transaction, so nobody sees the table without it."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    users = _create_people()
    teams = {t.name: t for t in Team.objects.all()}
    tags = _create_reference_data()
    products = _create_products()
    tables = _CustomerTables(timezone.now())
    ids = _Ids(
        customer=_next_id(CustomerModel),
        contact=_next_id(Contact),
        users={name: u.pk for name, u in users.items()},
        teams={name: t.pk for name, t in teams.items()},
        tags={name: t.pk for name, t in tags.items()},
    )

    # With a child process, this one computes the search text: drawing the customers takes
    # about as long as the pinyin and the writes together, so both cores stay busy.
    in_child = _use_child(customers, parallel)

    def produce() -> Iterator[tuple[str, Any]]:
        return _demo_rows(customers, seed, today, ids, tables, search_text=not in_child)

    search_index.uninstall()
    contact_search_index.uninstall()
    contacts = 0
    plan = SalesPlan()
    for kind, payload in _in_child(produce) if in_child else produce():
        if kind == "customers":
            for table, rows in payload:
                if table == "customer" and in_child:
                    rows = tables.with_search_text(rows)  # noqa: PLW2901
                getattr(tables, table).write(rows)
            contacts += len(payload[-1][1])
        elif kind == "customers done":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [CustomerModel, Contact]):
                    cursor.execute(sql)
            _build_search_index()  # while the child draws the sales history
        else:
            plan = payload
    step = max(1, -(-customers // SALES_CUSTOMERS))
    customer_ids = range(ids.customer, ids.customer + customers)
    orders, opportunities, leads = _save_sales(plan, customer_ids[::step], users, products)
    return DemoResult(
        customers=customers,
        contacts=contacts,
        seconds=time.perf_counter() - started,
        products=len(products),
        orders=orders,
        opportunities=opportunities,
        leads=leads,
    )


def refresh_analytics(today: dt.date | None = None):
    """Run the analytics refresh over the demo, first as of a quarter ago (so the lifecycle
    flows have a snapshot to start from), then as of today; returns today's run."""
    from guanxi.analytics.refresh import refresh_metrics

    today = today or timezone.localdate()
    refresh_metrics(today - dt.timedelta(days=91))
    return refresh_metrics(today)
