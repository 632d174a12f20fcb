"""Querysets whose SQL is built once and run again with other values.

Django builds a queryset's SQL each time it is evaluated. For a list page that is about as much
work as the database's answer: a rep's visibility rule, the owner join and the list's columns
took 0.6 ms to compile and as much again to assemble, on every page. A ``Prepared`` query keeps
the SQL, its parameters and Django's own description of the columns, and on each run puts new
values where the markers were and turns the rows into model instances as ``QuerySet`` does
(converters, ``from_db``, ``select_related`` objects).

Those instances are built straight where that is all ``from_db`` would do (``_plain``): Django's
``from_db`` pads a row to all of the model's fields, looking each one up in the list of names
read, and ``Model.__init__`` walks them again to leave the unread ones deferred. For a customer
read with 14 of its 40 fields and its owner that was 18 µs a row, a tenth of a list page; its
attribute dict and state, set directly, take under 2.

A marker is a value placed in the queryset where a later value goes, once or in several places
(each then takes the value); it must reach the SQL parameters unchanged (a raw SQL parameter, or
a value that the field's preparation leaves equal to itself, such as an integer), and it must not
occur anywhere else in the query.
"""

import inspect
import json
from collections.abc import Callable, Hashable, Iterable
from functools import partial

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import BooleanField, Model, Q, QuerySet
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import RelatedPopulator, get_related_populators
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

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
            if not found:
                raise ValueError(f"marker {name!r} not found in the parameters")
            self.places[name] = found
        info = self.compiler.klass_info
        fields = info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.model = info["model"]
        self.init_list = [s[0].target.attname for s in self.compiler.select[self.start : self.end]]
        self.plain = _plain(self.model, self.init_list)
        self.populators = [
            _Related(p) for p in get_related_populators(info, self.compiler.select, self.db)
        ]

    def rows(self, **values) -> list:
        if self.sql is None:
            return []
        params = list(self.params)  # shared between requests: nothing kept between runs
        for name, value in values.items():
            for place in self.places[name]:
                params[place] = value
        with hot_cursor(self.db) as cursor:
            cursor.execute(self.sql, params)
            raw = cursor.fetchall()
        if self.compiler.has_extra_select:
            raw = [row[: self.compiler.col_count] for row in raw]
        model, db, names = self.model, self.db, self.init_list
        build = (
            partial(_instance, model)
            if self.plain and not _init_receivers(model)
            else model.from_db
        )
        related = [p.for_run() for p in self.populators]
        out = []
        for row in self.compiler.results_iter([raw]):
            obj = build(db, names, row[self.start : self.end])
            for populate in related:
                populate(row, obj)
            out.append(obj)
        return out


#: The descriptors Django puts on a model for its columns and foreign keys' ids: setting one on
#: a new instance stores the value in the instance's dict and does nothing else.
_STORED = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _plain(model: type[Model], names: list[str]) -> bool:
    """Whether ``model.from_db(db, names, values)`` only sets those attributes and the state:
    Django's own ``from_db`` and each name a column's plain attribute."""
    return model.from_db.__func__ is Model.from_db.__func__ and all(
        type(inspect.getattr_static(model, name, None)) in _STORED for name in names
    )


def _init_receivers(model: type[Model]) -> bool:
    """Whether something listens for ``model``'s instances being made (``Model.__init__``
    sends pre_init and post_init; an instance built straight would not)."""
    return pre_init.has_listeners(model) or post_init.has_listeners(model)


def _instance(model: type[Model], db: str, names: list[str], values) -> Model:
    """What ``model.from_db(db, names, values)`` returns, for a model and names ``_plain``
    accepts."""
    obj = model.__new__(model)
    state = ModelState()
    state.adding, state.db = False, db
    attributes = obj.__dict__
    attributes["_state"] = state
    attributes.update(zip(names, values, strict=True))
    return obj


class _Related:
    """A ``select_related`` object (``RelatedPopulator.populate``), built straight when the
    related model and its columns allow it and nothing further is selected through it."""

    def __init__(self, populator: RelatedPopulator):
        self.populator = populator
        self.plain = (
            populator.reorder_for_init is None
            and not populator.related_populators
            and _plain(populator.model_cls, populator.init_list)
        )

    def for_run(self) -> Callable[[tuple, Model], None]:
        """``populate(row, obj)`` for one run of the query."""
        p = self.populator
        if not self.plain or _init_receivers(p.model_cls):
            return p.populate
        model, db, names, start, end, pk = (
            p.model_cls,
            p.db,
            p.init_list,
            p.cols_start,
            p.cols_end,
            p.pk_idx,
        )

        def populate(row: tuple, obj: Model) -> None:
            values = row[start:end]
            related = None if values[pk] is None else _instance(model, db, names, values)
            p.local_setter(obj, related)
            if related is not None:
                p.remote_setter(related, obj)

        return populate


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
