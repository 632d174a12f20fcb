"""The index behind customer search: finding a query inside ``search_text`` without reading
every row, on both databases.

- PostgreSQL: a pg_trgm GIN index on ``search_text``. ``LIKE '%wangwei%'`` (3+ characters)
  reads the posting lists of the query's trigrams; a 1–2 character query matches the start of a
  word (``LIKE 'ww%' OR LIKE '% ww%'``), which pg_trgm answers from its word-start trigrams
  ("  w", " ww").
- SQLite: an FTS5 table with the trigram tokenizer, contentless (the text is not stored twice),
  holding each customer's search text with words separated by two spaces and two spaces in
  front, so a 1–2 character query is a 3–4 character phrase ("  ww") that matches the start of
  a word, and a longer one any substring. A customer's row in it is keyed by minus the
  customer's id (``_ROWID``), so newest first is the index's ascending order, which FTS5
  reads 1.5-2 times faster than descending (its segments are laid out ascending). A second
  column holds the customer's city (``_CITY_MARK``), so a search in a city asks the index for
  both; every query names its column (``fts_phrase``). Triggers keep it in step with every
  write to the customer table, including bulk inserts and updates that bypass the ORM's
  save(); they are storage mechanics like an index, not business rules.

``few_matches`` answers "which customers match, if only a few do": search then filters the
visible customers by those ids (a handful of primary-key lookups, whoever the user is) and falls
back to scanning newest-first when the query is common (the first page fills after a few rows).

Shortcuts keep long queries cheap at a million customers, with the same answer: an e-mail is
looked up in an index of the e-mails' ends (SQLite, ``_email_tail_match``) or of their reversed
name parts (PostgreSQL, ``_email_match``); on SQLite another query of 10+ characters is looked
up by a rare 5-character piece and the rows found checked against the whole query
(``_piece_match``). They exist because an index read costs the sum of its trigrams' row lists,
and an e-mail domain's trigrams are in a third of all rows.
"""

import json
import math
import time

from django.core.exceptions import EmptyResultSet
from django.db import connection as default_connection
from django.db.models import BigAutoField, BooleanField, F, Lookup, Q, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat

from guanxi.core.hot_reads import cursor as hot_cursor

FTS_TABLE = "customers_customer_fts"
#: PostgreSQL: the trigram index, which also holds each customer's id block (``ID_BLOCK``),
#: kind and city: a search among the companies (or persons) reads the kind's part of each
#: trigram's rows, so "zhang" among the companies, which none of a million match, fetches no
#: row (153 ms when the 77,540 persons it matched were fetched to be told apart); a search in
#: a city, the city's part ("zz" in 上海市: 2,280 of its 11,540 matches, 14 ms instead of 28,
#: and as many fewer rows to check for the user).
TRGM_INDEX = "customer_search_trgm_cities"
#: The indexes before it: without the city, without the kind, without the blocks (dropped by
#: ``install``).
_OLD_TRGM_INDEXES = (
    "customer_search_trgm_kinds",
    "customer_search_trgm_blocks",
    "customer_search_trgm",
)
#: PostgreSQL: ids per block of the trigram index. A search for the newest matches reads the
#: newest block's first, so a page of a common name costs a block's matches, not a million
#: rows'. Fixed by the index (changing it means rebuilding the index).
ID_BLOCK = 65536
#: Up to this many matches search filters by id; more, and the query is "common".
MATCH_CAP = 5000
#: A long query is first looked up by a few of its 5-character pieces (each read stops after
#: this many rows), and the rows found are checked against the whole query.
PIECE_CAP = 2000
_PIECE = 5
#: PostgreSQL: customers sampled to tell a common 1-2 character query (see _surely_common).
SAMPLE_ROWS = 5000
_PIECES = 3

_TABLE = "customers_customer"
#: PostgreSQL: the name part of the e-mail, reversed, indexed (migration 0011) so "ends with"
#: is a range scan.
EMAIL_NAME_INDEX = "customer_email_name_reversed"
EMAIL_NAME_SQL = "reverse(split_part(lower(email), '@', 1))"
#: SQLite: each e-mail from the last EMAIL_TAIL characters of its name part on ("gqiang@example
#: .org"), indexed (migration 0014), so a search for an e-mail is a range scan of that index.
EMAIL_TAIL = 6
EMAIL_TAIL_INDEX = "customer_email_tail"
EMAIL_TAIL_SQL = f"substr(lower(email), max(instr(email, '@') - {EMAIL_TAIL}, 1))"
EMAIL_TAIL_INDEX_SQL = (
    f"CREATE INDEX IF NOT EXISTS {EMAIL_TAIL_INDEX} ON {_TABLE} ({EMAIL_TAIL_SQL})"
    " WHERE email <> ''"
)


