"""Listing rules, catalog matching and the listing preview in Chromium, on the demo with a real
job worker process, in English and Traditional Chinese — and the rule form without JavaScript."""

from __future__ import annotations

import re

import pytest
from browser_support import assert_accessible, settled, shot, sign_in
from helpers import SMALL_CATALOG
from playwright.sync_api import expect
from test_browser import _assert_no_english, _seller_central, seller_central_zh
from workers import Worker

from asc_plugin.demo.catalog import generate
from asc_plugin.models import ListingItem
from asc_plugin.services import matching
from asc_plugin.state import plugin_state

pytestmark = pytest.mark.browser

PRODUCTS = generate("1", SMALL_CATALOG["1"])


@pytest.fixture()
def worker(app, live, tmp_path):
    process = Worker(app, tmp_path / "worker.log")
    yield process
    process.stop()


def _connected_store(page, live, *, zh=False):
    """Add a US store matched by UPC, and connect it in Seller Central's tab."""
    page.goto(f"{live.url}/admin/amazon/stores/new?step=form")
    labels = (("用於Amazon清單的Demo Shop網站", "電子郵件地址", "新商店名稱",
               "Amazon站點國家／地區", "Amazon站點上的產品ID", "連線", "連線商店") if zh else
              ("Demo Shop Website to use for Amazon Listing", "Email Address", "New Store Name",
               "Amazon Marketplace Country", "Product ID on the Amazon market", "Connect",
               "Connect store"))
    page.get_by_label(labels[0]).select_option("1")
    page.get_by_label(labels[1]).fill("owner@example.com")
    page.get_by_label(labels[2]).fill("Amazon Store USA")
    page.get_by_label(labels[3]).select_option("US")
    page.get_by_label(labels[4]).select_option("UPC")
    page.get_by_role("button", name=labels[5], exact=True).click()
    card = page.locator("article.asc-card", has_text="Amazon Store USA")
    with page.context.expect_page() as tab:
        card.get_by_role("button", name=labels[6]).click()
    (seller_central_zh if zh else _seller_central)(tab.value)
    tab.value.close()
    expect(card.locator(".asc-badge", has_text=re.compile("Connected|已連線"))).to_be_visible(
        timeout=10000)
    return card


def _count_text(listed):
    return f"{listed} of {len(PRODUCTS)} products on Main Website match"


def _offer_candidate(app, sku: str) -> str:
    """An ASIN among the product's matches that can take an offer (not a variation parent)."""
    with app.app_context():
        item = plugin_state().session.query(ListingItem).filter_by(sku=sku).one()
        return next(c["asin"] for c in matching.candidates(item)
                    if c["classification"] != "VARIATION_PARENT")


