"""Fixtures in the Pallets layout: app, client, plus live servers for the sandbox and the demo.

Every test gets its own SQLite database (or, with ASC_TEST_DATABASE_URL, its own schema-reset
PostgreSQL database). The sandbox runs once per session on a real port; it is reset per test.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
import requests
from jinja2 import StrictUndefined
from werkzeug.serving import make_server

from asc_plugin.demo import create_app
from asc_plugin.extension import state
from asc_plugin.migrations import upgrade
from asc_plugin.models import metadata
from asc_plugin.sandbox import create_sandbox_app, sandbox_config_for

SCREENSHOTS = Path(__file__).parent / "screenshots"


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


@pytest.fixture(scope="session")
def sandbox():
    app = create_sandbox_app(redirect_uris=[])
    server = LiveServer(app)
    server.app = app
    yield server
    server.stop()


@pytest.fixture()
def sandbox_reset(sandbox):
    requests.post(f"{sandbox.url}/_sandbox/reset", timeout=5)
    sandbox.app.config["SANDBOX_REDIRECT_URIS"] = []
    sandbox.app.config["SANDBOX_LOGIN_URI"] = None
    sandbox.app.config["SANDBOX_PUBLISHED"] = False
    yield sandbox
    requests.post(f"{sandbox.url}/_sandbox/reset", timeout=5)


def _database_url(tmp_path) -> str:
    return os.environ.get("ASC_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture()
def make_app(tmp_path, sandbox_reset):
    """Build a demo app wired to the sandbox, with a fresh migrated database."""
    made = []

    def factory(**config):
        settings = {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path),
            "ASC_ENCRYPTION_KEYS": ["rAqSqzeoFSSJSN-2L9QGa2bzVRnGLwAlEw1Rnz2U-FU="],
            **sandbox_config_for(sandbox_reset.url),
            **config,
        }
        app = create_app(settings)
        app.jinja_env.undefined = StrictUndefined
        # The test client's own callback URL (http://localhost/...) is registered on the app.
        callback = f"http://localhost{app.config['ASC_URL_PREFIX']}/connect/callback"
        if callback not in sandbox_reset.app.config["SANDBOX_REDIRECT_URIS"]:
            sandbox_reset.app.config["SANDBOX_REDIRECT_URIS"].append(callback)
        app.instance_path = str(tmp_path / "instance")
        with app.app_context():
            engine = state().db.engine
            metadata.drop_all(engine)
            with engine.begin() as connection:
                connection.exec_driver_sql("DROP TABLE IF EXISTS asc_alembic_version")
            upgrade()
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            state().db.session.remove()
            state().db.engine.dispose()


@pytest.fixture()
def app(make_app):
    return make_app()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def admin(app):
    """A test client signed in to the demo admin."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["admin"] = "admin"
    return client


@pytest.fixture()
def live(app, sandbox_reset):
    """The app served over real HTTP, registered on the sandbox as the app's redirect URI."""
    server = LiveServer(app)
    prefix = app.config["ASC_URL_PREFIX"]
    sandbox_reset.app.config["SANDBOX_REDIRECT_URIS"].insert(
        0, f"{server.url}{prefix}/connect/callback")
    sandbox_reset.app.config["SANDBOX_LOGIN_URI"] = f"{server.url}{prefix}/connect/login"
    app.config["ASC_AMAZON_REDIRECT_URI"] = f"{server.url}{prefix}/connect/callback"
    yield server
    server.stop()


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def pytest_configure(config):
    SCREENSHOTS.mkdir(exist_ok=True)
