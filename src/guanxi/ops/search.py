"""Global search: one query over customers, contacts and opportunities, each through its own
``visible_to(user)``.

It lives in ops, above the sales layer, because it reads both customers and sales (customers
must never import sales); each domain keeps its own matching rule (customers.queries,
sales.models), this module only asks each and caps each group.
"""

import time
from dataclasses import dataclass, field

from guanxi.core.links import pk_url
from guanxi.core.phones import display_phone
from guanxi.core.prepared import ids_value, pk_among, prepared
from guanxi.customers import contact_search_index as contact_index
from guanxi.customers import search_index
from guanxi.customers.masking import SENSITIVE_FIELDS, digits_searched, masks_for
from guanxi.customers.models import Contact, Customer
from guanxi.customers.queries import exact_match, search_customers, visible_among
from guanxi.customers.search import normalize_query
from guanxi.sales import search_index as opportunity_index
from guanxi.sales.models import Opportunity

#: Rows per group in the navbar dropdown and on the full results page.
DROPDOWN_LIMIT = 5
PAGE_LIMIT = 50
#: Matching contacts and opportunities are read newest first and checked for visibility in
#: growing batches, up to _BATCHES * _BATCH rows in all (a user who sees few of very many
#: matches gets fewer).
_BATCH = 500
_BATCHES = 4
#: What a found deal shows (the page, the dropdown, the API): fifty deals with every column
#: of deal, customer and stage cost a results page milliseconds.
_DEAL_COLUMNS = ("name", "amount", "currency", "customer__name", "stage__name")
#: What a found contact shows (the owner says whether its phone is masked).
_CONTACT_COLUMNS = ("name", "title", "phone", "email", "customer__name", "customer__owner_id")


@dataclass
class SearchResults:
    q: str
    customers: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    opportunities: list = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.customers or self.contacts or self.opportunities)


def _visible_customers(user):
    """``ids -> the visible customers among ids`` (their visibility SQL built once)."""
    among = visible_among(user)
    return lambda ids: set(among(ids))


def search_contacts(user, q: str, *, limit: int) -> list[Contact]:
    """Contacts of visible customers whose search text (name, pinyin, initials, phone digits,
    e-mail, WeChat ID) matches ``q`` as a customer's does, newest first: "litaitai", "ltt",
    "李太", "1390013" and "litaitai@exa" all find 李太太. Read from the contacts' own index
    (customers.contact_search_index) a batch at a time, each batch checked by its customers'
    primary keys (``_newest_visible``): a contact is visible exactly when its customer is."""
    term = normalize_query(q)
    if not term:
        return []
    whole = term.isdigit() and exact_match(q) is not None
    where = digits_searched(user, term, whole_number=whole)  # a contact's phone is masked
    if where == "none":  # as its customer's
        return []

    def read(batch: int, before: int | None) -> list[tuple[int, int]]:
        return contact_index.newest_matching(term, batch, before=before)

    chosen = _newest_visible(user, read, limit)
    if not chosen:
        return []
    found = prepared(("ops.found_contacts", Contact.objects.db), _found_contacts).rows(
        ids=ids_value(chosen)
    )
    if where == "own":
        return [c for c in found if c.customer.owner_id == user.pk]
    return found


def _found_contacts():
    """The contacts shown, by id, newest first, with their customers' names and owners (built
    once): fifty contacts with every column of contact and customer cost a results page 3 ms."""
    condition, marker = pk_among(Contact)
    qs = (
        Contact.objects.filter(condition)
        .select_related("customer")
        .only(*_CONTACT_COLUMNS)
        .order_by("-id")
    )
    return qs, {"ids": marker}


def search_opportunities(user, q: str, *, limit: int) -> list[Opportunity]:
    """Visible opportunities whose name, or whose customer (name, pinyin, initials, phone
    digits, e-mail, company), matches ``q``, newest first.

    The opportunities' own index (sales.search_index, their name and their customer's search
    text) is read newest first a batch at a time (``_newest_visible``), each batch checked for
    visibility by the primary keys of the customers the index read gives with the deals,
    since Opportunity.visible_to's "customer in every visible customer" subquery would read a
    million customers per search on SQLite. An opportunity is visible exactly when its
    customer is (sales' CustomerScopedQuerySet); tests/ops/test_global_search.py holds the two
    rules together."""
    term = normalize_query(q)
    if not term:
        return []

    def read(batch: int, before: int | None) -> list[tuple[int, int]]:
        return opportunity_index.newest_matching(term, batch, before=before)

    chosen = _newest_visible(user, read, limit)
    if not chosen:
        return []
    return prepared(("ops.found_deals", Opportunity.objects.db), _found_deals).rows(
        ids=ids_value(chosen)
    )


