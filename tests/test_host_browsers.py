"""The plugin inside other hosts, in real Chromium: Flask-Admin 2 (Bootstrap 4), a Bootstrap 5
admin, hosts that load htmx 2 or htmx 1 themselves, and a session that expires mid-page."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import assert_accessible, settled, shot
from flask import send_file
from helpers import LiveServer, base_config, dispose, fresh_schema, session_cookie
from jinja2 import ChoiceLoader, DictLoader
from playwright.sync_api import expect

from asc_plugin import paths
from asc_plugin.models import ConnectionState, Store
from asc_plugin.state import plugin_state

pytestmark = pytest.mark.browser
PREFIX = "/admin/amazon"
VENDOR = Path(__file__).parent / "vendor"
HTMX_2 = Path(paths.STATIC) / "asc" / "vendor" / paths.HTMX_FILE

#: The docs' host's layout, as a host whose pages already load htmx (or Bootstrap) has it.
LAYOUT = """<!doctype html>
<html><head><title>{% block title %}Shop admin{% endblock %}</title>
  HEAD_EXTRA
  {% block asc_head %}{% endblock %}
</head><body>
  <h1 class="host-title">Shop admin</h1>
  <fieldset class="host-box"><legend>Host legend</legend><dl><dt>Host term</dt></dl></fieldset>
  <main>{% block asc_body %}{% endblock %}</main>
  BODY_EXTRA
