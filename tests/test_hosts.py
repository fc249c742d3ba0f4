"""The plugin mounted into the hosts people run, with real requests in each.

Each host is the docs' (tests/hosts/): a plain Flask admin, the same with CSRFProtect (also
with a renamed field), with WTF_CSRF_ENABLED=False, with a Flask-Babel locale selector that
reads the request, a Flask-Admin 2 admin, and a Flask-Migrate host. In every one: the pages
render, a store is added, the htmx mapping fragment answers, the plugin's CSRF holds, and a store
connects against the sandbox. And the plugin leaves what is the host's alone.
"""

from __future__ import annotations

import re

import pytest
from flask import request
from flask_babel import Babel
from flask_wtf import CSRFProtect
from helpers import base_config, dispose, empty_schema, fresh_schema, sign_in

from asc_plugin.models import ConnectionState, Store
from asc_plugin.state import plugin_state
from asc_plugin.testing import connect_store, run_match_jobs

PREFIX = "/admin/amazon"
HX = {"HX-Request": "true"}


def _plain(config):
    from hosts import shop

    return shop.create_app(config)


def _with_csrf_protect(config):
    app = _plain(config)
    CSRFProtect(app)
    return app


def _with_babel_reading_the_request(config):
    app = _plain(config)
    Babel(app, locale_selector=lambda: request.accept_languages.best_match(["en", "zh_TW"]))
    return app


def _flask_admin(config):
    from hosts import shop_admin

    return shop_admin.create_app(config)


def _flask_migrate(config):
    from hosts import shop_migrate

    return shop_migrate.create_app(config)


HOSTS = {
    "plain": (_plain, {}),
    "csrf_protect": (_with_csrf_protect, {}),
    "csrf_protect_renamed_field": (_with_csrf_protect, {"WTF_CSRF_FIELD_NAME": "_csrf"}),
    "csrf_disabled": (_plain, {"WTF_CSRF_ENABLED": False}),
    "babel_request_selector": (_with_babel_reading_the_request, {}),
    "flask_admin": (_flask_admin, {}),
    "flask_migrate": (_flask_migrate, {}),
}


@pytest.fixture(params=sorted(HOSTS))
def host(request, tmp_path, asc_sandbox, asc_sandbox_config):
    factory, extra = HOSTS[request.param]
    app = factory({**base_config(tmp_path), **asc_sandbox_config, **extra})
    fresh_schema(app)
    app.host_kind = request.param
    yield app
    dispose(app)


def _token(html: str, field: str) -> str:
    match = re.search(rf'name="{re.escape(field)}"[^>]*value="([^"]+)"', html)
    assert match, f"no {field} field on the page"
    return match.group(1)


def _field(app) -> str:
    return app.config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"


def _add_store(app, client, name="Amazon Store USA"):
    page = client.get(f"{PREFIX}/stores/new?step=form")
    assert page.status_code == 200, page.text[:300]
    return client.post(f"{PREFIX}/stores/new", data={
        _field(app): _token(page.text, _field(app)), "website_id": "1",
        "contact_email": "owner@example.com", "name": name, "marketplace": "US",
        "amazon_id_type": "UPC", "host_attribute": "upc"})


def test_the_whole_journey_in_every_host(host):
    client = sign_in(host.test_client())
    home = client.get(f"{PREFIX}/")
    assert home.status_code == 200 and "No Amazon stores yet" in home.text
    assert client.get(f"{PREFIX}/stores/new").status_code == 200  # the pre-setup tasks
    added = _add_store(host, client)
    assert added.status_code == 303, added.text[:500]
    with host.app_context():
        store = plugin_state().session.query(Store).one()
        store_id = store.id
    fragment = client.get(f"{PREFIX}/stores/new/mapping",
                          query_string={"amazon_id_type": "UPC", "changed": "id_type"}, headers=HX)
    assert fragment.status_code == 200 and 'id="asc-mapping-result"' in fragment.text
    assert "<html" not in fragment.text
    for path in ("/", f"/stores/{store_id}", f"/stores/{store_id}/delete", "/learning",
                 "/attributes"):
        assert client.get(f"{PREFIX}{path}").status_code == 200, path
    back = connect_store(client, store_id)
    assert back.status_code == 303, back.text[:500]
    with host.app_context():
        stored = plugin_state().session.get(Store, store_id)
        assert stored.connection_state is ConnectionState.CONNECTED
    # The next step: rules, a match (this host offers no products yet), the preview.
    rules_page = client.get(f"{PREFIX}/stores/{store_id}/rules")
    assert rules_page.status_code == 200 and "products on Main Website" in rules_page.text
    listing = client.get(f"{PREFIX}/stores/{store_id}/listing")
    assert listing.status_code == 200
    started = client.post(f"{PREFIX}/stores/{store_id}/match",
                          data={_field(host): _token(listing.text, _field(host))})
    assert started.status_code == 303, started.text[:300]
    assert run_match_jobs(host) == ["done"]


