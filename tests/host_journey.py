"""The merchant's journey in a host, in Chromium, from the plugin's home: add a store in the
dialog, connect it through the sandbox's Seller Central, a listing rule, a catalog match."""

from __future__ import annotations

import re

from browser_support import settled, shot
from playwright.sync_api import expect
from test_host_browsers import _add_store_in_dialog, _connect_in_new_tab

from asc_plugin.models import ConnectionState, Store
from asc_plugin.state import plugin_state
from asc_plugin.testing import run_match_jobs


def styled(page):
    """The plugin's CSS and JS are in: its sub-navigation laid out by asc.css, asc.js ran."""
    expect(page.locator("html")).to_have_class(re.compile(r"\basc-js\b"))
    assert page.locator(".asc-subnav ul").evaluate(
        "el => getComputedStyle(el).display") == "flex"


def store_journey(page, app, name, *, products):
    """From the plugin's home (no store yet) to a matched store; screenshots named ``name-…``.
    ``products``: how many products website 1 has. Match jobs run here, as the host's worker."""
    card = _add_store_in_dialog(page)
    shot(page, f"{name}-added")
    _connect_in_new_tab(page, card)
    expect(page.locator("#asc-banners")).to_contain_text(
        "“Amazon Store USA” is connected as Example Outfitters (A3FH4EXAMPLE).")
    settled(page)
    shot(page, f"{name}-connected")

    card.get_by_role("link", name="View Store").click()
    styled(page)
    page.get_by_role("link", name="Create listing rules").click()
    count = page.locator("#asc-rule-count")
    expect(count).to_contain_text(f"{products} of {products} products")
    settled(page)
    page.get_by_role("button", name="Add condition").click()
    row = page.locator("#asc-rule-row-0")
    expect(row).to_be_visible()
    settled(page)
    row.get_by_label("Field").select_option(label="Price")
    settled(page)
    page.locator("#asc-rule-row-0").get_by_label("Comparison").select_option(label="is less than")
    page.locator("#asc-rule-row-0").get_by_label("Value").fill("50")
    expect(count).not_to_contain_text(f"{products} of {products} products")
    settled(page)
    shot(page, f"{name}-rules")
    page.get_by_role("button", name="Save rule").click()
    expect(page.locator("#asc-banners")).to_contain_text(
        "Listing rule of “Amazon Store USA” saved.")

    page.get_by_role("link", name="Listing preview").click()
    page.get_by_role("button", name="Match with Amazon catalog").click()
    expect(page.locator("#asc-match")).to_contain_text(re.compile("Looking|Waiting|queued|start",
                                                                  re.I))
    assert run_match_jobs(app)  # the host's worker, here
    expect(page.get_by_text("Last match finished:")).to_be_visible(timeout=20000)
    tabs = page.get_by_role("navigation", name="Filter by status")
    expect(tabs).to_contain_text("Matched")
    settled(page)
    shot(page, f"{name}-matched", full_page=False)
    with app.app_context():
        store = plugin_state().session.query(Store).one()
        assert store.connection_state is ConnectionState.CONNECTED
    with app.app_context():
        store = plugin_state().session.query(Store).one()
        assert store.connection_state is ConnectionState.CONNECTED
