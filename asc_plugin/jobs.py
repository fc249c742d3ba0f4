"""Where match jobs run: on a well-kept task queue, never on one of our own.

By default an embedded Huey queue in a SQLite file (``ASC_HUEY_PATH``, else the app's instance
folder): no extra server, ``flask asc worker`` consumes it (the demo command starts one). A host
that already runs a queue passes its own ``huey.Huey`` as ``ASC_JOB_QUEUE``, or a callable
``enqueue(job_id)`` for RQ or Celery whose task calls :func:`run_match_job` in an app context.

The queue only delivers a job id; what was done lives in the database (see
:mod:`asc_plugin.services.matching`), so a job delivered twice runs once, and a job whose worker
died is picked up again by :func:`resume_stalled` — every minute on Huey's scheduler, when a
worker starts, and when an admin's progress bar sees it stalled.

Amazon orders are imported by :func:`import_orders` every ``ASC_ORDERS_IMPORT_MINUTES`` on
Huey's scheduler (RQ and Celery hosts schedule the same function); prices and quantities
are synced by :func:`sync_all` every ``ASC_SYNC_MINUTES`` the same way.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from .files import private_dir, private_file
from .models import MatchJob, OfferJob
from .services import matching, offers, orders, sync
from .state import current_app_object, plugin_state

__all__ = ["import_orders", "run_match_job", "run_offer_job", "run_order_import", "run_sync",
           "sync_all"]

#: Huey ships no types: its queue and task objects are Any to the type checker.
HueyObject = Any

log = logging.getLogger(__name__)
TASK_NAME = "asc_plugin.match_catalog"
OFFER_TASK_NAME = "asc_plugin.offers"


def run_match_job(job_id: int) -> str:
    """The job function, for any queue: run the job to its end, in a fresh app context of its
    own (a worker's: the job commits its steps).

    Returns "done", "failed", "busy" (another worker holds it or it is over) or "lost".
    """
    return matching.run(int(job_id))


def run_order_import(store_id: int) -> str:
    """Import one store's new Amazon orders (any queue; in an app context). Returns the run's
    outcome: "done", "paused", "failed", "busy", "lost", "unsupported" or "not_connected"."""
    return orders.run(int(store_id)).outcome


def import_orders() -> dict[int, str]:
    """Import the new Amazon orders of every connected store (the periodic task; RQ and Celery
    hosts schedule this same function, every few minutes, in an app context). A store whose
    import another worker is running is left to it."""
    stores = [store.id for store in orders.connected_stores()]
    plugin_state().session.rollback()
    return {store_id: run_order_import(store_id) for store_id in stores}


def run_sync(store_id: int) -> str:
    """Sync one store's prices and quantities with Amazon (any queue; in an app context).
    Returns "done", "failed", "busy", "lost" or "not_connected"."""
    return sync.run(int(store_id)).outcome


def sync_all() -> dict[int, str]:
    """Sync every connected store's prices and quantities (the periodic task; RQ and Celery
    hosts schedule this same function every few minutes, in an app context). A store another
    worker is syncing is left to it."""
    stores = [store.id for store in sync.connected_stores()]
    plugin_state().session.rollback()
    return {store_id: run_sync(store_id) for store_id in stores}


def run_offer_job(job_id: int) -> str:
    """The offers job function (publish, dry run or status sweep), for any queue; as
    :func:`run_match_job`."""
    return offers.run(int(job_id))


def enqueue_offer_job(job_id: int) -> None:
    """Hand an offers job to ``ASC_OFFER_JOB_QUEUE`` (a callable, for RQ or Celery), else to
    the embedded Huey queue (or the host's Huey) the match jobs use."""
    queue = current_app.config.get("ASC_OFFER_JOB_QUEUE")
    if callable(queue) and not _is_huey(queue):
        queue(job_id)
        return
    _tasks(current_app)["offers"](job_id)


def enqueue(job_id: int) -> None:
    """Hand the job to the configured queue (after the job's row is committed)."""
    queue = current_app.config["ASC_JOB_QUEUE"]
    if callable(queue) and not _is_huey(queue):
        queue(job_id)
        return
    _tasks(current_app)["match"](job_id)


def resume_stalled() -> list[int]:
    """Enqueue again every job under way that no live worker holds; their ids."""


    jobs = plugin_state().session.scalars(sa.select(MatchJob).where(
        MatchJob.status.in_(matching.ACTIVE))).all()
    stalled = [job.id for job in jobs if matching.stalled(job)]
    stalled_offers = _stalled_offer_jobs()
    plugin_state().session.rollback()
    for job_id in stalled:
        log.info("Resuming catalog matching job %s", job_id)
        enqueue(job_id)
    for job_id in stalled_offers:
        log.info("Resuming offers job %s", job_id)
        enqueue_offer_job(job_id)
    return stalled + stalled_offers


def _stalled_offer_jobs() -> list[int]:


    jobs = plugin_state().session.scalars(sa.select(OfferJob).where(
        OfferJob.status.in_(offers.ACTIVE))).all()
    return [job.id for job in jobs if offers.stalled(job)]


def huey_for(app: Flask) -> HueyObject:
    """The Huey instance jobs go to (the host's, or the embedded one), tasks registered."""
    return _tasks(app)["huey"]


def _is_huey(queue: object) -> bool:
    from huey import Huey  # lazy: Huey loads only where jobs are queued or run

    return isinstance(queue, Huey)


def _tasks(app: Flask) -> dict[str, HueyObject]:
    """Huey and the plugin's tasks on it, made once per app."""
    if app is current_app:
        app = current_app_object()  # the app itself: its tasks push contexts of it
    lazy = plugin_state(app).lazy
    if "huey_tasks" not in lazy:
        lazy["huey_tasks"] = _register(app, _huey(app))
    tasks: dict[str, HueyObject] = lazy["huey_tasks"]
    return tasks


def _huey(app: Flask) -> HueyObject:
    queue = app.config["ASC_JOB_QUEUE"]
    if _is_huey(queue):
        return queue
    if queue != "huey":
        raise RuntimeError("ASC_JOB_QUEUE is a callable: jobs go to the host's own queue, and "
                           "its workers run them, not `flask asc worker`.")
    from huey import SqliteHuey  # lazy: Huey loads only where jobs are queued or run


    path = app.config["ASC_HUEY_PATH"] or os.path.join(app.instance_path, "asc_jobs.sqlite3")
    private_dir(os.path.dirname(os.path.abspath(path)))
    private_file(path)  # Huey keeps pickled tasks here: owner-only, -wal and -shm alike
    return SqliteHuey(name="asc_plugin", filename=path, results=False)


def _register(app: Flask, huey: HueyObject) -> dict[str, HueyObject]:
    from huey import crontab  # lazy: Huey loads only where jobs are queued or run

    @huey.task(name=TASK_NAME)
    def match(job_id: int) -> str:
        with app.app_context():
            return run_match_job(job_id)

    @huey.task(name=OFFER_TASK_NAME)
    def offers(job_id: int) -> str:
        with app.app_context():
            return run_offer_job(job_id)

    @huey.periodic_task(crontab(minute="*"), name="asc_plugin.resume_stalled")
    def resume() -> None:
        with app.app_context():
            resume_stalled()

    minutes = max(1, min(59, int(app.config["ASC_ORDERS_IMPORT_MINUTES"])))

    @huey.periodic_task(crontab(minute=f"*/{minutes}"), name="asc_plugin.import_orders")
    def orders() -> None:
        with app.app_context():
            import_orders()

    sync_minutes = max(1, min(59, int(app.config["ASC_SYNC_MINUTES"])))

    @huey.periodic_task(crontab(minute=f"*/{sync_minutes}"), name="asc_plugin.sync")
    def sync() -> None:
        with app.app_context():
            sync_all()

    return {"huey": huey, "match": match, "offers": offers, "resume": resume,
            "orders": orders, "sync": sync}