#: The FTS5 rowid of customer ``{row}``: minus its id, so the newest come first in ascending
#: order. Every read turns it back (``SELECT -rowid``; "below id b" is ``rowid > -b``).
_ROWID = "-{row}.id"


def fts_text(expr: str) -> str:
    """The SQL that lays out the search text ``expr`` for an FTS5 trigram index: two spaces in
    front and between words, so a 1-2 character phrase ("  ww") can match a word's start."""
    return f"'  ' || replace({expr}, ' ', '  ')"


#: The customer's kind at the end of its indexed text, after two spaces: its first letter
#: between two \x1f, a character no query holds (``normalize_query`` drops it as a space, and
#: ``fts_phrase`` too), so the index alone answers which companies or persons match a query
#: (``fts_phrase(term, kind)``). Tested one by one instead, a search among the companies that
#: none of them matched ("zhang") read all 150,000 of a million customers: 0.4-0.5 s.
_KIND_MARK = "'  ' || char(31) || substr({row}.kind, 1, 1) || char(31)"
_KINDS = ("person", "company")
_FTS_TEXT = fts_text("{row}.search_text") + " || " + _KIND_MARK
#: The customer's city in the index's second column, between two \x1e (no query holds it
#: either): ``fts_phrase(term, city=)`` asks for the whole city, not a part of its name, and a
#: query is only ever matched against the first column, so searching "上海市" does not find
#: everyone who lives there. Tested row by row instead, a manager's "138" in 宁波市 took 89 ms
#: at a million customers, "wang" among its companies (none match) 98 ms; 15 and 21 ms now.
_CITY_MARK = "char(30) || {row}.city || char(30)"
_FTS_VALUES = f"{_FTS_TEXT}, {_CITY_MARK}"
_TRIGGERS = {
    f"{FTS_TABLE}_insert": (
        f"CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON {_TABLE} BEGIN "  # noqa: S608 - constant names, values bound
        f"INSERT INTO {FTS_TABLE}(rowid, search_text, city) VALUES ({_ROWID.format(row='new')}, {_FTS_VALUES.format(row='new')}); "
        "END"
    ),
    f"{FTS_TABLE}_delete": (
        f"CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON {_TABLE} BEGIN "  # noqa: S608 - constant names, values bound
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text, city) "
        f"VALUES ('delete', {_ROWID.format(row='old')}, {_FTS_VALUES.format(row='old')}); "
        "END"
    ),
    f"{FTS_TABLE}_update": (
        f"CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF id, search_text, kind, city ON {_TABLE} "  # noqa: S608 - constant names, values bound
        "WHEN old.id IS NOT new.id OR old.search_text IS NOT new.search_text "
        "OR old.kind IS NOT new.kind OR old.city IS NOT new.city BEGIN "
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text, city) "
        f"VALUES ('delete', {_ROWID.format(row='old')}, {_FTS_VALUES.format(row='old')}); "
        f"INSERT INTO {FTS_TABLE}(rowid, search_text, city) VALUES ({_ROWID.format(row='new')}, {_FTS_VALUES.format(row='new')}); "
        "END"
    ),
}


def install(connection=None, *, concurrently: bool = False) -> None:
    """Create the index (and fill it) where it is missing; a no-op when it is in place.

    On SQLite a table rebuilt by a later migration (Django copies the table to alter a column)
    loses its triggers, and an index of an earlier layout (keyed by the id itself) has others:
    the triggers are re-created and the FTS table refilled from scratch.
    ``concurrently`` builds the PostgreSQL index without blocking writes (outside a
    transaction only)."""
    connection = connection or default_connection
    if _TABLE not in connection.introspection.table_names():
        return  # migrated back before the customer table: nothing to index
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")  # the id block's part
            mode = "CONCURRENTLY " if concurrently else ""
            cursor.execute(
                f"CREATE INDEX {mode}IF NOT EXISTS {TRGM_INDEX} ON {_TABLE} "
                f"USING gin ((id / {ID_BLOCK}), kind, city, search_text gin_trgm_ops)"
            )
            for old in _OLD_TRGM_INDEXES:
                cursor.execute(f"DROP INDEX {mode}IF EXISTS {old}")
        elif connection.vendor == "sqlite":
            # Also dropped when Django rebuilds the table to alter a column (0014 made it).
            cursor.execute(EMAIL_TAIL_INDEX_SQL)
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'trigger')")
            present = dict(cursor.fetchall())
            if FTS_TABLE in present and all(present.get(n) == sql for n, sql in _TRIGGERS.items()):
                return
            for name in _TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
            cursor.execute(
                f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
                "search_text, city, content='', columnsize=0, tokenize='trigram')"
            )
            fill = (
                f"INSERT INTO {FTS_TABLE}(rowid, search_text, city) "  # noqa: S608 - constant names, values bound
                f"SELECT {_ROWID.format(row=_TABLE)}, {_FTS_VALUES.format(row=_TABLE)} FROM {_TABLE}"
            )
            cursor.execute(fill)
            for sql in _TRIGGERS.values():
                cursor.execute(sql)
    if connection.vendor == "sqlite":
        optimize(connection)  # the fill leaves several segments