def test_the_plugins_csrf_holds_in_every_host(host):
    client = sign_in(host.test_client())
    page = client.get(f"{PREFIX}/learning")
    assert page.status_code == 200
    for headers, data in (({}, {}), ({}, {_field(host): "forged"}),
                          ({**HX, "X-CSRFToken": "forged"}, {})):
        refused = client.post(f"{PREFIX}/learning/tasks/currency", headers=headers,
                              data={"done": "1", **data})
        assert refused.status_code == 400, (host.host_kind, headers, data)
    good = client.post(f"{PREFIX}/learning/tasks/currency",
                       data={"done": "1", _field(host): _token(page.text, _field(host))})
    assert good.status_code == 303


def test_an_expired_session_makes_htmx_navigate_instead_of_swapping(host):
    client = host.test_client()  # signed out, as when the session expired mid-page
    fragment = client.get(f"{PREFIX}/stores/new/mapping", headers=HX)
    assert fragment.status_code == 401
    assert fragment.headers["HX-Refresh"] == "true"
    assert fragment.get_data() == b""
    full = client.get(f"{PREFIX}/")
    assert full.status_code in (302, 403) and "HX-Refresh" not in full.headers


def test_mounting_leaves_the_host_alone(tmp_path, asc_sandbox_config):
    """init_app adds only ASC_* keys, the asc extension, blueprint and CLI group: no Babel, no
    CSRFProtect, no app-wide request hooks, no template globals."""
    from flask import Flask
    from flask_sqlalchemy import SQLAlchemy

    from asc_plugin import AmazonSalesChannel

    app = Flask(__name__)
    app.config.update(base_config(tmp_path))
    db = SQLAlchemy(app)
    before = {"config": dict(app.config), "extensions": set(app.extensions),
              "globals": set(app.jinja_env.globals), "hooks": dict(app.before_request_funcs),
              "after": dict(app.after_request_funcs), "filters": set(app.jinja_env.filters)}
    AmazonSalesChannel(app, db=db)
    changed = {k for k in app.config if k not in before["config"]
               or app.config[k] != before["config"][k]}
    assert changed and all(k.startswith("ASC_") for k in changed), changed
    assert set(app.extensions) - before["extensions"] == {"asc"}
    assert "babel" not in app.extensions and "csrf" not in app.extensions
    assert set(app.jinja_env.globals) == before["globals"]
    assert set(app.jinja_env.filters) == before["filters"]
    assert app.before_request_funcs.get(None) == before["hooks"].get(None)
    assert app.after_request_funcs.get(None) == before["after"].get(None)


