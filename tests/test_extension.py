"""The extension's contract with a host: init_app, config, access, templates, nav."""

from __future__ import annotations

import pytest
from flask import Flask, render_template_string
from flask_sqlalchemy import SQLAlchemy

from asc_plugin import AmazonSalesChannel, BaseHost, ConfigurationError, config

REDIRECT = "https://shop.example.com/admin/amazon/connect/callback"
KEY = "rAqSqzeoFSSJSN-2L9QGa2bzVRnGLwAlEw1Rnz2U-FU="


def _bare_app(**config_):
    app = Flask(__name__)
    app.config.update(SQLALCHEMY_DATABASE_URI="sqlite://", SECRET_KEY="k", **config_)
    db = SQLAlchemy(app)
    return app, db


def test_init_app_factory_style_and_state_in_extensions():
    app, db = _bare_app(TESTING=True)
    ext = AmazonSalesChannel(db=db)
    ext.init_app(app)
    assert app.extensions["asc"].db is db
    assert not hasattr(ext, "app")
    assert app.config["ASC_URL_PREFIX"] == "/admin/amazon"
    assert set(config.DEFAULTS) <= set(app.config)


def test_the_state_is_typed_and_holds_what_init_app_was_given():
    from asc_plugin.host import Host
    from asc_plugin.state import AscState, current_app_object, plugin_state

    app, db = _bare_app(TESTING=True)
    AmazonSalesChannel(app, db=db)
    with app.app_context():
        found = plugin_state()
        assert isinstance(found, AscState) and found is app.extensions["asc"]
        assert found.db is db and found.session is db.session
        assert isinstance(found.host, Host) and type(found.host) is BaseHost
        assert current_app_object() is app
    app.extensions["asc"] = {"not": "the state"}
    with app.app_context(), pytest.raises(AssertionError):
        plugin_state()


def test_can_manage_allows_every_store_until_a_host_says_otherwise():
    from asc_plugin.services import stores
    from asc_plugin.state import plugin_state

    class PerStore(BaseHost):
        def can_manage(self, store):
            return store.name.startswith("mine")

    class Structural:  # a host that implements the protocol without BaseHost or can_manage
        base_template = "x.html"

    app, db = _bare_app(TESTING=True)
    AmazonSalesChannel(app, db=db, host=BaseHost())
    mine, theirs = type("S", (), {"name": "mine 1"})(), type("S", (), {"name": "other"})()
    with app.app_context():
        assert BaseHost().can_manage(theirs) is True
        assert not stores._filters_per_store() and stores.may_manage(theirs)
        for host in (PerStore(), _with_instance_check(BaseHost())):
            plugin_state().host = host
            assert stores._filters_per_store()
            assert stores.may_manage(mine) and not stores.may_manage(theirs)
        plugin_state().host = Structural()
        assert not stores._filters_per_store() and stores.may_manage(theirs)


def _with_instance_check(host):
    host.can_manage = lambda store: store.name.startswith("mine")
    return host


def test_second_registration_says_what_to_do():
    app, db = _bare_app(TESTING=True)
    AmazonSalesChannel(app, db=db)
    with pytest.raises(RuntimeError, match="already registered.*once per app.*app factory.*"
                                           "ext.init_app"):
        AmazonSalesChannel(app, db=db)


def test_host_config_wins_over_defaults():
    app, db = _bare_app(TESTING=True, ASC_URL_PREFIX="/backend/amazon")
    AmazonSalesChannel(app, db=db)
    assert app.url_map.bind("x").match("/backend/amazon/")[0] == "asc.home"


def test_missing_db_is_a_clear_error():
    app = Flask(__name__)
    with pytest.raises(ConfigurationError, match="Flask-SQLAlchemy instance"):
        AmazonSalesChannel(app)


def test_production_without_encryption_key_starts_warns_once_and_refuses_token_use(caplog):
    from asc_plugin.errors import SettingsMissing
    from asc_plugin.state import plugin_state

    app, db = _bare_app(ASC_AMAZON_REDIRECT_URI=REDIRECT, ASC_URL_PREFIX="/admin/no-keys")
    AmazonSalesChannel(app, db=db)  # the host's own commands must run without Amazon settings
    warnings = [r.getMessage() for r in caplog.records if "ASC_ENCRYPTION_KEYS" in r.getMessage()]
    assert len(warnings) == 1 and "flask asc check-config" in warnings[0]
    with app.app_context(), pytest.raises(SettingsMissing, match="ASC_ENCRYPTION_KEYS"):
        plugin_state().cipher.encrypt("Atzr|token")


