"""Querysets whose SQL is built once and run again with other values.

Django builds a queryset's SQL each time it is evaluated. For a list page that is about as much
work as the database's answer: a rep's visibility rule, the owner join and the list's columns
took 0.6 ms to compile and as much again to assemble, on every page. A ``Prepared`` query keeps
the SQL, its parameters and Django's own description of the columns, and on each run puts new
values where the markers were and turns the rows into model instances as ``QuerySet`` does
(converters, ``from_db``, ``select_related`` objects).

A marker is a value placed in the queryset where a later value goes; it must reach the SQL
parameters unchanged (a raw SQL parameter, or a value that the field's preparation leaves equal
to itself, such as an integer), and it must not occur anywhere else in the query.
"""

import json
from collections.abc import Callable, Hashable, Iterable

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import BooleanField, Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.query import get_related_populators

from guanxi.core.hot_reads import cursor as hot_cursor


class Prepared:
    """``qs`` compiled once; ``rows(name=value, …)`` runs it with values for its markers."""

    def __init__(self, qs: QuerySet, markers: dict[str, object]):
        self.db = qs.db
        self.compiler = qs.query.get_compiler(using=self.db)
        try:
            sql, params = self.compiler.as_sql()
        except EmptyResultSet:  # qs.none(): an inactive user sees nothing
            self.sql = None
            return
        if self.compiler.annotation_col_map:
            raise ValueError("annotations are not supported")
        self.sql, self.params = sql, tuple(params)
        self.places = {}
        for name, marker in markers.items():
            found = [
                i for i, p in enumerate(self.params) if type(p) is type(marker) and p == marker
            ]
            if len(found) != 1:
                raise ValueError(f"marker {name!r} found {len(found)} times in the parameters")
            self.places[name] = found[0]
        info = self.compiler.klass_info
        fields = info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.model = info["model"]
        self.init_list = [s[0].target.attname for s in self.compiler.select[self.start : self.end]]
        self.populators = get_related_populators(info, self.compiler.select, self.db)

    def rows(self, **values) -> list:
        if self.sql is None:
            return []
        params = list(self.params)  # shared between requests: nothing kept between runs
        for name, value in values.items():
            params[self.places[name]] = value
        with hot_cursor(self.db) as cursor:
            cursor.execute(self.sql, params)
            raw = cursor.fetchall()
        if self.compiler.has_extra_select:
            raw = [row[: self.compiler.col_count] for row in raw]
        out = []
        for row in self.compiler.results_iter([raw]):
            obj = self.model.from_db(self.db, self.init_list, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            out.append(obj)
        return out


_PREPARED: dict[Hashable, Prepared] = {}


def prepared(key: Hashable, build: Callable[[], tuple[QuerySet, dict[str, object]]]) -> Prepared:
    """The ``Prepared`` query kept under ``key``, built by ``build()`` (a queryset and its
    markers) the first time. ``key`` must name everything the SQL depends on."""
    found = _PREPARED.get(key)
    if found is None:
        found = Prepared(*build())
        if len(_PREPARED) >= 2048:  # a bound, not a policy: rebuilt on next use
            _PREPARED.clear()
        _PREPARED[key] = found
    return found


#: Stand-ins for "a list of ids given at run time" (never real values).
_IDS_TEXT = "\x00ids\x00"
_IDS_LIST = [-(2**62) - 1]


def pk_among(model: type[Model]) -> tuple[Q | RawSQL, object]:
    """(the condition "the primary key is one of a list given at run time", its marker): one
    parameter however many ids, a JSON array on SQLite and an array on PostgreSQL. Give the
    ids to ``rows`` through ``ids_value``."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "sqlite":
        sql = "SELECT value FROM json_each(%s)"
        return Q(pk__in=RawSQL(sql, [_IDS_TEXT])), _IDS_TEXT  # noqa: S611 - constant SQL, values bound
    quote = connection.ops.quote_name
    column = f"{quote(model._meta.db_table)}.{quote(model._meta.pk.column)}"
    condition = RawSQL(f"{column} = ANY(%s)", [_IDS_LIST], output_field=BooleanField())  # noqa: S611 - quoted model names, values bound
    return condition, _IDS_LIST


def ids_value(ids: Iterable[int]):
    """``ids`` as ``pk_among``'s marker takes them."""
    ids = list(ids)
    return json.dumps(ids) if connections[DEFAULT_DB_ALIAS].vendor == "sqlite" else ids
