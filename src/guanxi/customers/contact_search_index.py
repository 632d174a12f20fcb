"""The index behind finding a contact by its ``search_text`` (name, full pinyin, initials with
every reading of a heteronym, phone digits, e-mail, WeChat ID, then its customer's name with
its pinyin and initials: ``search.contact_search_text``), on both databases, with the
customers' matching rule: a query of 3+ characters anywhere, of 1-2 characters at the start of
a word (``search_index.fts_phrase`` / ``like_sql``).

The contact's own words and its customer's name are told apart (``search.CUSTOMER_MARK``
between them), so that the contacts list puts the contacts whose own words match before
those found by their customer's name alone (``ranked_matching``): "王伟" lists 王伟 above the
people at 王伟建材, however new they are. The global search, which lists the customer
itself, finds a contact by its own words only (``newest_matching``).

- SQLite: FTS5 trigram tables laid out as the customers' (``search_index.fts_text``),
  contentless, each contact's row keyed by minus its id so that newest first is the index's
  ascending order (as the customers'): one of the contacts' own words, one of their customers'
  names (apart: in one table, a word every company name holds, "youxiangongsi", read all its
  rows to find a contact's own, 28 ms at 100,000 contacts). Triggers keep them in step with
  every write to the contact table, the ORM's and bulk SQL's alike; storage mechanics like an
  index, not business rules. A table Django rebuilds loses them: ``install`` (after every
  migrate) puts them back.
- PostgreSQL: a pg_trgm GIN index on ``search_text`` and one on its own words (``own_sql``),
  for a query few contacts match; one many of the newest match is read by walking the
  contacts newest first (``_walked``).

A customer renamed, or contacts moved to another customer (a merge, its undo), get the
customer's name in their search text through ``write_customer_names``, one statement.

Before it, contacts were found only by the start of their name, the start of their phone or
their whole e-mail, never by pinyin, initials or part of an e-mail.
"""

import time

from django.db import connection as default_connection
from django.db.models import BooleanField, Case, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.fields import TextField

from guanxi.customers.search import CUSTOMER_MARK, with_customer_name
from guanxi.customers.search_index import fts_phrase, fts_text, like_q, like_sql, merge_pending

_TABLE = "customers_contact"
#: SQLite: an FTS5 phrase no contact's text holds (three \x1f, which no text or query has).
_NO_MATCH = '"' + "\x1f" * 3 + '"'
#: PostgreSQL: how many of the newest contacts are read to tell a common query (``_density``),
#: and how many of them must match for it to be common (1 %: a page of 64 matches is then
#: found among some 6,400 contacts walked newest first).
SAMPLE_ROWS = 5000
COMMON_MATCHES = 50
#: PostgreSQL: how long a process remembers whether a query is common (a verdict that only
#: chooses the way the matches are read: both give the same rows).
COMMON_TTL = 300.0
#: PostgreSQL: the fewest ids a walk of a common query reads at a time (``_walked``).
LEAST_SPAN = 1000
_COMMON: dict[tuple, tuple[tuple[int, int], float]] = {}
FTS_TABLE = "customers_contact_fts"
#: SQLite: the customers' names apart from the contacts' own words, so that a query of a word
#: every company name holds ("youxiangongsi") does not read its rows to find a contact's own.
CUSTOMER_FTS_TABLE = "customers_contact_customer_fts"
TRGM_INDEX = "contact_search_trgm"
OWN_TRGM_INDEX = "contact_own_search_trgm"
#: What a read matches: a contact's own words (``OWN``), or its customer's name and not its own
#: words (``THEIRS``).
OWN, THEIRS = "own", "theirs"
_MARK = f"{ord(CUSTOMER_MARK)}"


def own_sql(column: str, vendor: str | None = None) -> str:
    """The SQL of the contact's own words in the search text ``column``: all of it before
    `` CUSTOMER_MARK `` (``search.own_words``)."""
    if (vendor or default_connection.vendor) == "postgresql":
        return f"split_part({column}, ' ' || chr({_MARK}) || ' ', 1)"
    return f"substr({column}, 1, instr({column} || ' ' || char({_MARK}), char({_MARK})) - 2)"


def _theirs_sqlite(column: str) -> str:
    """SQLite: the customer's name in the search text ``column``: all of it after
    `` CUSTOMER_MARK `` (nothing without it)."""
    return f"substr({column}, instr({column} || char({_MARK}), char({_MARK})) + 2)"


