"""Price and quantity sync in Chromium on the demo, in English and Traditional Chinese: the
merchant changes a product's price and stock in the demo's catalog, clicks Sync now, and
Amazon's listing follows (the offers page says what Amazon got and when); an imported Amazon
order lowers the stock and the next sync sends the lower quantity."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from browser_support import assert_accessible, settled, shot, sign_in
from playwright.sync_api import expect
from test_browser import _assert_no_english
from test_browser_offers import _click_run, _matched, worker  # noqa: F401 - the fixture

from asc_plugin.sandbox.listings import PROCESSING_SECONDS

pytestmark = pytest.mark.browser

EN = {"save": "Save listing settings", "offers": "Offers on Amazon", "publish": "Publish",
      "refresh": "Refresh statuses", "finished": "Last run finished:", "view": "View Store",
      "tabs": "Filter by Amazon status", "active": r"^Active", "sync": "Sync now",
      "import": "Import orders now", "got": "Amazon got it at", "units": "units",
      "search": "Search by SKU or ASIN"}
ZH = {"save": "儲存清單設定", "offers": "Amazon上的報價", "publish": "發布",
      "refresh": "重新整理狀態", "finished": "上次作業完成於：", "view": "檢視商店",
      "tabs": "依Amazon狀態篩選", "active": r"^使用中", "sync": "立即同步",
      "import": "立即匯入訂單", "got": "Amazon收到時間：", "units": "件",
      "search": "依SKU或ASIN搜尋"}


def amazon_listing_of(app, sku):
    """The listing as Amazon (the sandbox) shows it to the store's seller."""
    from asc_plugin.amazon import listings
    from asc_plugin.models import Store
    from asc_plugin.services.offer_runs import seller_of
    from asc_plugin.state import plugin_state

    with app.app_context():
        session = plugin_state().session
        store = session.scalars(session.query(Store).statement).first()
        return listings.get(seller_of(store), sku)


def _edit_in_catalog(page, live, sku, price, stock):
    """The demo shop's catalog: find the product's row (five pages at most), change it."""
    for number in range(1, 7):
        page.goto(f"{live.url}/catalog?page={number}")
        if page.get_by_role("button", name=f"Save {sku}", exact=True).count():
            break
    page.get_by_label(f"{sku}: new amount", exact=True).fill(price)
    page.get_by_label(f"{sku}: units on hand", exact=True).fill(str(stock))
    page.get_by_role("button", name=f"Save {sku}", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"{sku} saved")


def _journey(page, live, app, sandbox, words, *, zh=False, shots=("40", "41")):
    sign_in(page, live.url)
    sandbox.order_settings(interval=0)
    _matched(page, live, zh=zh)
    page.locator("#asc-offer-settings").get_by_role("button", name=words["save"]).click()
    settled(page)
    page.locator("#asc-offer-settings").get_by_role("link", name=words["offers"]).click()
    offers_url = page.url.split("?")[0]
    _click_run(page, words["publish"], words["finished"])
    sandbox.move_clock(days=(PROCESSING_SECONDS + 1) / 86400)
    _click_run(page, words["refresh"], words["finished"])
    tabs = page.get_by_role("navigation", name=words["tabs"])
    tabs.get_by_role("link", name=re.compile(words["active"])).click()
    expect(tabs.get_by_role("link", name=re.compile(words["active"]))).to_have_attribute(
        "aria-current", "true")
    rows = page.locator(".asc-offers tbody tr")
    expect(rows.locator(".asc-badge").first).to_have_text(re.compile(words["active"][1:]))
    sku = rows.first.locator("td").first.inner_text()

    _edit_in_catalog(page, live, sku, "12.34", 7)
    dashboard = offers_url.removesuffix("/offers")
    page.goto(dashboard)
    panel = page.locator("#asc-sync")
    panel.get_by_role("button", name=words["sync"]).click()
    expect(page.locator("#asc-banners")).to_contain_text(
        "Amazon接受了1筆價格或數量更新" if zh else "1 price or quantity update accepted by Amazon")
    listing = amazon_listing_of(app, sku)
    assert (listing.price, listing.quantity) == (Decimal("12.34"), 7)  # Amazon followed
    settled(page)
    if zh:
        _assert_no_english(page, "#asc-sync")
    panel.scroll_into_view_if_needed()
    shot(page, f"{shots[0]}-{'zh-' if zh else ''}sync-panel", full_page=False)
    assert_accessible(page, "#asc-root")

    page.goto(offers_url)
    page.get_by_label(words["search"]).fill(sku)
    row = page.locator(".asc-offers tbody tr", has_text=sku)
    expect(page.locator(".asc-offers tbody tr")).to_have_count(1)
    expect(row.locator(".asc-badge")).to_have_text(re.compile(words["active"][1:]))
    sent = row.locator("td.asc-sent")
    expect(sent).to_contain_text("$12.34")
    expect(sent).to_contain_text(re.compile(rf"7\s*{words['units']}"))
    expect(sent).to_contain_text(words["got"])
    settled(page)
    shot(page, f"{shots[1]}-{'zh-' if zh else ''}offer-sent", full_page=False)

    # An Amazon order: imported into the shop, its stock goes down, the next sync sends it.
    sandbox.move_clock(days=(PROCESSING_SECONDS + 1) / 86400 + 2 / 1440)
    sandbox.place_order(sku, 2)
    page.goto(dashboard)
    page.locator("#asc-orders").get_by_role("button", name=words["import"]).click()
    expect(page.locator("#asc-orders tbody tr")).to_have_count(1)
    page.locator("#asc-sync").get_by_role("button", name=words["sync"]).click()
    expect(page.locator("#asc-banners")).to_contain_text(
        "Amazon接受了1筆價格或數量更新" if zh else "1 price or quantity update accepted by Amazon")
    assert amazon_listing_of(app, sku).quantity == 5
    page.goto(offers_url)
    page.get_by_label(words["search"]).fill(sku)
    sent = page.locator(".asc-offers tbody tr", has_text=sku).locator("td.asc-sent")
    expect(sent).to_contain_text(re.compile(rf"5\s*{words['units']}"))


def test_a_price_and_stock_change_reaches_amazon(page, live, app, sandbox, worker):  # noqa: F811
    _journey(page, live, app, sandbox, EN)


def test_the_same_in_traditional_chinese(browser, live, app, sandbox, worker):  # noqa: F811
    context = browser.new_context(locale="zh-TW", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    _journey(page, live, app, sandbox, ZH, zh=True)
    context.close()
