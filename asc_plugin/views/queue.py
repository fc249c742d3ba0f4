"""Handing a run that goes on in a worker (catalog matching, offers) to the host's queue from a
page, which stays up whatever the queue raises."""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


def enqueued(enqueue: Callable[[int], None], job_id: int, what: str) -> bool:
    """Hand the job to the queue; a queue that is down (Redis unreachable…) is logged, and the
    job, already saved, is picked up later as a stalled one."""
    try:
        enqueue(job_id)
    except Exception:  # noqa: BLE001 - whatever the host's queue raises, the page stays up
        log.exception("Could not enqueue %s job %s", what, job_id)
        return False
    return True
