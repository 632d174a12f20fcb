"""PostgreSQL, a long import: each batch written on a connection of its own while the next
batch is matched, two batches at a time, so the server writes two at once. Its work (the
customer rows with their indexes, the trigram index above all, the history rows, the
foreign-key checks at commit) is most of an import's time there, and one connection uses one
of its cores.

The batches still commit in the file's order, so the job's position still says which rows are
in: a batch's transaction writes its rows, waits until the batch before it has committed,
then moves the job's position from where that one left it, and commits. When the batch before
failed, it rolls back too. A stopped or failed import resumes as before.

What a batch matches against (the customers it reads) must not change under it: the rows a
batch creates cannot be met again by a later batch (their keys are in-file duplicates then),
but a batch that updates customers is committed before the next one is matched.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from guanxi.customers.models_import import ImportJob

#: Batches written at once: one a core of a 2-core server, where two connections write
#: 1.55x what one does (67 against 43 µs a customer row, 100,000 rows).
WRITERS = 2
COUNTERS = ("imported", "updated", "skipped", "failed")


class OutOfOrder(RuntimeError):
    """The job's position was not where the batch before left it: another run of the same job
    moved it. Its message is in the language active where it is read (the importer's), not
    the writing thread's."""

    def __init__(self, row: int):
        super().__init__(row)
        self.row = row

    def __str__(self) -> str:
        return _("Another run of this import went on from row %(row)d.") % {"row": self.row}


@dataclass
class _InFlight:
    future: Future
    end: int
    outcome: object  # the batch's import_reports.Outcome
    before: int  # the report's length before the batch's lines
    after: int  # ... and after them


class Writers:
    """The writing connections of one import (``submit`` a matched batch, ``drain`` at the
    end, ``close`` always). ``fail(report_offset, exc)`` marks the job failed, the report cut
    back to ``report_offset``; ``progress(job)`` is called after each batch commits."""

    def __init__(
        self,
        job: ImportJob,
        fail: Callable[[int, BaseException], None],
        progress: Callable[[ImportJob], None] | None,
    ):
        self.job, self.fail, self.progress = job, fail, progress
        self._tasks = [queue.SimpleQueue() for _ in range(WRITERS)]
        self._threads = [
            threading.Thread(target=_serve, args=(tasks,), name=f"import-writer-{i}", daemon=True)
            for i, tasks in enumerate(self._tasks)
        ]
        for thread in self._threads:
            thread.start()
        self._in_flight: deque[_InFlight] = deque()
        self._submitted = 0

    def room(self) -> None:
        """Wait until a connection is free (the oldest batch in flight committed)."""
        while len(self._in_flight) >= WRITERS:
            self._collect()

    def submit(self, batch, begin: int, end: int, before: int, after: int) -> None:
        """Write ``batch`` (matched: ``_Batch.run(write=False)``), rows ``begin`` to ``end``
        of the file, whose report lines lie between ``before`` and ``after``."""
        self.room()
        previous = self._in_flight[-1].future if self._in_flight else None
        future: Future = Future()
        job_pk, outcome = self.job.pk, batch.outcome

        def write() -> None:
            try:
                with transaction.atomic():
                    batch.write()
                    if previous is not None:
                        previous.result()  # committed first; when it failed, this rolls back
                    moved = ImportJob.objects.filter(pk=job_pk, next_row=begin).update(
                        next_row=end,
                        report_offset=after,
                        **{c: F(c) + getattr(outcome, c) for c in COUNTERS},
                    )
                    if moved != 1:
                        raise OutOfOrder(begin + 2)
            except BaseException as exc:  # handed to the importer, which raises it
                future.set_exception(exc)
            else:
                future.set_result(None)

        self._tasks[self._submitted % WRITERS].put(write)
        self._submitted += 1
        self._in_flight.append(_InFlight(future, end, outcome, before, after))
        if batch.updates:
            self.drain()

    def drain(self) -> None:
        """Wait until every batch in flight has committed."""
        while self._in_flight:
            self._collect()

    def close(self) -> None:
        """Let the batches in flight finish (each commits or rolls back whole), then end the
        threads and their connections."""
        for tasks in self._tasks:
            tasks.put(None)
        for thread in self._threads:
            thread.join()

    def _collect(self) -> None:
        oldest = self._in_flight.popleft()
        try:
            oldest.future.result()
        except BaseException as exc:
            for later in self._in_flight:  # they wait for this one and roll back
                later.future.exception()
            self._in_flight.clear()
            self.fail(oldest.before, exc)
            raise
        job = self.job
        job.next_row, job.report_offset = oldest.end, oldest.after
        for counter in COUNTERS:
            setattr(job, counter, getattr(job, counter) + getattr(oldest.outcome, counter))
        if self.progress:
            self.progress(job)


def _serve(tasks: queue.SimpleQueue) -> None:
    try:
        while (task := tasks.get()) is not None:
            task()
    finally:
        connections.close_all()  # this thread's