def _newest_visible(user, read, limit: int) -> list[int]:
    """The ids of the newest ``limit`` rows ``read`` gives whose customer ``user`` sees.

    ``read(batch, before)`` answers ``(id, customer id)`` of up to ``batch`` matching rows
    below id ``before``, newest first (an index read). It is asked a batch at a time (at least
    twice as many each time, more when few were visible, up to _BATCHES * _BATCH rows in all:
    a user who sees few of very many matches gets fewer), each batch checked by its customers'
    primary keys."""
    chosen: list[int] = []
    visible_among = _visible_customers(user)
    before, batch, read_so_far = None, _first_batch(user, limit), 0
    while read_so_far < _BATCH * _BATCHES:
        found = read(batch, before)
        if not found:
            break
        read_so_far += len(found)
        visible = visible_among({customer for _pk, customer in found})
        chosen += [pk for pk, customer in found if customer in visible]
        if len(chosen) >= limit or len(found) < batch:
            break
        # Each read gathers every match below ``before`` again: as few rounds as will do.
        before = found[-1][0]
        batch = search_index.next_batch(
            limit - len(chosen), len(chosen), read_so_far, least=2 * batch
        )
        batch = min(batch, _BATCH * _BATCHES - read_so_far)
    return chosen[:limit]


def _first_batch(user, limit: int) -> int:
    """How many matching deals (or contacts) to read first: twice ``limit`` (64 at least) for
    who sees every customer; eight times for who sees some (a rep sees one deal in six or seven
    of a common name's: twice took a second round of three queries, 3-4 ms)."""
    first = max(2 * limit, 64)
    if not Customer.objects.all().sees_every(user):
        first = max(first, 8 * limit)
    return min(first, _BATCH * _BATCHES)


def _found_deals():
    """The deals shown, by id, newest first, with their customers and stages (built once)."""
    condition, marker = pk_among(Opportunity)
    qs = (
        Opportunity.objects.filter(condition)
        .select_related("customer", "stage")
        .only(*_DEAL_COLUMNS)
        .order_by("-id")
    )
    return qs, {"ids": marker}


def global_search(user, q: str, *, limit: int = DROPDOWN_LIMIT) -> SearchResults:
    """Up to ``limit`` customers (exact phone / e-mail first), contacts and opportunities, each
    with the ``url`` it links to (an opportunity also its ``customer_url``)."""
    q = (q or "").strip()[:100]
    results = SearchResults(q=q)
    if not normalize_query(q):
        return results
    results.customers = search_customers(user, q, limit=limit)
    results.contacts = search_contacts(user, q, limit=limit)
    results.opportunities = search_opportunities(user, q, limit=limit)
    card, opportunity = pk_url("customers:detail"), pk_url("sales:opportunity")
    for customer in results.customers:
        _show_phone(user, customer, customer)
        customer.url = card(customer.pk)
    for contact in results.contacts:
        _show_phone(user, contact.customer, contact)
        contact.url = card(contact.customer_id)
    for deal in results.opportunities:
        deal.url, deal.customer_url = opportunity(deal.pk), card(deal.customer_id)
    return results


def _show_phone(user, customer, row) -> None:
    """``shown_phone`` as the API gives it (E.164, or masked as on the record) and
    ``phone_display`` as pages print it."""
    masked = bool(row.phone) and masks_for(user, customer)
    row.shown_phone = SENSITIVE_FIELDS["phone"](row.phone) if masked else row.phone
    row.phone_display = display_phone(row.phone, masked=masked)


def optimize_indexes() -> dict[str, float | None]:
    """Merge the customer, contact and deal search indexes' pending writes (see
    customers.search_index.merge_pending): ``{index: seconds}``, None for one not there."""
    took: dict[str, float | None] = {}
    indexes = (
        ("customers", search_index),
        ("contacts", contact_index),
        ("deals", opportunity_index),
    )
    for name, index in indexes:
        started = time.perf_counter()
        took[name] = time.perf_counter() - started if index.optimize() else None
    return took
