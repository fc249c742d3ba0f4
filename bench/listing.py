"""Benchmark listing rules, the listing preview and catalog matching; print a table.

    .venv/bin/python bench/listing.py                       # SQLite in a temporary folder
    ./scripts/with_postgres .venv/bin/python bench/listing.py

In process, through the Flask test client (so a request's whole cost counts, without network):

1. the live rule count (POST …/rules/count) over 100,000 generated products, for four ordinary
   rules and for the worst rule the form accepts (20 "is one of" conditions of 100 values), on
   the demo host (products in memory, tested in Python) and on a host that counts in SQL
   (``count_matching``, tests/hosts/shop_sql.py): p50 and max of 10 requests per rule, and the
   p50 of this process's CPU time (steadier than the wall clock on a shared machine);
2. reading 100,000 products into the preview (the match job's evaluate phase), products/s;
3. the preview page (GET …/listing, a status filter, page 40) with 1,000 and with 100,000
   products: p50, p99 and SQL statements per request — which must not grow with the catalog;
4. matching against the sandbox at Amazon's real rate (2 requests/s, burst 2, 20 identifiers a
   search, every page of it read: one request per page) with the plugin's rate limiter:
   identifiers matched per second, requests per second as a ratio of Amazon's bound of 2/s
   (goal ≥ 0.9), and whether Amazon ever answered 429.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(ROOT / "tests"))  # tests/hosts/shop_sql.py: a host counting in SQL
PREFIX = "/admin/amazon"
#: Divides every catalog size (BENCH_SCALE=100 is the quick run the test suite makes).
SCALE = max(1, int(os.environ.get("BENCH_SCALE", "1")))


def make_app(database_url: str, products: int, sandbox=None):
    from asc_plugin.demo import create_app
    from asc_plugin.models import metadata
    from asc_plugin.state import plugin_state

    config = {"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database_url,
              "ASC_ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
              "DEMO_PRODUCTS": {"1": products}, "ASC_JOB_QUEUE": lambda job_id: None}
    if sandbox is not None:
        sandbox.register("http://localhost")
        config.update(sandbox.config())
    app = create_app(config)
    with app.app_context():
        metadata.drop_all(plugin_state().db.engine)
        plugin_state().db.metadata.create_all(plugin_state().db.engine)
        metadata.create_all(plugin_state().db.engine)
    return app


def admin(app):
    client = app.test_client()
    with client.session_transaction() as session:
        session["admin"] = "admin"
    return client


def add_store(client) -> int:
    from asc_plugin.testing import add_store as add

    return add(client, id_type="UPC", attribute="upc")


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return (statistics.median(ordered) * 1000,
            ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] * 1000)


def timed(call, runs: int) -> list[float]:
    call()  # warm caches (the generated catalog, templates)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


#: Rules a merchant writes: a price and a category, a few brands, stock, a name and a SKU.
ORDINARY = [
    ("all", [("price", "lt", "50"), ("category", "is", "Apparel")]),
    ("all", [("attribute:brand", "one_of", "Northwind, Fabrikam, Tailspin"),
             ("quantity", "gt", "0")]),
    ("any", [("name", "contains", "trail"), ("sku", "is", "TRS-001")]),
    ("all", [("category", "is_not", "Books"), ("attribute:upc", "is_set", "")]),
]


def worst_rule() -> tuple[str, list]:
    """The costliest rule the form accepts: 20 "is one of" conditions of 100 values each
    (as long as a value may be), none of which holds, combined with *any* so every condition is
    tested on every product."""
    from asc_plugin.forms import VALUE_MAX
    from asc_plugin.services import rules

    fields = ["name", "sku", "category", "attribute:brand", "attribute:color", "price",
              "attribute:upc", "attribute:amazon_condition", "quantity", "attribute:ean"]
    conditions = []
    for n in range(rules.MAX_CONDITIONS):
        field = fields[n % len(fields)]
        numeric = field in ("price", "quantity")
        values = [f"{9000 + k}" if numeric else f"z{k:02d}" for k in range(rules.MAX_VALUES)]
        text = ",".join(values)
        assert len(text) <= VALUE_MAX, len(text)
        conditions.append((field, "one_of", text))
    return "any", conditions


def _rule_form(match: str, conditions: list) -> dict:
    data = {"match": match, "enabled": "y"}
    for n, (field, operator, value) in enumerate(conditions):
        data.update({f"conditions-{n}-field": field, f"conditions-{n}-operator": operator,
                     f"conditions-{n}-value": value})
    return data


def live_count(database_url: str, products: int, *, in_sql: bool, runs: int = 10
               ) -> dict[str, tuple[float, float, float]]:
    """POST …/rules/count: {"ordinary": (p50, max, CPU p50), "worst": (…)} in ms. ``in_sql``: the
    products are in SQL tables and the host counts with one query (``count_matching``);
    otherwise the demo's in-memory catalog, read and tested in Python."""
    from asc_plugin.demo.catalog import Catalog
    from asc_plugin.state import plugin_state
    from asc_plugin.testing import plugin_csrf

    if in_sql:  # its tables are created with the app's
        from hosts.shop_sql import SqlShopHost, load
    app = make_app(database_url, products)
    if in_sql:
        plugin_state(app).host = SqlShopHost(Catalog({"1": products}))
        with app.app_context():
            load("1", products)
    client = admin(app)
    store_id = add_store(client)
    header, token = plugin_csrf(client)

    def call(data):
        def post():
            response = client.post(f"{PREFIX}/stores/{store_id}/rules/count", data=data,
                                   headers={header: token, "HX-Request": "true"})
            assert response.status_code == 200, response.status_code
            assert b"incomplete" not in response.data  # every condition was counted
        return post

    def figures(samples: list[tuple[float, float]]) -> tuple[float, float, float]:
        wall = [w for w, _cpu in samples]
        return (statistics.median(wall) * 1000, max(wall) * 1000,
                statistics.median(c for _wall, c in samples) * 1000)

    ordinary = [t for match, conditions in ORDINARY
                for t in timed_with_cpu(call(_rule_form(match, conditions)), runs)]
    worst = timed_with_cpu(call(_rule_form(*worst_rule())), runs)
    return {"ordinary": figures(ordinary), "worst": figures(worst)}


