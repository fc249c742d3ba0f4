"""Benchmark the price and quantity sync against the sandbox; print the figures.

    .venv/bin/python bench/sync.py                       # SQLite in a temporary folder
    ./scripts/with_postgres .venv/bin/python bench/sync.py

Offers are published first (fast: that is bench/offers.py's subject), then every price changes
(the listing settings' adjustment moves, the host announces every product) and one sync run
sends them:

1. per-item path (patchListingsItem) at Amazon's real limit (5/s, burst 5, on the sandbox and
   in the plugin): updates accepted per second as a ratio of Amazon's bound (goal ≥ 0.9), and
   whether Amazon ever answered 429;
2. the feed path (JSON_LISTINGS_FEED of PATCH messages), 10,000 changes by default: seconds end
   to end, feeds, and the updates Amazon accepted.

BENCH_SCALE divides the sizes (tests/test_bench.py runs it short).
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
SCALE = max(1, int(os.environ.get("BENCH_SCALE", "1")))

from listing import admin, make_app  # noqa: E402
from offers import matched_store, publish, sandbox_calls  # noqa: E402


def _rates(sandbox, scale: float) -> None:
    import requests

    requests.post(f"{sandbox.url}/_sandbox/listings/faults", json={"rate_scale": scale},
                  timeout=30).raise_for_status()


def _published(url: str, products: int, sandbox):
    """A store whose offers are on Amazon (processed), then every product's price changed."""
    import sqlalchemy as sa

    from asc_plugin.models import Offer, RateBucket, Store
    from asc_plugin.services import listing_settings, sync
    from asc_plugin.state import plugin_state

    app = make_app(url, products, sandbox)
    app.config.update(ASC_LISTINGS_RATE=50.0, ASC_FEED_POLL_SECONDS=1.0,
                      ASC_FEED_THRESHOLD=min(1000, products // 2))
    _rates(sandbox, 100)
    store_id = matched_store(app, admin(app), sandbox)
    publish(app, store_id)
    sandbox.move_clock(days=61 / 86400)
    with app.app_context():
        session = plugin_state().session
        store = session.get(Store, store_id)
        listing_settings.save(store, {"adjust_value": Decimal("5")})
        ids = list(session.scalars(sa.select(Offer.product_id).where(
            Offer.store_id == store_id, Offer.status == "submitted")))
        changed = sync.product_changed(store.website_id, ids)
        session.execute(sa.delete(RateBucket))  # the sync starts from Amazon's own buckets
        session.commit()
    requests_before = len(sandbox_calls(sandbox))
    return app, store_id, changed, requests_before


def per_item(url: str, products: int) -> tuple[float, int, int, int]:
    """(ratio of Amazon's 5/s, changes, updates accepted, 429s)."""
    from asc_plugin.services import sync
    from asc_plugin.testing import SandboxServer

    sandbox = SandboxServer()
    try:
        app, store_id, changed, before = _published(url, products, sandbox)
        app.config.update(ASC_LISTINGS_RATE=5.0, ASC_FEED_THRESHOLD=10**6)
        _rates(sandbox, 1)
        with app.app_context():
            result = sync.run(store_id)
        assert result.outcome == "done", result
        calls = sandbox_calls(sandbox)[before:]
        patches = sorted(c["at"] for c in calls if c["operation"] == "patchListingsItem"
                         and c["status"] == 200)
        throttled = sum(1 for c in calls if c["status"] == 429)
        steady = patches[5:]  # after the burst, the sustained rate is what the limit bounds
        rate = (len(steady) - 1) / (steady[-1] - steady[0]) if len(steady) > 1 else 0.0
        return rate / 5.0, changed, result.sent, throttled
    finally:
        sandbox.stop()


def feed_path(url: str, products: int) -> tuple[float, int, int, int, int]:
    """(seconds, changes, feeds, updates accepted, 429s)."""
    from asc_plugin.services import sync
    from asc_plugin.testing import SandboxServer

    sandbox = SandboxServer()
    try:
        app, store_id, changed, before = _published(url, products, sandbox)
        app.config.update(ASC_LISTINGS_RATE=5.0, ASC_FEED_THRESHOLD=min(1000, changed // 2))
        _rates(sandbox, 1)
        start = time.perf_counter()
        with app.app_context():
            result = sync.run(store_id)
        seconds = time.perf_counter() - start
        assert result.outcome == "done", result
        calls = sandbox_calls(sandbox)[before:]
        feeds = sum(1 for c in calls if c["operation"] == "createFeed")
        throttled = sum(1 for c in calls if c["status"] == 429)
        return seconds, changed, feeds, result.sent, throttled
    finally:
        sandbox.stop()


def main() -> None:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("ASC_TEST_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
              f"{database}")
        size = max(40, 300 // SCALE)
        ratio, changed, sent, throttled = per_item(url, size)
        print(f"\nPer-item path, {size:,} products: {changed:,} price changes, {sent:,} updates "
              f"accepted at {ratio:.2f} of Amazon's 5/s, {throttled} answered 429")
        size = max(40, 12_000 // SCALE)
        seconds, changed, feeds, sent, throttled = feed_path(
            url.replace("bench.sqlite3", "feed.sqlite3"), size)
        print(f"Feed path, {size:,} products: {changed:,} price changes, {sent:,} updates "
              f"accepted in {seconds:.1f} s end to end, {feeds} feed(s), {throttled} answered 429")


if __name__ == "__main__":
    main()
