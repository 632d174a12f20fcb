"""A believable demo company, its people, customers and sales, the same for the same seed.

The generators (``generate_customers``, ``demo_sales.generate_sales``) are pure: rows of field
values keyed by usernames, positions and SKUs, so they can be tested without a database.
``load_demo`` writes them through bulk paths (customers, contacts and their "created" history
records, orders, opportunities, their stage log and leads with one INSERT per chunk, holding the
search text and amounts the services would store).
"""

import datetime as dt
import functools
import itertools
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import DateField, DateTimeField, JSONField, Max
from django.utils import timezone
from pypinyin import lazy_pinyin
from stdnum.cn import ric

from guanxi.accounts.models import Role, Team, User
from guanxi.accounts.services import create_team
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
from guanxi.customers.search import build_search_text
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


@functools.lru_cache(maxsize=100000)
def _valid_id_prefix(prefix: str) -> bool:
    """Whether python-stdnum accepts resident IDs with this place code and birth date."""
    body = prefix + "000"
    return ric.is_valid(body + ric.calc_check_digit(body + "?"))


@functools.lru_cache(maxsize=50000)
def _spelled(name: str) -> list[str]:
    return lazy_pinyin(name)


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
    """Weighted choices with the cumulative weights computed once."""

    def __init__(self, rng: random.Random, pairs):
        self.rng = rng
        self.values = [v for v, _w in pairs]
        self.cum = list(itertools.accumulate(w for _v, w in pairs))

    def __call__(self):
        return self.rng.choices(self.values, cum_weights=self.cum)[0]


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
        rng = self.rng
        short = city.removesuffix("市")
        while True:
            brand = "".join(rng.sample(data.BRAND_CHARS, 2))
            name = f"{short}{brand}{data.TRADE_WORDS[industry]}有限公司"
            if name not in self.company_names:
                self.company_names.add(name)
                return name

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
        now = dt.datetime.combine(self.today, dt.time(18, 0), tzinfo=dt.UTC)
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


@functools.lru_cache(maxsize=20000)
def _words(text: str) -> tuple[str, ...]:
    return tuple(build_search_text(text).split())


def _search_text_of(row: dict) -> str:
    """What customers.services stores in ``search_text``, with the pinyin of names (which repeat
    a lot) computed once per name. Tokens never hold spaces, so joining the pieces and dropping
    repeats gives the same line as one ``build_search_text`` call; a test holds it to that."""
    tail = build_search_text(
        "", phones=[row["phone"], row["phone_alt"]], email=row["email"], extra=[row["wechat_id"]]
    ).split()
    company = row["company_name"]
    words = [*_words(row["name"]), *(_words(company) if company else ()), *tail]
    return " ".join(dict.fromkeys(words))


def _history_rows(rows: list[dict], user_ids: list[int | None], at_field: str) -> list[dict]:
    """The "created" history record of each row, as django-simple-history writes it."""
    return [
        {
            **row,
            "history_date": row[at_field],
            "history_change_reason": "demo data",
            "history_type": "+",
            "history_user_id": user_id,
        }
        for row, user_id in zip(rows, user_ids, strict=True)
    ]


