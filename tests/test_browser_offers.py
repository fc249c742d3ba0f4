"""Listing settings, publishing and Amazon's verdict in Chromium, on the demo with a real job
worker process and the sandbox, in English and Traditional Chinese."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import requests
from browser_support import assert_accessible, settled, shot, sign_in
from helpers import SMALL_CATALOG
from playwright.sync_api import expect
from test_browser import _assert_no_english
from test_browser_listing import _connected_store
from workers import Worker

from asc_plugin.demo.catalog import generate
from asc_plugin.sandbox.listings import PROCESSING_SECONDS

pytestmark = pytest.mark.browser

PRODUCTS = {p.name: p for p in generate("1", SMALL_CATALOG["1"])}


@pytest.fixture()
def worker(app, live, sandbox, tmp_path):
    app.config.update(ASC_LISTINGS_RATE=50.0, ASC_FEED_POLL_SECONDS=0.3)
    requests.post(f"{sandbox.url}/_sandbox/listings/faults", json={"rate_scale": 10},
                  timeout=10).raise_for_status()
    process = Worker(app, tmp_path / "worker.log")
    yield process
    process.stop()


def _matched(page, live, *, zh=False):
    card = _connected_store(page, live, zh=zh)
    card.get_by_role("link", name="檢視商店" if zh else "View Store").click()
    page.get_by_role("link", name=re.compile("刊登預覽|清單預覽") if zh else "Listing preview") \
        .click()
    page.get_by_role("button", name="與Amazon目錄比對" if zh else "Match with Amazon catalog") \
        .click()
    expect(page.get_by_text("上次比對完成於：" if zh else "Last match finished:")).to_be_visible(
        timeout=60000)
    page.goto(page.url.replace("/listing", ""))


def _expected_example(name: str, percent: int, keep: int) -> str:
    product = PRODUCTS[name]
    price = (product.price * (100 + percent) / 100).quantize(Decimal("0.01"))
    listed = max(0, product.quantity - keep)
    return (f"{name}: ${product.price:,.2f} in the shop → ${price:,.2f} on Amazon, "
            f"{listed} of {product.quantity} in stock listed")


def _click_run(page, name, finished="Last run finished:"):
    """Start a run and wait for its end (the panel swapped in, then polled to the end)."""
    with page.expect_response(lambda r: r.url.endswith("/offers/publish")):
        page.get_by_role("button", name=name, exact=True).click()
    settled(page)
    _run_finished(page, finished)


def _run_finished(page, finished="Last run finished:"):
    expect(page.get_by_text(finished)).to_be_visible(timeout=60000)
    settled(page)


def test_settings_example_publish_verdict_fix_and_end_one_offer(page, live, app, sandbox,
                                                                  worker):
    sign_in(page, live.url)
    _matched(page, live)
    panel = page.locator("#asc-offer-settings")
    expect(panel.get_by_role("heading", name="Listing settings")).to_be_visible()
    panel.get_by_label("Adjust by").fill("8")
    panel.get_by_label("Keep back").fill("2")
    example = page.locator("#asc-offer-example li").first
    expect(example).to_contain_text("→")
    settled(page)
    name = example.locator("strong").inner_text()
    expect(example).to_have_text(_expected_example(name, 8, 2))  # live, before saving
    panel.scroll_into_view_if_needed()
    shot(page, "30-listing-settings-example")
    panel.get_by_role("button", name="Save listing settings").click()
    expect(page.locator("#asc-banners")).to_contain_text(
        "Listing settings of “Amazon Store USA” saved.")
    settled(page)
    assert_accessible(page, "#asc-root")

    page.locator("#asc-offer-settings").get_by_role("link", name="Offers on Amazon").click()
    offers_url = page.url.split("?")[0]
    _click_run(page, "Publish")
    tabs = page.get_by_role("navigation", name="Filter by Amazon status")
    expect(tabs).to_contain_text(re.compile(r"Submitted \(\d+\)"))
    shot(page, "31-offers-submitted", full_page=False)

    sandbox.move_clock(days=(PROCESSING_SECONDS + 1) / 86400)
    _click_run(page, "Refresh statuses")
    expect(tabs).to_contain_text(re.compile(r"Active \(\d+\)"))
    expect(tabs).not_to_contain_text("Submitted")
    tabs.get_by_role("link", name=re.compile(r"^Has errors")).click()
    rows = page.locator(".asc-offers tbody tr")
    expect(rows.first).to_contain_text("Maximum Seller Allowed Price")
    expect(rows.first).to_contain_text("purchasable_offer")
    settled(page)
    shot(page, "32-offers-has-errors", full_page=False)

    # Fix the price source: a ceiling under the ASINs' maximum, then publish again.
    page.get_by_role("link", name="Listing settings").first.click()
    page.get_by_label("Ceiling price (optional)").fill("40")
    page.get_by_role("button", name="Save listing settings").click()
    expect(page.locator("#asc-banners")).to_contain_text("saved")
    page.goto(offers_url)
    _click_run(page, "Publish")
    sandbox.move_clock(days=2 * (PROCESSING_SECONDS + 1) / 86400)
    _click_run(page, "Refresh statuses")
    tabs = page.get_by_role("navigation", name="Filter by Amazon status")
    expect(tabs).to_contain_text(re.compile(r"Active \(\d+\)"))
    expect(tabs).not_to_contain_text("Has errors")

    tabs.get_by_role("link", name=re.compile(r"^Active")).click()
    rows = page.locator(".asc-offers tbody tr")
    sku = rows.first.locator("td").first.inner_text()
    rows.first.get_by_role("button", name=re.compile("^End offer")).click()
    expect(page.locator("#asc-banners")).to_contain_text(f"Ending the offer of {sku} on Amazon.")
    _run_finished(page)
    expect(page.get_by_text("Ending…")).to_have_count(0, timeout=30000)
    page.get_by_label("Search by SKU or ASIN").fill(sku)
    expect(page.locator(".asc-offers tbody tr")).to_have_count(1)
    expect(page.locator(".asc-offers tbody tr").first).to_contain_text("Ended")
    settled(page)
    shot(page, "33-offer-ended", full_page=False)
    assert_accessible(page, "#asc-root")
    page.goto(f"{live.url}/admin/amazon/")
    expect(page.locator("article.asc-card")).to_contain_text(
        re.compile(r"\d+ active on Amazon"))


def test_the_same_in_traditional_chinese(browser, live, app, sandbox, worker):
    context = browser.new_context(locale="zh-TW", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, live.url)
    _matched(page, live, zh=True)
    panel = page.locator("#asc-offer-settings")
    panel.get_by_label("調整幅度").fill("8")
    expect(page.locator("#asc-offer-example li").first).to_contain_text("Amazon售價")
    settled(page)
    panel.get_by_role("button", name="儲存清單設定").click()
    expect(page.locator("#asc-banners")).to_contain_text("清單設定已儲存")
    settled(page)
    _assert_no_english(page, "#asc-offer-settings")
    shot(page, "34-zh-listing-settings")
    page.locator("#asc-offer-settings").get_by_role("link", name="Amazon上的報價").click()
    _click_run(page, "發布", "上次作業完成於：")
    sandbox.move_clock(days=(PROCESSING_SECONDS + 1) / 86400)
    _click_run(page, "重新整理狀態", "上次作業完成於：")
    tabs = page.get_by_role("navigation", name="依Amazon狀態篩選")
    expect(tabs).to_contain_text(re.compile(r"使用中 \(\d+\)"))
    settled(page)
    _assert_no_english(page, "#asc-root")
    shot(page, "35-zh-offers", full_page=False)
    context.close()
