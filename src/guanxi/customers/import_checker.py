"""A second process that converts and checks a long import's rows (``import_rows.convert`` and
``CustomerCleaner.quick``, the pinyin search text included) while the importing process
matches duplicates and writes, so the import uses two cores. A thread cannot do it: the
checking is Python and holds the GIL the writing needs.

The worker is spawned, not forked (a fork would copy the importer's database connections and
threads), and sets Django up with the importer's settings module. It reads no database: the
custom field definitions, the day, the language and the phone region come from the importer.
It is sent each batch's mapped cells and answers plain tuples of strings, dates, lists and
dicts (``imports.pack``): a few µs a row to pickle, never model instances.

While the worker starts (about a second: an interpreter and Django), the importer checks the
first batches itself; from then on the worker keeps up to ``LOOKAHEAD`` batches checked ahead
of the one being written. A worker that cannot start leaves the checking to the importer;
one that dies mid-import fails the batch waiting for it (``imports.process`` then marks the
job failed with that batch rolled back).

Only the standard library is imported at the top: the worker imports this module to find its
entry points before Django is set up.
"""

import gc
import logging
import multiprocessing
import operator
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

from guanxi.customers import import_tables

logger = logging.getLogger(__name__)

#: Batches checked ahead of the one being written: bounds the rows held in memory.
LOOKAHEAD = 2
#: Whether the importer checks batches itself while the worker starts (off in tests that
#: need every batch to go through the worker).
CHECK_HERE_WHILE_STARTING = True

_worker: dict = {}


# --- in the worker -----------------------------------------------------------------------------


def _start(settings_module: str | None, setup: dict) -> None:
    """The worker's initializer: Django as the importer has it, and the import's cleaner."""
    if settings_module:  # else (settings overridden, as in tests) the one inherited
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.conf import settings
    from django.utils import translation

    from guanxi.customers.bulk import CustomerCleaner
    from guanxi.customers.models import CustomField

    for name, value in setup["settings"].items():
        setattr(settings, name, value)
    if setup["language"]:
        translation.activate(setup["language"])
    else:
        translation.deactivate_all()
    definitions = {d["key"]: CustomField(**d) for d in setup["definitions"]}
    cleaner = CustomerCleaner(None, None, definitions)
    cleaner.today = setup["today"]
    _worker.update(cleaner=cleaner, columns=setup["columns"])
    gc.freeze()  # Django and the pinyin dictionaries: out of the collector's full passes


def _ready() -> int:
    return os.getpid()


def _check(numbers: Sequence[int], cells: list) -> list[tuple]:
    from guanxi.customers import imports

    with import_tables.collector_paused():
        rows = imports.checked_rows(cells, numbers, _worker["columns"], _worker["cleaner"])
        return imports.pack(rows)


# --- in the importer ---------------------------------------------------------------------------


def _setup(cleaner, columns: list[tuple[int, str]]) -> dict:
    """What the worker needs to check as ``cleaner`` does, as plain data (model instances
    cannot cross before the worker's Django is set up)."""
    from django.conf import settings
    from django.utils import translation

    definitions = [
        {f.attname: getattr(d, f.attname) for f in d._meta.concrete_fields}
        for d in cleaner.definitions.values()
    ]
    return {
        "settings": {"PHONE_REGION": settings.PHONE_REGION},
        "language": translation.get_language(),
        "definitions": definitions,  # in their order: a customer's custom values follow it
        "today": cleaner.today,
        "columns": [(i, target) for i, (_index, target) in enumerate(columns)],
    }


def _picker(indexes: Sequence[int]) -> Callable[[list], tuple]:
    if len(indexes) == 1:
        only = indexes[0]
        return lambda cells: (cells[only],)
    return operator.itemgetter(*indexes)


class Checker:
    """The checked rows of each batch of the file's rows (``table``: an ``import_tables.Table``),
    in order: from the worker once it runs, else from ``check_here(begin)``; ``close`` stops
    the worker."""

    def __init__(
        self,
        table,
        columns: list[tuple[int, str]],
        cleaner,
        begins: Sequence[int],
        batch_size: int,
        check_here: Callable[[int], list],
    ):
        from django.conf import settings

        self.table, self.begins, self.batch_size = table, list(begins), batch_size
        self.check_here = check_here
        self.pick = _picker([index for index, _target in columns])
        self.pending: dict[int, Future] = {}
        self.submitted = 0  # index in begins of the next batch to send
        self.usable = True
        self.pool = ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=(settings.SETTINGS_MODULE, _setup(cleaner, columns)),
        )
        try:
            self.started = self.pool.submit(_ready)  # starts the worker
        except BaseException:
            self.pool.shutdown(wait=False, cancel_futures=True)
            raise

    def _running(self) -> bool:
        if not self.usable:
            return False
        if not CHECK_HERE_WHILE_STARTING:
            self.started.exception()  # wait for it
        if not self.started.done():
            return False
        if self.started.exception() is not None:
            self.usable = False
            logger.warning(
                "The import's checking process did not start (%s); checking here.",
                self.started.exception(),
            )
            return False
        return True

    def checked(self, position: int) -> list:
        """The checked rows of the ``position``-th batch (asked for in order); raises what
        the worker raised, or BrokenProcessPool when it died."""
        begin = self.begins[position]
        if self._running():
            if self.submitted <= position and CHECK_HERE_WHILE_STARTING:
                # The worker has just come up: this batch is checked here rather than
                # waited for (the worker's first batch is slow, its caches cold).
                self.submitted = position + 1
            last = min(position + LOOKAHEAD, len(self.begins) - 1)
            while self.submitted <= last:
                self._submit(self.submitted)
                self.submitted += 1
        future = self.pending.pop(begin, None)
        if future is None:
            return self.check_here(begin)
        from guanxi.customers import imports

        return imports.unpack(self._numbers(begin), future.result())

    def _submit(self, position: int) -> None:
        begin = self.begins[position]
        chunk = self.table.rows[begin : begin + self.batch_size]
        cells = [self.pick(r) for r in chunk]
        self.pending[begin] = self.pool.submit(_check, self._numbers(begin), cells)

    def _numbers(self, begin: int):
        """The file's row numbers of the batch from ``begin``, as the reports say them."""
        count = len(self.table.rows[begin : begin + self.batch_size])
        return self.table.numbers_of(begin, count)

    def close(self) -> None:
        """Stop the worker (after the batch it is on, if any)."""
        self.pool.shutdown(wait=True, cancel_futures=True)


def start(table, columns, cleaner, begins, batch_size, check_here) -> Checker | None:
    """A ``Checker`` whose worker is starting, or None when no process can be started here
    (a daemon process, no resources): the importer then checks every batch itself."""
    try:
        return Checker(table, columns, cleaner, begins, batch_size, check_here)
    except Exception as exc:  # noqa: BLE001 - any failure to start means: check here
        logger.warning("The import's checking process cannot start (%s); checking here.", exc)
        return None