def optimize(connection=None) -> bool:
    """Merge what the customer index holds aside into its main structure (``merge_pending``);
    False when the index is not there."""
    return merge_pending(connection or default_connection, FTS_TABLE, TRGM_INDEX)


def merge_pending(connection, fts_table: str, gin_index: str) -> bool:
    """Tidy a search index whose writes go aside to be merged later, so reads no longer
    walk them (the nightly job, ``guanxi search optimize``, and after a rebuild):

    - SQLite: FTS5 ``optimize``, every segment into one. Each write transaction adds a small
      segment and FTS5 merges only a few at a time; merged, reads at a million customers are
      10-45 % faster (about 4 s there).
    - PostgreSQL: ``gin_clean_pending_list``. A GIN index takes new rows into a pending list
      (up to 4 MB) that every read scans in full until a vacuum merges it: a deal search read
      522 pending pages (6.5 ms) for 24 matches among 14,500 deals, 0.3 ms once merged.

    False when the index is not there."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            if fts_table not in connection.introspection.table_names():
                return False
            cursor.execute(f"INSERT INTO {fts_table}({fts_table}) VALUES ('optimize')")  # noqa: S608 - a constant
            return True
        if connection.vendor == "postgresql":
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [gin_index])
            if not cursor.fetchone()[0]:
                return False
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [gin_index])
            return True
    return False


def uninstall(connection=None) -> None:
    connection = connection or default_connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name in (TRGM_INDEX, *_OLD_TRGM_INDEXES):
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
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


def like_sql(term: str, column: str = "search_text") -> tuple[str, list[str]]:
    """``like_q`` as SQL and its parameters, for reads that skip the ORM (PostgreSQL's
    default LIKE escape, a backslash)."""
    if len(term) >= 3:
        return f"{column} LIKE %s", ["%" + like_escape(term) + "%"]
    start = like_escape(term) + "%"
    return f"({column} LIKE %s OR {column} LIKE %s)", [start, "% " + start]


def common_match(qs, term: str):
    """(qs, condition) for a query many customers match: read newest first and test each row,
    which fills a page after a few rows. On PostgreSQL the condition is put on an expression
    the trigram index does not cover, so the planner walks the id order instead of fetching
    every match through the index and sorting them."""
    if default_connection.vendor == "postgresql":
        qs = qs.alias(search_walk=Concat(F("search_text"), Value(""), output_field=TextField()))
        return qs, like_q(term, "search_walk")
    return qs, like_q(term)


def fts_phrase(term: str, kind: str = "", city: str = "") -> str:
    """``term`` as an FTS5 phrase over the ``search_text`` column, laid out by ``fts_text``:
    anywhere for 3+ characters, at the start of a word for 1-2 (the two spaces in front of each
    word). With ``kind`` ("person", "company"), customers of that kind only (``_KIND_MARK``);
    with ``city``, customers in that city only (the customer index's ``city`` column,
    ``_CITY_MARK``; the index folds case, so the caller's own filter has the last word)."""
    term = term.replace("\x1f", "")
    text = term if len(term) >= 3 else f"  {term}"
    phrase = "search_text : " + _quoted(text)
    if kind in _KINDS:
        phrase += " AND search_text : " + _quoted(f"\x1f{kind[0]}\x1f")
    if city:
        phrase += " AND city : " + _quoted("\x1e" + city.replace("\x1e", "") + "\x1e")
    return phrase


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


#: Verdicts on queries lately, per process: (database, term, cap) -> (common, until when,
#: time.monotonic). A verdict, not a result; it only spares the next search for the same query
#: a step that gives the same rows:
#: - common (more than the cap match): the next search goes the newest-first way at once
#:   instead of gathering thousands of matches again to learn it (PostgreSQL "chenj": 16 ms; a
#:   list search asked up to three times);
#: - not common: on PostgreSQL a 1-2 character query is not sampled again (5,000 rows, about
#:   6 ms for "qz") before its matches are gathered.
#: A query's matches cannot cross the cap in COMMON_TTL without thousands of new or deleted
#: customers, and then the search is only slower until the verdict expires.
COMMON_TTL = 300.0
_VERDICTS: dict[tuple, tuple[bool, float]] = {}


def forget_common() -> None:
    """Drop every remembered verdict (tests: each starts with none)."""
    _VERDICTS.clear()


def match_ids(
    term: str, cap: int | None = None, *, kind: str = "", city: str = ""
) -> list[int] | None:
    """The ids of the customers (deleted ones too) whose search text matches ``term``, newest
    first, when at most ``cap`` (default MATCH_CAP) do; None when more do. Either verdict is
    remembered for COMMON_TTL seconds. ``kind``: of the customers of that kind only (the index
    holds it: ``_KIND_MARK``, TRGM_INDEX); ``city``: of the customers in that city only (the
    same: ``_CITY_MARK``, TRGM_INDEX). Except where a shortcut reads the query alone (an
    e-mail, a long query's rare piece): the caller's filter drops the others."""
    cap = MATCH_CAP if cap is None else cap
    connection = default_connection
    key = (connection.alias, connection.settings_dict["NAME"], term, cap, kind, city)
    now = time.monotonic()
    common, until = _VERDICTS.get(key, (False, 0.0))
    known = until > now
    if known and common:
        return None
    ids = _match_ids(term, cap, sample=not known, kind=kind, city=city)
    _remember(key, ids is None, now)
    return ids


def _remember(key: tuple, common: bool, now: float) -> None:
    if len(_VERDICTS) >= 4096:  # a bound, not a policy
        _VERDICTS.clear()
    _VERDICTS[key] = (common, now + COMMON_TTL)


def _surely_common_lately(term: str, kind: str = "", city: str = "") -> bool:
    """PostgreSQL, a 1-2 character query: ``_surely_common`` for MATCH_CAP (among customers of
    ``kind`` and in ``city`` when given), the verdict remembered for COMMON_TTL seconds (a
    common one as ``match_ids``'s too: it is then known that more than the cap match)."""
    connection = default_connection
    key = (connection.alias, connection.settings_dict["NAME"], term)
    now = time.monotonic()
    common, until = _VERDICTS.get((*key, "sampled", kind, city), (False, 0.0))
    if until <= now:
        common = _surely_common(term, MATCH_CAP, kind, city)
        _remember((*key, "sampled", kind, city), common, now)
        if common:
            _remember((*key, MATCH_CAP, kind, city), True, now)
    return common


def _match_ids(
    term: str, cap: int, *, sample: bool = True, kind: str = "", city: str = ""
) -> list[int] | None:
    """``match_ids`` without the verdicts; ``sample`` False skips PostgreSQL's sample of a
    1-2 character query (lately found not common)."""
    connection = default_connection
    if connection.vendor == "sqlite":
        ids = _email_tail_match(term, cap)
        if ids is None:
            ids = _piece_match(term, cap)
        if ids is None:
            ids = _fts_ids(fts_phrase(term, kind, city), cap + 1)
    elif connection.vendor == "postgresql":
        if sample and len(term) <= 2 and _surely_common(term, cap, kind, city):
            return None
        ids = _email_match(term, cap)
        if ids is None:
            # Unordered, so the planner reads the trigram index and stops at cap + 1; read
            # straight from the cursor (through the ORM, 2,260 ids cost 1-2 ms more).
            match, params = like_sql(term)
            if kind in _KINDS:
                match, params = f"{match} AND kind = %s", [*params, kind]
            if city:
                match, params = f"{match} AND city = %s", [*params, city]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id FROM {_TABLE} WHERE {match} LIMIT %s",  # noqa: S608 - constant names, values bound
                    [*params, cap + 1],
                )
                ids = sorted((pk for (pk,) in cursor.fetchall()), reverse=True)
    else:
        return None
    return ids if len(ids) <= cap else None


