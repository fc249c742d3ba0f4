"""Numbers read alike everywhere (2,400, never 2400), in English and Traditional Chinese: the
live count, the preview's counts, the store card and the activity log of a 2,400-product store."""

from __future__ import annotations

import re

import pytest
from browser_support import settled, sign_in
from helpers import connected_store, start_match
from playwright.sync_api import expect

from asc_plugin.testing import run_match_jobs

pytestmark = pytest.mark.browser
PRODUCTS = 2400
UNGROUPED = re.compile(r"(?<![\d,.])\d{4,}(?![\d,])")


@pytest.fixture()
def app(make_app):
    return make_app(DEMO_PRODUCTS={"1": PRODUCTS, "2": 80})


@pytest.fixture()
def matched(app, admin, sandbox):
    sandbox.settings(catalog_rate=100, catalog_burst=100)
    app.config["ASC_CATALOG_RATE"] = 100
    store = connected_store(app, admin)
    assert start_match(admin, store.id).status_code == 303
    assert run_match_jobs(app) == ["done"]
    return store


@pytest.mark.parametrize("locale", ["en-US", "zh-TW"])
def test_counts_are_grouped_the_same_way_everywhere(browser, live, matched, locale):
    context = browser.new_context(locale=locale, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, live.url)
    base = f"{live.url}/admin/amazon"
    places = [("/", ".asc-card-catalog"),
              (f"/stores/{matched.id}/rules", "#asc-rule-count"),
              (f"/stores/{matched.id}/listing", "#asc-status-tabs"),
              ("/activity", "#asc-activity .asc-log li:first-child > div")]
    for path, selector in places:
        page.goto(base + path)
        settled(page)
        region = page.locator(selector).first
        expect(region).to_contain_text("2,400")
        text = region.evaluate("""el => {  // what it says, without dates and ids
            const copy = el.cloneNode(true);
            copy.querySelectorAll('.asc-who, time, .asc-asin').forEach(n => n.remove());
            return copy.innerText; }""")
        assert not UNGROUPED.search(text), (path, text)
    context.close()
