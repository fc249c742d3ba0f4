"""Benchmark publishing offers against the sandbox; print a table.

    .venv/bin/python bench/offers.py                       # SQLite in a temporary folder
    ./scripts/with_postgres .venv/bin/python bench/offers.py

1. per-item publishing (restrictions, putListingsItem) at Amazon's real limit (5/s, burst 5,
   both on the sandbox and in the plugin): offers sent per second as a ratio of Amazon's bound
   (goal ≥ 0.9), and whether Amazon ever answered 429;
2. 10,000 offers through the feed path (one JSON_LISTINGS_FEED), end to end: seconds, feeds,
   and every product with Amazon's verdict;
3. the offers page (GET …/offers, a status filter, page 10) with 1,000 and 10,000 offers: p50
   and SQL statements per request, which must not grow with the catalog.

Matching is not measured here (bench/listing.py does): products are stored as matched.
"""

from __future__ import annotations

import hashlib
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
PREFIX = "/admin/amazon"
SCALE = max(1, int(os.environ.get("BENCH_SCALE", "1")))

from listing import admin, make_app, percentiles, timed  # noqa: E402


def matched_store(app, client, sandbox) -> int:
    """A connected store whose every product is stored as matched with a well-formed ASIN."""
    import sqlalchemy as sa

    from asc_plugin.models import ListingItem, Store
    from asc_plugin.services import listing_settings
    from asc_plugin.state import plugin_state
    from asc_plugin.testing import add_store, connect_store

    store_id = add_store(client, id_type="UPC", attribute="upc")
    connect_store(client, store_id)
    with app.app_context():
        store = plugin_state().session.get(Store, store_id)
        rows = []
        for product in plugin_state().host.products(store.website_id, after=None, limit=10**7):
            digest = hashlib.sha256(product.id.encode()).hexdigest().upper()
            rows.append({"store_id": store_id, "product_id": product.id, "sku": product.sku,
                         "name": product.name, "status": "matched", "asin": "B0" + digest[:8]})
        plugin_state().session.execute(sa.insert(ListingItem.__table__), rows)
        listing_settings.save(store, {"adjust_value": 0})
        plugin_state().session.commit()
    return store_id


def publish(app, store_id: int):
    from asc_plugin.models import OfferJob, Store
    from asc_plugin.services import offers
    from asc_plugin.state import plugin_state

    with app.app_context():
        job, _created = offers.request_run(plugin_state().session.get(Store, store_id), requested_by="bench")
        plugin_state().session.commit()
        job_id = job.id
    start = time.perf_counter()
    with app.app_context():
        outcome = offers.run(job_id)
        job = plugin_state().session.get(OfferJob, job_id)
        assert outcome == "done", (outcome, job.error_code)
    return time.perf_counter() - start


def sandbox_calls(sandbox) -> list[dict]:
    import requests

    return requests.get(f"{sandbox.url}/_sandbox/listings/requests", timeout=30).json()[
        "requests"]


def per_item(database_url: str, products: int) -> tuple[float, int, int]:
    """(ratio of Amazon's 5/s, offers sent, 429s)."""
    from asc_plugin.testing import SandboxServer

    sandbox = SandboxServer()
    try:
        app = make_app(database_url, products, sandbox)
        app.config["ASC_FEED_THRESHOLD"] = 10**6
        client = admin(app)
        store_id = matched_store(app, client, sandbox)
        publish(app, store_id)
        calls = sandbox_calls(sandbox)
        sent = sum(1 for c in calls if c["operation"] == "putListingsItem"
                   and "mode" not in c["params"] and c["status"] == 200)
        # The seller's listings bucket: every put (previews too), search and delete.
        bucket = sorted(c["at"] for c in calls if c["operation"] in (
            "putListingsItem", "searchListingsItems", "deleteListingsItem")
            and c["status"] == 200)
        throttled = sum(1 for c in calls if c["status"] == 429)
        steady = bucket[5:]  # after the burst, the sustained rate is what the limit bounds
        rate = (len(steady) - 1) / (steady[-1] - steady[0]) if len(steady) > 1 else 0.0
        return rate / 5.0, sent, throttled
    finally:
        sandbox.stop()


