"""The docs' RQ recipe: a host whose jobs run on RQ (Redis) instead of the embedded Huey.

In the host's config:  ASC_JOB_QUEUE = enqueue_with("redis://…", "shop:create_app")
                       ASC_OFFER_JOB_QUEUE = enqueue_offers_with("redis://…", "shop:create_app")
Its workers run:       rq worker --url redis://… asc
"""

from __future__ import annotations

from importlib import import_module


def enqueue_with(redis_url: str, app_factory: str):
    """ASC_JOB_QUEUE for RQ: hand each match job's id to the "asc" queue, with the import path
    of your app factory ("module:function"), which the worker calls to get an app context."""
    from redis import Redis
    from rq import Queue

    queue = Queue("asc", connection=Redis.from_url(redis_url))

    def enqueue(job_id: int) -> None:
        queue.enqueue(match_catalog, job_id, app_factory, job_timeout=3600)

    return enqueue


def match_catalog(job_id: int, app_factory: str) -> str:
    """The RQ task: the plugin's job function in an app context of the worker's own, built by
    your factory (configured from the environment, like the web process)."""
    from asc_plugin.jobs import run_match_job

    module, name = app_factory.split(":")
    app = getattr(import_module(module), name)()
    with app.app_context():
        return run_match_job(job_id)


def enqueue_offers_with(redis_url: str, app_factory: str):
    """ASC_OFFER_JOB_QUEUE for RQ: offers jobs (publish, dry run, status) to the same queue."""
    from redis import Redis
    from rq import Queue

    queue = Queue("asc", connection=Redis.from_url(redis_url))

    def enqueue(job_id: int) -> None:
        queue.enqueue(offers_job, job_id, app_factory, job_timeout=3600)

    return enqueue


def offers_job(job_id: int, app_factory: str) -> str:
    """The RQ task for offers jobs, like match_catalog."""
    from asc_plugin.jobs import run_offer_job

    module, name = app_factory.split(":")
    app = getattr(import_module(module), name)()
    with app.app_context():
        return run_offer_job(job_id)
