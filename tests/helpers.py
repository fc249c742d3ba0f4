"""What the tests share besides fixtures: databases and servers for test apps, sign-in, CSRF
tokens, adding a store and connecting it through the sandbox. Tests import these from here
(conftest.py holds only fixtures and hooks)."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import sqlalchemy as sa
from werkzeug.serving import make_server

from asc_plugin.models import Store, metadata
from asc_plugin.state import plugin_state
from asc_plugin.testing import SandboxSeller, connect_store, local_path

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
        with plugin_state(app).db.engine.begin() as connection:
            existing = sa.MetaData()
            existing.reflect(connection)
            existing.drop_all(connection)
    return app


def fresh_schema(app) -> None:
    """The host's and the plugin's tables, empty (create_all: the migrations have their own
    tests in test_migrations.py)."""
    empty_schema(app)
    with app.app_context():
        db = plugin_state(app).db
        db.metadata.create_all(db.engine)
        metadata.create_all(db.engine)


def dispose(app) -> None:
    with app.app_context():
        plugin_state(app).db.session.remove()
        plugin_state(app).db.engine.dispose()


def base_config(tmp_path) -> dict:
    return {"TESTING": True, "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
            "ASC_ENCRYPTION_KEYS": [TEST_KEY],
            "ASC_HUEY_PATH": str(tmp_path / "jobs.sqlite3")}


def sign_in(client, user="admin"):
    """Sign a test client in to the README's hosts (they trust session["role"])."""
    with client.session_transaction() as session:
        session["role"] = "admin"
        session["user"] = user
    return client


def demo_admin(app):
    """A test client signed in to the demo admin (the demo trusts session["admin"])."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["admin"] = "admin"
    return client


def session_cookie(app, **values) -> str:
    """A signed session cookie value, as the host's own sign-in would set it."""
    return app.session_interface.get_signing_serializer(app).dumps(values)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


PREFIX = "/admin/amazon"
HX = {"HX-Request": "true"}


def hx(target: str) -> dict[str, str]:
    """The headers htmx sends for a request whose answer it swaps into the element ``#target``
    (a view answers with that fragment, else with the whole page)."""
    return {**HX, "HX-Target": target}


__all__ = ["PREFIX", "HX", "hx", "add_store", "values_of", "signed_in", "store_named",
           "start_connect", "connect", "callback_path", "Seller"]
Seller = SandboxSeller
callback_path = local_path


def values_of(attribute: str, website: str = "1") -> str:
    """ "N of M" for the attribute preview, counted from the demo's generated catalog."""
    from asc_plugin.demo.catalog import generate

    products = generate(website, SMALL_CATALOG[website])
    return f"{sum(1 for p in products if p.attributes.get(attribute))} of {len(products)}"


def add_store(admin, *, name="Amazon Store USA", marketplace="US", website="1",
              email="owner@example.com", id_type="UPC", attribute="upc", htmx=False):
    page = admin.get(f"{PREFIX}/stores/new?step=form")
    headers = HX if htmx else {}
    return admin.post(f"{PREFIX}/stores/new", headers=headers, data={
        "csrf_token": csrf_from(page.text), "website_id": website, "contact_email": email,
        "name": name, "marketplace": marketplace, "amazon_id_type": id_type,
        "host_attribute": attribute,
    })


def signed_in(url: str):
    """A requests session signed in to the demo admin served at url (real HTTP)."""
    import requests

    admin = requests.Session()
    page = admin.get(f"{url}/login", timeout=30)
    admin.post(f"{url}/login", data={"csrf_token": csrf_from(page.text), "username": "admin",
                                     "password": "admin"}, timeout=30)
    return admin


def store_named(app, name) -> Store | None:
    with app.app_context():
        store = plugin_state().session.query(Store).filter_by(name=name).one_or_none()
        if store is not None:
            plugin_state().session.expunge(store)
        return store


def start_connect(admin, store_id, *, new_tab=False, return_to="home"):
    home = admin.get(f"{PREFIX}/")
    response = admin.post(f"{PREFIX}/stores/{store_id}/connect",
                          data={"csrf_token": csrf_from(home.text), "return_to": return_to,
                                "new_tab": "1" if new_tab else "0"})
    assert response.status_code == 303, response.text[:500]
    return response.headers["Location"]


def connect(admin, store_id, seller=None, **kwargs):
    """The whole flow: Connect store, the seller at Seller Central, Amazon's redirect back
    (through the Login URI too, when the sandbox routes it so)."""
    if kwargs:
        consent = start_connect(admin, store_id, **kwargs)
        seller = seller or Seller()
        back = seller.authorize(consent)
        response = admin.get(callback_path(back))
        if "/connect/login" in back:
            response = admin.get(callback_path(seller.confirm(response.headers["Location"])))
        return response
    return connect_store(admin, store_id, seller=seller)


def connected_store(app, admin, **add_kwargs) -> Store:
    """A store added through the form and connected through the sandbox."""
    assert add_store(admin, **add_kwargs).status_code == 303
    store = store_named(app, add_kwargs.get("name", "Amazon Store USA"))
    connect(admin, store.id)
    assert store_named(app, store.name).is_connected
    return store


def listing_token(admin, store_id) -> str:
    """The CSRF token of the store's listing preview, as its Match button posts it."""
    return csrf_from(admin.get(f"{PREFIX}/stores/{store_id}/listing").text)


def start_match(admin, store_id, **headers):
    """*Match with Amazon catalog*, as the admin clicks it on the listing preview."""
    return admin.post(f"{PREFIX}/stores/{store_id}/match", headers=headers,
                      data={"csrf_token": listing_token(admin, store_id)})
