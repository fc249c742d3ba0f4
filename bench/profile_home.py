"""Profile the home page with 50 stores in process, beside the benchmark's ceiling route.

    .venv/bin/python bench/profile_home.py                  # SQLite in a temporary folder
    ./scripts/with_postgres .venv/bin/python bench/profile_home.py
    PROFILE_REQUESTS=200 PROFILE_LANG=zh-TW PROFILE_SORT=cumulative .venv/bin/python bench/profile_home.py

It seeds the same 50 stores as ``bench/run.py``, serves ``/admin/amazon/`` and the ceiling
(``bench/bench_app.py``) through the Flask test client (no gunicorn, no sockets), and prints:

- CPU milliseconds per request for each, and their ratio (an in-process stand-in for the
  benchmark's "× ceiling", quick to repeat while changing the page; not the published figure);
- the home page's time split by where it is spent (Jinja templates, SQLAlchemy, translations,
  dates, the plugin's own code), from cProfile's own-time per function;
- cProfile's top functions, by own time and by cumulative time.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from run import seed, settings  # noqa: E402  (bench/run.py, beside this file)

REQUESTS = int(os.environ.get("PROFILE_REQUESTS", "100"))
LANG = os.environ.get("PROFILE_LANG", "en")
SORT = os.environ.get("PROFILE_SORT", "tottime")
TOP = int(os.environ.get("PROFILE_TOP", "30"))

#: (area, substring of a profiled function's file) — first match wins.
AREAS = (
    ("Jinja (templates, compiled code)", "<template>"),
    ("Jinja (templates, compiled code)", "/jinja2/"),
    ("Jinja (templates, compiled code)", "/templates/"),
    ("markupsafe (escaping)", "/markupsafe/"),
    ("SQLAlchemy and the DB driver", "/sqlalchemy/"),
    ("SQLAlchemy and the DB driver", "sqlite3"),
    ("SQLAlchemy and the DB driver", "/psycopg"),
    ("translations (Babel, gettext)", "/babel/"),
    ("translations (Babel, gettext)", "gettext.py"),
    ("translations (Babel, gettext)", "asc_plugin/i18n.py"),
    ("dates (zoneinfo, datetime)", "asc_plugin/dates.py"),
    ("presenters", "asc_plugin/presenters.py"),
    ("plugin services", "asc_plugin/services/"),
    ("plugin views", "asc_plugin/views/"),
    ("plugin, other", "asc_plugin/"),
    ("Flask and Werkzeug (routing, url_for, sessions)", "/flask/"),
    ("Flask and Werkzeug (routing, url_for, sessions)", "/werkzeug/"),
    ("Flask and Werkzeug (routing, url_for, sessions)", "/itsdangerous/"),
    ("Flask-WTF (CSRF)", "/flask_wtf/"),
)


def area(filename: str, function: str) -> str:
    for name, needle in AREAS:
        if needle in filename:
            return name
    if filename == "~":  # built-ins: str.format, dict.get, re …
        return "built-ins (called from any of the above)"
    return "other (stdlib)"


def client_for(app):
    client = app.test_client()
    with client.session_transaction() as s:
        s["admin"] = "admin"
    return client


def timed(client, path: str, headers: dict) -> float:
    """CPU milliseconds of this process per request, the best of five rounds of REQUESTS // 5
    requests: on a shared machine, wall time mostly measures the neighbours."""
    rounds = []
    per_round = max(1, REQUESTS // 5)
    for _ in range(5):
        start = time.process_time()
        for _ in range(per_round):
            response = client.get(path, headers=headers)
            assert response.status_code == 200, response.status_code
        rounds.append((time.process_time() - start) * 1000 / per_round)
    return min(rounds)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        database_url = os.environ.get("ASC_TEST_DATABASE_URL") or f"sqlite:///{tmp}/p.sqlite3"
        config = settings(database_url)
        seed(config, 50)
        for key, value in config.items():  # bench_app builds its app from the environment
            os.environ[key] = value if isinstance(value, str) else __import__("json").dumps(value)
        import bench_app

        client = client_for(bench_app.app)
        headers = {"Accept-Language": LANG}
        home = client.get("/admin/amazon/", headers=headers)
        ceiling = client.get("/_bench/ceiling", headers=headers)
        print(f"home page: {len(home.data):,} bytes, {home.data.count(b'<article'):d} cards; "
              f"ceiling: {len(ceiling.data):,} bytes, {ceiling.data.count(b'<article'):d} cards")

        home_ms = timed(client, "/admin/amazon/", headers)
        ceiling_ms = timed(client, "/_bench/ceiling", headers)
        print(f"in process ({LANG}): home {home_ms:.2f} ms, ceiling {ceiling_ms:.2f} ms, "
              f"home/ceiling speed {ceiling_ms / home_ms:.2f} ×\n")

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(REQUESTS):
            client.get("/admin/amazon/", headers=headers)
        profiler.disable()

    stats = pstats.Stats(profiler)
    total = sum(row[2] for row in stats.stats.values())  # own time of every function
    areas: dict[str, float] = defaultdict(float)
    for (filename, _line, function), row in stats.stats.items():
        areas[area(filename, function)] += row[2]
    print(f"home page, {REQUESTS} requests under cProfile: {total * 1000 / REQUESTS:.2f} ms "
          "each; own time by area:")
    for name, seconds in sorted(areas.items(), key=lambda item: -item[1]):
        print(f"  {seconds / total:6.1%}  {name}")
    print()
    stats.strip_dirs().sort_stats(SORT).print_stats(TOP)


if __name__ == "__main__":
    main()
