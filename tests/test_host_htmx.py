"""The plugin inside htmx admins, in real Chromium: a host whose ``<body hx-boost="true">``
(entered through a boosted link and a boosted sign-in redirect, under a strict CSP), and the same
host with every htmx default its config can change changed. Each runs the whole journey: add a
store, connect it through the sandbox, listing rules, matching."""

from __future__ import annotations

import re

import pytest
from helpers import LiveServer, base_config, dispose, fresh_schema, hx
from host_journey import store_journey, styled
from playwright.sync_api import expect

PREFIX = "/admin/amazon"
PRODUCTS = {"1": 60, "2": 10}

#: A host's htmx.config with every default the plugin's elements could rely on changed.
CHANGED_DEFAULTS = {
    "defaultSwapStyle": "outerHTML", "defaultSwapDelay": 150, "defaultSettleDelay": 700,
    "timeout": 1, "disableInheritance": True, "allowScriptTags": False, "allowEval": False,
    "selfRequestsOnly": False, "historyEnabled": False, "historyCacheSize": 0,
    "refreshOnHistoryMiss": True, "includeIndicatorStyles": False, "withCredentials": True,
    "getCacheBusterParam": True, "ignoreTitle": True, "defaultFocusScroll": True,
    "scrollIntoViewOnBoost": False, "attributesToSettle": [], "globalViewTransitions": True,
    "methodsThatUseUrlParams": ["get"],
}


@pytest.fixture()
def htmx_host(tmp_path, asc_sandbox, asc_sandbox_config):
    """Build and serve the htmx host with the given htmx config; stopped after the test."""
    from hosts import shop_htmx

    made = []

    def start(htmx_config, **config):
        app = shop_htmx.create_app({
            **base_config(tmp_path), **asc_sandbox_config, "HTMX_CONFIG": htmx_config,
            "SHOP_PRODUCTS": PRODUCTS, "SHOP_FORM_ACTION": asc_sandbox.url, **config})
        fresh_schema(app)
        server = LiveServer(app)
        app.config["ASC_AMAZON_REDIRECT_URI"] = asc_sandbox.register(server.url, PREFIX)
        made.append((server, app))
        return app, server

    yield start
    for server, app in made:
        server.stop()
        dispose(app)


def test_a_boosted_visit_gets_a_full_page_and_fragments_stay_fragments(htmx_host):
    app, server = htmx_host({})
    client = app.test_client()
    with client.session_transaction() as session:
        session.update(role="admin", user="admin")
    boosted = client.get(f"{PREFIX}/activity?outcome=error",
                         headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert boosted.status_code == 200
    assert boosted.headers["HX-Redirect"] == f"{PREFIX}/activity?outcome=error"
    assert boosted.get_data() == b""
    fragment = client.get(f"{PREFIX}/stores/new", headers=hx("asc-dialog-body"))
    assert "HX-Redirect" not in fragment.headers
    assert "<html" not in fragment.get_data(as_text=True)
    signed_out = app.test_client().get(f"{PREFIX}/", headers={"HX-Request": "true",
                                                              "HX-Boosted": "true"})
    assert signed_out.headers["HX-Redirect"] == f"{PREFIX}/"  # the guard then answers a page


def _csp_violations(page) -> list[str]:
    """Every CSP violation on the pages this tab opens (as the page's own event reports it)."""
    violations = []
    page.add_init_script("""document.addEventListener("securitypolicyviolation", e =>
        console.warn("CSP violation: " + e.violatedDirective + " " + (e.sample || "")));""")
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "CSP violation" in message.text
            else None)
    return violations


def _journey(page, app, server, name):
    violations = _csp_violations(page)
    errors = []  # (aborted requests, which hx-sync="this:replace" makes, are no error)
    page.on("console", lambda message: errors.append(message.text) if re.search(
        r"htmx:(targetError|sendError|swapError|responseError|timeout|invalidPath|onLoadError"
        r"|evalDisallowedError|historyCacheError)|view transition", message.text) else None)
    # A host's globalViewTransitions would cross-fade the plugin's old count into the new one.
    page.add_init_script("""document.addEventListener("htmx:beforeTransition", e =>
        console.warn("htmx view transition on " + (e.target.id || e.target.tagName)));""")
    # The sign-in redirect: the host's boosted form lands on a plugin page.
    page.goto(f"{server.url}{PREFIX}/")
    expect(page.get_by_role("heading", name="Sign in to the shop admin")).to_be_visible()
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill("admin")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}{PREFIX}/")
    styled(page)
    # A boosted link from a host page that never had the plugin's assets.
    page.goto(f"{server.url}/")
    expect(page.get_by_role("heading", name="Shop dashboard")).to_be_visible()
    assert page.locator("link[href*='asc/asc.css']").count() == 0
    page.get_by_role("link", name="Amazon Sales Channel").click()
    expect(page).to_have_url(f"{server.url}{PREFIX}/")
    styled(page)

    store_journey(page, app, name, products=PRODUCTS['1'])
    assert violations == []
    assert errors == []


@pytest.mark.browser
def test_a_boosted_htmx_host_runs_the_whole_journey(page, htmx_host):
    app, server = htmx_host({"includeIndicatorStyles": False})
    _journey(page, app, server, "30-boosted-host")


@pytest.mark.browser
def test_a_host_that_changes_every_htmx_default_runs_the_whole_journey(page, htmx_host):
    app, server = htmx_host(CHANGED_DEFAULTS)
    _journey(page, app, server, "31-htmx-defaults-host")
    assert page.evaluate("() => htmx.config.defaultSwapStyle") == "outerHTML"  # the host's


#: Text sizes of the plugin's own elements (with their line heights).
TEXT_SIZES = """() => [".asc h1", ".asc-lead", ".asc-subnav a", ".asc-card h3", ".asc-card dt",
  ".asc-card .asc-badge", ".asc-card button"].map(selector => {
  const s = getComputedStyle(document.querySelector(selector));
  return selector + " " + s.fontSize + "/" + s.lineHeight;
})"""


@pytest.mark.browser
def test_a_smaller_host_root_font_and_a_strict_csp_leave_the_plugin_as_it_is(page, htmx_host):
    """A host theme with html { font-size: 13px } and style-src 'self', without htmx of its
    own (the plugin's copy runs): the plugin's text keeps its sizes, nothing inline is written."""
    app, server = htmx_host({}, SHOP_HTMX=False, SHOP_CSS=True)
    violations = _csp_violations(page)
    page.goto(f"{server.url}{PREFIX}/")
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill("admin")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}{PREFIX}/")
    styled(page)
    assert page.evaluate("() => window.htmx.config.includeIndicatorStyles") is False
    store_journey(page, app, "33-small-root-font", products=PRODUCTS["1"])
    page.goto(f"{server.url}{PREFIX}/")
    assert page.evaluate("() => getComputedStyle(document.documentElement).fontSize") == "13px"
    themed = page.evaluate(TEXT_SIZES)
    page.evaluate("() => document.querySelector('link[href$=\"/shop.css\"]').remove()")
    assert page.evaluate("() => getComputedStyle(document.documentElement).fontSize") == "16px"
    assert page.evaluate(TEXT_SIZES) == themed
    assert themed[0].startswith(".asc h1 25.6px")
    assert page.locator("[style]").count() == 0
    assert violations == []