def test_a_hosts_babel_stays_its_own_and_the_cli_runs_under_a_request_selector(
        tmp_path, asc_sandbox_config, monkeypatch):
    """The usual selector reads the request; the CLI has none. The plugin never calls it there."""
    app = _with_babel_reading_the_request({**base_config(tmp_path), **asc_sandbox_config})
    empty_schema(app)
    babel = app.extensions["babel"]
    selector = babel.locale_selector
    client = sign_in(app.test_client())
    monkeypatch.setenv("LANG", "C.UTF-8")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["asc", "db", "upgrade"]).exit_code == 0
    page = client.get(f"{PREFIX}/", headers={"Accept-Language": "zh-TW"})
    assert "還沒有Amazon商店" in page.text
    assert app.extensions["babel"] is babel and babel.locale_selector is selector
    assert babel.default_domain == "messages"
    for args in (["asc", "db", "current"], ["asc", "check-authorizations"],
                 ["asc", "rotate-keys"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (args, result.output, result.exception)
    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    result = runner.invoke(args=["asc", "check-authorizations"])
    assert result.exit_code == 0 and "沒有" in result.output
    dispose(app)


def test_flask_admin_renders_the_plugin_inside_its_layout(tmp_path, asc_sandbox_config):
    app = _flask_admin({**base_config(tmp_path), **asc_sandbox_config})
    fresh_schema(app)
    anonymous = app.test_client()
    assert anonymous.get(f"{PREFIX}/").status_code == 403
    assert "Amazon Sales Channel" not in anonymous.get("/admin/").text  # menu hidden
    client = sign_in(app.test_client())
    page = client.get(f"{PREFIX}/").text
    assert '<a class="navbar-brand" href="/admin">Shop Admin</a>' in page
    assert '<li class="active dropdown">' in page  # the Marketing category…
    assert re.search(r'<a class="dropdown-item active\s*" href="/admin/amazon/">\s*'
                     r'Amazon Sales Channel</a>', page)  # …and its entry, active on plugin pages
    assert "<title>Amazon Sales Channel - Shop Admin</title>" in page
    assert len(re.findall(r"<h1\b", page)) == 1 and "<h4" not in page  # one heading
    assert "bootstrap.min.css" in page and "/admin/amazon/static/asc/asc.css" in page
    assert client.get("/admin/asc_admin/").headers["Location"].endswith(f"{PREFIX}/")
    dispose(app)


def test_flashed_messages_of_the_host_show_as_banners(bare_app):
    from flask import flash

    @bare_app.get("/host-page")
    def host_page():
        flash("Saved your settings.", "message")
        flash("Something broke.", "danger")
        return "ok"

    client = sign_in(bare_app.test_client())
    client.get("/host-page")
    page = client.get(f"{PREFIX}/").text
    assert 'asc-banner asc-banner-info' in page and "Saved your settings." in page
    assert 'asc-banner asc-banner-error' in page and "Something broke." in page


def test_host_code_keeps_its_pending_changes_when_it_asks_for_a_token(tmp_path, asc_sandbox,
                                                                     asc_sandbox_config):
    """access_token() works in a session of its own: the host's pending work stays pending,
    and is the host's to commit or roll back."""
    from hosts import shop_migrate

    from asc_plugin.models import utcnow
    from asc_plugin.services import tokens

    app = shop_migrate.create_app({**base_config(tmp_path), **asc_sandbox_config})
    fresh_schema(app)
    client = sign_in(app.test_client())
    assert _add_store(app, client).status_code == 303
    with app.app_context():
        store_id = plugin_state().session.query(Store).one().id
    connect_store(client, store_id)
    with app.app_context():  # force a refresh on the next call
        plugin_state().session.get(Store, store_id).access_token_expires_at = utcnow()
        plugin_state().session.commit()
    requests_before = asc_sandbox.authorizations()["token_requests"]
    with app.app_context():
        db = plugin_state().db
        db.session.add(shop_migrate.Product(sku="HOST-1", upc="036000291452"))  # pending
        token = tokens.access_token(store_id)
        assert token.startswith("Atza|")
        assert db.session.new  # still pending: nothing committed or rolled back the host's work
        db.session.commit()
    assert asc_sandbox.authorizations()["token_requests"] == requests_before + 1
    with app.app_context():
        assert plugin_state().db.session.query(shop_migrate.Product).one().sku == "HOST-1"
    dispose(app)


def test_services_flush_and_never_commit(bare_app):
    from asc_plugin.models import ProductIdType
    from asc_plugin.services import stores

    with bare_app.test_request_context():
        store = stores.create(name="Flushed", contact_email="f@example.com", website_id="1",
                              marketplace_code="US", amazon_id_type=ProductIdType.UPC,
                              host_attribute_code="upc")
        assert store.id is not None  # flushed…
        plugin_state().session.rollback()  # …and the host can still take it back
        assert plugin_state().session.query(Store).count() == 0


MEASURE = """
import gc, sys
def rss():
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmRSS")) / 1024
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
app = Flask("host")
app.config.update(SQLALCHEMY_DATABASE_URI="sqlite://", SECRET_KEY="k", TESTING=True,
                  ASC_ENCRYPTION_KEYS=["rAqSqzeoFSSJSN-2L9QGa2bzVRnGLwAlEw1Rnz2U-FU="])
db = SQLAlchemy(app)
with app.app_context():
    db.engine.connect().close()
gc.collect()
before = rss()
from asc_plugin import AmazonSalesChannel
AmazonSalesChannel(app, db=db)
gc.collect()
added = rss() - before
heavy = sorted({m.split(".")[0] for m in sys.modules} & {
    "alembic", "authlib", "requests", "cryptography", "playwright", "huey"})
sandbox = [m for m in sys.modules if m.startswith("asc_plugin.sandbox")]
print(f"{added:.1f}|{','.join(heavy)}|{','.join(sandbox)}")
"""


@pytest.mark.slow
def test_mounting_is_light_and_never_loads_the_sandbox():
    """Import and init_app add at most 15 MB to a host (Alembic, Authlib, requests and
    cryptography load only when a migration, a connect or a token needs them)."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", MEASURE], capture_output=True, text=True,
                         timeout=60, check=True).stdout.strip()
    added, heavy, sandbox = out.split("|")
    print(f"\nplugin import + init_app: +{added} MB RSS")
    assert float(added) <= 15.0, added
    assert heavy == "" and sandbox == "", out
