"""The index behind finding an opportunity by its name or by its customer: name, pinyin,
initials, phone digits, e-mail, company (the customer's ``search_text``), on both databases.

An opportunity's search text is its name in lower case (its words, then run together, as a
query is normalised without spaces) followed by its customer's ``search_text``. Triggers keep it in step with every
write, the ORM's and bulk SQL's alike: an opportunity added, renamed, moved to another
customer (a merge) or deleted, and a customer whose search text changed (renamed, new phone).
Like customers.search_index, these are storage mechanics like an index, not business rules.

- SQLite: an FTS5 trigram table holding the text (``fts_text`` layout, so a 1-2 character
  query matches the start of a word). It stores the text, unlike the customers' contentless
  one, so a row is removed by its id alone: the customer's text it was built from may have
  changed since.
- PostgreSQL: a ``search_text`` column on the opportunity table that the model does not
  declare (Django never writes it; a BEFORE trigger fills it) with a pg_trgm GIN index, and a
  GIN index of each name's characters for a 1-2 character Chinese query anywhere in a name
  (trigrams need three characters; without it that query read every deal, newest first, 6 ms
  at 14,500 deals for one that few names hold).

Before this index, opportunities were matched through the customers matching the query
(reading up to MATCH_CAP of a million customers' index rows: 10-40 ms for a common name) and
a query that more than MATCH_CAP customers matched found no opportunity by its customer.
"""

from django.db import connection as default_connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from guanxi.customers.search_index import fts_phrase, fts_text, like_sql, merge_pending

_TABLE = "sales_opportunity"
_CUSTOMERS = "customers_customer"
FTS_TABLE = "sales_opportunity_fts"
TRGM_INDEX = "opportunity_search_trgm"
NAME_INDEX = "opportunity_name_chars"
#: A name column as the array of its characters; NAME_INDEX holds it of ``name``.
_NAME_CHARS = "string_to_array({name}, NULL)"
#: The name's words, then the name run together (a query is normalised without spaces).
_NAME_TEXT = "lower({row}.name) || ' ' || lower(replace({row}.name, ' ', ''))"


def _text_sql(row: str, customer_text: str) -> str:
    """The search text of opportunity ``row`` whose customer's search text is ``customer_text``."""
    return f"{_NAME_TEXT.format(row=row)} || ' ' || coalesce({customer_text}, '')"


def _customer_text(row: str) -> str:
    return f"(SELECT search_text FROM {_CUSTOMERS} WHERE id = {row}.customer_id)"  # noqa: S608 - constant names


def _fts_row(row: str, customer_text: str) -> str:
    return fts_text(f"({_text_sql(row, customer_text)})")


_SQLITE_TRIGGERS = {
    f"{FTS_TABLE}_insert": (
        f"CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON {_TABLE} BEGIN "  # noqa: S608 - constant names
        f"INSERT INTO {FTS_TABLE}(rowid, search_text) "
        f"VALUES (new.id, {_fts_row('new', _customer_text('new'))}); END"
    ),
    f"{FTS_TABLE}_update": (
        f"CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF id, name, customer_id ON {_TABLE} "  # noqa: S608 - constant names
        "WHEN old.id IS NOT new.id OR old.name IS NOT new.name "
        "OR old.customer_id IS NOT new.customer_id BEGIN "
        f"DELETE FROM {FTS_TABLE} WHERE rowid = old.id; "
        f"INSERT INTO {FTS_TABLE}(rowid, search_text) "
        f"VALUES (new.id, {_fts_row('new', _customer_text('new'))}); END"
    ),
    f"{FTS_TABLE}_delete": (
        f"CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON {_TABLE} BEGIN "  # noqa: S608 - constant names
        f"DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END"
    ),
    f"{FTS_TABLE}_customer": (
        f"CREATE TRIGGER {FTS_TABLE}_customer AFTER UPDATE OF search_text ON {_CUSTOMERS} "  # noqa: S608 - constant names
        "WHEN old.search_text IS NOT new.search_text BEGIN "
        f"DELETE FROM {FTS_TABLE} WHERE rowid IN "
        f"(SELECT id FROM {_TABLE} WHERE customer_id = new.id); "
        f"INSERT INTO {FTS_TABLE}(rowid, search_text) "
        f"SELECT o.id, {_fts_row('o', 'new.search_text')} FROM {_TABLE} o "
        "WHERE o.customer_id = new.id; END"
    ),
}