#: A contact's FTS5 rowid: minus its id (reads turn it back: ``SELECT -rowid``).
_ROWID = "-{row}.id"
#: SQLite: each FTS table, its column and the text it indexes of a contact row ``{row}``.
_FTS = {
    FTS_TABLE: ("search_text", fts_text(own_sql("{row}.search_text", "sqlite"))),
    CUSTOMER_FTS_TABLE: ("customer_name", fts_text(_theirs_sqlite("{row}.search_text"))),
}
_FTS_CREATE = {
    table: (
        f"CREATE VIRTUAL TABLE {table} USING fts5("
        f"{column}, content='', columnsize=0, tokenize='trigram')"
    )
    for table, (column, _text) in _FTS.items()
}


def _fts_insert(row: str) -> str:
    return "".join(
        f"INSERT INTO {table}(rowid, {column}) "  # noqa: S608 - constant names
        f"VALUES ({_ROWID.format(row=row)}, {text.format(row=row)}); "
        for table, (column, text) in _FTS.items()
    )


def _fts_delete(row: str) -> str:
    return "".join(
        f"INSERT INTO {table}({table}, rowid, {column}) "  # noqa: S608 - constant names
        f"VALUES ('delete', {_ROWID.format(row=row)}, {text.format(row=row)}); "
        for table, (column, text) in _FTS.items()
    )


_TRIGGERS = {
    f"{FTS_TABLE}_insert": (
        f"CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON {_TABLE} BEGIN {_fts_insert('new')}END"
    ),
    f"{FTS_TABLE}_delete": (
        f"CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON {_TABLE} BEGIN {_fts_delete('old')}END"
    ),
    f"{FTS_TABLE}_update": (
        f"CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF id, search_text ON {_TABLE} "
        "WHEN old.id IS NOT new.id OR old.search_text IS NOT new.search_text BEGIN "
        f"{_fts_delete('old')}{_fts_insert('new')}END"
    ),
}


