"""Match jobs on real workers: the rate limit held across processes, a killed worker's job
resumed without redoing finished batches, never two workers on one job, and RQ with a real
Redis broker."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from collections import Counter

import pytest
import sqlalchemy as sa
from helpers import connected_store, demo_admin, start_match
from workers import ROOT, Worker, wait_for, worker_env

from asc_plugin import jobs
from asc_plugin.models import ActivityLog, MatchJob
from asc_plugin.services import matching
from asc_plugin.state import plugin_state

pytestmark = [pytest.mark.slow, pytest.mark.db]


@pytest.fixture()
def queued_app(make_app, tmp_path):
    return make_app(ASC_HUEY_PATH=str(tmp_path / "jobs.sqlite3"), ASC_JOB_LEASE_SECONDS=2)


@pytest.fixture()
def admin_of(queued_app):
    return demo_admin(queued_app)


@pytest.fixture()
def start_workers(queued_app, tmp_path):
    started = []

    def start(count=1):
        for n in range(count):
            started.append(Worker(queued_app, tmp_path / f"worker-{len(started) + n}.log"))
        return started[-count:]

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.stop()


def _start(admin, store_id):
    assert start_match(admin, store_id).status_code == 303


def _job(app, store_id) -> MatchJob:
    with app.app_context():
        job = plugin_state().session.scalar(sa.select(MatchJob).where(MatchJob.store_id == store_id)
                                     .order_by(MatchJob.id.desc()))
        plugin_state().session.expunge(job)
        return job


def _done(app, *store_ids):
    return all(_job(app, s).status in ("done", "failed", "paused") for s in store_ids)


def _pages(made) -> Counter:
    """How often each page of each search was asked: (identifiers, pageToken) -> requests."""
    return Counter((tuple(r["identifiers"]), tuple(r["params"].get("pageToken", [])))
                   for r in made)


def test_two_workers_matching_one_seller_never_exceed_its_rate_limit(
        queued_app, admin_of, sandbox, start_workers):
    """Amazon's real limit (2/s, burst 2) in the sandbox; two stores of one seller, each on a
    worker process of its own: they share the seller's bucket, and Amazon never says 429."""
    us = connected_store(queued_app, admin_of)
    ca = connected_store(queued_app, admin_of, name="Amazon Store Canada", marketplace="CA",
                website="2")
    start_workers(2)
    _start(admin_of, us.id)
    _start(admin_of, ca.id)
    wait_for(lambda: _done(queued_app, us.id, ca.id), timeout=120, what="both jobs")
    assert _job(queued_app, us.id).status == _job(queued_app, ca.id).status == "done"
    made = sandbox.catalog_requests()
    assert len(made) >= 10
    assert [r["status"] for r in made] == [200] * len(made)
    assert {r["seller"] for r in made} == {"A3FH4EXAMPLE"}


def test_a_lower_rate_stated_by_amazon_is_followed(queued_app, admin_of, sandbox,
                                                   start_workers):
    sandbox.settings(catalog_rate=1.0)  # x-amzn-RateLimit-Limit: 1.0; the plugin thinks 2
    store = connected_store(queued_app, admin_of)
    start_workers(1)
    _start(admin_of, store.id)
    wait_for(lambda: _done(queued_app, store.id), timeout=120, what="the job")
    made = sandbox.catalog_requests()
    assert _job(queued_app, store.id).status == "done"
    assert [r["status"] for r in made] == [200] * len(made)


def test_a_killed_workers_job_resumes_without_redoing_finished_batches(
        queued_app, admin_of, sandbox, start_workers):
    store = connected_store(queued_app, admin_of)
    (first,) = start_workers(1)
    _start(admin_of, store.id)
    wait_for(lambda: _job(queued_app, store.id).requests >= 3, what="three batches")
    first.kill()
    killed_at = len(sandbox.catalog_requests())
    job = _job(queued_app, store.id)
    assert job.status == "running"
    with queued_app.app_context():
        wait_for(lambda: matching.stalled(_job(queued_app, store.id)), what="the lease to end")
    start_workers(1)  # a new worker resumes stalled jobs when it starts
    wait_for(lambda: _done(queued_app, store.id), timeout=120, what="the resumed job")
    job = _job(queued_app, store.id)
    assert job.status == "done"
    made = sandbox.catalog_requests()
    assert len(made) > killed_at
    pages = _pages(made)
    searches = {identifiers for identifiers, _token in pages}
    asked = [i for identifiers in searches for i in identifiers]
    assert len(asked) == len(set(asked))  # each identifier in one search
    # Only the search in flight when the worker died may be asked again.
    repeated = {identifiers for (identifiers, _token), n in pages.items() if n > 1}
    assert len(repeated) <= 1
    assert max(pages.values()) <= 2


