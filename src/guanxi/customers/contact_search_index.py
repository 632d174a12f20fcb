"""The index behind finding a contact by its ``search_text`` (name, full pinyin, initials with
every reading of a heteronym, phone digits, e-mail, WeChat ID: ``search.contact_search_text``),
on both databases, with the customers' matching rule: a query of 3+ characters anywhere, of
1-2 characters at the start of a word (``search_index.fts_phrase`` / ``like_sql``).

- SQLite: an FTS5 trigram table laid out as the customers' (``search_index.fts_text``),
  contentless, each contact's row keyed by minus its id so that newest first is the index's
  ascending order (as the customers'). Triggers keep it in step with every write to the
  contact table, the ORM's and bulk SQL's alike; storage mechanics like an index, not business
  rules. A table Django rebuilds loses them: ``install`` (after every migrate) puts them back.
- PostgreSQL: a pg_trgm GIN index on ``search_text``, for a query few contacts match; one
  many of the newest match is read by walking the contacts newest first (``_walked``).

Before it, contacts were found only by the start of their name, the start of their phone or
their whole e-mail, never by pinyin, initials or part of an e-mail.
"""

import time

from django.db import connection as default_connection

from guanxi.customers.search_index import fts_phrase, fts_text, like_sql, merge_pending

_TABLE = "customers_contact"
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
_COMMON: dict[tuple, tuple[int, float]] = {}
FTS_TABLE = "customers_contact_fts"
TRGM_INDEX = "contact_search_trgm"
#: A contact's FTS5 rowid: minus its id (reads turn it back: ``SELECT -rowid``).
_ROWID = "-{row}.id"
_FTS_TEXT = fts_text("{row}.search_text")
_TRIGGERS = {
    f"{FTS_TABLE}_insert": (
        f"CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON {_TABLE} BEGIN "  # noqa: S608 - constant names
        f"INSERT INTO {FTS_TABLE}(rowid, search_text) "
        f"VALUES ({_ROWID.format(row='new')}, {_FTS_TEXT.format(row='new')}); END"
    ),
    f"{FTS_TABLE}_delete": (
        f"CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON {_TABLE} BEGIN "  # noqa: S608 - constant names
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
        f"VALUES ('delete', {_ROWID.format(row='old')}, {_FTS_TEXT.format(row='old')}); END"
    ),
    f"{FTS_TABLE}_update": (
        f"CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF id, search_text ON {_TABLE} "  # noqa: S608 - constant names
        "WHEN old.id IS NOT new.id OR old.search_text IS NOT new.search_text BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
        f"VALUES ('delete', {_ROWID.format(row='old')}, {_FTS_TEXT.format(row='old')}); "
        f"INSERT INTO {FTS_TABLE}(rowid, search_text) "
        f"VALUES ({_ROWID.format(row='new')}, {_FTS_TEXT.format(row='new')}); END"
    ),
}