def _save_chunk(
    chunk: list[DemoCustomer],
    users: dict[str, User],
    tags: dict[str, Tag],
    teams: dict[str, Team],
    saved_ids: list[int],
) -> int:
    """Write a chunk of customers with their history, tags, followers, shares and contacts.

    Rows go in with explicit ids through ``_bulk_insert`` (one executemany per table): the ORM's
    bulk_create would build two model instances (record and history) per customer, most of the
    time of a million-customer demo. The values are those the services store: the search text
    of ``customers.services`` (a test holds it to that), the tag names, one "created" history
    record by the owner at the creation time."""
    base = _next_id(CustomerModel)
    uid = {name: u.pk for name, u in users.items()}
    rows, owners = [], []
    for k, item in enumerate(chunk):
        owner = uid[item.owner]
        row = {
            **item.fields,
            "id": base + k,
            "owner_id": owner,
            "created_by_id": owner,
            "tag_names": ", ".join(item.tags),
        }
        row["search_text"] = _search_text_of(row)
        rows.append(row)
        owners.append(owner)
    _bulk_insert(CustomerModel, rows)
    _bulk_insert(CustomerModel.history.model, _history_rows(rows, owners, "created_at"))
    saved_ids += [row["id"] for row in rows]
    tag_rows, follower_rows, shares, contacts, contact_owners = [], [], [], [], []
    team_ids = {name: t.pk for name, t in teams.items()}
    for row, item in zip(rows, chunk, strict=True):
        pk = row["id"]
        tag_rows += [{"customer_id": pk, "tag_id": tags[name].pk} for name in item.tags]
        follower_rows += [{"customer_id": pk, "user_id": uid[u]} for u in item.followers]
        for kind, name, level in item.shares:
            shares.append(
                {
                    "customer_id": pk,
                    "level": level,
                    "created_by_id": row["owner_id"],
                    "user_id": uid[name] if kind == "user" else None,
                    "team_id": team_ids[name] if kind == "team" else None,
                }
            )
        for c in item.contacts:
            contacts.append({**c, "customer_id": pk, "created_at": row["created_at"]})
            contact_owners.append(row["owner_id"])
    _bulk_insert(CustomerModel.tags.through, tag_rows)
    _bulk_insert(CustomerModel.followers.through, follower_rows)
    _bulk_insert(CustomerShare, shares)
    contact_base = _next_id(Contact)
    for k, contact in enumerate(contacts):
        contact["id"] = contact_base + k
    _bulk_insert(Contact, contacts)
    _bulk_insert(Contact.history.model, _history_rows(contacts, contact_owners, "created_at"))
    return len(contacts)


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


def _priced(lines, products: dict[str, Product], **link) -> tuple[list[dict], LineAmounts]:
    """Line rows with the amounts the sales services compute (pricing.line_amounts on the list
    price: the demo has no price lists), and the document totals."""
    rows, amounts = [], []
    for position, line in enumerate(lines):
        product = products[line.sku]
        quantity = Decimal(line.quantity)
        money = line_amounts(quantity, product.list_price, line.discount_percent, line.tax_rate)
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


def _bulk_insert(model, rows: list[dict]) -> None:
    """INSERT ``rows`` (dicts keyed by attname) with one executemany per chunk.

    The ORM's bulk_create builds a model instance per row and prepares each value through its
    field, several times slower than the rest of the demo put together at 100,000s of order
    lines. Here every missing field takes its default (auto_now: now), and the only values that
    need adapting (datetimes and dates, for SQLite) are adapted as the ORM would."""
    if not rows:
        return
    ops, now = connection.ops, timezone.now()
    fields = [
        f for f in model._meta.concrete_fields if not (f.primary_key and f.attname not in rows[0])
    ]
    columns = []
    for f in fields:
        auto = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        default = now if auto else f.get_default()
        values = [row.get(f.attname, default) for row in rows]
        if isinstance(f, DateTimeField):
            values = [ops.adapt_datetimefield_value(v) for v in values]
        elif isinstance(f, DateField):
            values = [ops.adapt_datefield_value(v) for v in values]
        elif isinstance(f, JSONField):
            values = [f.get_db_prep_save(v, connection) for v in values]
        columns.append(values)
    names = ", ".join(ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(zip(*columns, strict=True)))


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


@transaction.atomic
def load_demo(
    customers: int = 300, seed: int = DEFAULT_SEED, today: dt.date | None = None
) -> DemoResult:
    """Create the demo company (teams, users, products) and ``customers`` customers with two
    years of orders, a year of opportunities and recent leads, in an empty database."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    users = _create_people()
    teams = {t.name: t for t in Team.objects.all()}
    tags = _create_reference_data()
    products = _create_products()
    contacts = 0
    customer_ids: list[int] = []
    buyers: list[Buyer] = []
    chunk: list[DemoCustomer] = []
    # Beyond SALES_CUSTOMERS customers, a spread sample of that many buy: sales history for a
    # million customers (four million orders) would take most of an hour, and the million-customer
    # demo is for trying search and lists at scale (benchmarks/datagen.py makes big order books).
    step = max(1, -(-customers // SALES_CUSTOMERS))
    for position, item in enumerate(generate_customers(customers, seed, today)):
        chunk.append(item)
        if position % step == 0:
            buyers.append(buyer_of(item))
        if len(chunk) >= CHUNK:
            contacts += _save_chunk(chunk, users, tags, teams, customer_ids)
            chunk = []
    if chunk:
        contacts += _save_chunk(chunk, users, tags, teams, customer_ids)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [CustomerModel, Contact]):
            cursor.execute(sql)
    plan = generate_sales(buyers, seed, today)
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
