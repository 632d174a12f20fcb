"""The index behind customer search: finding a query inside ``search_text`` without reading
every row, on both databases.

- PostgreSQL: a pg_trgm GIN index on ``search_text``. ``LIKE '%wangwei%'`` (3+ characters)
  reads the posting lists of the query's trigrams; a 1–2 character query matches the start of a
  word (``LIKE 'ww%' OR LIKE '% ww%'``), which pg_trgm answers from its word-start trigrams
  ("  w", " ww").
- SQLite: an FTS5 table with the trigram tokenizer, contentless (the text is not stored twice),
  holding each customer's search text with words separated by two spaces and two spaces in
  front, so a 1–2 character query is a 3–4 character phrase ("  ww") that matches the start of
  a word, and a longer one any substring. Triggers keep it in step with every write to the
  customer table, including bulk inserts and updates that bypass the ORM's save(); they are
  storage mechanics like an index, not business rules.

``few_matches`` answers "which customers match, if only a few do": search then filters the
visible customers by those ids (a handful of primary-key lookups, whoever the user is) and falls
back to scanning newest-first when the query is common (the first page fills after a few rows).
"""

import json

from django.db import connection as default_connection
from django.db.models import F, Q, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

FTS_TABLE = "customers_customer_fts"
TRGM_INDEX = "customer_search_trgm"
#: Up to this many matches search filters by id; more, and the query is "common".
MATCH_CAP = 5000

_TABLE = "customers_customer"
_FTS_TEXT = "'  ' || replace({row}.search_text, ' ', '  ')"
_TRIGGERS = {
    f"{FTS_TABLE}_insert": (
        f"CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON {_TABLE} BEGIN "  # noqa: S608 - constant names, values bound
        f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, {_FTS_TEXT.format(row='new')}); "
        "END"
    ),
    f"{FTS_TABLE}_delete": (
        f"CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON {_TABLE} BEGIN "  # noqa: S608 - constant names, values bound
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
        f"VALUES ('delete', old.id, {_FTS_TEXT.format(row='old')}); "
        "END"
    ),
    f"{FTS_TABLE}_update": (
        f"CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF id, search_text ON {_TABLE} "  # noqa: S608 - constant names, values bound
        "WHEN old.id IS NOT new.id OR old.search_text IS NOT new.search_text BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) "
        f"VALUES ('delete', old.id, {_FTS_TEXT.format(row='old')}); "
        f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, {_FTS_TEXT.format(row='new')}); "
        "END"
    ),
}


def install(connection=None, *, concurrently: bool = False) -> None:
    """Create the index (and fill it) where it is missing; a no-op when it is in place.

    On SQLite a table rebuilt by a later migration (Django copies the table to alter a column)
    loses its triggers: they are re-created and the FTS table refilled from scratch.
    ``concurrently`` builds the PostgreSQL index without blocking writes (outside a
    transaction only)."""
    connection = connection or default_connection
    if _TABLE not in connection.introspection.table_names():
        return  # migrated back before the customer table: nothing to index
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            mode = "CONCURRENTLY " if concurrently else ""
            cursor.execute(
                f"CREATE INDEX {mode}IF NOT EXISTS {TRGM_INDEX} ON {_TABLE} "
                "USING gin (search_text gin_trgm_ops)"
            )
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
            present = {name for (name,) in cursor.fetchall()} & {FTS_TABLE, *_TRIGGERS}
            if present == {FTS_TABLE, *_TRIGGERS}:
                return
            for name in _TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
            cursor.execute(
                f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
                "search_text, content='', columnsize=0, tokenize='trigram')"
            )
            fill = (
                f"INSERT INTO {FTS_TABLE}(rowid, search_text) "  # noqa: S608 - constant names, values bound
                f"SELECT id, {_FTS_TEXT.format(row=_TABLE)} FROM {_TABLE}"
            )
            cursor.execute(fill)
            for sql in _TRIGGERS.values():
                cursor.execute(sql)


def uninstall(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")
        elif connection.vendor == "sqlite":
            for name in _TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def like_q(term: str, field: str = "search_text") -> Q:
    """The condition "``term`` occurs in search_text": anywhere for 3+ characters, at the start
    of a word for 1–2 (what the indexes answer; a shorter query matches too much otherwise)."""
    if len(term) >= 3:
        return Q(**{f"{field}__contains": term})
    return Q(**{f"{field}__startswith": term}) | Q(**{f"{field}__contains": f" {term}"})


def common_match(qs, term: str):
    """(qs, condition) for a query many customers match: read newest first and test each row,
    which fills a page after a few rows. On PostgreSQL the condition is put on an expression
    the trigram index does not cover, so the planner walks the id order instead of fetching
    every match through the index and sorting them."""
    if default_connection.vendor == "postgresql":
        qs = qs.alias(search_walk=Concat(F("search_text"), Value(""), output_field=TextField()))
        return qs, like_q(term, "search_walk")
    return qs, like_q(term)


def _fts_phrase(term: str) -> str:
    text = term if len(term) >= 3 else f"  {term}"
    return '"' + text.replace('"', '""') + '"'


def match_ids(term: str, cap: int | None = None) -> list[int] | None:
    """The ids of the customers (deleted ones too) whose search text matches ``term``, newest
    first, when at most ``cap`` (default MATCH_CAP) do; None when more do."""
    from guanxi.customers.models import Customer

    cap = MATCH_CAP if cap is None else cap
    connection = default_connection
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            matching = (
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "  # noqa: S608 - constant names, values bound
                "ORDER BY rowid DESC LIMIT %s"
            )
            cursor.execute(matching, [_fts_phrase(term), cap + 1])
            ids = [pk for (pk,) in cursor.fetchall()]
    elif connection.vendor == "postgresql":
        # Unordered, so the planner reads the trigram index and stops at cap + 1.
        matches = Customer.objects.filter(like_q(term)).order_by().values_list("pk", flat=True)
        ids = sorted(matches[: cap + 1], reverse=True)
    else:
        return None
    return ids if len(ids) <= cap else None


def few_matches(term: str, cap: int | None = None) -> Q | None:
    """The condition "matches ``term``" as a primary-key lookup when at most ``cap`` customers
    match (None when more do). The index is read once; on SQLite its ids go back as one
    parameter (a JSON array), not thousands."""
    ids = match_ids(term, cap)
    if ids is None:
        return None
    if default_connection.vendor == "sqlite":
        return Q(pk__in=RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)]))  # noqa: S611 - constant SQL, values bound
    # PostgreSQL drives from a literal id list (an index scan on the primary key); fed through
    # a subquery it would guess 200 rows and walk the whole table in id order instead.
    return Q(pk__in=ids)
