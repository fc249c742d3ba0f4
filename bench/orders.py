"""Benchmark the Amazon order import: 1,000 orders from the sandbox into the demo shop.

    .venv/bin/python bench/orders.py                        # SQLite in a temporary folder
    ./scripts/with_postgres .venv/bin/python bench/orders.py

The sandbox answers searchOrders at Amazon's usage plan (0.0056 requests/s, burst 20) and the
plugin runs with its defaults (the same plan, shared buckets in the database). Orders come 100
to a page and carry their items, so 1,000 orders take 10 searchOrders requests: half the burst,
no wait. Printed: orders imported per second, requests used against the plan, and whether
Amazon ever answered 429. ``BENCH_ORDERS`` sets the number of orders (the test suite runs 200).
"""

from __future__ import annotations

import logging
import os
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

ORDERS = max(1, int(os.environ.get("BENCH_ORDERS", "1000")))
SKUS = ("TRS-001", "CTB-014", "BOOK-77", "BEA-9", "NB-22")


def main() -> None:
    from listing import add_store, admin, make_app

    from asc_plugin.services import orders
    from asc_plugin.state import plugin_state
    from asc_plugin.testing import SandboxServer, connect_store

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("ASC_TEST_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
              f"{database}")
        sandbox = SandboxServer()
        try:
            app = make_app(url, 240, sandbox)
            app.config["ASC_CLOCK"] = lambda: datetime.fromtimestamp(sandbox.state.now(),
                                                                     timezone.utc)
            client = admin(app)
            store_id = add_store(client)
            connect_store(client, store_id)
            sandbox.order_settings(interval=0)
            sandbox.move_clock(days=1 / 24)
            per_sku = -(-ORDERS // len(SKUS))
            placed = []
            for sku in SKUS:
                placed += sandbox.place_order(sku, 1, count=min(per_sku, ORDERS - len(placed)))
            start = time.perf_counter()
            with app.app_context():
                result = orders.run(store_id)
                imported = plugin_state().session.execute(
                    plugin_state().db.text("SELECT COUNT(*) FROM demo_order")).scalar()
            seconds = time.perf_counter() - start
        finally:
            made = sandbox.order_requests()
            sandbox.stop()
    searches = sum(1 for r in made if r["operation"] == "search")
    throttled = sum(1 for r in made if r["status"] == 429)
    print(f"\nImported {imported:,} of {len(placed):,} Amazon orders in {seconds:.1f} s "
          f"({imported / seconds:,.0f} orders/s), outcome {result.outcome}")
    print(f"searchOrders requests used: {searches} of Amazon's burst of 20 "
          f"(then one every {1 / 0.0056:.0f} s), getOrder: "
          f"{sum(1 for r in made if r['operation'] == 'get')}; {throttled} answered 429")
    print(f"Amazon's sustained bound at 100 orders a page: {0.0056 * 100 * 3600:,.0f} orders/h; "
          f"this run used {searches / 20:.2f} of the burst")


if __name__ == "__main__":
    main()
