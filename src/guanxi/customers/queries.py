"""Reads over customers, always starting from ``visible_to(user)``."""

import time
from functools import partial

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CharField, Exists, Func, Max, OuterRef, Q, QuerySet

from guanxi.accounts.models import Role, User
from guanxi.accounts.services import subteam_ids
from guanxi.core.phones import normalize_phone
from guanxi.core.prepared import ids_value, pk_among, prepared
from guanxi.customers import search_index
from guanxi.customers.cities import stored_city
from guanxi.customers.masking import digits_searched
from guanxi.customers.models import Contact, Customer, OwnershipTransfer, Tag
from guanxi.customers.search import normalize_query

SORTS = {
    "name": "name",
    "-name": "-name",
    "created": "created_at",
    "-created": "-created_at",
    "updated": "updated_at",
    "-updated": "-updated_at",
    "city": "city",
    "-city": "-city",
    "id": "id",
    "-id": "-id",
}


#: The columns a list (page, API, search results) shows, with the owner's name: a list reads
#: these instead of every column (the notes, custom fields and pool facts are for the card).
LIST_COLUMNS = (
    "kind",
    "name",
    "phone",
    "email",
    "company_name",
    "province",
    "city",
    "tag_names",
    "version",
    "created_at",
    "updated_at",
    "deleted_at",
    "owner__username",
    "owner__display_name",
    "owner__first_name",
    "owner__last_name",
)