def install(connection=None, *, concurrently: bool = False) -> None:
    """Create the index (and fill it) where it is missing; a no-op when it is in place.
    ``concurrently`` builds the PostgreSQL index without blocking writes (outside a
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
            # Only when missing: CREATE INDEX, even IF NOT EXISTS, is refused in a transaction
            # with deferred foreign-key checks pending (a post_migrate, a test's transaction).
            cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [TRGM_INDEX])
            if cursor.fetchone() is None:
                mode = "CONCURRENTLY " if concurrently else ""
                cursor.execute(
                    f"CREATE INDEX {mode}{TRGM_INDEX} ON {_TABLE} "
                    "USING gin (search_text gin_trgm_ops)"
                )
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'trigger')")
            present = dict(cursor.fetchall())
            if FTS_TABLE in present and all(present.get(n) == sql for n, sql in _TRIGGERS.items()):
                return
            _uninstall_sqlite(cursor)
            cursor.execute(
                f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
                "search_text, content='', columnsize=0, tokenize='trigram')"
            )
            cursor.execute(
                f"INSERT INTO {FTS_TABLE}(rowid, search_text) "  # noqa: S608 - constant names
                f"SELECT {_ROWID.format(row=_TABLE)}, {_FTS_TEXT.format(row=_TABLE)} FROM {_TABLE}"
            )
            for sql in _TRIGGERS.values():
                cursor.execute(sql)
    if connection.vendor == "sqlite":
        optimize(connection)  # the fill leaves several segments


def optimize(connection=None) -> bool:
    """Merge what the contact index holds aside into its main structure (see
    search_index.merge_pending); False when the index is not there."""
    return merge_pending(connection or default_connection, FTS_TABLE, TRGM_INDEX)


def uninstall(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")
        elif connection.vendor == "sqlite":
            _uninstall_sqlite(cursor)


def _uninstall_sqlite(cursor) -> None:
    for name in _TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def newest_matching(
    term: str, limit: int, *, before: int | None = None, with_primary: bool = False
) -> list[tuple]:
    """``(id, customer id)`` of up to ``limit`` contacts (below id ``before``) whose search
    text matches ``term`` (a normalised query: ``search.normalize_query``), newest first. The
    customer comes with each so that a search checks who may see it without reading the
    contacts again; ``with_primary`` adds whether the contact is its customer's primary one
    (the contacts list's filter, tested on the rows read: a condition in the query would
    leave the caller without the last row the index gave, where the next read starts).

    SQLite reads the index newest first and stops after ``limit`` rows. PostgreSQL gathers the
    matches through the trigram index, then sorts them (as the deals' index does,
    sales.search_index): walking the contacts newest first, the planner's pick for a LIMIT,
    reads them all when few match. A query many of the newest contacts match (``_density``:
    "zhang", "li" at a million customers, 27,000 and 60,000 of 300,000 contacts) is read by
    walking them newest first instead, its condition on an expression the trigram index does
    not cover, which stops after ``limit`` matches: gathered, every read of a batch fetched all
    of them again (25-90 ms a read; 1-3 ms walked)."""
    columns = "id, customer_id" + (", is_primary" if with_primary else "")
    if default_connection.vendor == "sqlite":
        below = "AND rowid > %s " if before is not None else ""
        primary = ", c.is_primary" if with_primary else ""
        sql = (
            f"SELECT c.id, c.customer_id{primary} FROM {_TABLE} c WHERE c.id IN ("  # noqa: S608 - constant names, values bound
            f"SELECT -rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s {below}"
            "ORDER BY rowid LIMIT %s) ORDER BY c.id DESC"
        )
        params = [fts_phrase(term), *([-before] if before is not None else []), limit]
    else:
        density = _density(term)
        if density >= COMMON_MATCHES:
            return _walked(term, limit, before, columns, density)
        match, params = like_sql(term)
        below = "WHERE id < %s " if before is not None else ""
        sql = (
            f"WITH m AS MATERIALIZED (SELECT {columns} FROM {_TABLE} WHERE {match}) "  # noqa: S608 - constant names, values bound
            f"SELECT {columns} FROM m {below}ORDER BY id DESC LIMIT %s"
        )
        params = [*params, *([before] if before is not None else []), limit]
    with default_connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def _walked(term: str, limit: int, before: int | None, columns: str, density: int) -> list:
    """PostgreSQL: ``newest_matching`` for a common query, the contacts walked newest first a
    range of ids at a time, each range as wide as should hold ``limit`` matches twice over at
    the newest's ``density`` (matches among SAMPLE_ROWS), twice as wide each time after. The
    condition is on an expression the trigram index does not cover, and each read a bounded
    range of the primary key: unbounded, the planner, who cannot tell how many contacts the
    expression keeps, read the whole table and sorted it for a LIMIT of a few hundred."""
    match, params = like_sql(term, "(search_text || '')")
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


def _density(term: str) -> int:
    """PostgreSQL: how many of the newest SAMPLE_ROWS contacts match ``term`` (read newest
    first through the primary key, about 3 ms), remembered COMMON_TTL seconds per process: a
    verdict that only chooses the way the matches are read (at least COMMON_MATCHES: walked),
    both giving the same rows."""
    key = (default_connection.alias, default_connection.settings_dict["NAME"], term)
    now = time.monotonic()
    density, until = _COMMON.get(key, (0, 0.0))
    if until > now:
        return density
    match, params = like_sql(term)
    sql = (
        f"SELECT count(*) FROM (SELECT search_text FROM {_TABLE} ORDER BY id DESC LIMIT %s) s "  # noqa: S608 - constant names, values bound
        f"WHERE {match}"
    )
    with default_connection.cursor() as cursor:
        cursor.execute(sql, [SAMPLE_ROWS, *params])
        density = cursor.fetchone()[0]
    if len(_COMMON) >= 4096:  # a bound, not a policy
        _COMMON.clear()
    _COMMON[key] = (density, now + COMMON_TTL)
    return density


def forget_common() -> None:
    """Drop every remembered verdict (tests: each starts with none)."""
    _COMMON.clear()