@pytest.mark.db  # one of the browser journeys the PostgreSQL pass runs too
def test_rules_live_count_match_with_progress_preview_and_pick(page, live, app, worker):
    sign_in(page, live.url)
    card = _connected_store(page, live)
    card.get_by_role("link", name="View Store").click()
    page.get_by_role("link", name="Create listing rules").click()
    expect(page.get_by_role("heading", name="Listing rules")).to_be_visible()
    count = page.locator("#asc-rule-count")
    expect(count).to_contain_text(_count_text(len(PRODUCTS)))
    settled(page)
    page.get_by_role("button", name="Add condition").click()
    row = page.locator("#asc-rule-row-0")
    expect(row).to_be_visible()
    row.get_by_label("Field").select_option(label="Price")
    expect(row.get_by_label("Comparison").locator("option", has_text="is greater than")) \
        .to_have_count(1)
    row = page.locator("#asc-rule-row-0")
    row.get_by_label("Comparison").select_option(label="is less than")
    page.locator("#asc-rule-row-0").get_by_label("Value").fill("50")
    cheap = sum(1 for p in PRODUCTS if p.price < 50)
    expect(count).to_contain_text(_count_text(cheap))  # live, before saving
    page.get_by_role("button", name="Add condition").click()
    second = page.locator("#asc-rule-row-1")
    expect(second).to_be_visible()
    settled(page)
    second.get_by_label("Field").select_option(label="Quantity in stock")
    settled(page)
    page.locator("#asc-rule-row-1").get_by_label("Comparison").select_option(
        label="is greater than")
    page.locator("#asc-rule-row-1").get_by_label("Value").fill("0")
    listed = sum(1 for p in PRODUCTS if p.price < 50 and p.quantity > 0)
    expect(count).to_contain_text(_count_text(listed))
    page.get_by_label("any of these conditions holds").check()
    either = sum(1 for p in PRODUCTS if p.price < 50 or p.quantity > 0)
    expect(count).to_contain_text(_count_text(either))
    page.get_by_label("all of these conditions hold").check()
    expect(count).to_contain_text(_count_text(listed))
    settled(page)
    shot(page, "20-listing-rules")
    assert_accessible(page, "#asc-root")
    page.get_by_role("button", name="Save rule").click()
    expect(page.locator("#asc-banners")).to_contain_text(
        "Listing rule of “Amazon Store USA” saved.")

    page.get_by_role("link", name="Listing preview").click()
    page.get_by_role("button", name="Match with Amazon catalog").click()
    bar = page.locator("#asc-match progress")
    expect(bar).to_be_visible()
    expect(page.get_by_text("Looking products up in Amazon's catalog")).to_be_visible()
    expect(bar).to_have_attribute("value", re.compile(r"^[1-9]"))  # moving
    settled(page)
    shot(page, "21-matching-progress", full_page=False)
    page.reload()  # the job lives on: the bar comes back
    expect(page.locator("#asc-match progress").or_(page.get_by_text("Last match finished:"))) \
        .to_be_visible()
    expect(page.get_by_text("Last match finished:")).to_be_visible(timeout=60000)
    tabs = page.get_by_role("navigation", name="Filter by status")
    expect(tabs).to_contain_text("Excluded by the rules")
    expect(tabs).to_contain_text("Matched")
    tabs.get_by_role("link", name=re.compile("^Several matches")).click()
    expect(page).to_have_url(re.compile(r"/listing\?status=several$"))
    rows = page.locator(".asc-listing tbody tr")
    expect(rows.first).to_contain_text("Several matches")
    settled(page)
    shot(page, "22-listing-preview-several", full_page=False)
    first = rows.first
    sku = first.locator("td").first.inner_text()
    other = rows.nth(1).locator("td").first.inner_text()
    first.get_by_role("button", name=f"Choose {_offer_candidate(app, sku)}").click()
    expect(page.locator(f"tr:has(td:text-is('{sku}'))")).to_contain_text("chosen by an admin")
    expect(page.locator("#asc-banners")).to_contain_text(f"{sku} is matched with ASIN")
    page.get_by_label("Search by SKU or name").fill(other)  # within "Several matches"
    expect(page).to_have_url(re.compile(rf"status=several&q={re.escape(other)}"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(other)
    page.go_back()
    expect(page).to_have_url(re.compile(r"/listing\?status=several$"))
    assert_accessible(page, "#asc-root")
    page.goto(f"{live.url}/admin/amazon/")
    expect(page.locator("article.asc-card")).to_contain_text(re.compile(r"\d+ matched of \d+"))


def test_the_same_in_traditional_chinese(browser, live, app, worker):
    context = browser.new_context(locale="zh-TW", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, live.url)
    card = _connected_store(page, live, zh=True)
    card.get_by_role("link", name="檢視商店").click()
    page.get_by_role("link", name="建立清單規則").click()
    count = page.locator("#asc-rule-count")
    settled(page)
    page.get_by_role("button", name="新增條件").click()
    row = page.locator("#asc-rule-row-0")
    row.get_by_label("欄位").select_option(label="類別")
    page.locator("#asc-rule-row-0").get_by_label("值").fill("Apparel")
    apparel = sum(1 for p in PRODUCTS if "Apparel" in p.category)
    expect(count).to_contain_text(f"Main Website上{len(PRODUCTS)}項產品中有{apparel}項符合")
    settled(page)
    _assert_no_english(page, "#asc-root")
    shot(page, "23-zh-listing-rules")
    page.get_by_role("button", name="儲存規則").click()
    page.get_by_role("link", name="清單預覽").click()
    page.get_by_role("button", name="與Amazon目錄比對").click()
    expect(page.get_by_text("上次比對完成於：")).to_be_visible(timeout=60000)
    page.get_by_role("navigation", name="依狀態篩選").get_by_role(
        "link", name=re.compile("^多個相符")).click()
    rows = page.locator(".asc-listing tbody tr")
    expect(rows.first).to_contain_text("多個相符")
    settled(page)  # the filtered list is in (a click on the old one's row would be dropped)
    rows.first.get_by_role("button", name=re.compile("^選擇")).first.click()
    expect(page.locator("#asc-banners")).to_contain_text("已與ASIN")
    settled(page)
    _assert_no_english(page, "#asc-root")
    shot(page, "24-zh-listing-preview", full_page=False)
    context.close()


def test_the_rule_form_works_without_javascript(browser, live, app, sandbox):
    context = browser.new_context(java_script_enabled=False,
                                  viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, live.url, "/admin/amazon/stores/new?step=form")
    page.get_by_label("Demo Shop Website to use for Amazon Listing").select_option("1")
    page.get_by_label("Email Address").fill("owner@example.com")
    page.get_by_label("New Store Name").fill("No JS Store")
    page.get_by_label("Amazon Marketplace Country").select_option("US")
    page.get_by_label("Product ID on the Amazon market").select_option("UPC")
    page.get_by_role("button", name="Connect", exact=True).click()
    page.get_by_role("link", name="View Store").click()
    page.get_by_role("link", name="Create listing rules").click()
    page.get_by_role("button", name="Add condition").click()
    page.locator("#asc-rule-row-0").get_by_label("Field").select_option(label="Category")
    page.locator("#asc-rule-row-0").get_by_label("Value").fill("Books")
    page.get_by_role("button", name="Update preview").click()
    books = sum(1 for p in PRODUCTS if "Books" in p.category)
    expect(page.locator("#asc-rule-count")).to_contain_text(_count_text(books))
    page.get_by_role("button", name="Add condition").click()
    expect(page.locator("#asc-rule-row-1")).to_be_visible()
    page.locator("#asc-rule-row-1").get_by_role("button", name="Remove").click()
    expect(page.locator("#asc-rule-row-1")).to_have_count(0)
    expect(page.locator("#asc-rule-row-0").get_by_label("Value")).to_have_value("Books")
    page.get_by_role("button", name="Save rule").click()
    expect(page.get_by_text("Listing rule of “No JS Store” saved.")).to_be_visible()
    expect(page.locator("#asc-rule-row-0").get_by_label("Value")).to_have_value("Books")
    context.close()