def timed_with_cpu(call, runs: int) -> list[tuple[float, float]]:
    """(wall, CPU) seconds per call: on a shared machine the CPU time of this process (which
    runs the app, and SQLite) says what a request costs when the wall clock waits for others."""
    call()
    samples = []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        samples.append((time.perf_counter() - wall, time.process_time() - cpu))
    return samples


def preview(database_url: str, products: int) -> tuple[float, float, float, int]:
    """(evaluate products/s, preview p50, p99, SQL statements per preview request)."""
    from sqlalchemy import event

    from asc_plugin.services import matching
    from asc_plugin.state import plugin_state
    from asc_plugin.testing import plugin_csrf

    app = make_app(database_url, products)
    client = admin(app)
    store_id = add_store(client)
    header, token = plugin_csrf(client)
    with app.app_context():  # evaluate only: the store is not connected, so matching stops
        from asc_plugin.models import Store

        store = plugin_state().session.get(Store, store_id)
        job, _created = matching.request_run(store, requested_by="bench")
        plugin_state().session.commit()
        job_id = job.id
    start = time.perf_counter()
    with app.app_context():
        matching.run(job_id)
    evaluate_rate = products / (time.perf_counter() - start)
    url = f"{PREFIX}/stores/{store_id}/listing?status=pending&page=40"

    def call():
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    p50, p99 = percentiles(timed(call, 30))
    with app.app_context():
        engine = plugin_state().db.engine
    seen = []

    def listener(*args):
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", listener)
    call()
    event.remove(engine, "before_cursor_execute", listener)
    return evaluate_rate, p50, p99, len(seen)


def matching_throughput(database_url: str,
                        products: int) -> tuple[float, int, int, int, float]:
    """(identifiers/s in the match phase, requests, searches, 429s, seconds)."""
    from asc_plugin.models import MatchJob
    from asc_plugin.services import matching
    from asc_plugin.state import plugin_state
    from asc_plugin.testing import SandboxServer, connect_store

    sandbox = SandboxServer()
    try:
        app = make_app(database_url, products, sandbox)
        client = admin(app)
        store_id = add_store(client)
        connect_store(client, store_id)
        with app.app_context():
            from asc_plugin.models import Store

            job, _created = matching.request_run(plugin_state().session.get(Store, store_id),
                                           requested_by="bench")
            plugin_state().session.commit()
            job_id = job.id
        marks = {}

        def progress(job):
            if job.phase == "match" and "start" not in marks:
                marks["start"] = time.perf_counter()

        with app.app_context():
            outcome = matching.run(job_id, on_progress=progress)
            assert outcome == "done", outcome
            job = plugin_state().session.get(MatchJob, job_id)
            requests_made = job.requests
        elapsed = time.perf_counter() - marks["start"]
        made = sandbox.catalog_requests()
        first_pages = [r for r in made if r["status"] == 200 and not r["params"].get("pageToken")]
        identifiers = sum(len(r["identifiers"]) for r in first_pages)
        throttled = sum(1 for r in made if r["status"] == 429)
        return identifiers / elapsed, requests_made, len(first_pages), throttled, elapsed
    finally:
        sandbox.stop()


def main() -> None:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the sandbox's access log
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("ASC_TEST_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        database = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
              f"{database}")
        size = 100_000 // SCALE
        print(f"\n| live rule count, {size:,} products | p50 ms | max ms | CPU p50 ms |\n"
              "|---|---:|---:|---:|")
        for in_sql, where in ((False, "read and tested in Python (demo host, in memory)"),
                              (True, "counted by the host in SQL (count_matching)")):
            figures = live_count(url, size, in_sql=in_sql)
            for case, label in (("ordinary", f"{len(ORDINARY)} ordinary rules"),
                                ("worst", "worst allowed rule (20 × 100 values, any)")):
                p50, worst, cpu = figures[case]
                print(f"| {label}, {where} | {p50:.0f} | {worst:.0f} | {cpu:.0f} |")
        print("\n| case | p50 ms | p99 ms | note |\n|---|---:|---:|---|")
        results = [(size, preview(url, size)) for size in (1_000 // SCALE, 100_000 // SCALE)]
        for size, (_rate, p50, p99, statements) in results:
            print(f"| preview page, {size:,} products | {p50:.0f} | {p99:.0f} | "
                  f"{statements} SQL statements |")
        size, (evaluate_rate, *_rest) = results[-1]
        print(f"\nReading {size:,} products into the preview: {evaluate_rate:,.0f} products/s")
        rate, requests_made, searches, throttled, seconds = matching_throughput(
            url, 2_000 // SCALE)
        per_second = requests_made / seconds
        print(f"Matching at Amazon's rate: {rate:.1f} identifiers/s over {seconds:.0f} s, "
              f"{searches} searches in {requests_made} requests (pages), {throttled} answered "
              f"429 — {per_second:.2f} requests/s, {per_second / 2:.2f} of Amazon's bound "
              "(2/s)")


if __name__ == "__main__":
    main()