def _fts_ids(phrase: str, limit: int) -> list[int]:
    with default_connection.cursor() as cursor:
        matching = (
            f"SELECT -rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "  # noqa: S608 - constant names, values bound
            "ORDER BY rowid LIMIT %s"
        )
        cursor.execute(matching, [phrase, limit])
        return [pk for (pk,) in cursor.fetchall()]


def _surely_common(term: str, cap: int, kind: str = "", city: str = "") -> bool:
    """PostgreSQL, a 1-2 character query: True when a sample of about SAMPLE_ROWS customers
    (a few milliseconds) says far more than ``cap`` (of ``kind``, in ``city``) match. The
    trigram index cannot stop at cap + 1 (it gathers every match first: 20-80 ms for "li" or
    "张" at a million), and such a query goes the newest-first way anyway; either way the
    answer is the same. The sample is the same pages each time (REPEATABLE), so they stay in
    the database's cache: a fresh random sample read about 220 pages from disk each time (4-15
    ms against 2.5)."""
    with default_connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [_TABLE])
        row = cursor.fetchone()
        total = max(row[0], 0) if row else 0
        if total < 10 * cap:
            return False
        start, word = like_escape(term) + "%", "% " + like_escape(term) + "%"
        of_kind = "AND kind = %s " if kind in _KINDS else ""
        in_city = "AND city = %s " if city else ""
        sample = (
            "SELECT count(*), count(*) FILTER (WHERE (search_text LIKE %s OR search_text LIKE %s) "  # noqa: S608 - constant names, values bound
            f"{of_kind}{in_city}) FROM {_TABLE} TABLESAMPLE SYSTEM (%s) REPEATABLE (2026)"
        )
        narrowing = [kind] if of_kind else []
        narrowing += [city] if in_city else []
        share = min(100.0, 100.0 * SAMPLE_ROWS / total)
        cursor.execute(sample, [start, word, *narrowing, share])
        sampled, hits = cursor.fetchone()
    return sampled > 0 and hits * total / sampled >= 2 * cap


