"""Benchmark the plugin behind gunicorn and print a table.

    .venv/bin/python bench/run.py                 # SQLite in a temporary folder
    ./scripts/with_postgres .venv/bin/python bench/run.py   # the same on PostgreSQL

One gunicorn configuration (2 sync workers) serves, in one run: a bare Flask route rendering the
home page's own markup from constants (the ceiling, bench/ceiling.html), the home page with 50
stores, the attribute-mapping fragment, the add-store POST, and the ceiling measured until
November 2026 (thinner markup, its template compiled on every request; bench_app.py). A closed-loop load generator (threads with keep-alive connections) runs
each for a fixed time (in turns: six slices per case, round robin) and reports requests/s, p50,
p99 and the ratio to the ceiling. In process it
then counts SQL statements per home-page request with 5 and with 500 stores, and compares the
bytes of the mapping fragment with the full Add Amazon Store page.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
DURATION = float(os.environ.get("BENCH_SECONDS", "6"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
#: Each case runs in this many slices, taken in turns with the other cases: on a shared machine
#: the load drifts over a run, and turns spread the drift over every case alike.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "6"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def settings(database_url: str) -> dict:
    return {
        "SECRET_KEY": "bench-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "ASC_ENCRYPTION_KEYS": [Fernet.generate_key().decode()],
        # Required outside debug (never taken from the Host header); nothing here connects.
        "ASC_AMAZON_REDIRECT_URI": "http://127.0.0.1/admin/amazon/connect/callback",
    }


def seed(config: dict, stores: int) -> None:
    from asc_plugin.demo import create_app
    from asc_plugin.migrations import upgrade
    from asc_plugin.models import AttributeMapping, ProductIdType, Store, metadata
    from asc_plugin.state import plugin_state

    app = create_app(config)
    with app.app_context():
        metadata.drop_all(plugin_state().db.engine)
        with plugin_state().db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS asc_alembic_version")
        upgrade()
        for n in range(stores):
            store = Store(name=f"Bench store {n:03d}", contact_email="b@example.com",
                          website_id="1", marketplace_code="US")
            store.mapping = AttributeMapping(amazon_id_type=ProductIdType.ASIN,
                                             host_attribute_code="amazon_asin")
            plugin_state().session.add(store)
        plugin_state().session.commit()
        plugin_state().db.engine.dispose()


class Client:
    """One keep-alive HTTP connection with the admin's cookies."""

    def __init__(self, port: int, cookie: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = cookie

    def request(self, method, path, body=None, headers=None):
        headers = {"Cookie": self.cookie, **(headers or {})}
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        data = response.read()
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return response.status, data, response


def sign_in(port: int) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/login")
    response = connection.getresponse()
    html = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    body = f"csrf_token={token}&username=admin&password=admin"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", "/login", body=body, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    return response.getheader("Set-Cookie").split(";")[0]


def load(port, cookie, make_request, expect, seconds, into=None) -> dict:
    """Drive one case for `seconds`, adding to `into` (the case's earlier slices)."""
    latencies: list[float] = into["latencies"] if into else []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(index):
        nonlocal errors
        client = Client(port, cookie)
        n = 0
        while time.monotonic() < stop:
            method, path, body, headers = make_request(index, n)
            start = time.perf_counter()
            status, _data, _ = client.request(method, path, body, headers)
            elapsed = time.perf_counter() - start
            with lock:
                if status == expect:
                    latencies.append(elapsed)
                else:
                    errors += 1
            n += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CLIENTS)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.monotonic() - began
    return {"latencies": latencies, "took": took + (into["took"] if into else 0),
            "errors": errors + (into["errors"] if into else 0)}


def figures(case: dict) -> dict:
    latencies = sorted(case["latencies"])
    if not latencies:
        raise RuntimeError(f"no successful request ({case['errors']} errors)")
    return {
        "rps": len(latencies) / case["took"],
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "errors": case["errors"],
    }


