"""One way to run a leased job: its steps, each committed under the lease, and its end.

Catalog matching, offers runs, the order import and the price and quantity sync all run alike:
a worker claims the run's row (:func:`asc_plugin.services.leases.take`), does small steps that
commit their own work with the lease renewed — a step whose lease was taken over is rolled
back and the run stops as ``lost`` — and ends the run once: done (or paused) as its work says,
on a :class:`~asc_plugin.errors.Failure` (recorded for the merchant), or on an unexpected
exception (recorded as the operator's, logged with its traceback, and raised again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from .. import clock
from ..errors import Failure, OperatorActionRequired
from ..models import JobStatus, Store, StrEnum
from ..state import plugin_state
from . import leases

log = logging.getLogger(__name__)

Result = TypeVar("Result")


class RunOutcome(StrEnum):
    """How a call to a run ended (what ``run()`` returns, or its result's ``outcome``)."""

    DONE = "done"
    FAILED = "failed"
    #: Amazon kept failing or throttling for a while: the next run continues where it stopped.
    PAUSED = "paused"
    #: Another worker holds the run, or it is over.
    BUSY = "busy"
    #: Taken over by another worker (this one's lease expired).
    LOST = "lost"
    #: The host imports no orders.
    UNSUPPORTED = "unsupported"
    NOT_CONNECTED = "not_connected"


class Lost(Exception):
    """Another worker took the run over: this worker's step was rolled back."""


def commit_step(row: Any, owner: str) -> None:
    """Commit a step's work with the lease on ``row`` renewed; :class:`Lost` (rolled back) when
    another worker holds it now."""
    if not leases.commit_step(row, owner):
        raise Lost()


def step_until_done(step: Callable[[], bool], row: Any, owner: str,
                    on_progress: Callable[[], None] | None = None) -> None:
    """Call ``step`` (True once the run is finished) and commit each under the lease."""
    while True:
        finished = step()
        commit_step(row, owner)
        if on_progress is not None:
            on_progress()
        if finished:
            return


def run_job_row(model: Any, job_id: int, owner: str, *,
                take_lease: Callable[[int, str], bool], steps_for: Callable[[Any, Any], Any],
                end: Callable[[Any, Any, Failure | None], str],
                on_progress: Callable[[Any], None] | None, internal_error: str, what: str,
                progress_first: bool = False) -> str:
    """A run kept in a job row (a match or an offers run): claimed for ``owner`` (else
    ``busy``), its steps (``steps_for(store, job).step()``) until done, then
    ``end(steps, job, failure)`` while this worker still holds the job (else ``lost``)."""
    if not take_lease(job_id, owner):
        return RunOutcome.BUSY
    session = plugin_state().session
    job = session.get_one(model, job_id, populate_existing=True)
    store = session.get_one(Store, job.store_id)
    steps = steps_for(store, job)
    if progress_first and on_progress is not None:
        on_progress(job)
    progressed = None if on_progress is None else lambda: on_progress(job)

    def finish(outcome: RunOutcome, failure: Failure | None) -> str:
        held = held_job(model, job_id, owner, outcome)
        return RunOutcome.LOST if held is None else end(steps, held, failure)

    return run_job(lambda: step_until_done(steps.step, job, owner, progressed), finish,
                   internal_error=internal_error, what=what)


def held_job(model: Any, job_id: int, owner: str, outcome: RunOutcome) -> Any:
    """The job row a run ends, or None when this worker no longer holds it (taken over, or
    already over)."""
    job = plugin_state().session.get(model, job_id, populate_existing=True)
    if outcome == RunOutcome.LOST or job is None or job.lease_owner != owner or \
            job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
        return None
    return job


def close_job(job: Any, status: JobStatus, failure: Failure | None) -> None:
    """Mark the job row ended (flushed with the caller's commit) and release its lease."""
    job.status = status
    job.error_code = failure.code if failure else None
    job.finished_at = clock.now()
    job.lease_owner = job.lease_expires_at = None


def run_job(work: Callable[[], RunOutcome | None],
            end: Callable[[RunOutcome, Failure | None], Result], *,
            internal_error: str, what: str) -> Result:
    """Do a claimed run's ``work`` and ``end`` it once, whatever happens.

    ``work`` returns how it ended (None: done) and raises :class:`Lost` when a step's lease was
    taken over; ``end(outcome, failure)`` records the end (it checks the lease itself, so a
    lost run writes nothing) and says what the caller gets. An unexpected exception ends the
    run with the ``internal_error`` failure rather than let every resume repeat it (a bug, or
    the database gone), and is raised again."""
    session = plugin_state().session
    try:
        outcome = work() or RunOutcome.DONE
    except Lost:
        return end(RunOutcome.LOST, None)
    except Failure as failure:
        session.rollback()
        return end(RunOutcome.FAILED, failure)
    except Exception:
        session.rollback()
        log.exception("%s stopped on an unexpected error", what)
        end(RunOutcome.FAILED, OperatorActionRequired(internal_error))
        raise
    return end(outcome, None)
