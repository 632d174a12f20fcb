"""The demo company's sales history: two years of orders, a year of opportunities, and leads.

``generate_sales`` is pure, like the customer generator: it takes the generated customers and
returns plain rows (customers by their position in the list, products by SKU, stages by kind),
the same for the same seed and day. Customers follow a few believable patterns — regulars who
come back every two to four months, one-off buyers, customers who drift away, a few who come
back after a long silence, newcomers — and orders bunch up before the Spring Festival, May Day
and National Day, when people get the car ready for a trip. Baskets plant the cross-sells a
service station sees every day (engine oil with its filter, tyres with an alignment).
"""

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from guanxi.ops import demo_data as data

# Customer patterns. "new" is given by the creation date, the others by lot.
POTENTIAL, ONE_OFF, REGULAR, OCCASIONAL, DRIFTED, RECOVERED, NEW = (
    "potential",
    "one_off",
    "regular",
    "occasional",
    "drifted",
    "recovered",
    "new",
)
_PERSON_PATTERNS = [
    (POTENTIAL, 7),
    (ONE_OFF, 20),
    (REGULAR, 30),
    (OCCASIONAL, 20),
    (DRIFTED, 16),
    (RECOVERED, 7),
]
_COMPANY_PATTERNS = [
    (POTENTIAL, 4),
    (ONE_OFF, 6),
    (REGULAR, 50),
    (OCCASIONAL, 16),
    (DRIFTED, 16),
    (RECOVERED, 8),
]
HISTORY_DAYS = 730


class Buyer(NamedTuple):
    """What the sales history needs to know about a generated customer."""

    kind: str
    name: str
    phone: str
    contact: str  # a company's primary contact
    created: dt.date
    owner: str
    city: str
    district: str
    province: str
    source: str
    vip: bool


def buyer_of(customer) -> Buyer:
    """The ``Buyer`` of a ``demo.DemoCustomer``."""
    row = customer.fields
    return Buyer(
        kind=row["kind"],
        name=row["name"],
        phone=row["phone"],
        contact=customer.contacts[0]["name"] if customer.contacts else "",
        created=row["created_at"].astimezone(_zone()).date(),
        owner=customer.owner,
        city=row["city"],
        district=row["district"],
        province=row["province"],
        source=row["source_channel"],
        vip="VIP" in customer.tags,
    )


@dataclass
class Line:
    sku: str
    quantity: int
    discount_percent: Decimal
    tax_rate: Decimal


@dataclass
class DemoOrder:
    customer: int  # position in the buyers list
    owner: str
    order_date: dt.date
    status: str
    due_date: dt.date | None
    paid_date: dt.date | None
    channel: str
    store: str
    lines: list[Line]
    opportunity: int | None = None  # position in the opportunities list


@dataclass
class DemoMove:
    to: str  # "open:<i>" (i-th open stage), "won" or "lost"
    at: dt.datetime
    note: str = ""


@dataclass
class DemoOpportunity:
    customer: int
    owner: str
    name: str
    lines: list[Line]  # what the deal is for; its total is the amount
    expected_close: dt.date
    moves: list[DemoMove]
    competitor: str = ""
    next_step: str = ""
    is_commit: bool = False
    source: str = ""
    lead: int | None = None  # position in the leads list


@dataclass
class DemoLead:
    fields: dict
    owner: str | None
    created_at: dt.datetime
    customer: int | None = None  # converted into this customer
    opportunity: int | None = None  # … and this opportunity


@dataclass
class SalesPlan:
    orders: list[DemoOrder] = field(default_factory=list)
    opportunities: list[DemoOpportunity] = field(default_factory=list)
    leads: list[DemoLead] = field(default_factory=list)


def _zone() -> ZoneInfo:
    return ZoneInfo("Asia/Shanghai")  # the demo company's clock, whatever the server's


def holidays(first: dt.date, last: dt.date) -> list[dt.date]:
    """Spring Festival, May Day and National Day between two dates."""
    days = []
    for year in range(first.year, last.year + 1):
        if year in data.SPRING_FESTIVAL:
            days.append(dt.date.fromisoformat(data.SPRING_FESTIVAL[year]))
        days += [dt.date(year, 5, 1), dt.date(year, 10, 1)]
    return sorted(d for d in days if first <= d <= last)


