"""The few reads every request makes (its session, its user, its unread count), as SQL built
once per process.

Django builds a query's SQL anew each time it runs: for these one-row lookups building took
0.2–0.5 ms, more than the database took to answer, and every page paid it three or four times.
Each read here is written with the models' own table and column names (quoted for the
database in use) and turns its row into model instances with ``Model.from_db``, as the ORM does.
"""

from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model


def _quote(name: str) -> str:
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(name)


def select_list(model: type[Model], alias: str) -> str:
    """``alias."col", …`` for every concrete column of ``model``, in ``_meta`` order."""
    return ", ".join(f"{alias}.{_quote(f.column)}" for f in model._meta.concrete_fields)


def table(model: type[Model]) -> str:
    return _quote(model._meta.db_table)


def column(model: type[Model], field_name: str) -> str:
    return _quote(model._meta.get_field(field_name).column)


@cache
def _attnames(model: type[Model]) -> tuple[list[str], int]:
    names = [f.attname for f in model._meta.concrete_fields]
    return names, len(names)


def instance(model: type[Model], row, start: int = 0) -> tuple[Model | None, int]:
    """The instance of ``model`` whose columns (as ``select_list`` gives them) begin at
    ``row[start]``, or None when its primary key is NULL (an outer join found nothing); and
    where the next model's columns begin."""
    names, count = _attnames(model)
    values = list(row[start : start + count])
    if values[names.index(model._meta.pk.attname)] is None:
        return None, start + count
    connection = connections[DEFAULT_DB_ALIAS]
    for i, expression, converters in _converters(model, connection.vendor):
        for converter in converters:
            values[i] = converter(values[i], expression, connection)
    return model.from_db(DEFAULT_DB_ALIAS, names, values), start + count


@cache
def _converters(model: type[Model], vendor: str) -> list[tuple]:
    """(index, column expression, converters) for the columns whose raw value the ORM
    converts (the backend's converters, then the field's own): dates and booleans on SQLite,
    JSON, and so on."""
    connection = connections[DEFAULT_DB_ALIAS]
    out = []
    for i, field in enumerate(model._meta.concrete_fields):
        expression = field.get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(expression) + field.get_db_converters(
            connection
        )
        if converters:
            out.append((i, expression, tuple(converters)))
    return out


def fetch_one(sql: str, params: list):
    with cursor() as c:
        c.execute(sql, params)
        return c.fetchone()


def cursor(db: str = DEFAULT_DB_ALIAS):
    """A cursor for a hot read of fixed shape. On PostgreSQL its statements are prepared on the
    server: parsed and planned once per connection, then only run. Planning was half of the
    database's work for a page's small reads (a list page: 0.71 ms planning, 0.65 running).
    Elsewhere, and while queries are logged (DEBUG, tests that count or read them: Django can
    only show a client-side query's text), it is the usual cursor. Either way Django wraps it
    as its own (execute wrappers, database errors).

    Only for SQL whose best plan does not depend on its values (primary keys, id arrays, a
    user's visibility): PostgreSQL keeps one generic plan for all values from the first run
    (``plan_cache_mode`` in the settings), which would not do for a search pattern."""
    connection = connections[db]
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    off = connection.connection.prepare_threshold is None  # DB_PREPARED_READS=0
    if off or connection.queries_logged:
        return connection.cursor()
    with connection.wrap_database_errors:
        raw = _prepared_cursor_class()(connection.connection)
    return connection.make_cursor(raw)


@cache
def _prepared_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        """Binds on the server and prepares every statement it runs (psycopg keeps the
        connection's prepared statements by SQL and parameter types, up to 100)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparedCursor
