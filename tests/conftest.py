"""Fixtures in the Pallets layout, at two levels.

- ``bare_app``: the README's plain host (tests/hosts/shop.py) with the plugin's tables and no
  sandbox: for unit-level tests of pages, forms and services.
- ``app``: the demo host wired to the sandbox (``asc_sandbox_config`` from the plugin's own
  pytest plugin, asc_plugin.testing): for the connect flow, the browser and the workers.

Every test gets its own SQLite database, or with ASC_TEST_DATABASE_URL the one PostgreSQL
database with the plugin's (and the host's) tables dropped and created again.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timezone

import pytest
from helpers import (
    SCREENSHOTS,
    SMALL_CATALOG,
    LiveServer,
    base_config,
    demo_admin,
    dispose,
    fresh_schema,
    sign_in,
)
from jinja2 import StrictUndefined


@pytest.fixture()
def make_bare_app(tmp_path):
    """Build the README's plain host (optionally with extra config), tables created."""
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


#: Playwright's fixtures: a test that asks for one drives Chromium.
_BROWSER_FIXTURES = {"page", "browser", "context", "new_context", "browser_context"}


def pytest_collection_modifyitems(config, items):
    """Every test that uses a Playwright fixture is a browser test, marked or not, so the fast
    lane (``-m "not browser and not slow"``) never starts Chromium because a mark was forgotten."""
    for item in items:
        if _BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