</body></html>"""


def _host(tmp_path, sandbox_config, factory=None, *, head="", body="", setup=None):
    from hosts import shop

    tmp_path.mkdir(parents=True, exist_ok=True)
    app = (factory or shop.create_app)({**base_config(tmp_path), **sandbox_config})
    layout = LAYOUT.replace("HEAD_EXTRA", head).replace("BODY_EXTRA", body)
    app.jinja_loader = ChoiceLoader([DictLoader({"layout.html": layout}), app.jinja_loader])

    @app.get("/host-static/<name>")
    def host_static(name):
        files = {"htmx2.js": HTMX_2, "htmx1.js": VENDOR / "htmx-1.9.12.min.js"}
        return send_file(files[name], mimetype="text/javascript")

    fresh_schema(app)
    if setup:
        setup(app)
    return app


@pytest.fixture()
def serve(asc_sandbox):
    servers = []

    def start(app, page):
        server = LiveServer(app)
        app.config["ASC_AMAZON_REDIRECT_URI"] = asc_sandbox.register(server.url, PREFIX)
        page.context.add_cookies([{"name": "session", "url": server.url,
                                   "value": session_cookie(app, role="admin", user="admin")}])
        servers.append((server, app))
        return server

    yield start
    for server, app in servers:
        server.stop()
        dispose(app)


def _add_store_in_dialog(page, name="Amazon Store USA"):
    settled(page)  # htmx is in (until then, links are plain links: the full-page form)
    page.get_by_role("link", name="Add Amazon Store").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("link", name="Continue to Add Amazon Store").click()
    expect(dialog.get_by_role("heading", name="Add Amazon sales channel")).to_be_visible()
    settled(page)
    dialog.get_by_label("Commerce Website to use for Amazon Listing").select_option("1")
    dialog.get_by_label("Email Address").fill("owner@example.com")
    dialog.get_by_label("New Store Name").fill(name)
    dialog.get_by_label("Amazon Marketplace Country").select_option("US")
    marker = dialog.get_by_label("Map a Commerce attribute")
    marker.evaluate("el => el.dataset.marker = 'old'")
    dialog.get_by_label("Product ID on the Amazon market").select_option("UPC")
    expect(dialog.get_by_label("Map a Commerce attribute")).to_have_value("upc")
    assert dialog.get_by_label("Map a Commerce attribute").evaluate(
        "el => el.dataset.marker") is None  # the mapping fragment was swapped in
    dialog.get_by_role("button", name="Connect", exact=True).click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    # The counts came with the new list, out of band (hidden while there was no store).
    expect(page.get_by_role("list", name="Your stores at a glance")).to_be_visible()
    return page.locator("article.asc-card", has_text=name)


def _connect_in_new_tab(page, card):
    with page.context.expect_page() as new_tab:
        card.get_by_role("button", name="Connect store").click()
    amazon = new_tab.value
    amazon.get_by_label("Email or mobile phone number").fill("seller@example.com")
    amazon.get_by_label("Password").fill("sandbox")
    amazon.get_by_role("button", name="Sign in").click()
    amazon.get_by_label("Enter OTP").fill("123456")
    amazon.get_by_role("button", name="Sign in").click()
    amazon.get_by_label("I understand").check()
    amazon.get_by_role("button", name="Next").click()
    amazon.get_by_role("button", name="Continue").click()
    expect(card).to_contain_text("Connected", timeout=15000)


def test_flask_admin_host_add_and_connect_inside_its_layout(page, tmp_path, asc_sandbox_config,
                                                           serve):
    from hosts import shop_admin

    app = shop_admin.create_app({**base_config(tmp_path), **asc_sandbox_config})
    fresh_schema(app)
    server = serve(app, page)
    page.goto(f"{server.url}/admin/")
    page.get_by_role("link", name="Marketing").click()
    page.get_by_role("link", name="Amazon Sales Channel").click()
    expect(page).to_have_title("Amazon Sales Channel - Shop Admin")
    expect(page.locator(".navbar .dropdown-item.active")).to_have_text("Amazon Sales Channel")
    card = _add_store_in_dialog(page)
    _connect_in_new_tab(page, card)
    expect(page.locator("#asc-banners")).to_contain_text(
        "“Amazon Store USA” is connected as Example Outfitters (A3FH4EXAMPLE).")
    assert_accessible(page, "#asc-root")  # Flask-Admin's own chrome is the host's
    shot(page, "13-flask-admin-host")
    with app.app_context():
        store = plugin_state().session.query(Store).one()
        assert store.connection_state is ConnectionState.CONNECTED


#: Computed styles that a host stylesheet (Bootstrap's reboot) would change if it could.
PROBE = """() => Object.fromEntries([
  ["legend", "#asc-mapping legend"], ["dt", ".asc-card dt"], ["h1", ".asc h1"],
  ["label", ".asc-field label"], ["h3", ".asc-card h3"], ["button", ".asc-card button"],
  ["p", ".asc-lead"], ["summary", ".asc-menu summary"],
].map(([name, selector]) => {
  const el = document.querySelector(selector);
  if (!el) { return [name, null]; }
  const s = getComputedStyle(el);
  return [name, ["font-size", "font-weight", "line-height", "margin-top", "margin-bottom",
                 "padding-top", "display", "color", "border-radius", "text-transform",
                 "letter-spacing"].map(p => s.getPropertyValue(p)).join(" ")];
}))"""
HOST_PROBE = """() => ["h1.host-title", ".host-box legend", ".host-box dt"].map(selector => {
  const s = getComputedStyle(document.querySelector(selector));
  return ["font-size", "font-weight", "margin-bottom", "padding-top", "display"].map(
    p => s.getPropertyValue(p)).join(" ");
})"""


def _plugin_styles(page, server):
    page.goto(f"{server.url}{PREFIX}/stores/new?step=form")  # legend, labels…
    form = page.evaluate(PROBE)
    page.goto(f"{server.url}{PREFIX}/")
    cards = page.evaluate(PROBE)
    return {k: form[k] or cards[k] for k in form}


def _seed_store(app):
    from asc_plugin.services import stores

    with app.test_request_context():
        from asc_plugin.models import ProductIdType

        stores.create(name="Probe store", contact_email="p@example.com", website_id="1",
                      marketplace_code="US", amazon_id_type=ProductIdType.UPC,
                      host_attribute_code="upc")
        plugin_state().session.commit()


def test_bootstrap_hosts_do_not_restyle_the_plugin_and_it_does_not_restyle_them(
        page, tmp_path, asc_sandbox_config, serve):
    from flask_bootstrap import Bootstrap5

    plain = _host(tmp_path / "plain", asc_sandbox_config, setup=_seed_store)
    reference = _plugin_styles(page, serve(plain, page))
    assert all(reference.values()), reference

    bootstrap = _host(tmp_path / "bs5", asc_sandbox_config,
                      head="{{ bootstrap.load_css() }}",
                      setup=lambda app: (app.config.update(BOOTSTRAP_SERVE_LOCAL=True),
                                         Bootstrap5(app), _seed_store(app)))
    server = serve(bootstrap, page)
    assert _plugin_styles(page, server) == reference
    shot(page, "14-bootstrap5-host")
    # The host's own elements look as Bootstrap made them, with or without the plugin's CSS.
    page.goto(f"{server.url}{PREFIX}/")
    with_plugin = page.evaluate(HOST_PROBE)
    page.evaluate("() => document.querySelector('link[href*=\"asc/asc.css\"]').remove()")
    assert page.evaluate(HOST_PROBE) == with_plugin
    assert "bootstrap" in page.content()

    from hosts import shop_admin

    (tmp_path / "fa").mkdir()
    admin = shop_admin.create_app({**base_config(tmp_path / "fa"), **asc_sandbox_config})
    fresh_schema(admin)
    _seed_store(admin)
    assert _plugin_styles(page, serve(admin, page)) == reference  # Bootstrap 4 too


def test_a_host_that_loads_htmx_2_keeps_its_single_copy(page, tmp_path, asc_sandbox_config,
                                                        serve):
    app = _host(tmp_path, asc_sandbox_config,
                head='<script src="/host-static/htmx2.js"></script>'
                     '<script>window.htmx.hostCopy = true;</script>')
    server = serve(app, page)
    page.goto(f"{server.url}{PREFIX}/")
    card = _add_store_in_dialog(page)
    expect(card).to_contain_text("Not connected")
    assert page.evaluate("() => window.htmx.hostCopy") is True  # the host's copy is the one
    assert page.evaluate("() => window.htmx.config.allowEval") is True  # its config untouched
    assert page.locator("meta[name='htmx-config']").count() == 0


def test_without_htmx_in_the_host_the_plugin_loads_its_pinned_copy(page, tmp_path,
                                                                   asc_sandbox_config, serve):
    app = _host(tmp_path, asc_sandbox_config)
    server = serve(app, page)
    page.goto(f"{server.url}{PREFIX}/")
    _add_store_in_dialog(page)
    assert page.evaluate("() => window.htmx.version").startswith("2.0.")
    assert page.evaluate("() => window.htmx.config.allowEval") is False  # the plugin's copy


def test_a_host_on_htmx_1_gets_plain_pages_and_one_htmx(page, tmp_path, asc_sandbox_config,
                                                        serve):
    app = _host(tmp_path, asc_sandbox_config,
                head='<script src="/host-static/htmx1.js"></script>')
    server = serve(app, page)
    page.goto(f"{server.url}{PREFIX}/")
    assert page.evaluate("() => window.htmx.version") == "1.9.12"  # the plugin's did not run
    page.get_by_role("link", name="Add Amazon Store").first.click()
    expect(page).to_have_url(f"{server.url}{PREFIX}/stores/new")  # a page, not a dialog
    page.get_by_role("link", name="Continue to Add Amazon Store").click()
    page.get_by_label("Commerce Website to use for Amazon Listing").select_option("1")
    page.get_by_label("Email Address").fill("owner@example.com")
    page.get_by_label("New Store Name").fill("Old htmx store")
    page.get_by_label("Amazon Marketplace Country").select_option("US")
    page.get_by_label("Product ID on the Amazon market").select_option("UPC")
    page.get_by_label("Map a Commerce attribute").select_option("upc")
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.locator("#asc-banners")).to_contain_text("Store “Old htmx store” was added.")
    assert page.evaluate("() => window.htmx.version") == "1.9.12"


def test_an_expired_session_during_htmx_takes_the_browser_to_the_sign_in(page, live):
    from browser_support import sign_in

    sign_in(page, live.url)
    page.get_by_role("link", name="Add Amazon Store").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("link", name="Continue to Add Amazon Store").click()
    settled(page)
    page.context.clear_cookies()  # the session expires while the dialog is open
    dialog.get_by_label("Product ID on the Amazon market").select_option("EAN")
    expect(page).to_have_url(f"{live.url}/login?next=/admin/amazon/")
    expect(page.get_by_role("heading", name="Sign in to the Demo Shop admin")).to_be_visible()
    assert page.locator("#asc-dialog").count() == 0


def test_flask_migrate_host_add_and_connect_after_its_own_migrations(
        page, tmp_path, asc_sandbox_config, serve, monkeypatch):
    """The docs' Flask-Migrate host, set up as the docs say: its own migrations, then the
    plugin's; its next autogenerate finds nothing to drop; then the journey in the browser."""
    from helpers import empty_schema
    from hosts import shop_migrate

    monkeypatch.chdir(tmp_path)
    app = empty_schema(shop_migrate.create_app({**base_config(tmp_path), **asc_sandbox_config}))
    runner = app.test_cli_runner()
    for args in (["db", "init"], ["db", "migrate", "-m", "shop"], ["db", "upgrade"],
                 ["asc", "db", "upgrade"]):
        assert runner.invoke(args=args).exit_code == 0, args
    assert "No changes in schema detected." in runner.invoke(args=["db", "migrate"]).output
    server = serve(app, page)
    page.goto(f"{server.url}{PREFIX}/")
    card = _add_store_in_dialog(page)
    _connect_in_new_tab(page, card)
    expect(card).to_contain_text("as Example Outfitters (A3FH4EXAMPLE)")
    empty_schema(app)
