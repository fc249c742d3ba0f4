"""Fixtures in the Pallets layout, at two levels.

- ``bare_app``: the docs' plain host (tests/hosts/shop.py) with the plugin's tables and no
  sandbox: for unit-level tests of pages, forms and services.
- ``app``: the demo host wired to the sandbox (``asc_sandbox_config`` from the plugin's own
  pytest plugin, asc_plugin.testing): for the connect flow, the browser and the workers.

Every test gets its own SQLite database, or with ASC_TEST_DATABASE_URL the one PostgreSQL
database with the plugin's (and the host's) tables dropped and created again.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from jinja2 import StrictUndefined
from werkzeug.serving import make_server

from asc_plugin.models import metadata
from asc_plugin.state import state

SCREENSHOTS = Path(__file__).parent / "screenshots"
TEST_KEY = "rAqSqzeoFSSJSN-2L9QGa2bzVRnGLwAlEw1Rnz2U-FU="
#: The demo catalog's size in tests (products per website id): small enough to match quickly.
SMALL_CATALOG = {"1": 240, "2": 80}


class LiveServer:
    """A WSGI app served on 127.0.0.1 in a thread, on a free port."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)


def database_url(tmp_path) -> str:
    return os.environ.get("ASC_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite3'}"


def empty_schema(app):
    """No table at all: whatever the database holds is dropped (the plugin's, this host's,
    both Alembic version tables, and tables an earlier test's other host left in the one
    PostgreSQL database), read from the database itself so foreign keys decide the order."""
    with app.app_context():
        with state(app).db.engine.begin() as connection:
            existing = sa.MetaData()
            existing.reflect(connection)
            existing.drop_all(connection)
    return app


def fresh_schema(app) -> None:
    """The host's and the plugin's tables, empty (create_all: the migrations have their own
    tests in test_migrations.py)."""
    empty_schema(app)
    with app.app_context():
        db = state(app).db
        db.metadata.create_all(db.engine)
        metadata.create_all(db.engine)


def dispose(app) -> None:
    with app.app_context():
        state(app).db.session.remove()
        state(app).db.engine.dispose()


def base_config(tmp_path) -> dict:
    return {"TESTING": True, "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
            "ASC_ENCRYPTION_KEYS": [TEST_KEY],
            "ASC_HUEY_PATH": str(tmp_path / "jobs.sqlite3")}


@pytest.fixture()
def make_bare_app(tmp_path):
    """Build the docs' plain host (optionally with extra config), tables created."""
    from hosts import shop

    made = []

    def factory(**config):
        app = shop.create_app({**base_config(tmp_path), **config})
        app.jinja_env.undefined = StrictUndefined
        fresh_schema(app)
        made.append(app)
        return app

    yield factory
    for app in made:
        dispose(app)


@pytest.fixture()
def bare_app(make_bare_app):
    return make_bare_app()


def sign_in(client, user="admin"):
    """Sign a test client in to the docs' hosts (they trust session["role"])."""
    with client.session_transaction() as session:
        session["role"] = "admin"
        session["user"] = user
    return client


@pytest.fixture()
def bare_admin(bare_app):
    return sign_in(bare_app.test_client())


@pytest.fixture()
def make_app(tmp_path, asc_sandbox, asc_sandbox_config):
    """Build a demo app wired to the sandbox (its clock too, as in the demo), fresh tables."""
    from asc_plugin.demo import create_app
    from asc_plugin.demo.catalog import amazon_names

    made = []
    # As in the demo: a match on Amazon reads like the demo product it matches.
    asc_sandbox.app.config["SANDBOX_CATALOG_NAMES"] = amazon_names(SMALL_CATALOG)
    sandbox_clock = {"ASC_CLOCK": lambda: datetime.fromtimestamp(asc_sandbox.state.now(),
                                                                 timezone.utc)}

    def factory(**config):
        app = create_app({**base_config(tmp_path), **asc_sandbox_config, **sandbox_clock,
                          "DEMO_PRODUCTS": SMALL_CATALOG, **config})
        app.jinja_env.undefined = StrictUndefined
        app.instance_path = str(tmp_path / "instance")
        fresh_schema(app)
        made.append(app)
        return app

    yield factory
    for app in made:
        dispose(app)


@pytest.fixture()
def sandbox(asc_sandbox, asc_sandbox_config):
    """The shared sandbox, reset before the test (``asc_sandbox_config`` does it): no fault
    countdown, rate bucket, recorded request or setting left by an earlier test."""
    return asc_sandbox


@pytest.fixture()
def app(make_app):
    return make_app()


@pytest.fixture()
def client(app):
    return app.test_client()


def demo_admin(app):
    """A test client signed in to the demo admin (the demo trusts session["admin"])."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["admin"] = "admin"
    return client


@pytest.fixture()
def admin(app):
    return demo_admin(app)


@pytest.fixture()
def live(app, asc_sandbox):
    """The app served over real HTTP, registered on the sandbox as the app's redirect URI."""
    server = LiveServer(app)
    app.config["ASC_AMAZON_REDIRECT_URI"] = asc_sandbox.register(
        server.url, app.config["ASC_URL_PREFIX"])
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """Debian's Chromium, started the way this closed network needs."""
    return {
        "executable_path": os.environ.get("ASC_TEST_CHROMIUM", "/usr/bin/chromium"),
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 900}}


def session_cookie(app, **values) -> str:
    """A signed session cookie value, as the host's own sign-in would set it."""
    return app.session_interface.get_signing_serializer(app).dumps(values)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture(autouse=True)
def _plugin_loggers_enabled():
    """A Flask-Migrate host's env.py runs ``logging.config.fileConfig``, which disables every
    logger that exists at that moment: a test that reads the plugin's log lines must not depend
    on whether such a test ran in this process before it."""
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if name.startswith("asc_plugin") and isinstance(logger, logging.Logger):
            logger.disabled = False


def pytest_configure(config):
    SCREENSHOTS.mkdir(exist_ok=True)
