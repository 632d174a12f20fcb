"""Reads over contacts across customers: the contacts list (its page, the API, the export),
newest first. A contact is seen exactly when its customer is (``Customer.objects.visible_to``):
every read here starts from the customers the user sees, narrowed, never from a rule of its own.

Which way a page is read depends on how many customers the list may hold, as for the
customer list (``queries.sees_few``) and every record that belongs to a customer
(``queries.seen_customer_of``):

- few (up to ``queries.SMALL_REACH``: a new rep, a list filtered by an owner who has few):
  their ids are read first (``_few``), their contacts gathered through the contacts' customer
  index and sorted, a few thousand at most, and a search tests each of them. Asked as
  ``customer IN (the customers she sees)``, SQLite read all of a million customers to find a
  new rep's none (0.45 s; 5 ms so);
- many: the contacts are walked newest first, each checked by a primary-key probe of its
  customer, and a search reads the contacts' own index newest first a batch at a time
  (``contact_search_index.newest_matching``), each batch checked by its customers' ids, as the
  global search does (``ops.search``), but until the page is full. Walked for a user who sees
  few customers, a page would read most of the contacts to find none.

A search finds a contact by its own words or by its customer's name ("华为", "huawei", "hw"
list the people at 华为), those whose own words match first (``contact_search_index.
ranked_matching``): each contact listed has its ``place`` there, which a cursor holds.
"""

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from guanxi.customers import contact_search_index, queries, search_index
from guanxi.customers.models import Contact, Customer
from guanxi.customers.search import normalize_query

#: What a listed contact shows, with its customer's name and owner (who says whether its
#: phone is masked): fifty contacts with every column of contact and customer cost a page
#: more than finding them.
LIST_COLUMNS = (
    "name",
    "title",
    "phone",
    "email",
    "wechat_id",
    "is_primary",
    "notes",
    "created_at",
    "customer__name",
    "customer__owner",
)
#: The most contacts one read of the contacts' index gives while a page is looked for.
_MOST_READ = 50_000


def contact_rows(
    user,
    *,
    q: str = "",
    primary: bool = False,
    owner: int | None = None,
    offset: int = 0,
    limit: int,
    before: int | None = None,
) -> list[Contact]:
    """Rows ``offset`` to ``offset + limit`` of the contacts ``user`` sees, newest first (after
    the place ``before`` when given), with LIST_COLUMNS: matching ``q`` (name, pinyin,
    initials, phone digits, e-mail, WeChat ID, as a customer is found, or its customer's name;
    those matching by their own words first), primary contacts only with ``primary``, of the
    customers ``owner`` owns when given. Each row's ``place`` says where it stands (its id,
    minus its id when found by its customer's name alone: ``ranked_matching``), for a cursor.

    Phone digits are searched only where the user sees phones in full (``queries.digits_seen``:
    a rep's own customers' contacts, an analyst's none), since a contact's phone is masked as
    its customer's are."""
    filters = queries.digits_seen(user, {"q": q, "owner": owner})
    if filters is None:
        return []
    owner, term = filters["owner"], normalize_query(q)
    few = _few(user, owner)
    if term and few is None:
        places = _newest_matching(user, term, owner, primary, offset + limit, before)
        return _rows_of(places[offset:])
    qs = _contacts(user, term, primary, owner, few)
    if term:
        return _ranked(qs, term, before, offset, limit)
    if before is not None:
        qs = qs.filter(pk__lt=before)
    rows = list(_listed(qs, gathered=few is not None)[offset : offset + limit])
    for contact in rows:
        contact.place = contact.pk
    return rows


def _ranked(qs, term: str, before: int | None, offset: int, limit: int) -> list[Contact]:
    """The rows of the few customers' contacts ``qs`` (matching ``term``) in the order of
    ``ranked_matching``: those whose own words match, newest first, then the others, after
    the place ``before``."""
    qs = contact_search_index.with_own_match(qs, term)
    if before is not None and before > 0:
        qs = qs.filter(Q(own=True, pk__lt=before) | Q(own=False))
    elif before is not None:
        qs = qs.filter(own=False, pk__lt=-before)
    qs = _listed(qs, gathered=True).annotate(own_words=F("own")).order_by("-own", "-newest")
    rows = list(qs[offset : offset + limit])
    for contact in rows:
        contact.place = contact.pk if contact.own_words else -contact.pk
    return rows


def contacts_for(
    user, *, q: str = "", primary: bool = False, owner: int | None = None
) -> QuerySet[Contact]:
    """Every contact ``contact_rows`` lists for these filters, newest first, with their
    customers and the customers' owners (an export: each row names its customer)."""
    filters = queries.digits_seen(user, {"q": q, "owner": owner})
    if filters is None:
        return Contact.objects.none()
    owner = filters["owner"]
    qs = _contacts(user, normalize_query(q), primary, owner, _few(user, owner))
    return qs.select_related("customer", "customer__owner").order_by("-id")


