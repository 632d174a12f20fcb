"""The rows of other tables that point at a record, found from the models' metadata, and how
they are kept as JSON and written back: a merge moves them (``merge``), a removed contact keeps
them for its undo (``services.remove_contact``). History tables are never among them: they
record what was true at the time."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from simple_history.models import HistoricalChanges


def as_json(value):
    """``value`` as JSON gives it back (dates as text, decimals as numbers' text)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def relations(target, *, left_out: tuple = ()) -> Iterator[models.ForeignObjectRel]:
    """Every relation from another table to ``target`` (foreign keys, one-to-ones and the rows
    of many-to-many tables), history tables and the models ``left_out`` left out."""
    for rel in target._meta.get_fields(include_hidden=True):
        if not (rel.is_relation and rel.auto_created and not rel.concrete):
            continue
        if rel.many_to_many:
            continue  # its through table's foreign key is listed on its own
        model = rel.related_model
        if issubclass(model, HistoricalChanges) or (left_out and issubclass(model, left_out)):
            continue
        yield rel


def kept_rows(rows: models.QuerySet) -> list[list]:
    """The rows as ``[[app.Model, {column: value}], …]``, for ``recreated``."""
    model = rows.model
    columns = [f.attname for f in model._meta.concrete_fields]
    return [[model._meta.label, as_json(values)] for values in rows.values(*columns)]


def recreated(label: str, values: dict, *, check_targets: bool = False):
    """The unsaved row of a ``kept_rows`` entry with its old id; None when its model is gone
    or (``check_targets``) a row it points at no longer exists."""
    try:
        model = apps.get_model(label)
    except LookupError:
        return None
    row = model(
        **{
            f.attname: f.to_python(values[f.attname])
            for f in model._meta.concrete_fields
            if f.attname in values
        }
    )
    if check_targets:
        for field in model._meta.concrete_fields:
            target = getattr(row, field.attname) if field.is_relation else None
            if (
                target is not None
                and not field.related_model._base_manager.filter(pk=target).exists()
            ):
                return None
    return row