def like_escape(text: str) -> str:
    """``text`` for a LIKE pattern with ESCAPE '\\' (PostgreSQL's default escape)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _email_match(term: str, cap: int) -> list[int] | None:
    """PostgreSQL, a query with an "@" after a name ("wangwei@example.com"): only an e-mail
    holds an "@" in the search text, so the matches are the customers whose e-mail name ends
    with the query's name part and whose domain starts with its domain part: a range scan of
    the reversed-name index, each row then checked against the search text itself (an
    expression the trigram index does not cover, so the planner keeps to the range). None
    for any other query."""
    name, at, domain = term.partition("@")
    if not at or len(name) < 3:  # a name part of 1-2 letters ends a tenth of all e-mails
        return None
    sql = (
        f"SELECT id FROM {_TABLE} WHERE {EMAIL_NAME_SQL} LIKE %s"  # noqa: S608 - constant names, values bound
        " AND split_part(lower(email), '@', 2) LIKE %s AND (search_text || '') LIKE %s LIMIT %s"
    )
    params = [
        like_escape(name[::-1]) + "%",
        like_escape(domain) + "%",
        "%" + like_escape(term) + "%",
        cap + 1,
    ]
    with default_connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted((pk for (pk,) in cursor.fetchall()), reverse=True)


def _email_tail_match(term: str, cap: int) -> list[int] | None:
    """SQLite, a query with an "@" after a name of EMAIL_TAIL or more characters: the matches
    are the e-mails whose name part ends with the query's name part and whose domain starts
    with its domain part, so their indexed tails (EMAIL_TAIL_SQL) start with the name's last
    EMAIL_TAIL characters, the "@" and the domain part: a range scan, each row then checked
    against the whole query. "liangqiang@example.org" at a million customers: 117 -> 1 ms
    (FTS5 reads the whole row lists of its common trigrams). None for any other query."""
    name, at, domain = term.partition("@")
    if not at or len(name) < EMAIL_TAIL:
        return None
    start = name[-EMAIL_TAIL:] + "@" + domain
    sql = (
        f"SELECT id FROM {_TABLE} WHERE email <> '' AND {EMAIL_TAIL_SQL} >= %s"  # noqa: S608 - constant names, values bound
        f" AND {EMAIL_TAIL_SQL} < %s AND search_text LIKE %s ESCAPE '\\' ORDER BY id DESC LIMIT %s"
    )
    params = [start, start + "\U0010ffff", "%" + like_escape(term) + "%", cap + 1]
    with default_connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


def _pieces(term: str) -> list[str]:
    """The pieces to try, likeliest to be rare first: in an e-mail the end of the name before
    the "@" (often digits; the domain after it is in a third of all rows), then the pieces from
    the start of the query."""
    at = term.find("@")
    end = len(term) if at < 0 else at + 1  # an e-mail's domain is no use
    pieces = [term[start : start + _PIECE] for start in range(0, end - _PIECE + 1, _PIECE)]
    if at >= _PIECE - 1:
        pieces.insert(0, term[at - _PIECE + 1 : at + 1])
    pieces = list(dict.fromkeys(pieces))[:_PIECES]
    if at >= _PIECE:
        # Last, the whole name and "@": its trigrams are read in full, but it leaves out the
        # domain's, which are in a third of all rows.
        pieces.append(term[: at + 1])
    return pieces


def _piece_match(term: str, cap: int) -> list[int] | None:
    """SQLite, a long query (an e-mail, a full name in pinyin): FTS5 reads the whole row list
    of every trigram of a phrase, and an e-mail's domain ("exa", "com") is in a third of all
    rows, so the whole phrase costs tens of milliseconds at a million customers. A 5-character
    piece of the query is three trigrams; the rows holding the piece (when at most PIECE_CAP
    do) include every row holding the whole query, and are checked against it by primary key.
    None when no piece is rare enough (the caller reads the whole phrase)."""
    from guanxi.customers.models import Customer

    if len(term) < 2 * _PIECE:
        return None
    for piece in _pieces(term):
        candidates = _fts_ids(fts_phrase(piece), PIECE_CAP + 1)
        if len(candidates) > PIECE_CAP:
            continue
        if not candidates:
            return []
        rows = Customer.objects.filter(
            pk__in=RawSQL("SELECT value FROM json_each(%s)", [json.dumps(candidates)]),  # noqa: S611 - constant SQL, values bound
            search_text__contains=term,
        )
        return list(rows.order_by("-pk").values_list("pk", flat=True)[: cap + 1])
    return None


def newest_matches(
    term: str,
    among: "Among",
    want: int,
    *,
    before: int | None = None,
    kind: str = "",
    city: str = "",
) -> list[int] | None:
    """The ids of the newest ``want`` customers (below id ``before``) that match ``term``
    and that ``among`` holds (``ids_among``: the rows the caller may show), newest first;
    fewer when fewer match. None when this is not the cheaper way (the caller then goes the
    usual way): on SQLite for a long query (``_piece_match`` reads it for less), or when
    MATCH_CAP index rows were read without finding ``want``; on PostgreSQL for a 1-2
    character query far more than MATCH_CAP customers (of ``kind``, in ``city``) match.
    ``kind``: the index gives only customers of that kind (on SQLite ``fts_phrase``; on
    PostgreSQL ``among``'s own condition, which the index holds), so a list of companies does
    not read the persons' matches; ``city`` the same; ``among`` still decides.

    PostgreSQL (``_newest_in_blocks``): the trigram index cannot be read in id order, but it
    holds each customer's id block, so the newest block's matches are read first, and older
    blocks only while the page is not full.

    SQLite: the index is read newest first (its ascending order) a batch at a time, and a
    read with ORDER BY rowid LIMIT n stops after n rows: a page of "wangwei" (2,260 of a
    million match) reads about a hundred rows instead of all 2,260, and "ww" a few hundred
    instead of the 5,001 that prove it common."""
    if want <= 0:
        return None
    if default_connection.vendor == "postgresql":
        return _newest_in_blocks(term, among, want, before, kind, city)
    if default_connection.vendor != "sqlite" or len(term) >= 2 * _PIECE:
        return None
    phrase, found, read = fts_phrase(term, kind, city), [], 0
    batch = max(2 * want, 64)
    with default_connection.cursor() as cursor:
        while read < MATCH_CAP:
            limit = min(batch, MATCH_CAP - read)
            below = "AND rowid > %s " if before is not None else ""
            cursor.execute(
                f"SELECT -rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s {below}"  # noqa: S608 - constant names, values bound
                "ORDER BY rowid LIMIT %s",
                [phrase, *([-before] if before is not None else []), limit],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
            read += len(ids)
            kept = set(among(ids)) if ids else set()
            found += [pk for pk in ids if pk in kept]
            if len(found) >= want or len(ids) < limit:
                return found[:want]
            # At least twice as many as the last: each read starts the phrase afresh.
            before = ids[-1]
            batch = next_batch(want - len(found), len(found), read, least=2 * limit)
    return None


def _newest_in_blocks(
    term: str, among: "Among", want: int, before: int | None, kind: str = "", city: str = ""
) -> list[int] | None:
    """PostgreSQL's ``newest_matches``: the rows of ``among`` that match, read a few id
    blocks at a time from the newest, until ``want`` are found. Within a block the index
    reads only that block's part of each trigram's rows, and the rows it finds are checked
    for visibility as they are read.

    At a million customers (16 blocks) a page of "wangwei" (2,260 match) read every match
    and checked them for the user: 20-22 ms of the database's time; its newest block holds
    about 150. The first read is the newest block; each next one as many blocks as the rate
    found so far says the page still needs, a quarter again to spare (``next_batch``); when
    none matched yet, the rest in one read (the query is rare: reading it block by block
    would cost each block's share of the index again).

    An e-mail goes by its own index first (``_email_match``): its domain's trigrams are in a
    third of all rows, in every block. A 1-2 character query that far more than MATCH_CAP
    customers match ("li": 3,000 in the newest block alone, 5.6 ms) is not read this way:
    the caller reads the customers newest first and fills a page after a few hundred."""
    if len(term) <= 2 and _surely_common_lately(term, kind, city):
        return None
    emailed = _email_match(term, MATCH_CAP)
    if emailed is not None and len(emailed) <= MATCH_CAP:
        kept = set(among([pk for pk in emailed if before is None or pk < before]))
        return [pk for pk in emailed if pk in kept][:want]
    if before is not None:
        top_id = before - 1
    else:
        with hot_cursor() as cursor:
            cursor.execute(f"SELECT max(id) FROM {_TABLE}")  # noqa: S608 - a constant
            top_id = cursor.fetchone()[0]
    if top_id is None or top_id < 0:
        return []
    top = top_id // ID_BLOCK
    found: list[int] = []
    last, span = top, 1
    while last >= 0 and len(found) < want:
        first = max(last - span + 1, 0)
        found += sorted(among.in_blocks(term, first, last, before), reverse=True)
        last = first - 1
        if not found:  # rare in the newest blocks: the rest in one read
            span = last + 1
            continue
        covered = top_id + 1 - first * ID_BLOCK  # the ids read so far
        ids_needed = next_batch(want - len(found), len(found), covered, least=1)
        span = max(1, math.ceil(ids_needed / ID_BLOCK))
    return found[:want]


def next_batch(missing: int, kept: int, read: int, *, least: int) -> int:
    """How many rows to read next to find ``missing`` more, at the rate kept so far (``kept``
    of ``read``, at least one counted) and a quarter as many again to spare; at least
    ``least``."""
    rate = max(kept, 1) / read
    return max(least, math.ceil(1.25 * missing / rate))


def few_matches(term: str, cap: int | None = None, *, kind: str = "", city: str = "") -> Q | None:
    """The condition "matches ``term``" as a primary-key lookup when at most ``cap`` customers
    match (None when more do; of ``kind``, in ``city``: see ``match_ids``). The index is read
    once; its ids go back as one parameter (``ids_q``), not thousands."""
    ids = match_ids(term, cap, kind=kind, city=city)
    if ids is None:
        return None
    return ids_q("pk", ids)


def ids_q(field: str, ids: list[int]) -> Q:
    """The condition "``field`` is one of ``ids``" for thousands of ids, as one parameter:
    Django binds and checks each value of an ``__in`` (a 11,540-id list on PostgreSQL: 65 ms
    to build the SQL and as long again to run it, against 9 ms as one array). On SQLite a JSON
    array read by json_each; on PostgreSQL ``= ANY`` of an array (``AnyOf``): the planner
    drives from it as from a literal list (an index scan on the key), whereas fed through a
    subquery it would guess 200 rows and walk the whole table in id order instead."""
    if default_connection.vendor == "sqlite":
        return Q(**{f"{field}__in": RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])})  # noqa: S611 - constant SQL, values bound
    if default_connection.vendor == "postgresql":
        return Q(**{f"{field}__any_of": ids})
    return Q(**{f"{field}__in": ids})


@BigAutoField.register_lookup
class AnyOf(Lookup):
    """``id__any_of=[...]``, PostgreSQL: ``id = ANY(%s::bigint[])``, the ids one parameter."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [int(pk) for pk in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, self.rhs]


class _Ids(list):
    """The stand-in for a batch of ids while a query's SQL is built (found again by identity
    among its parameters)."""


class _Mark:
    """The stand-in for one value while a query's SQL is built (found again by identity)."""


def _built(narrowed, markers) -> tuple[str, tuple, list[int]] | None:
    """(SQL, its parameters, where each marker sits among them) of ``narrowed``'s primary
    keys; None when it can match nothing (``qs.none()``: an inactive user sees nothing)."""
    try:
        sql, params = narrowed.values_list("pk", flat=True).query.sql_with_params()
    except EmptyResultSet:
        return None
    fixed = tuple(params)
    return sql, fixed, [next(i for i, p in enumerate(fixed) if p is m) for m in markers]


class Among:
    """The rows of a queryset, asked by id: ``among(ids)`` answers the primary keys of its
    rows among ``ids``, in its order. Its SQL is built once and run again for each batch:
    building it is most of a small check's cost (a rep's visibility rule: 0.8 of 1.6 ms for
    100 ids), and a search checks batch after batch. The object may be shared (visible_among):
    it keeps nothing between calls but its SQL.

    On PostgreSQL it also answers ``in_blocks``: its rows in a few of the trigram index's id
    blocks that match a query (see ``newest_matches``)."""

    def __init__(self, qs):
        self._qs = qs
        marker = _Ids()
        if default_connection.vendor == "sqlite":
            narrowed = qs.filter(pk__in=RawSQL("SELECT value FROM json_each(%s)", [marker]))  # noqa: S611 - constant SQL, values bound
        else:
            any_of = RawSQL(f"{_pk_column(qs)} = ANY(%s)", [marker], output_field=BooleanField())  # noqa: S611 - constant SQL, values bound
            narrowed = qs.filter(any_of)
        self._ids = _built(narrowed, [marker])
        self._blocks: dict[tuple, tuple | None] = {}

    def __call__(self, ids) -> list[int]:
        ids = list(ids)
        if not ids or self._ids is None:
            return []
        sql, fixed, (at,) = self._ids
        params = list(fixed)
        params[at] = json.dumps(ids) if default_connection.vendor == "sqlite" else ids
        with hot_cursor() as cursor:  # planned once per connection on PostgreSQL
            cursor.execute(sql, params)
            return [pk for (pk,) in cursor.fetchall()]

    def in_blocks(self, term: str, first: int, last: int, before: int | None) -> list[int]:
        """PostgreSQL: the primary keys of the rows in id blocks ``first`` to ``last`` (below
        id ``before``) whose search text matches ``term`` (``like_sql``), in no order.

        The blocks' numbers and the pattern go to the trigram index together, which reads only
        those blocks' part of each trigram's rows (a block of "wangwei": 2 ms instead of 11
        for the whole index). Not as a range of ids: the planner then also read the primary
        key over the range and intersected the two (24 ms for "zhangmin" in six of a million
        customers' 16 blocks, 8.6 ms by block numbers, 11.7 with the range left to the rows
        read). From the oldest block on, the whole index is read, below ``before``. Either
        way the queryset's own conditions (a rep's visibility) are checked on the rows
        found."""
        match, patterns = like_sql(term, _qualified(self._qs, "search_text"))
        blocks = first > 0
        shape = (blocks, len(patterns), ID_BLOCK)
        if shape not in self._blocks:
            pk = _pk_column(self._qs)
            markers = [_Mark() for _ in range(int(blocks) + 1 + len(patterns))]
            # As bigint: the btree_gin part of the index compares bigint with bigint only.
            where = f"({pk} / {ID_BLOCK}) = ANY(%s::bigint[]) AND " if blocks else ""
            condition = f"{where}{pk} < %s AND {match}"
            narrowed = self._qs.filter(RawSQL(condition, markers, output_field=BooleanField()))  # noqa: S611 - constant SQL, values bound
            self._blocks[shape] = _built(narrowed, markers)
        built = self._blocks[shape]
        if built is None:
            return []
        sql, fixed, places = built
        params = list(fixed)
        end = (last + 1) * ID_BLOCK if before is None else min(before, (last + 1) * ID_BLOCK)
        values = [list(range(last, first - 1, -1))] if blocks else []
        for at, value in zip(places, [*values, end, *patterns], strict=True):
            params[at] = value
        # Not a prepared statement: the pattern decides the plan.
        with default_connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [pk for (pk,) in cursor.fetchall()]


def _qualified(qs, column: str) -> str:
    """``"table"."column"`` of qs's model, quoted."""
    quote = default_connection.ops.quote_name
    return f"{quote(qs.model._meta.db_table)}.{quote(column)}"


def _pk_column(qs) -> str:
    return _qualified(qs, qs.model._meta.pk.column)


def ids_among(qs) -> Among:
    """``qs``'s rows, asked by id (``Among``)."""
    return Among(qs)