def test_a_job_delivered_to_two_workers_runs_once(queued_app, admin_of, sandbox,
                                                  start_workers):
    store = connected_store(queued_app, admin_of)
    start_workers(2)
    _start(admin_of, store.id)
    job_id = _job(queued_app, store.id).id
    with queued_app.app_context():
        jobs.enqueue(job_id)  # delivered again, as a queue may after a network hiccup
        jobs.enqueue(job_id)
    wait_for(lambda: _done(queued_app, store.id), timeout=120, what="the job")
    made = sandbox.catalog_requests()
    assert max(_pages(made).values()) == 1  # every page of every search asked once
    with queued_app.app_context():
        events = plugin_state().session.scalars(sa.select(ActivityLog.event).where(
            ActivityLog.store_id == store.id)).all()
    assert events.count("match_finished") == 1


def test_claim_is_exclusive(queued_app, admin_of):
    store = connected_store(queued_app, admin_of)
    _start(admin_of, store.id)
    job_id = _job(queued_app, store.id).id
    with queued_app.app_context():
        assert matching.take_lease(job_id, "worker-a")
        assert not matching.take_lease(job_id, "worker-b")
        assert matching.run(job_id, owner="worker-b") == "busy"


# --- RQ with a real Redis ----------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def redis_url(tmp_path):
    server = shutil.which("redis-server")
    assert server, "redis-server is installed by scripts/test"
    port = _free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save",
                                "", "--appendonly", "no", "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    wait_for(lambda: _pings(client), what="redis-server")
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


def _pings(client) -> bool:
    import redis

    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def test_jobs_run_on_rq_with_a_real_redis(make_app, sandbox, redis_url, tmp_path):
    """The docs' RQ recipe: ASC_JOB_QUEUE hands the job id to RQ; an `rq worker` process
    runs the host's task, which calls run_match_job in an app context."""
    from hosts import shop_rq

    app = make_app(ASC_JOB_QUEUE=shop_rq.enqueue_with(redis_url,
                                                       "asc_plugin.demo.app:create_app"))
    sandbox.settings(catalog_rate=50, catalog_burst=50)
    app.config["ASC_CATALOG_RATE"] = 50
    admin = demo_admin(app)
    store = connected_store(app, admin)
    _start(admin, store.id)
    env = worker_env(app)
    env["PYTHONPATH"] = f"{ROOT}:{ROOT / 'tests'}"
    done = subprocess.run([sys.executable, "-m", "rq.cli", "worker", "--burst", "--url",
                           redis_url, "asc"], env=env, cwd=ROOT, capture_output=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert _job(app, store.id).status == "done"
    assert sandbox.catalog_requests()


def test_offers_jobs_run_on_rq_too(make_app, sandbox, redis_url, tmp_path):
    """ASC_OFFER_JOB_QUEUE hands publish runs to RQ; the same `rq worker` runs them."""
    import requests as http
    from helpers import csrf_from
    from hosts import shop_rq

    factory = "asc_plugin.demo.app:create_app"
    app = make_app(ASC_JOB_QUEUE=shop_rq.enqueue_with(redis_url, factory),
                   ASC_OFFER_JOB_QUEUE=shop_rq.enqueue_offers_with(redis_url, factory),
                   ASC_LISTINGS_RATE=50.0)
    sandbox.settings(catalog_rate=50, catalog_burst=50)
    http.post(f"{sandbox.url}/_sandbox/listings/faults", json={"rate_scale": 10},
              timeout=10).raise_for_status()
    app.config["ASC_CATALOG_RATE"] = 50
    admin = demo_admin(app)
    store = connected_store(app, admin)
    _start(admin, store.id)
    env = worker_env(app)
    env["PYTHONPATH"] = f"{ROOT}:{ROOT / 'tests'}"

    def burst():
        done = subprocess.run([sys.executable, "-m", "rq.cli", "worker", "--burst", "--url",
                               redis_url, "asc"], env=env, cwd=ROOT, capture_output=True,
                              timeout=180)
        assert done.returncode == 0, done.stderr.decode()[-2000:]

    burst()
    assert _job(app, store.id).status == "done"
    prefix = f"/admin/amazon/stores/{store.id}"
    page = admin.get(f"{prefix}/offers/settings")
    data = {"csrf_token": csrf_from(page.text), "condition": "new_new",
            "price_attribute": "price", "adjust_kind": "percent", "adjust_value": "0",
            "currency": "USD", "quantity_attribute": "quantity", "quantity_buffer": "0",
            "handling_days": "2", "publish_mode": "request", "end_mode": "delete"}
    assert admin.post(f"{prefix}/offers/settings", data=data).status_code == 303
    assert admin.post(f"{prefix}/offers/publish", data={
        "csrf_token": data["csrf_token"], "kind": "publish"}).status_code == 303
    burst()
    from asc_plugin.models import Offer, OfferJob

    with app.app_context():
        (job,) = plugin_state().session.scalars(sa.select(OfferJob)).all()
        assert job.status == "done"
        assert plugin_state().session.scalar(sa.select(sa.func.count()).where(
            Offer.status == "submitted")) > 0