_TAX = {p.sku: Decimal(p.tax_rate) for p in data.PRODUCTS}
_TYRES = ["TYR-001", "TYR-002", "TYR-003", "TYR-004"]


class _SalesGenerator:
    def __init__(self, buyers: Sequence[Buyer], seed: int, today: dt.date):
        # Its own stream, so adding sales never changes the customers a seed gives.
        self.rng = random.Random(f"sales-{seed}")
        self.buyers = buyers
        self.today = today
        self.start = today - dt.timedelta(days=HISTORY_DAYS)
        self.holidays = holidays(self.start, today + dt.timedelta(days=40))
        self.plan = SalesPlan()
        self.phones = {b.phone for b in buyers if b.phone}
        reps = [u for u in data.USERS if u.role == "rep"]
        self.reps = [u.username for u in reps if u.cities]
        self._people = None

    # -- dates ------------------------------------------------------------------------------
    def days(self, low: float, high: float) -> dt.timedelta:
        return dt.timedelta(days=round(self.rng.uniform(low, high)))

    def at(self, day: dt.date) -> dt.datetime:
        """A moment in working hours on ``day``."""
        rng = self.rng
        return dt.datetime.combine(
            day, dt.time(rng.randrange(9, 18), rng.randrange(60)), tzinfo=_zone()
        )

    def before_holiday(self, day: dt.date) -> dt.date | None:
        for h in self.holidays:
            if 0 <= (h - day).days <= 12:
                return h
        return None

    def seasonal(self, day: dt.date) -> dt.date:
        """Pull a visit planned shortly before a holiday into the week before it (the car is
        checked before the trip home), and out of the holiday week itself (the shop is shut)."""
        rng = self.rng
        for h in self.holidays:
            lead = (h - day).days
            if 0 <= lead <= 25 and rng.random() < 0.55:
                return min(h - dt.timedelta(days=rng.randrange(1, 8)), self.today)
            if -7 < lead < 0 and (h.month == 10 or h.month < 3):
                return min(h + dt.timedelta(days=rng.randrange(7, 12)), self.today)
        return day

    # -- timelines --------------------------------------------------------------------------
    def pattern(self, b: Buyer) -> str:
        if (self.today - b.created).days < 90:
            return NEW if self.rng.random() < 0.8 else POTENTIAL
        pairs = _COMPANY_PATTERNS if b.kind == "company" else _PERSON_PATTERNS
        return self.rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]

    def renewals(
        self, first: dt.date, until: dt.date, mean: float, spread: float, dropout: float = 0.0
    ) -> list:
        """Visit days from ``first`` to ``until``: gamma-distributed gaps around ``mean`` with a
        coefficient of variation ``spread``, and after each visit a ``dropout`` chance of never
        coming back (real customers are neither clockwork nor immortal, and the lifetime-value
        model needs to see both)."""
        shape = 1.0 / (spread * spread)
        out, day = [], first
        while day <= until:
            out.append(day)
            if dropout and self.rng.random() < dropout:
                break
            gap = self.rng.gammavariate(shape, mean / shape)
            day += dt.timedelta(days=max(7, round(gap)))
        return out

    def timeline(self, b: Buyer, pattern: str) -> list[dt.date]:
        rng, today = self.rng, self.today
        start = max(b.created, self.start)
        company = b.kind == "company"
        mean = rng.uniform(20, 60) if company else rng.uniform(60, 120)
        if pattern == POTENTIAL:
            return []
        if pattern == NEW:
            first = b.created + self.days(0, 10)
            days = [first] if first <= today else [today]
            if rng.random() < 0.3 and (today - days[0]).days > 30:
                days.append(days[0] + self.days(20, (today - days[0]).days))
            return days
        if pattern == ONE_OFF:
            return [start + self.days(0, max(0, (today - start).days))]
        first = start + self.days(0, min(mean, (today - start).days))
        if pattern == REGULAR:
            trend = rng.random()
            if trend < 0.2:  # coming less and less often: spend declines
                days, day, gap = [], first, mean * 0.6
                while day <= today:
                    days.append(day)
                    gap *= rng.uniform(1.1, 1.35)
                    day += dt.timedelta(days=round(gap))
                return days
            return self.renewals(first, today, mean, 0.6, dropout=rng.uniform(0.01, 0.08))
        if pattern == OCCASIONAL:
            # Comes now and then, and after any visit may not come back (as BG/NBD has it).
            days, day, churn = [], first, rng.uniform(0.05, 0.5)
            while day <= today:
                days.append(day)
                if rng.random() < churn:
                    break
                day += dt.timedelta(days=round(rng.gammavariate(1.6, rng.uniform(60, 140))) + 14)
            return days
        if pattern == DRIFTED:
            stop = today - self.days(150, 450)
            if stop - first < dt.timedelta(days=2 * mean):
                return self.renewals(first, today, mean, 0.6)
            return self.renewals(first, stop, mean, 0.6)
        # RECOVERED: regular at first, silent for most of a year, back in the last weeks.
        mean = rng.uniform(25, 50)
        stop = first + self.days(200, 320)
        back = today - self.days(5, 70)
        days = self.renewals(first, stop, mean, 0.5)
        gaps = [(b2 - b1).days for b1, b2 in zip(days, days[1:], strict=False)]
        silence = (back - days[-1]).days
        if len(days) >= 4 and silence > 3 * (sum(gaps) + silence) / (len(gaps) + 1):
            return [*days, back]
        return days  # too short a history to tell a comeback from a slow regular: drifted

    # -- baskets ----------------------------------------------------------------------------
    def line(self, sku: str, quantity: int, discount: Decimal) -> Line:
        return Line(sku, quantity, discount, _TAX[sku])

    def basket(self, b: Buyer, kind: str, fleet: int, discount: Decimal) -> list[Line]:
        """Order lines for one visit; ``fleet`` is how many vehicles come (1 for a person)."""
        rng = self.rng
        n = fleet
        items: list[tuple[str, int]]
        if kind == "small":
            items = [("MT-001", n), (rng.choice(["OIL-001", "OIL-001", "OIL-002"]), n)]
            if rng.random() < 0.85:
                items.append(("FLT-001", n))
            if rng.random() < 0.25:
                items.append(("FLT-003", n))
        elif kind == "big":
            items = [("MT-002", n), ("OIL-001", n), ("FLT-001", n)]
            items.append((rng.choice(["FLT-002", "FLT-003", "FLT-004", "ELC-003"]), n))
        elif kind == "tyres":
            pair = rng.choice([2, 4, 4]) * n
            items = [(rng.choice(_TYRES), pair)]
            if rng.random() < 0.7:
                items.append(("TYR-005", n))
            if rng.random() < 0.5:
                items.append(("TYR-006", n))
        elif kind == "brakes":
            items = [(rng.choice(["BRK-001", "BRK-001", "BRK-002"]), n)]
            if rng.random() < 0.4:
                items.append(("OIL-004", n))
            if rng.random() < 0.12:
                items.append(("BRK-003", n))
        elif kind == "battery":
            items = [(rng.choice(["ELC-001", "ELC-001", "ELC-002"]), n)]
            if rng.random() < 0.3:
                items.append(("MT-005", n))
        elif kind == "trip":  # the check before a holiday drive
            items = [("MT-005", n), (rng.choice(["ELC-004", "OIL-006", "TYR-007", "ELC-005"]), n)]
            if rng.random() < 0.5:
                items.append(("CAR-001", n))
        elif kind == "care":
            items = [(rng.choice(["CAR-002", "CAR-003", "CAR-003", "CAR-004", "MT-003"]), n)]
            if rng.random() < 0.4:
                items.append(("CAR-001", n))
            if rng.random() < 0.15:
                items.append(("CAR-005", n))
        elif kind == "fluids":
            items = [(rng.choice(["OIL-003", "OIL-005", "MT-004"]), n)]
            if rng.random() < 0.3:
                items.append(("OIL-006", n))
        elif kind == "film":
            items = [(rng.choice(["FLM-001", "FLM-002", "FLM-002", "FLM-003"]), n)]
            if rng.random() < 0.25:
                items.append(("ACC-001", n))
            if rng.random() < 0.15:
                items.append(("ACC-002", n))
        elif kind == "warranty":
            items = [(rng.choice(["EXW-001", "EXW-002"]), n)]
            if rng.random() < 0.35:
                items.append(("EXW-003", n))
        else:  # accessories
            items = [(sku, n) for sku in rng.sample(["ACC-001", "ACC-002", "ACC-003"], 2)]
        seen: dict[str, int] = {}
        for sku, qty in items:
            seen.setdefault(sku, qty)
        return [self.line(sku, qty, discount) for sku, qty in list(seen.items())[:4]]

    _KINDS = [
        ("small", 40),
        ("big", 14),
        ("tyres", 9),
        ("brakes", 7),
        ("battery", 4),
        ("care", 10),
        ("fluids", 5),
        ("film", 2),
        ("warranty", 2),
        ("accessories", 2),
    ]

    def visit_kind(self, near_holiday: bool) -> str:
        rng = self.rng
        if near_holiday and rng.random() < 0.35:
            return "trip"
        return rng.choices([k for k, _ in self._KINDS], weights=[w for _, w in self._KINDS])[0]

    # -- orders -----------------------------------------------------------------------------
    def store(self, b: Buyer) -> str:
        district = b.district.removesuffix("新区").removesuffix("区")
        return f"{b.city.removesuffix('市')}{district}店"

    def order(
        self, i: int, b: Buyer, day: dt.date, lines: list[Line], payer: str, opportunity=None
    ) -> DemoOrder:
        rng, today = self.rng, self.today
        company = b.kind == "company"
        channel = rng.choices(
            ["sales_rep", "phone", "store", "wechat"] if company else
            ["store", "wechat", "phone", "online"],
            weights=[50, 25, 15, 10] if company else [65, 15, 10, 10],
        )[0]  # fmt: skip
        store = "线上商城" if channel == "online" else self.store(b)
        due = day + dt.timedelta(days=30 if company else 7)
        roll = rng.random() if opportunity is None else 1.0  # a won deal is not cancelled
        if roll < 0.03:
            return DemoOrder(i, b.owner, day, "cancelled", due, None, channel, store, lines)
        if roll < 0.045:
            return DemoOrder(i, b.owner, day, "refunded", due, day, channel, store, lines)
        # When it gets paid, by the customer's habit: late payers are late, a few never pay.
        if payer == "prompt":
            paid = day if not company else day + self.days(3, 28)
        elif payer == "slow":
            paid = due + self.days(3, 45)
        else:
            paid = due + self.days(30, 150)
            if (today - day).days < 240 and rng.random() < 0.35:
                paid = None
        if paid is not None and paid > today:
            paid = None
        recent = (today - day).days < 6
        if recent and rng.random() < 0.5:
            status, paid = "confirmed", None  # booked, the work not done yet
        elif paid is None:
            status = "shipped"  # delivered on credit
        elif channel == "online" or (company and rng.random() < 0.3):
            status = "shipped"  # paid, then shipped
        else:
            status = "paid"
        return DemoOrder(
            i, b.owner, day, status, due, paid, channel, store, lines, opportunity=opportunity
        )

    def discount(self, b: Buyer, day: dt.date, contract: Decimal) -> Decimal:
        if b.kind == "company":
            return contract
        if b.vip:
            return Decimal(10)
        if self.before_holiday(day) and self.rng.random() < 0.5:
            return Decimal(5)  # the holiday promotion
        return Decimal(0)

    def orders_for(self, i: int, b: Buyer) -> None:
        rng = self.rng
        pattern = self.pattern(b)
        days = sorted({self.seasonal(d) for d in self.timeline(b, pattern) if d <= self.today})
        if not days:
            return
        company = b.kind == "company"
        fleet = rng.choice([2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30]) if company else 1
        contract = Decimal(rng.choice([0, 5, 8, 10, 12])) if company else Decimal(0)
        if company:
            payer = rng.choices(["prompt", "slow", "bad"], weights=[55, 30, 15])[0]
        else:
            payer = rng.choices(["prompt", "slow", "bad"], weights=[93, 5, 2])[0]
        growing = company and rng.random() < 0.3
        for n, day in enumerate(days):
            near = self.before_holiday(day) is not None
            vehicles = fleet
            if company:
                # A fleet sends a few of its vehicles per visit; a growing one more and more.
                share = (0.3 + 0.7 * n / len(days)) if growing else rng.uniform(0.3, 0.8)
                vehicles = max(1, round(fleet * share))
            lines = self.basket(b, self.visit_kind(near), vehicles, self.discount(b, day, contract))
            self.plan.orders.append(self.order(i, b, day, lines, payer))
        # A holiday extra now and then for customers who are still coming.
        if pattern in (REGULAR, OCCASIONAL) and len(days) > 1:
            for h in self.holidays:
                if days[0] < h <= min(days[-1], self.today) and rng.random() < 0.1:
                    day = h - dt.timedelta(days=rng.randrange(1, 8))
                    lines = self.basket(b, "trip", 1, self.discount(b, day, contract))
                    self.plan.orders.append(self.order(i, b, day, lines, payer))

    # -- opportunities ----------------------------------------------------------------------
    def deal(self, b: Buyer) -> tuple[str, list[Line]]:
        rng = self.rng
        if b.kind == "company":
            n = rng.choice([5, 8, 10, 12, 15, 20, 30, 40])
            d = Decimal(rng.choice([5, 8, 10, 12, 15]))
            kind = rng.choice(["maintenance", "maintenance", "tyres", "warranty", "film"])
            if kind == "maintenance":
                title = "车队年度保养合同"
                items = [("MT-002", n), ("MT-001", n), ("OIL-001", 2 * n), ("FLT-001", 2 * n)]
            elif kind == "tyres":
                title = "车队轮胎批量更换"
                items = [(rng.choice(_TYRES), 4 * n), ("TYR-005", n), ("TYR-006", n)]
            elif kind == "warranty":
                title = "公务车延保及道路救援"
                items = [("EXW-002", n), ("EXW-003", n)]
            else:
                title = "公务车隔热膜"
                items = [("FLM-002", n), ("ACC-001", n)]
            return f"{b.name} {title}", [self.line(s, q, d) for s, q in items]
        d = Decimal(10) if b.vip else Decimal(rng.choice([0, 0, 5]))
        title, items = rng.choice(
            [
                ("全车隔热膜", [(rng.choice(["FLM-002", "FLM-003"]), 1), ("ACC-001", 1)]),
                ("延保服务", [(rng.choice(["EXW-001", "EXW-002"]), 1), ("EXW-003", 1)]),
                ("漆面镀晶套餐", [("CAR-004", 1), ("CAR-002", 1)]),
                ("更换四条轮胎", [(rng.choice(_TYRES), 4), ("TYR-005", 1), ("TYR-006", 1)]),
            ]
        )
        return f"{b.name} {title}", [self.line(s, q, d) for s, q in items]

    def opportunity(self, i: int, b: Buyer, opened: dt.datetime, lead: int | None = None) -> None:
        rng, now = self.rng, dt.datetime.combine(self.today, dt.time(18), tzinfo=_zone())
        name, lines = self.deal(b)
        moves = [DemoMove("open:0", opened)]
        stage, t = 0, opened
        outcome = ""
        while True:
            t = t + dt.timedelta(days=rng.uniform(5, 40), hours=rng.uniform(0, 6))
            if t > now:
                break
            if rng.random() < (0.12 if stage < 3 else 0.3):
                outcome = "lost"
            elif stage == 3:
                outcome = "won"
            if outcome:
                note = rng.choice(data.LOST_REASONS) if outcome == "lost" else ""
                moves.append(DemoMove(outcome, t, note))
                break
            stage = min(3, stage + (2 if rng.random() < 0.1 else 1))
            moves.append(DemoMove(f"open:{stage}", t))
        opp = DemoOpportunity(
            customer=i,
            owner=b.owner,
            name=name,
            lines=lines,
            expected_close=(opened + self.days(30, 100)).date(),
            moves=moves,
            competitor=rng.choice(data.COMPETITORS) if rng.random() < 0.5 else "",
            source=b.source,
            lead=lead,
        )
        if outcome:
            opp.expected_close = moves[-1].at.date()
            if outcome == "lost" and not opp.competitor and rng.random() < 0.6:
                opp.competitor = rng.choice(data.COMPETITORS)
        else:
            opp.expected_close = self.today + self.days(5 + 10 * (3 - stage), 120)
            opp.next_step = rng.choice(data.NEXT_STEPS)
            opp.is_commit = stage == 3 and (opp.expected_close - self.today).days < 35
        self.plan.opportunities.append(opp)
        if outcome == "won":
            index = len(self.plan.opportunities) - 1
            payer = "prompt" if b.kind == "person" or rng.random() < 0.7 else "slow"
            self.plan.orders.append(self.order(i, b, t.date(), lines, payer, opportunity=index))

    def opportunities(self, converted: dict[int, int]) -> None:
        rng = self.rng
        year_ago = self.today - dt.timedelta(days=365)
        count = round(len(self.buyers) / 3)
        weights = [3 if b.kind == "company" else 1 for b in self.buyers]
        chosen = set(rng.choices(range(len(self.buyers)), weights=weights, k=count))
        for i, lead in converted.items():
            b = self.buyers[i]
            opened = self.at(b.created)
            self.opportunity(i, b, opened, lead=lead)
            self.plan.leads[lead].opportunity = len(self.plan.opportunities) - 1
        for i in sorted(chosen - set(converted)):
            b = self.buyers[i]
            first = max(b.created, year_ago)
            if rng.random() < 0.5:  # half of the pipeline opened in the last four months
                first = max(first, self.today - dt.timedelta(days=120))
            opened = self.at(first + self.days(0, (self.today - first).days))
            self.opportunity(i, b, opened)

    # -- leads ------------------------------------------------------------------------------
    def leads(self) -> dict[int, int]:
        """Leads of the last months; about one in five converted into a recent customer.
        Returns {customer position: lead position} for the converted ones."""
        rng = self.rng
        count = round(len(self.buyers) / 10)
        recent = [
            i for i, b in enumerate(self.buyers) if (self.today - b.created).days < 200 and b.phone
        ]
        converted: dict[int, int] = {}
        free = list(recent)  # the recent customers not converted yet, in order
        for _n in range(count):
            status = rng.choices(
                ["new", "contacted", "qualified", "disqualified", "converted"],
                weights=[25, 25, 15, 15, 20],
            )[0]
            if status == "converted" and free:
                i = rng.choice(free)
                free.remove(i)
                converted[i] = len(self.plan.leads)
                self.plan.leads.append(self.converted_lead(i))
                continue
            if status == "converted":
                status = "qualified"
            self.plan.leads.append(self.open_lead(status))
        return converted

    def people(self):
        """The customer generator's name, phone and place helpers, on the sales stream."""
        if self._people is None:
            from guanxi.ops.demo import _Generator  # the module that imports this one

            self._people = _Generator(self.rng.randrange(10**9), self.today)
            self._people.phones = self.phones  # a lead never gets a customer's number
        return self._people

    def converted_lead(self, i: int) -> DemoLead:
        b, rng = self.buyers[i], self.rng
        company = b.kind == "company"
        created = self.at(b.created - self.days(2, 30))
        lead = DemoLead(
            fields={
                "name": b.contact if company else b.name,
                "company": b.name if company else "",
                "title": rng.choice(data.LEAD_TITLES),
                "phone": b.phone,
                "email": "",
                "source": b.source,
                "status": "converted",
                "disqualified_reason": "",
                "province": b.province,
                "city": b.city,
                "notes": "",
            },
            owner=b.owner,
            created_at=created,
            customer=i,
        )
        return lead

    def open_lead(self, status: str) -> DemoLead:
        rng = self.rng
        person = self.people()
        region = person.region()
        male = rng.random() < 0.55
        name = person.person_name(male)
        company = ""
        if rng.random() < 0.4:
            company = person.company_name(region.city, rng.choice(data.INDUSTRIES))
        owner = None if status == "new" and rng.random() < 0.5 else rng.choice(self.reps)
        return DemoLead(
            fields={
                "name": name,
                "company": company,
                "title": rng.choice(data.LEAD_TITLES) if company else "",
                "phone": person.mobile(),
                "email": person.email(name) if rng.random() < 0.5 else "",
                "source": rng.choice(
                    ["website", "campaign", "exhibition", "wechat", "phone", "referral"]
                ),
                "status": status,
                "disqualified_reason": (
                    rng.choice(data.DISQUALIFIED_REASONS) if status == "disqualified" else ""
                ),
                "province": region.province,
                "city": region.city,
                "notes": "",
            },
            owner=owner,
            created_at=self.at(self.today - self.days(0, 75)),
        )

    def run(self) -> SalesPlan:
        if not self.buyers:
            return self.plan
        for i, b in enumerate(self.buyers):
            self.orders_for(i, b)
        converted = self.leads()
        self.opportunities(converted)
        return self.plan


def generate_sales(buyers: Sequence[Buyer], seed: int, today: dt.date) -> SalesPlan:
    """Orders, opportunities and leads for ``buyers``; the same seed and day give the same."""
    return _SalesGenerator(buyers, seed, today).run()