_PG_FUNCTIONS = (
    f"""CREATE OR REPLACE FUNCTION {_TABLE}_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_text := {_text_sql("NEW", _customer_text("NEW"))};
        RETURN NEW;
    END $$""",
    f"""CREATE OR REPLACE FUNCTION {_TABLE}_customer_search_text() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE {_TABLE} o SET search_text = {_text_sql("o", "NEW.search_text")}
        WHERE o.customer_id = NEW.id;
        RETURN NULL;
    END $$""",  # noqa: S608 - constant names
)
_PG_TRIGGERS = {
    (f"{_TABLE}_search_text", _TABLE): (
        f"CREATE TRIGGER {_TABLE}_search_text BEFORE INSERT OR UPDATE OF name, customer_id "
        f"ON {_TABLE} FOR EACH ROW EXECUTE FUNCTION {_TABLE}_search_text()"
    ),
    (f"{_TABLE}_customer_search_text", _CUSTOMERS): (
        f"CREATE TRIGGER {_TABLE}_customer_search_text AFTER UPDATE OF search_text "
        f"ON {_CUSTOMERS} FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text) "
        f"EXECUTE FUNCTION {_TABLE}_customer_search_text()"
    ),
}


def install(connection=None, *, concurrently: bool = False) -> None:
    """Create the index (and fill it) where it is missing; a no-op when it is in place.

    A table rebuilt by a later SQLite migration loses its triggers: they are re-created and
    the FTS table refilled. ``concurrently`` builds the PostgreSQL index without blocking
    writes (outside a transaction only)."""
    connection = connection or default_connection
    tables = set(connection.introspection.table_names())
    if not {_TABLE, _CUSTOMERS} <= tables:
        return  # migrated back before the opportunity table: nothing to index
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _install_postgresql(cursor, concurrently)
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
            present = {name for (name,) in cursor.fetchall()} & {FTS_TABLE, *_SQLITE_TRIGGERS}
            if present == {FTS_TABLE, *_SQLITE_TRIGGERS}:
                return
            _uninstall_sqlite(cursor)
            cursor.execute(
                f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
                "search_text, columnsize=0, tokenize='trigram')"
            )
            cursor.execute(
                f"INSERT INTO {FTS_TABLE}(rowid, search_text) "  # noqa: S608 - constant names
                f"SELECT o.id, {_fts_row('o', 'c.search_text')} FROM {_TABLE} o "
                f"LEFT JOIN {_CUSTOMERS} c ON c.id = o.customer_id"
            )
            for sql in _SQLITE_TRIGGERS.values():
                cursor.execute(sql)


def _install_postgresql(cursor, concurrently: bool) -> None:
    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    cursor.execute(
        "SELECT 1 FROM information_schema.columns "
        "WHERE table_name = %s AND column_name = 'search_text' AND table_schema = current_schema()",
        [_TABLE],
    )
    added = cursor.fetchone() is None
    if added:
        cursor.execute(f"ALTER TABLE {_TABLE} ADD COLUMN search_text text NOT NULL DEFAULT ''")
    for sql in _PG_FUNCTIONS:
        cursor.execute(sql)
    cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    present = {name for (name,) in cursor.fetchall()}
    for (name, _table), sql in _PG_TRIGGERS.items():
        if name not in present:
            cursor.execute(sql)
    if added:
        cursor.execute(
            f"UPDATE {_TABLE} o SET search_text = {_text_sql('o', 'c.search_text')} "  # noqa: S608 - constant names
            f"FROM {_CUSTOMERS} c WHERE c.id = o.customer_id"
        )
    # Only when missing: CREATE INDEX, even IF NOT EXISTS, is refused in a transaction with
    # deferred foreign-key checks pending (a post_migrate or a test's transaction).
    mode = "CONCURRENTLY " if concurrently else ""
    for name, columns in (
        (TRGM_INDEX, "search_text gin_trgm_ops"),
        (NAME_INDEX, f"({_NAME_CHARS.format(name='name')})"),
    ):
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE INDEX {mode}{name} ON {_TABLE} USING gin ({columns})")
            if name == NAME_INDEX:
                # The statistics of the characters the planner reads (autovacuum would
                # gather them later): a second or so at a million deals.
                cursor.execute(f"ANALYZE {_TABLE}")


def optimize(connection=None) -> bool:
    """Merge what the deal index holds aside into its main structure (see
    customers.search_index.merge_pending); False when the index is not there."""
    return merge_pending(connection or default_connection, FTS_TABLE, TRGM_INDEX)