def install(connection=None, *, concurrently: bool = False) -> None:
    """Create the index (and fill it) where it is missing; a no-op when it is in place.
    ``concurrently`` builds the PostgreSQL indexes without blocking writes (outside a
    transaction only)."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if _TABLE not in connection.introspection.table_names(cursor):
            return
        columns = {c.name for c in connection.introspection.get_table_description(cursor, _TABLE)}
        if "search_text" not in columns:
            return  # migrated back before the column: nothing to index
        if connection.vendor == "postgresql":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            mode = "CONCURRENTLY " if concurrently else ""
            for name, indexed in (
                (TRGM_INDEX, "search_text"),
                (OWN_TRGM_INDEX, f"({own_sql('search_text', 'postgresql')})"),
            ):
                # Only when missing: CREATE INDEX, even IF NOT EXISTS, is refused in a
                # transaction with deferred foreign-key checks pending (a post_migrate, a
                # test's transaction).
                cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name])
                if cursor.fetchone() is None:
                    cursor.execute(
                        f"CREATE INDEX {mode}{name} ON {_TABLE} USING gin ({indexed} gin_trgm_ops)"
                    )
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'trigger')")
            present = dict(cursor.fetchall())
            if all(present.get(t) == sql for t, sql in _FTS_CREATE.items()) and all(
                present.get(n) == sql for n, sql in _TRIGGERS.items()
            ):
                return
            _uninstall_sqlite(cursor)
            for sql in _FTS_CREATE.values():
                cursor.execute(sql)
            for table, (column, text) in _FTS.items():
                cursor.execute(
                    f"INSERT INTO {table}(rowid, {column}) "  # noqa: S608 - constant names
                    f"SELECT {_ROWID.format(row=_TABLE)}, {text.format(row=_TABLE)} FROM {_TABLE}"
                )
            for sql in _TRIGGERS.values():
                cursor.execute(sql)
    if connection.vendor == "sqlite":
        optimize(connection)  # the fill leaves several segments


def optimize(connection=None) -> bool:
    """Merge what the contact index holds aside into its main structure (see
    search_index.merge_pending); False when the index is not there."""
    connection = connection or default_connection
    merged = merge_pending(connection, FTS_TABLE, TRGM_INDEX)
    merge_pending(connection, CUSTOMER_FTS_TABLE, OWN_TRGM_INDEX)
    return merged


def uninstall(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")
            cursor.execute(f"DROP INDEX IF EXISTS {OWN_TRGM_INDEX}")
        elif connection.vendor == "sqlite":
            _uninstall_sqlite(cursor)


def _uninstall_sqlite(cursor) -> None:
    for name in _TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in _FTS:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def write_customer_names(names: dict[int, str], connection=None) -> None:
    """Put each customer's name of ``names`` (customer id → name) in the search text of its
    contacts, in place of the name they held (``search.with_customer_name``): a customer
    renamed, contacts moved to another customer (a merge, its undo), the contacts there were
    (migration 0036). Their own words stay as they are, and a text already right is not
    written. One statement on PostgreSQL (the names as arrays), one prepared statement run
    per customer on SQLite (each through the contacts' customer index); the search indexes
    follow (SQLite's triggers, PostgreSQL's GIN indexes). Like the index, derived storage: no
    history row, no new version."""
    connection = connection or default_connection
    if not names:
        return
    ids = list(names)
    tails = [with_customer_name("", names[pk]) for pk in ids]  # " <mark> name words"
    own = own_sql("search_text", connection.vendor)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {_TABLE} SET search_text = {own} || v.tail "  # noqa: S608 - constant names, values bound
                "FROM unnest(%s::bigint[], %s::text[]) AS v(id, tail) "
                f"WHERE customer_id = v.id AND search_text <> {own} || v.tail",
                [ids, tails],
            )
        else:
            cursor.executemany(
                f"UPDATE {_TABLE} SET search_text = {own} || %s "  # noqa: S608 - constant names, values bound
                f"WHERE customer_id = %s AND search_text IS NOT {own} || %s",
                [(tail, pk, tail) for pk, tail in zip(ids, tails, strict=True)],
            )


def newest_matching(
    term: str, limit: int, *, before: int | None = None, with_primary: bool = False
) -> list[tuple]:
    """``(id, customer id)`` of up to ``limit`` contacts (below id ``before``) whose own words
    match ``term`` (a normalised query: ``search.normalize_query``), newest first: the global
    search's (ops.search), where a customer's name finds the customer, not each of its people.
    The customer comes with each so that a search checks who may see it without reading the
    contacts again; ``with_primary`` adds whether the contact is its customer's primary one
    (tested on the rows read: a condition in the query would leave the caller without the
    last row the index gave, where the next read starts).

    SQLite reads the index newest first and stops after ``limit`` rows. PostgreSQL gathers the
    matches through the trigram index, then sorts them (as the deals' index does,
    sales.search_index): walking the contacts newest first, the planner's pick for a LIMIT,
    reads them all when few match. A query many of the newest contacts match (``_density``:
    "zhang", "li" at a million customers, 27,000 and 60,000 of 300,000 contacts) is read by
    walking them newest first instead, its condition on an expression the trigram index does
    not cover, which stops after ``limit`` matches: gathered, every read of a batch fetched all
    of them again (25-90 ms a read; 1-3 ms walked)."""
    return _read(term, OWN, limit, before, with_primary)


def ranked_matching(term: str, limit: int, *, after: int | None = None) -> list[tuple]:
    """``(place, id, customer id, is_primary)`` of up to ``limit`` contacts matching ``term``
    in the contacts list's order: those whose own words match, newest first, then those found
    by their customer's name alone, newest first (an exact name is never pushed below a
    company's people). ``after``: the place of the last contact read, where this read goes on.

    A contact's place is its id among the first and minus its id among the others, so that
    one number (a cursor's, ``contact_queries.contact_rows``'s ``before``) says where a read
    stopped. Both parts are read in one statement, each through its index and stopping after
    ``limit`` rows, as ``newest_matching`` reads; on PostgreSQL a part many of the newest
    contacts match is walked (``_walked``) on its own, the second part only when the first
    has fewer than ``limit`` left."""
    if after is None or after > 0:
        parts = [(OWN, after), (THEIRS, None)]
    else:
        parts = [(THEIRS, -after)]
    if default_connection.vendor == "postgresql" and any(
        _density(term, part) >= COMMON_MATCHES for part, _before in parts
    ):
        rows: list[tuple] = []
        for part, before in parts:
            if len(rows) < limit:
                found = _read(term, part, limit - len(rows), before, with_primary=True)
                rows += [_placed(part, row) for row in found]
        return rows
    if len(parts) == 1:
        part_sql, params = _part_sql(term, THEIRS, limit, parts[0][1], with_primary=True)
        sql = f"SELECT 1 AS part, * FROM ({part_sql}) t"  # noqa: S608 - built here, values bound
    else:
        own_sql_, own_params = _part_sql(term, OWN, limit, after, with_primary=True)
        # Their part is read only when the own matches do not fill ``limit``: a condition of
        # no row, which both databases test once, before reading the index.
        gate = ("(SELECT count(*) FROM o) < %s", [limit])
        their_sql, their_params = _part_sql(term, THEIRS, limit, None, with_primary=True, gate=gate)
        sql = (
            f"WITH o AS MATERIALIZED ({own_sql_}) SELECT 0 AS part, * FROM o UNION ALL "  # noqa: S608 - built here, values bound
            f"SELECT 1, * FROM ({their_sql}) t"
        )
        params = [*own_params, *their_params]
    with default_connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY part, id DESC", params)
        found = cursor.fetchall()
    return [_placed(OWN if i == 0 else THEIRS, row) for i, *row in found][:limit]


def _placed(part: str, row) -> tuple:
    """``(place, id, customer id, is_primary)`` of a row ``(id, customer id, is_primary)``
    read in ``part``."""
    pk, customer, primary = row
    return (pk if part == OWN else -pk, pk, customer, bool(primary))


def with_own_match(qs, term: str):
    """Contacts ``qs`` with the alias ``own``: whether a contact's own words match ``term``
    (not only its customer's name), for a list read through the ORM (the contacts of a few
    customers) sorted as ``ranked_matching`` sorts."""
    column = f"{default_connection.ops.quote_name(_TABLE)}.search_text"
    qs = qs.alias(own_text=RawSQL(own_sql(column), [], output_field=TextField()))  # noqa: S611 - constant SQL
    return qs.alias(
        own=Case(
            When(like_q(term, "own_text"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def _read(term: str, section: str, limit: int, before: int | None, with_primary: bool) -> list:
    """``(id, customer id[, is_primary])`` of up to ``limit`` contacts (below id ``before``)
    matching ``term`` in ``section`` (OWN, THEIRS), newest first."""
    if default_connection.vendor == "postgresql":
        density = _density(term, section)
        if density >= COMMON_MATCHES:
            columns = "id, customer_id" + (", is_primary" if with_primary else "")
            return _walked(term, section, limit, before, columns, density)
    sql, params = _part_sql(term, section, limit, before, with_primary=with_primary)
    with default_connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def _part_sql(
    term: str,
    section: str,
    limit: int,
    before: int | None,
    *,
    with_primary: bool,
    gate: tuple[str, list] | None = None,
) -> tuple[str, list]:
    """The statement reading ``_read``'s rows through the index (not walked) and its
    parameters; ``gate``, a condition of no row (and its parameters) without which the index
    is not read."""
    columns = "id, customer_id" + (", is_primary" if with_primary else "")
    if default_connection.vendor == "sqlite":
        return _sqlite_sql(term, section, limit, before, with_primary, gate)
    match, params = _condition(term, section)
    if gate is not None:  # a one-time filter: the plan's scans below it are not run
        match, params = f"{gate[0]} AND {match}", [*gate[1], *params]
    below = "WHERE id < %s " if before is not None else ""
    sql = (
        f"WITH m AS MATERIALIZED (SELECT {columns} FROM {_TABLE} WHERE {match}) "  # noqa: S608 - constant names, values bound
        f"SELECT {columns} FROM m {below}ORDER BY id DESC LIMIT %s"
    )
    return sql, [*params, *([before] if before is not None else []), limit]


def _sqlite_sql(
    term: str, section: str, limit: int, before: int | None, with_primary: bool, gate
) -> tuple[str, list]:
    """SQLite: ``_part_sql``. The own words are read from their FTS table; the customers'
    names from theirs newest first, each contact whose own words hold ``term`` too passed
    over (it is among the first part), found by its primary key."""
    primary = ", c.is_primary" if with_primary else ""
    bound = [-before] if before is not None else []
    phrase = fts_phrase(term)
    if section == OWN:
        below = "AND rowid > %s " if before is not None else ""
        sql = (
            f"SELECT c.id, c.customer_id{primary} FROM {_TABLE} c WHERE c.id IN ("  # noqa: S608 - constant names, values bound
            f"SELECT -rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s {below}"
            "ORDER BY rowid LIMIT %s) ORDER BY c.id DESC"
        )
        return sql, [phrase, *bound, limit]
    # The same phrase, of the customer's name: the one column of that table.
    phrase = "customer_name : " + phrase.removeprefix("search_text : ")
    # The own words hold ``term`` as the own FTS table matches it: anywhere for 3+
    # characters, at the start of a word for 1-2.
    held = term if len(term) >= 3 else f" {term}"
    match, params = "%s", [phrase]
    if gate is not None:
        # The index is opened (its rows for the phrase gathered) before a condition of no
        # row is tested: without the gate, it is asked for a phrase no text holds instead.
        match, params = f"CASE WHEN {gate[0]} THEN %s ELSE %s END", [*gate[1], phrase, _NO_MATCH]
    below = "AND f.rowid > %s " if before is not None else ""
    sql = (
        f"SELECT c.id, c.customer_id{primary} FROM {CUSTOMER_FTS_TABLE} f "  # noqa: S608 - constant names, values bound
        f"JOIN {_TABLE} c ON c.id = -f.rowid WHERE {CUSTOMER_FTS_TABLE} MATCH {match} {below}"
        f"AND instr(' ' || {own_sql('c.search_text', 'sqlite')}, %s) = 0 "
        "ORDER BY f.rowid LIMIT %s"
    )
    return sql, [*params, *bound, held, limit]


def _condition(term: str, section: str, *, walked: bool = False) -> tuple[str, list]:
    """PostgreSQL: the condition "matches ``term`` in ``section``" and its parameters: through
    the trigram indexes (the own words', the whole text's), or ``walked`` on expressions they
    do not cover (``_walked``)."""
    text = "(search_text || '')" if walked else "search_text"
    own = own_sql("search_text", "postgresql")
    own = f"({own} || '')" if walked else own
    mine, own_params = like_sql(term, own)
    if section == OWN:
        return mine, own_params
    anywhere, params = like_sql(term, text)
    return f"{anywhere} AND NOT {mine}", [*params, *own_params]


def _walked(
    term: str, section: str, limit: int, before: int | None, columns: str, density: int
) -> list:
    """PostgreSQL: ``_read`` for a common query, the contacts walked newest first a range of
    ids at a time, each range as wide as should hold ``limit`` matches twice over at the
    newest's ``density`` (matches among SAMPLE_ROWS), twice as wide each time after. The
    condition is on an expression the trigram index does not cover, and each read a bounded
    range of the primary key: unbounded, the planner, who cannot tell how many contacts the
    expression keeps, read the whole table and sorted it for a LIMIT of a few hundred."""
    match, params = _condition(term, section, walked=True)
    sql = (
        f"SELECT {columns} FROM {_TABLE} WHERE {match} AND id < %s AND id >= %s "  # noqa: S608 - constant names, values bound
        "ORDER BY id DESC LIMIT %s"
    )
    with default_connection.cursor() as cursor:
        if before is None:
            cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {_TABLE}")  # noqa: S608 - a constant
            before = cursor.fetchone()[0]
        span = max(LEAST_SPAN, 2 * limit * SAMPLE_ROWS // density)
        rows: list[tuple] = []
        while before > 1 and len(rows) < limit:
            floor = max(before - span, 1)
            cursor.execute(sql, [*params, before, floor, limit - len(rows)])
            rows += [tuple(row) for row in cursor.fetchall()]
            before, span = floor, 2 * span
        return rows


def _density(term: str, section: str) -> int:
    """PostgreSQL: how many of the newest SAMPLE_ROWS contacts match ``term`` in ``section``
    (read newest first through the primary key, about 3 ms, both parts counted at once),
    remembered COMMON_TTL seconds per process: a verdict that only chooses the way the
    matches are read (at least COMMON_MATCHES: walked), both giving the same rows."""
    key = (default_connection.alias, default_connection.settings_dict["NAME"], term)
    now = time.monotonic()
    counts, until = _COMMON.get(key, ((0, 0), 0.0))
    if until <= now:
        mine, own_params = _condition(term, OWN)
        theirs, theirs_params = _condition(term, THEIRS)
        sql = (
            f"SELECT count(*) FILTER (WHERE {mine}), count(*) FILTER (WHERE {theirs}) "  # noqa: S608 - constant names, values bound
            f"FROM (SELECT search_text FROM {_TABLE} ORDER BY id DESC LIMIT %s) s"
        )
        with default_connection.cursor() as cursor:
            cursor.execute(sql, [*own_params, *theirs_params, SAMPLE_ROWS])
            counts = tuple(cursor.fetchone())
        if len(_COMMON) >= 4096:  # a bound, not a policy
            _COMMON.clear()
        _COMMON[key] = (counts, now + COMMON_TTL)
    return counts[0] if section == OWN else counts[1]


def forget_common() -> None:
    """Drop every remembered verdict (tests: each starts with none)."""
    _COMMON.clear()