def test_debug_without_a_key_runs_on_a_throwaway_key_and_says_so_loudly(caplog):
    app, db = _bare_app(DEBUG=True)
    AmazonSalesChannel(app, db=db)
    assert "THROWAWAY key" in caplog.text and "ASC_ENCRYPTION_KEYS" in caplog.text


def test_bad_encryption_key_is_a_clear_error():
    app, db = _bare_app(ASC_ENCRYPTION_KEYS="not-a-key", ASC_AMAZON_REDIRECT_URI=REDIRECT)
    with pytest.raises(ConfigurationError, match="not a Fernet key"):
        AmazonSalesChannel(app, db=db)


def test_production_needs_a_redirect_uri_not_the_host_header():
    from asc_plugin.errors import SettingsMissing
    from asc_plugin.services.connection import redirect_uri

    app, db = _bare_app(ASC_ENCRYPTION_KEYS=[KEY])
    AmazonSalesChannel(app, db=db)  # starts; what needs the URI refuses
    with app.test_request_context("/", base_url="https://evil.example"), pytest.raises(
            SettingsMissing, match="ASC_AMAZON_REDIRECT_URI"):
        redirect_uri()
    for setting in ({"ASC_AMAZON_REDIRECT_URI": REDIRECT}, {"SERVER_NAME": "shop.example.com"}):
        app, db = _bare_app(ASC_ENCRYPTION_KEYS=[KEY], **setting)
        AmazonSalesChannel(app, db=db)
        with app.test_request_context("/", base_url="https://shop.example.com"):
            assert redirect_uri().startswith("https://shop.example.com/admin/amazon/")


def test_unconfigured_host_denies_everyone():
    app, db = _bare_app(TESTING=True)
    AmazonSalesChannel(app, db=db)
    client = app.test_client()
    for path in ("/admin/amazon/", "/admin/amazon/stores/new", "/admin/amazon/learning"):
        assert client.get(path).status_code == 403


def test_a_custom_host_is_consulted_on_every_request():
    calls = []

    class Host(BaseHost):
        def can_access(self):
            calls.append("checked")
            return True

    app, db = _bare_app(TESTING=True)
    AmazonSalesChannel(app, db=db, host=Host())
    with app.app_context():
        from asc_plugin.models import metadata

        metadata.create_all(db.engine)
    response = app.test_client().get("/admin/amazon/")
    assert response.status_code == 200
    assert calls == ["checked"]
    assert "No Amazon stores yet" in response.text
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "HX-Request" in response.headers["Vary"]


def test_host_templates_override_the_plugins(tmp_path):
    (tmp_path / "asc").mkdir()
    (tmp_path / "asc" / "_store_list.html").write_text("<p>host's own store list</p>")

    class Host(BaseHost):
        def can_access(self):
            return True

    app = Flask(__name__, template_folder=str(tmp_path))
    app.config.update(SQLALCHEMY_DATABASE_URI="sqlite://", SECRET_KEY="k", TESTING=True)
    db = SQLAlchemy(app)
    AmazonSalesChannel(app, db=db, host=Host())
    with app.app_context():
        from asc_plugin.models import metadata

        metadata.create_all(db.engine)
    assert "host's own store list" in app.test_client().get("/admin/amazon/").text


def test_nav_entry_for_host_templates(app):
    with app.test_request_context("/admin/amazon/"):
        app.preprocess_request()
        html = render_template_string(
            "{{ asc_nav_entry.section }} > {{ asc_nav_entry.group }} > "
            "<a href='{{ asc_nav_entry.url }}'>{{ asc_nav_entry.label }}</a>")
    assert html == "Marketing > Channels > <a href='/admin/amazon/'>Amazon Sales Channel</a>"


def test_private_authlib_registry_leaves_host_authlib_alone():
    from authlib.integrations.flask_client import OAuth

    from asc_plugin.amazon import oauth

    app, db = _bare_app(TESTING=True)
    host_oauth = OAuth(app)
    AmazonSalesChannel(app, db=db)
    with app.app_context():
        ours = oauth.client(app)
    assert app.extensions["authlib.integrations.flask_client"] is host_oauth
    assert ours.name == "amazon" and app.extensions["asc"].lazy["oauth"] is not host_oauth
    assert host_oauth._registry == {}  # noqa: SLF001 - nothing registered on the host's


def test_store_url_table_matches_url_for(app):
    from flask import url_for

    from asc_plugin.views.urls import STORE_PATHS, store_urls

    with app.test_request_context():
        urls = store_urls(42)
        for endpoint in STORE_PATHS:
            assert urls[endpoint] == url_for(f"asc.{endpoint}", store_id=42)