def feed_path(database_url: str, products: int) -> tuple[float, int, int, int]:
    """(seconds end to end, feeds, offers with a verdict, offers)."""
    import requests
    import sqlalchemy as sa

    from asc_plugin.models import Offer
    from asc_plugin.state import plugin_state
    from asc_plugin.testing import SandboxServer

    sandbox = SandboxServer()
    try:
        app = make_app(database_url, products, sandbox)
        app.config.update(ASC_FEED_THRESHOLD=min(1000, products // 2),
                          ASC_FEED_POLL_SECONDS=1.0, ASC_LISTINGS_RATE=50.0)
        requests.post(f"{sandbox.url}/_sandbox/listings/faults", json={"rate_scale": 100},
                      timeout=30).raise_for_status()  # restrictions: not what is measured
        client = admin(app)
        store_id = matched_store(app, client, sandbox)
        seconds = publish(app, store_id)
        feeds = sum(1 for c in sandbox_calls(sandbox) if c["operation"] == "createFeed")
        with app.app_context():
            statuses = list(plugin_state().session.scalars(sa.select(Offer.status).where(
                Offer.store_id == store_id)))
        verdict = sum(1 for s in statuses if s in ("submitted", "errors", "approval",
                                                   "not_eligible"))
        return seconds, feeds, verdict, len(statuses)
    finally:
        sandbox.stop()


def offers_page(database_url: str, products: int) -> tuple[float, float, int]:
    """(p50, p99, SQL statements) of the offers page with ``products`` offers."""
    import sqlalchemy as sa
    from sqlalchemy import event

    from asc_plugin.models import ListingItem, Offer
    from asc_plugin.state import plugin_state
    from asc_plugin.testing import add_store

    app = make_app(database_url, products)
    client = admin(app)
    store_id = add_store(client, id_type="UPC", attribute="upc")
    with app.app_context():
        items = plugin_state().session.execute(sa.select(ListingItem.sku)).all()
        rows = [{"store_id": store_id, "sku": f"SKU-{n:06d}", "product_id": str(n),
                 "asin": f"B0{n:08d}", "product_type": "PRODUCT",
                 "status": ("active", "errors", "submitted")[n % 3], "price": 10 + n % 50,
                 "currency": "USD", "quantity": n % 20} for n in range(products)]
        assert not items
        plugin_state().session.execute(sa.insert(Offer.__table__), rows)
        plugin_state().session.commit()
        engine = plugin_state().db.engine
    url = f"{PREFIX}/stores/{store_id}/offers?status=active&page=3"

    def call():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    p50, p99 = percentiles(timed(call, 20))
    seen = []

    def listener(*args):
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", listener)
    call()
    event.remove(engine, "before_cursor_execute", listener)
    return p50, p99, len(seen)


def main() -> None:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("ASC_TEST_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
              f"{database}")
        size = max(40, 300 // SCALE)
        ratio, sent, throttled = per_item(url, size)
        print(f"\nPer-item publishing, {size:,} products: {sent} offers sent at {ratio:.2f} of "
              f"Amazon's 5/s, {throttled} answered 429")
        size = max(40, 10_000 // SCALE)
        seconds, feeds, verdict, total = feed_path(url.replace("bench.sqlite3", "feed.sqlite3"),
                                                   size)
        print(f"Feed path, {size:,} products: {seconds:.1f} s end to end, {feeds} feed(s), "
              f"{verdict:,} of {total:,} offers with Amazon's verdict")
        print("\n| case | p50 ms | p99 ms | note |\n|---|---:|---:|---|")
        for count in (1_000 // SCALE or 20, 10_000 // SCALE or 200):
            p50, p99, statements = offers_page(url.replace("bench.sqlite3",
                                                           f"page{count}.sqlite3"), count)
            print(f"| offers page, {count:,} offers | {p50:.0f} | {p99:.0f} | "
                  f"{statements} SQL statements |")


if __name__ == "__main__":
    main()