def statements_per_home(config: dict, stores: int) -> int:
    from sqlalchemy import event

    from asc_plugin.demo import create_app
    from asc_plugin.state import plugin_state

    seed(config, stores)
    app = create_app(config)
    client = app.test_client()
    with client.session_transaction() as s:
        s["admin"] = "admin"
    client.get("/admin/amazon/")  # warm caches
    with app.app_context():
        engine = plugin_state().db.engine
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    assert client.get("/admin/amazon/").status_code == 200
    event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def fragment_bytes(config: dict) -> tuple[int, int]:
    from asc_plugin.demo import create_app

    app = create_app(config)
    client = app.test_client()
    with client.session_transaction() as s:
        s["admin"] = "admin"
    full = client.get("/admin/amazon/stores/new?step=form").data
    fragment = client.get("/admin/amazon/stores/new/mapping?amazon_id_type=UPC&changed=id_type",
                          headers={"HX-Request": "true"}).data
    return len(fragment), len(full)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        database_url = os.environ.get("ASC_TEST_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        config = settings(database_url)
        seed(config, 50)
        port = free_port()
        env = {**os.environ, **{k: json.dumps(v) if not isinstance(v, str) else v
                                for k, v in config.items()}}
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
             "--chdir", str(ROOT / "bench"), "--log-level", "warning", "bench_app:app"],
            env=env)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    cookie = sign_in(port)
                    break
                except (OSError, AttributeError):
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            client = Client(port, cookie)
            _, page, response = client.request("GET", "/admin/amazon/stores/new?step=form")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.decode()).group(1)
            if response.getheader("Set-Cookie"):  # the session now holds the CSRF secret
                cookie = response.getheader("Set-Cookie").split(";")[0]
            hx = {"HX-Request": "true"}

            names = itertools.count()  # unique across turns (each turn counts n from 0)

            def add_store(index, n):
                body = (f"csrf_token={token}&website_id=1&contact_email=b%40example.com"
                        f"&name=Load+{os.getpid()}+{index}+{next(names)}&marketplace=US"
                        "&amazon_id_type=ASIN&host_attribute=amazon_asin")
                return "POST", "/admin/amazon/stores/new", body, {
                    "Content-Type": "application/x-www-form-urlencoded"}

            cases = [
                ("ceiling: same markup, bare Flask", lambda i, n: (
                    "GET", "/_bench/ceiling", None, None), 200),
                ("home page, 50 stores", lambda i, n: (
                    "GET", "/admin/amazon/", None, None), 200),
                ("attribute-mapping fragment (htmx)", lambda i, n: (
                    "GET", "/admin/amazon/stores/new/mapping?amazon_id_type=UPC&changed=id_type",
                    None, hx), 200),
                ("add-store POST (303)", add_store, 303),
                ("old ceiling (compiles per request)", lambda i, n: (
                    "GET", "/_bench/old-ceiling", None, None), 200),
            ]
            sizes = {path: len(client.request("GET", path)[1])
                     for path in ("/_bench/ceiling", "/admin/amazon/", "/_bench/old-ceiling")}
            done: dict = {}
            for _round in range(ROUNDS):
                for name, make, expect in cases:
                    done[name] = load(port, cookie, make, expect, DURATION / ROUNDS,
                                      done.get(name))
            results = [(name, figures(done[name])) for name, _make, _expect in cases]
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(20)

        five = statements_per_home(config, 5)
        five_hundred = statements_per_home(config, 500)
        fragment, full = fragment_bytes(config)

    ceiling = results[0][1]["rps"]
    engine = database_url.split(":", 1)[0].split("+")[0]
    print(f"\nasc_plugin benchmark — {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {engine}, gunicorn 2 sync workers, {CLIENTS} clients, "
          f"{DURATION:.0f} s each in {ROUNDS} turns\n")
    print(f"| {'case':<36} | {'req/s':>7} | {'p50 ms':>7} | {'p99 ms':>7} | {'× ceiling':>9} |"
          f" {'errors':>6} |")
    print(f"|{'-' * 38}|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|{'-' * 11}:|{'-' * 8}:|")
    for name, r in results:
        print(f"| {name:<36} | {r['rps']:>7.0f} | {r['p50']:>7.1f} | {r['p99']:>7.1f} | "
              f"{r['rps'] / ceiling:>9.2f} | {r['errors']:>6} |")
    home, old = results[1][1]["rps"], results[-1][1]["rps"]
    print(f"\nHome page: {home / ceiling:.2f} × the ceiling, {home / old:.2f} × the old ceiling. "
          f"Bytes: home page {sizes['/admin/amazon/']:,}, ceiling {sizes['/_bench/ceiling']:,}, "
          f"old ceiling {sizes['/_bench/old-ceiling']:,}.")
    print(f"SQL statements per home-page request: {five} with 5 stores, {five_hundred} with "
          f"500 stores (cards are paginated)")
    print(f"Mapping fragment: {fragment} bytes; full Add Amazon Store page: {full} bytes "
          f"({fragment / full:.0%})")


if __name__ == "__main__":
    main()