def uninstall(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, table in _PG_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {_TABLE}_search_text()")
            cursor.execute(f"DROP FUNCTION IF EXISTS {_TABLE}_customer_search_text()")
            cursor.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")
            cursor.execute(f"DROP INDEX IF EXISTS {NAME_INDEX}")
            cursor.execute(f"ALTER TABLE {_TABLE} DROP COLUMN IF EXISTS search_text")
        elif connection.vendor == "sqlite":
            _uninstall_sqlite(cursor)


def _uninstall_sqlite(cursor) -> None:
    for name in _SQLITE_TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def newest_matching(term: str, limit: int, *, before: int | None = None) -> list[tuple[int, int]]:
    """``(id, customer id)`` of up to ``limit`` opportunities (below id ``before``) that match
    ``term`` (a normalised query), newest first: their search text holds ``term`` anywhere for
    3+ characters, at the start of a word for 1-2 (as for customers: "li" finds 李娜's deals and
    "Li Ning renewal", not "Aligned"). A 1-2 character Chinese query also matches anywhere in
    the name ("采购" finds "茶叶年度采购": Chinese names have no spaces to start a word), by a
    scan of the names newest first. Each read stops after ``limit`` rows. The customer comes
    with each deal so that a search checks who may see it without reading the deals again."""
    found = _index_read(term, limit, before)
    if _by_name(term):
        named = _name_read(term, limit, before)
        found = sorted(set(found) | set(named), reverse=True)[:limit]
    return found


def _by_name(term: str) -> bool:
    """Whether ``term`` also matches anywhere in a deal's name: a 1-2 character Chinese query
    (Chinese names have no spaces to start a word)."""
    return len(term) < 3 and not term.isascii()


def _name_condition(term: str, name: str = "name") -> tuple[str, list]:
    """The condition "the name column ``name`` holds ``term``" and its parameters: on
    PostgreSQL through NAME_INDEX (the name's characters), then the characters together."""
    if default_connection.vendor == "sqlite":
        return f"instr({name}, %s) > 0", [term]
    chars = _NAME_CHARS.format(name=name)
    return f"{chars} @> %s::text[] AND strpos({name}, %s) > 0", [list(term), term]


def matching(term: str) -> RawSQL:
    """The condition "the opportunity matches ``term``" (a normalised query), with the
    matching rule of ``newest_matching`` but no limit, for a list filtered, sorted and paged
    as any other: the index's matches (SQLite: an FTS5 phrase; PostgreSQL: the trigram
    index), and for a 1-2 character Chinese query the names holding it anywhere."""
    table = default_connection.ops.quote_name(_TABLE)
    if default_connection.vendor == "sqlite":
        sql = f"{table}.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"  # noqa: S608 - constant names, values bound
        params = [fts_phrase(term)]
    else:
        sql, params = like_sql(term, f"{table}.search_text")
    if _by_name(term):
        by_name, name_params = _name_condition(term, f"{table}.name")
        sql, params = f"({sql} OR ({by_name}))", [*params, *name_params]
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611 - constant SQL, values bound


def _index_read(term: str, limit: int, before: int | None) -> list[tuple[int, int]]:
    if default_connection.vendor == "sqlite":
        sql = (
            f"SELECT o.id, o.customer_id FROM {_TABLE} o WHERE o.id IN ("  # noqa: S608 - constant names, values bound
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "
            f"{_below('rowid', before)}ORDER BY rowid DESC LIMIT %s) ORDER BY o.id DESC"
        )
        params = [fts_phrase(term)]
    else:
        match, params = like_sql(term)
        # The matches are gathered through the trigram index and then sorted: walking the
        # primary key newest first (the planner's pick for a LIMIT) reads the whole table when
        # few match ("ww": 13 ms against 0.6 at 14,500 deals). The bound of a later batch is
        # applied to what was gathered: inside, it let the planner walk the primary key's
        # range below it instead (a 3 % rep's "张" below the 8,156th deal: 5.3 ms against 1.5).
        sql = (
            f"WITH m AS MATERIALIZED (SELECT id, customer_id FROM {_TABLE} WHERE {match}) "  # noqa: S608 - constant names, values bound
            f"SELECT id, customer_id FROM m {_below('id', before, first=True)}"
            "ORDER BY id DESC LIMIT %s"
        )
    return _rows(sql, params, before, limit)


def _name_read(term: str, limit: int, before: int | None) -> list[tuple[int, int]]:
    # PostgreSQL: the planner picks, from NAME_INDEX's statistics of each character, the
    # names holding a rare one through the index, a common one by walking the deals newest
    # first (at 14,500 deals: "王伟" 0.1 ms instead of 5.8, "年" 0.8 either way).
    # A later batch (``before``) is read when the first did not fill the page, so many more
    # are wanted: walked, the names below the bound were read to the oldest when fewer
    # matched (a 3 % rep's "张": 11.8 ms against 1.4 gathered through the index).
    condition, params = _name_condition(term)
    if before is not None and default_connection.vendor == "postgresql":
        sql = (
            f"WITH m AS MATERIALIZED (SELECT id, customer_id FROM {_TABLE} WHERE {condition}) "  # noqa: S608 - constant names, values bound
            f"SELECT id, customer_id FROM m {_below('id', before, first=True)}"
            "ORDER BY id DESC LIMIT %s"
        )
        return _rows(sql, params, before, limit)
    sql = (
        f"SELECT id, customer_id FROM {_TABLE} WHERE {condition} "  # noqa: S608 - constant names, values bound
        f"{_below('id', before)}ORDER BY id DESC LIMIT %s"
    )
    return _rows(sql, params, before, limit)


def _below(column: str, before: int | None, *, first: bool = False) -> str:
    """The condition "``column`` below ``before``" (none without it), the query's only one
    when ``first``, else added to others."""
    if before is None:
        return ""
    return f"{'WHERE' if first else 'AND'} {column} < %s "


def _rows(sql: str, params: list, before: int | None, limit: int) -> list[tuple[int, int]]:
    params = [*params, *([before] if before is not None else []), limit]
    with default_connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