def _contacts(
    user, term: str, primary: bool, owner: int | None, few: list[int] | None
) -> QuerySet[Contact]:
    """The contacts of the customers the list holds, filtered, unordered: of the ``few``
    customers (their ids, ``_few``), else each contact's customer checked by a primary-key
    probe (``queries.seen_customer_of``'s way, with the owner)."""
    if few is not None:
        qs = Contact.objects.filter(search_index.ids_q("customer__id", few))
    else:
        seen = _customers(user, owner, probed=True).filter(pk=OuterRef("customer_id"))
        qs = Contact.objects.filter(Exists(seen))
    if term:
        qs = qs.filter(search_index.like_q(term))
    if primary:
        qs = qs.filter(is_primary=True)
    return qs


def _customers(user, owner: int | None, *, probed: bool = False) -> QuerySet[Customer]:
    """The customers whose contacts the list holds: those ``user`` sees (``owner``'s only)."""
    qs = Customer.objects.visible_to(user, probed=probed)
    return qs.filter(owner_id=owner) if owner else qs


def _few(user, owner: int | None) -> list[int] | None:
    """The ids of the customers the list holds when they are at most ``queries.SMALL_REACH``,
    else None.

    An owner's: her customers read through customer_owner_alive (at most SMALL_REACH + 1),
    those the user sees kept (``visible_among``). From the other side, each share to the user
    or her team tested for that owner, a rep of 客服部 (68,000 customers shared with the team
    at a million) filtering by a new rep read them all to find none (77 ms; 8 ms so).
    Otherwise, who sees some customers is asked ``queries.sees_few`` first (remembered a
    minute), then her customers are read way by way, only the ways that may reach ``owner``'s
    (``visible_to(newest=, once=True, owner=)``), at most SMALL_REACH + 1: more (she was seen
    as few a minute ago) is many."""
    most = queries.SMALL_REACH
    if owner:
        owned = Customer.objects.alive().filter(owner_id=owner).order_by()
        ids = list(owned.values_list("pk", flat=True)[: most + 1])
        if len(ids) <= most:
            return queries.visible_among(user, probed=True)(ids)
        if Customer.objects.all().sees_every(user):
            return None
    if not queries.sees_few(user, owner=owner):
        return None
    shown = Customer.objects.visible_to(user, newest=most + 1, once=True, owner=owner)
    ids = list(shown.order_by().values_list("pk", flat=True)[: most + 1])
    return ids if len(ids) <= most else None


def _newest_matching(
    user, term: str, owner: int | None, primary: bool, want: int, before: int | None
) -> list[int]:
    """The places of the first ``want`` contacts matching ``term`` (after the place
    ``before``) of the customers the list holds, read from the contacts' index in its order
    (``ranked_matching``: their own words first, each part newest first) a batch at a time,
    each batch checked by its customers' ids, at least twice as many read each time (more
    where few were kept), until ``want`` are found or the index has no more."""
    among = (
        search_index.ids_among(_customers(user, owner, probed=True).order_by())
        if owner
        else queries.visible_among(user, probed=True)
    )
    found: list[int] = []
    read, batch = 0, min(max(8 * want, 64), _MOST_READ)
    while True:
        rows = contact_search_index.ranked_matching(term, batch, after=before)
        read += len(rows)
        wanted = [(place, c) for place, _pk, c, is_primary in rows if is_primary or not primary]
        kept = set(among({customer for _place, customer in wanted}))
        found += [place for place, customer in wanted if customer in kept]
        if len(found) >= want or len(rows) < batch:
            return found[:want]
        before = rows[-1][0]
        batch = search_index.next_batch(want - len(found), len(found), read, least=2 * batch)
        batch = min(batch, _MOST_READ)


def _rows_of(places: list[int]) -> list[Contact]:
    """The contacts at ``places`` (already checked for the user) in that order, with
    LIST_COLUMNS."""
    if not places:
        return []
    ids = [abs(place) for place in places]
    found = {c.pk: c for c in _listed(Contact.objects.filter(search_index.ids_q("pk", ids)))}
    rows = []
    for place in places:
        contact = found.get(abs(place))
        if contact is not None:
            contact.place = place
            rows.append(contact)
    return rows


def _listed(qs: QuerySet[Contact], *, gathered: bool = False) -> QuerySet[Contact]:
    """``qs`` with LIST_COLUMNS, newest first. ``gathered``: the contacts of a few customers,
    sorted by an expression of the id, which no index gives in order, so that they are
    gathered through their customers' index and sorted: in the id order, PostgreSQL walked
    every contact newest first to find a rep's 286 customers' (their contacts all among the
    oldest: 63 ms at 300,000 contacts)."""
    qs = qs.select_related("customer").only(*LIST_COLUMNS)
    if gathered:
        return qs.alias(newest=F("id") + 0).order_by("-newest")
    return qs.order_by("-id")