def list_columns(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """``qs`` reading only LIST_COLUMNS (and the keys), owner included."""
    return qs.select_related("owner").only(*LIST_COLUMNS)


_VISIBLE_AMONG: dict[tuple, object] = {}


def _access_key(user) -> tuple:
    """Everything ``visible_to(user)``'s SQL depends on: the shares, teams and pools it
    consults are read by the database when the query runs."""
    return (
        Customer.objects.db,
        user.pk,
        getattr(user, "role", None),
        getattr(user, "team_id", None),
        getattr(user, "is_superuser", False),
        getattr(user, "is_active", False),
        getattr(user, "is_authenticated", False),
    )


def visible_among(user, *, probed: bool = False):
    """``ids -> the ids among them of customers user may see``, its SQL built once per process
    for everyone who shares ``user``'s access key (building it was 0.3–0.5 ms a time for a
    rep, and a search checks up to three kinds of record).

    ``probed``: the shares are checked by a probe of their index per customer
    (``visible_to(probed=True)``) instead of read whole into a hash on every call: a rep of a
    team 68,000 customers are shared with (客服部 at a million) had 200 ids checked in 14 ms,
    0.2 ms so (the contacts list's search)."""
    key = (*_access_key(user), probed)
    among = _VISIBLE_AMONG.get(key)
    if among is None:
        among = search_index.ids_among(Customer.objects.visible_to(user, probed=probed).order_by())
        if len(_VISIBLE_AMONG) >= 1024:  # a bound, not a policy: rebuilt on next use
            _VISIBLE_AMONG.clear()
        _VISIBLE_AMONG[key] = among
    return among


#: The stand-in for a cursor's id in a prepared list query (core.prepared): never a real id.
_BEFORE_MARK = -(2**62) - 2026


def customer_rows(
    user, *, offset: int = 0, limit: int, before: int | None = None, **filters
) -> list[Customer]:
    """Rows ``offset`` to ``offset + limit`` of ``customers_for(user, **filters)`` with
    LIST_COLUMNS (below id ``before`` when given, which needs sort "-id").

    Newest first (the default order), a search that is exactly a customer's mobile number or
    e-mail lists those customers first (``exact_match``), at most half of the first page but
    at least one (a caller's number looked up with a page of one), each marked ``pinned``: the
    others follow without them, newest first (a cursor after a pinned row points before the
    first of the others: ``cursor_after``).

    The city filter is read as records spell it (``cities.stored_city``), once here."""
    if filters.get("city"):
        filters["city"] = stored_city(filters["city"])
    filters = digits_seen(user, filters)
    if filters is None:
        return []
    q = filters.get("q", "")
    exact = exact_match(q) if q and filters.get("sort", "-id") == "-id" else None
    pinned: list[Customer] = []
    if exact is not None:
        pinned = _exact_rows(user, *exact, max(1, (limit - 1) // 2), filters)
        for customer in pinned:
            customer.pinned = True
    if not pinned:
        return _customer_rows(user, offset=offset, limit=limit, before=before, **filters)
    ids = {c.pk for c in pinned}
    if before is not None:  # a later page of a cursor: the first page listed them
        rest = _customer_rows(user, limit=limit + len(ids), before=before, **filters)
        return [c for c in rest if c.pk not in ids][:limit]
    # Rows offset..offset + limit of the pinned and then the rest: the rest read from its
    # start, the pinned among them taken out (a few exact matches; their search's pages are few).
    head = pinned[offset : offset + limit]
    skip = max(0, offset - len(pinned))
    rest = _customer_rows(user, limit=skip + limit + len(ids), **filters)
    return head + [c for c in rest if c.pk not in ids][skip : skip + limit - len(head)]


def cursor_after(page: list[Customer], peek: Customer) -> int:
    """The id a cursor should point below to continue after ``page``, read newest first by
    ``customer_rows`` with ``peek`` the first row after it: the page's last row's, or, when
    that row is an exact match listed first (out of the id order), just above ``peek``, the
    first of the others, so that none of them is passed over."""
    if getattr(page[-1], "pinned", False):
        return peek.pk + 1
    return page[-1].pk


def _customer_rows(
    user, *, offset: int = 0, limit: int, before: int | None = None, **filters
) -> list[Customer]:
    """``customer_rows`` in the list's own order.

    The common list, newest first without a filter (searched through the index on SQLite), runs
    SQL built once per access key and page shape: compiling a rep's list query cost as much as
    running it. A filtered list newest first (``_filtered_rows``) and a search in one read
    what the filter and the user make cheapest; read over all customers newest first, a
    filter few of the user's customers meet walked the rest of a million (0.2-0.5 s). Anything
    else builds the queryset."""
    narrowed = {k: filters[k] for k in ("owner", "tag", "city", "kind") if filters.get(k)}
    q, newest_first = filters.get("q", ""), filters.get("sort", "-id") == "-id"
    term = normalize_query(q)
    window = {"offset": offset, "limit": limit, "before": before}
    if newest_first and term and sees_few(user, owner=narrowed.get("owner")):
        return _common_rows(user, term, **window, narrowed=narrowed, few=True)
    if newest_first and not narrowed:
        rows = _newest_rows(user, q=q, **window)
        if rows is not None:
            return rows
        if search_index.few_matches(term) is None:
            return _common_rows(user, term, **window)
    elif newest_first and not term:
        rows = _filtered_rows(user, narrowed, **window)
        if rows is not None:
            return rows
    elif newest_first and "tag" not in narrowed:
        among = search_index.ids_among(_customers_for(user, **narrowed).order_by())
        within = {"kind": narrowed.get("kind", ""), "city": narrowed.get("city", "")}
        ids = search_index.newest_matches(term, among, offset + limit, before=before, **within)
        if ids is not None:
            return _rows_of(ids, offset=offset, limit=limit)
        matched = search_index.few_matches(term, FILTERED_MATCH_CAP, **within)
        if matched is None and small_city(narrowed.get("city", "")):
            shown = _matching(term, _customers_for(user, **narrowed))
            return _newest_page(shown, **window)
        if matched is None:
            return _common_rows(user, term, **window, narrowed=narrowed)
        return _newest_page(_customers_for(user, **narrowed).filter(matched), **window)
    elif newest_first and search_index.few_matches(term) is None:  # a tag, a query many match
        return _tagged_rows(user, **narrowed, **window, term=term)
    newest = offset + limit if newest_first else None
    qs = list_columns(_customers_for(user, **filters, newest=newest, before=before))
    if before is not None:
        qs = qs.filter(pk__lt=before)
    return list(qs[offset : offset + limit])


#: How many customers a query may match for a search within a filtered list to pick its matches
#: by id (``search_index.few_matches``) rather than read each way the user sees customers,
#: testing every row: four times MATCH_CAP, as a filter keeps fewer of the matches. A rep's
#: "ww" (5,860 match at a million customers) in 上海市 read her 140,000 customers one by one
#: (129 ms on SQLite); by its matches' ids, 18 ms.
FILTERED_MATCH_CAP = 20_000


#: A city with at most this many customers is read through its own index of (city, -id) for a
#: search in a list filtered by it that many customers match, each of its customers tested
#: (``small_city``). Read way by way, a rep's "wang" in 宁波市 (19,000 customers at a million)
#: walked all 140,000 of hers: 0.15 s on SQLite, a manager's 0.5 s.
SMALL_CITY = 30_000
_CITY_SIZES: dict[tuple, tuple[bool, float]] = {}


def small_city(city: str) -> bool:
    """Whether at most SMALL_CITY customers (in the recycle bin too) are in ``city``, counted
    through the city's index, at most SMALL_CITY + 1 of them, and remembered for REACH_TTL
    seconds per process (a verdict that only chooses the way a search reads)."""
    if not city:
        return False
    key, now = (connection.alias, connection.settings_dict["NAME"], city), time.monotonic()
    small, until = _CITY_SIZES.get(key, (False, 0.0))
    if until <= now:
        in_city = Customer.objects.filter(city=city).order_by().values("pk")
        small = in_city[: SMALL_CITY + 1].count() <= SMALL_CITY
        if len(_CITY_SIZES) >= 4096:  # a bound, not a policy
            _CITY_SIZES.clear()
        _CITY_SIZES[key] = (small, now + REACH_TTL)
    return small


def _filtered_rows(
    user, narrowed: dict, *, offset: int, limit: int, before: int | None
) -> list[Customer] | None:
    """``customer_rows`` newest first for a list filtered by ``narrowed`` (no search), or None
    where the plain filtered query is the cheapest read: a city's (its index of (city, -id)
    gives the city's customers newest first, each checked as read).

    - A user who sees few customers (``sees_few``), and any list filtered by owner or kind
      only: each way she sees customers read newest first, the filters tested row by row (a
      manager's team member by member). Walked over all customers, a new rep's list of
      companies read all of a million (0.38 s).
    - A tag: its customers read newest first through its links (``_tagged_rows``)."""
    few = sees_few(user)
    if "tag" in narrowed and not few:
        return _tagged_rows(user, **narrowed, offset=offset, limit=limit, before=before)
    if "city" in narrowed and not few:
        return None
    if not Customer.objects.all().sees_some(user):  # sees every customer, or none
        return None
    tested = partial(_narrowed, **narrowed, row_by_row=True)
    return _page_of_ways(user, tested, narrowed, offset=offset, limit=limit, before=before)


def _page_of_ways(
    user, tested, narrowed: dict, *, offset: int, limit: int, before: int | None
) -> list[Customer]:
    """A newest-first page of the customers ``user`` sees that ``tested`` lets through, each
    way she sees them read on its own as the SQL is run now (``visible_to(newest=, once=)``),
    only the ways that may reach the owner ``narrowed`` names, if any."""
    seen = Customer.objects.visible_to(
        user,
        newest=offset + limit,
        below=before,
        tested=tested,
        once=True,
        owner=narrowed.get("owner"),
    )
    return _newest_page(seen, offset=offset, limit=limit)


def _rows_of(ids: list[int], *, offset: int, limit: int) -> list[Customer]:
    """The customers ``ids`` (already checked against what the user may see) as a page."""
    ids_read = Customer.objects.filter(search_index.ids_q("pk", ids))
    return _newest_page(ids_read, offset=offset, limit=limit)


def _newest_page(qs, *, offset: int, limit: int, before: int | None = None) -> list[Customer]:
    """Rows ``offset`` to ``offset + limit`` of ``qs`` newest first (below id ``before`` when
    given) with LIST_COLUMNS."""
    qs = list_columns(qs).order_by("-id")
    if before is not None:
        qs = qs.filter(pk__lt=before)
    return list(qs[offset : offset + limit])


#: How many of the newest customers a search many customers match reads on PostgreSQL before
#: it reads the ways the user sees customers instead (_common_rows).
COMMON_WINDOW = 20_000


def _common_rows(
    user,
    term: str,
    *,
    offset: int,
    limit: int,
    before: int | None,
    narrowed: dict | None = None,
    few: bool = False,
):
    """``customer_rows`` for a query too many customers match to pick them by id, or searched
    by a user who sees few customers: the visible customers newest first, each tested.

    Read over all customers, a user who sees few of them walked them all: a new rep's "ww" or
    "li" at a million customers took 0.5-0.72 s. Read way by way instead (each way she sees
    customers newest first, every row tested), 18-36 ms. On SQLite a search comes here only
    when the index's newest matches did not fill the page, so the user sees few of them. On
    PostgreSQL every 1-2 character query many match comes here, whoever asks, and the
    per-way query is planned each time (4 ms for a rep's "li", whose walk took 5): there the
    newest COMMON_WINDOW customers are walked first, which fills the page of anyone who sees
    many, and the ways are read only when they did not. ``narrowed`` (the list's filters) is
    tested on each row too; ``few`` says the user sees few customers (``sees_few``): her ways
    are read at once."""

    def tested(qs):
        return _matching(term, _narrowed(qs, **(narrowed or {}), row_by_row=True))

    if connection.vendor == "postgresql" and not few and Customer.objects.all().sees_some(user):
        top = Customer.objects.aggregate(top=Max("id"))["top"] or 0
        window = tested(Customer.objects.visible_to(user)).filter(pk__gt=top - COMMON_WINDOW)
        rows = _newest_page(window, offset=offset, limit=limit, before=before)
        if len(rows) == limit:
            return rows
    return _page_of_ways(user, tested, narrowed or {}, offset=offset, limit=limit, before=before)


#: A user who sees at most this many customers has every search and filtered list read each
#: way she sees them, every row tested (``sees_few``).
SMALL_REACH = 5_000
#: How long a process remembers whether a user sees few customers (``sees_few``).
REACH_TTL = 60.0
_REACH: dict[tuple, tuple[bool, float]] = {}


def sees_few(user, *, owner: int | None = None) -> bool:
    """Whether ``user`` sees at most SMALL_REACH customers (of ``owner``'s when given),
    remembered for REACH_TTL seconds per access key (a verdict that only chooses the way a
    search reads: both give the same rows).

    A search reads the index's matches newest first and checks each for the user. For a user
    who sees few customers, a new rep with only the pool and her team's shares, almost none of
    them are hers: PostgreSQL read every id block of the trigram index for "zhang" (0.23 s at a
    million customers). Reading her customers, each tested, costs at most her few. Counted way
    by way, SMALL_REACH + 1 of each at most: a rep or manager who sees many reads that many ids
    of each way once a minute (7-18 ms at a million customers, bench_rep_list.py)."""
    key, now = (*_access_key(user), owner), time.monotonic()
    few, until = _REACH.get(key, (False, 0.0))
    if until <= now:
        few = False
        if Customer.objects.all().sees_some(user):  # else sees every customer, or none
            seen = Customer.objects.visible_to(user, newest=SMALL_REACH + 1, once=True, owner=owner)
            few = seen.count() <= SMALL_REACH
        if len(_REACH) >= 4096:  # a bound, not a policy
            _REACH.clear()
        _REACH[key] = (few, now + REACH_TTL)
    return few


def seen_customer_of(user, *, editable: bool = False, field: str = "customer_id"):
    """The condition that keeps the records (orders, quotes, opportunities, interactions…)
    whose customer, ``field``, ``user`` may see (may change, with ``editable``): the access
    check of every record that belongs to a customer, as ``visible_to`` says it.

    Where the user sees few customers (``sees_few``) it is ``customer IN (those customers)``, a
    short list whose records are read through their customer's index. Where she sees many it
    is a correlated EXISTS, one primary-key probe per record: as an IN list, SQLite (no planner
    statistics) first listed every customer she sees (a rep's 140,000 at a million customers,
    0.7 s before the first order of her order list) and sorted what it found; as an EXISTS a
    list newest first reads its own index and checks only the rows it keeps. PostgreSQL plans
    both as the same semi-join, the shares in it probed (``visible_to(probed=True)``). Either
    way the same rows."""
    reach = Customer.objects.editable_by if editable else Customer.objects.visible_to
    if sees_few(user):
        return Q(**{f"{field}__in": reach(user).values("pk")})
    return Exists(reach(user, probed=True).filter(pk=OuterRef(field)))


def in_recycle_bin(user, *, editable: bool = False) -> QuerySet[Customer]:
    """The deleted customers ``user`` may see (may change, with ``editable``), unordered.

    On SQLite the deleted, who are few, are read first and each is checked for the user by a
    primary-key probe: written as the user's ways and "deleted", SQLite read every customer a
    rep owns to find her few deleted ones (a rep's recycle bin at a million customers: 190 ms
    empty, 440 ms holding 2,000; 5 and 22 ms so). PostgreSQL combines the two indexes itself,
    and the probes cost it more (2,000 in the bin: 15-20 ms as the ways, 31-33 as probes)."""
    reach_of = Customer.objects.editable_by if editable else Customer.objects.visible_to
    reach = reach_of(user, include_deleted=True)
    if connection.vendor != "sqlite" or not reach.query.where:  # (no where: an admin's)
        return reach.deleted()
    return Customer.objects.deleted().filter(Exists(reach.filter(pk=OuterRef("pk"))))


def forget_reach() -> None:
    """Drop every remembered ``sees_few`` and ``small_city`` verdict (tests: each starts with
    none)."""
    _REACH.clear()
    _CITY_SIZES.clear()


def _matching(term: str, qs: QuerySet[Customer]) -> QuerySet[Customer]:
    qs, condition = search_index.common_match(qs, term)
    return qs.filter(condition)


def _tagged_rows(
    user,
    *,
    tag: str,
    offset: int,
    limit: int,
    before: int | None,
    term: str = "",
    **narrowed,
) -> list[Customer]:
    """``customer_rows`` newest first for a list filtered by a tag (and searched for ``term``,
    a query many customers match): the tag's customers read newest first through its links,
    each batch checked against what the user may see, the other filters and the query
    (``newest_among``). Read from the customers' side, a tag on older customers made a list
    walk every newer customer (0.37-0.51 s at a million on SQLite, 0.26-0.32 s on PostgreSQL;
    searched for "wang" too, 0.39-0.46 s and 0.14 s); from the tag's, a page is found among as
    many of its customers as the user's share of them takes, at most all of them.

    On SQLite a query at most FILTERED_MATCH_CAP customers match is taken by its matches' ids
    (the FTS5 index reads them newest first and stops at the cap): only the tag's links to
    them are read, through the index of (tag, customer), and no row's text is tested. A
    rep's "ww" (5,860 match at a million) among a tag's 20,795 customers: 29-33 → 8-11 ms;
    "zz" (11,540) 31 → 16. Not on PostgreSQL, whose trigram index gathers every match
    before it answers: "ww" gained 10-14 ms there, "zz" lost up to 30 (reading its ids
    alone took 17-50 ms)."""
    tag_id = Tag.objects.filter(name=tag).values_list("pk", flat=True).first()
    if tag_id is None:
        return []
    links = Customer.tags.through.objects.filter(tag_id=tag_id).order_by("-customer_id")
    shown = _customers_for(user, **narrowed).order_by()
    matched = None
    if term and connection.vendor == "sqlite":
        within = {"kind": narrowed.get("kind", ""), "city": narrowed.get("city", "")}
        matched = search_index.match_ids(term, FILTERED_MATCH_CAP, **within)
    if matched is not None:
        links = links.filter(search_index.ids_q("customer", matched))
    elif term:
        shown = _matching(term, shown)
    found = newest_among(
        links.values_list("customer_id", flat=True),
        "customer_id",
        search_index.ids_among(shown),
        offset + limit,
        before=before,
    )
    return _rows_of(found, offset=offset, limit=limit)


def newest_among(ids, field: str, among, want: int, *, before: int | None = None) -> list[int]:
    """The newest ``want`` of ``ids`` (a query of customer ids in ``field``, newest first,
    read through an index in that order), below id ``before``, that ``among`` holds
    (``search_index.ids_among``: the rows the caller may show); fewer when fewer are. Read a
    batch at a time, each larger by the rate found so far (``search_index.next_batch``)."""
    found: list[int] = []
    read, batch = 0, max(2 * want, 64)
    while True:
        page = ids if before is None else ids.filter(**{f"{field}__lt": before})
        got = list(page[:batch])
        read += len(got)
        kept = set(among(got))
        found += [pk for pk in got if pk in kept]
        if len(found) >= want or len(got) < batch:
            return found[:want]
        before = got[-1]
        batch = search_index.next_batch(want - len(found), len(found), read, least=2 * batch)


def _newest_rows(user, *, q: str, offset: int, limit: int, before: int | None):
    """``customer_rows`` for the newest visible customers, or None where a search takes
    another path than the newest-first index read."""
    ids, term = None, normalize_query(q)
    if term:
        ids = search_index.newest_matches(term, visible_among(user), offset + limit, before=before)
        if ids is None:
            return None

    def build():
        markers: dict[str, object] = {}
        below = None if before is None else _BEFORE_MARK
        if below is not None:
            markers["before"] = below
        if ids is None:
            qs = Customer.objects.visible_to(user, newest=offset + limit, below=below)
        else:
            condition, markers["ids"] = pk_among(Customer)
            qs = Customer.objects.visible_to(user).filter(condition)
            if below is not None:
                qs = qs.filter(pk__lt=below)
        return list_columns(qs).order_by("-id")[offset : offset + limit], markers

    shape = (ids is not None, before is not None, offset, limit)
    values: dict[str, object] = {}
    if ids is not None:
        values["ids"] = ids_value(ids)
    if before is not None:
        values["before"] = before
    return prepared(("customers.newest", *_access_key(user), *shape), build).rows(**values)


def customers_for(
    user,
    *,
    q: str = "",
    owner: int | None = None,
    tag: str = "",
    city: str = "",
    kind: str = "",
    sort: str = "-id",
    newest: int | None = None,
    before: int | None = None,
) -> QuerySet[Customer]:
    """The customers ``user`` may see, filtered and sorted as asked; the city filter read as
    records spell it (``cities.stored_city``: "广州" finds the customers in 广州市).

    ``newest`` (with ``sort="-id"``) says only the first ``newest`` rows with an id below
    ``before`` will be read, a page: a search then reads only as many matches as that page
    needs (see search)."""
    filters = digits_seen(user, {"q": q, "owner": owner})
    if filters is None:
        return Customer.objects.none()
    return _customers_for(
        user,
        q=q,
        owner=filters["owner"],
        tag=tag,
        city=stored_city(city),
        kind=kind,
        sort=sort,
        newest=newest,
        before=before,
    )


def digits_seen(user, filters: dict) -> dict | None:
    """``filters`` as ``user`` may search: a search of phone digits narrowed to the user's own
    customers where they see phones masked elsewhere (``masking.digits_searched``); None
    when it may find nothing (an analyst, or a rep's digits under another owner's filter)."""
    q = filters.get("q") or ""
    if not q:
        return filters
    term = normalize_query(q)
    exact = exact_match(q) if term.isdigit() else None
    where = digits_searched(user, term, whole_number=exact is not None)
    if where == "all":
        return filters
    if where == "own" and filters.get("owner") in (None, "", user.pk):
        return {**filters, "owner": user.pk}
    return None


def _customers_for(
    user,
    *,
    q: str = "",
    owner: int | None = None,
    tag: str = "",
    city: str = "",
    kind: str = "",
    sort: str = "-id",
    newest: int | None = None,
    before: int | None = None,
) -> QuerySet[Customer]:
    """``customers_for`` with ``city`` already as stored (customer_rows' reads)."""
    order = SORTS.get(sort, "-id")
    qs = _narrowed(Customer.objects.visible_to(user), owner=owner, tag=tag, city=city, kind=kind)
    qs = qs.select_related("owner")
    if q:
        # Unfiltered, the rows searched are exactly the visible ones: their check is prepared.
        among = None if owner or tag or city or kind else visible_among(user)
        qs = search(qs, q, newest=newest if order == "-id" else None, before=before, among=among)
    return qs.order_by(order, "-id" if order.startswith("-") else "id")


def _narrowed(qs, *, owner=None, tag="", city="", kind="", row_by_row=False):
    """``qs`` narrowed by the list's filters. ``row_by_row`` when ``qs`` is read through
    another index (a way the user sees customers, newest first): on SQLite the city is then
    tested on each row, not read through its own index. SQLite has no statistics of the
    customer table and chose the city's: a pool part walked every customer of 上海市 for the
    few in the pool (0.18 s at a million)."""
    if owner:
        qs = qs.filter(owner_id=owner)
    if tag:
        qs = qs.filter(tags__name=tag)
    if city:
        if row_by_row and connection.vendor == "sqlite":
            qs = qs.alias(city_tested=Unindexed("city")).filter(city_tested=city)
        else:
            qs = qs.filter(city=city)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


class Unindexed(Func):
    """SQLite: a text column's value through unary ``+``, which SQLite never reads through an
    index."""

    template = "+%(expressions)s"
    output_field = CharField()


def search(
    qs: QuerySet[Customer],
    q: str,
    *,
    newest: int | None = None,
    before: int | None = None,
    among=None,
) -> QuerySet[Customer]:
    """Match a query against the normalised search text (and exact phone / e-mail).

    3+ characters match anywhere ("wangwei", "1380013"), 1–2 characters the start of a word
    ("ww", "王伟"). When the caller reads only the ``newest`` rows (id below ``before``), the
    index is read newest first until that many of ``qs`` match. Otherwise, when few customers
    match, the index gives their ids and the rows of ``qs`` are picked by primary key; when
    many do, the rows are read newest first and the page fills after a few of them (see
    customers.search_index). ``among`` may give ``search_index.ids_among(qs)`` ready built."""
    term = normalize_query(q)
    if not term:
        return qs
    if newest is not None:
        keep = among or search_index.ids_among(qs)
        ids = search_index.newest_matches(term, keep, newest, before=before)
        if ids is not None:
            return qs.filter(search_index.ids_q("pk", ids))
    matched = search_index.few_matches(term)
    if matched is None:
        qs, matched = search_index.common_match(qs, term)
    # An exact e-mail or phone is inside the search text too; OR-ing its own condition in
    # would stop the database from using either path (customer_rows lists them first).
    return qs.filter(matched)


def exact_match(q: str) -> tuple[str, str] | None:
    """(field, value) when ``q`` is exactly an e-mail address or a mobile number as stored,
    else None; customers with it come first in search results."""
    text = (q or "").strip()
    if "@" in text:
        return "email", text.lower()
    if normalize_query(text).isdigit() and len(normalize_query(text)) >= 7:
        try:
            phone = normalize_phone(text)
        except ValidationError:
            return None
        return ("phone", phone) if phone else None
    return None


#: The stand-in for an exact e-mail or phone in a prepared query: never a real value.
_EXACT_MARK = "\x00guanxi-exact\x00"


def _exact_rows(user, field: str, value: str, most: int, filters: dict) -> list[Customer]:
    """The newest ``most`` customers of ``customers_for(user, **filters)`` (its search left
    out) whose ``field`` is ``value``; unfiltered, with SQL built once per access key (building
    it cost as much as the rest of an API search)."""
    narrowed = {k: filters[k] for k in ("owner", "tag", "city", "kind") if filters.get(k)}
    if narrowed:
        shown = list_columns(_customers_for(user, **narrowed).filter(**{field: value}))
        return list(shown.order_by("-id")[:most])

    def build():
        qs = Customer.objects.visible_to(user).filter(**{field: _EXACT_MARK})
        return list_columns(qs).order_by("-id")[:most], {"value": _EXACT_MARK}

    key = ("customers.exact", field, most, *_access_key(user))
    return prepared(key, build).rows(value=value)


def search_customers(user, q: str, *, limit: int = 20) -> list[Customer]:
    """The best ``limit`` visible customers for ``q``: exact phone / e-mail matches first, then
    the rest newest first (``customer_rows``)."""
    return customer_rows(user, q=q, limit=limit)


def history_for(customer: Customer, limit: int = 200) -> list[dict]:
    """The change history of the customer and its contacts, newest first: who, when, the
    changes ([(field, old, new)]); an entry of a contact (added, changed, removed) names it
    (``contact``: its id and name)."""
    entries = _customer_entries(customer, limit) + _contact_entries(customer, limit)
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:limit]


def _contact_entries(customer: Customer, limit: int) -> list[dict]:
    """The ``limit`` newest history rows of the customer's contacts as ``history_for``'s
    entries, each diffed against its contact's row before (a save that changed nothing left
    out)."""
    model = Contact.history.model
    records = list(
        model.objects.filter(customer_id=customer.pk)
        .select_related("history_user")
        .order_by("-history_id")[:limit]
    )
    if not records:
        return []
    before: dict[int, object] = {}  # a row's history_id → the contact's row before it
    last: dict[int, object] = {}
    for row in model.objects.filter(id__in={r.id for r in records}).order_by("history_id"):
        before[row.history_id] = last.get(row.id)
        last[row.id] = row
    entries = []
    for record in records:
        kind = {"+": "created", "~": "changed", "-": "deleted"}[record.history_type]
        older = before.get(record.history_id)
        changes = []
        if kind == "changed" and older is not None:
            delta = record.diff_against(older, excluded_fields=["customer"])
            changes = [(c.field, c.old, c.new) for c in delta.changes]
            if not changes:
                continue
        entries.append(
            {
                "id": record.history_id,
                "at": record.history_date,
                "user": record.history_user,
                "type": kind,
                "changes": changes,
                "reason": record.history_change_reason or "",
                "contact": {"id": record.id, "name": record.name},
            }
        )
    return entries


def _customer_entries(customer: Customer, limit: int) -> list[dict]:
    records = list(
        customer.history.select_related("history_user").order_by("-history_id")[: limit + 1]
    )
    entries = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if len(entries) >= limit:
            break
        changes = []
        if older is not None:
            delta = newer.diff_against(older, excluded_fields=["version", "custom"])
            changes = [(c.field, c.old, c.new) for c in delta.changes]
            if newer.custom != older.custom:
                changes.append(("custom", older.custom, newer.custom))
            if newer.tag_names != older.tag_names:  # not editable: diff_against passes it over
                changes.append(("tag_names", older.tag_names, newer.tag_names))
        entries.append(
            {
                "id": newer.history_id,
                "at": newer.history_date,
                "user": newer.history_user,
                "type": {"+": "created", "~": "changed", "-": "deleted"}[newer.history_type],
                "changes": changes,
                "reason": newer.history_change_reason or "",
                "contact": None,
            }
        )
    return entries


def transfers_for(customer: Customer):
    return OwnershipTransfer.objects.filter(customer=customer).select_related(
        "from_user", "to_user", "by"
    )


def assignable_owners(user) -> QuerySet[User]:
    """Whom ``user`` may make the owner of a new customer (mirrors services._check_owner):
    an admin anyone who can sell, a manager their team and sub-teams, a rep only themselves."""
    sellers = User.objects.filter(is_active=True).exclude(role=Role.ANALYST).select_related("team")
    if user.is_superuser or user.role == Role.ADMIN:
        return sellers
    if user.role == Role.MANAGER and user.team_id:
        return sellers.filter(Q(pk=user.pk) | Q(team_id__in=subteam_ids(user.team_id)))
    return sellers.filter(pk=user.pk)


def transfer_targets(user) -> QuerySet[User]:
    """Who can receive customers in a transfer: any active user who can sell."""
    return User.objects.filter(is_active=True).exclude(role=Role.ANALYST).select_related("team")


def transfer_target_rows(user) -> list[User]:
    """``transfer_targets`` with what a select shows of them (name, team), the SQL built once
    per process: the same for every user. The list page's filter and bulk forms asked for them,
    the tags and the teams as querysets on every page: 1.9 ms on PostgreSQL, 0.7 prepared."""
    return prepared(("customers.transfer_targets", User.objects.db), _transfer_targets_shown).rows()


def _transfer_targets_shown():
    shown = ("username", "first_name", "last_name", "display_name", "team__name")
    return transfer_targets(None).only(*shown), {}


def tag_rows() -> list[Tag]:
    """Every tag's name, by name (the list page's tag filter), the SQL built once per process."""
    return prepared(("customers.tags", Tag.objects.db), _tags_shown).rows()


def _tags_shown():
    return Tag.objects.only("name"), {}


def manageable_ids(user, customer_ids) -> set[int]:
    """Which of ``customer_ids`` the user may share, transfer, delete or restore, in one query
    (the set form of services.can_manage, for list pages)."""
    ids = list(customer_ids)
    if not ids:
        return set()
    qs = Customer.objects.filter(pk__in=ids)
    if not (user.is_superuser or user.role == Role.ADMIN):
        reach = Q(owner_id=user.pk)
        if user.role == Role.MANAGER and user.team_id:
            reach |= Q(owner__team_id__in=subteam_ids(user.team_id))
        qs = qs.filter(reach)
    return set(qs.values_list("pk", flat=True))


def transfer_sources(user) -> QuerySet[User]:
    """Whose customers ``user`` may hand over in one go (services.transfer_all): an admin
    anyone's, a manager those of their team and sub-teams; leavers may be inactive already."""
    users = User.objects.exclude(role=Role.ANALYST).select_related("team")
    if user.is_superuser or user.role == Role.ADMIN:
        return users
    if user.role == Role.MANAGER and user.team_id:
        return users.filter(team_id__in=subteam_ids(user.team_id))
    return users.none()
