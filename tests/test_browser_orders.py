"""Amazon orders in Chromium on the demo, in English and Traditional Chinese: an order placed on
Amazon appears on the store dashboard and in the demo shop's orders, the shop's stock goes down;
an order with a SKU the shop lacks shows as Needs attention (on the home card too) and imports
once the product exists."""

from __future__ import annotations

import re

import pytest
from browser_support import assert_accessible, settled, shot, sign_in
from playwright.sync_api import expect
from test_browser import _assert_no_english
from test_browser_listing import _connected_store

pytestmark = pytest.mark.browser


def _later(sandbox, minutes):
    sandbox.move_clock(days=sandbox.state.clock_offset / 86400 + minutes / 1440)


def _stock(page, live, sku, *, added=False):
    """The stock the demo's catalog shows (products added by hand are on its last page)."""
    page.goto(f"{live.url}/catalog" + ("?page=99999" if added else ""))
    row = page.locator("tr", has=page.locator(f"td:text-is('{sku}')"))
    return int(row.locator("td").nth(4).inner_text())


def _add_product(page, live, sku):
    page.goto(f"{live.url}/catalog")
    page.get_by_text("Add a product").click()
    page.get_by_label("SKU").fill(sku)
    page.get_by_label("Name").fill("Desk Lamp")
    page.get_by_label("Price").fill("40.00")
    page.get_by_label("Stock").fill("10")
    page.get_by_role("button", name="Add product").click()
    expect(page.get_by_role("status")).to_contain_text(f"Product {sku} added.")


def test_amazon_orders_reach_the_shop_and_the_dashboard(page, live, app, sandbox):
    sandbox.order_settings(interval=0)
    sign_in(page, live.url)
    card = _connected_store(page, live)
    _later(sandbox, 2)
    before = _stock(page, live, "TRS-001")
    (order_id,) = sandbox.place_order("TRS-001", 2)
    (unknown,) = sandbox.place_order("LAMP-NEW", 1)

    page.goto(f"{live.url}/admin/amazon/")
    card.get_by_role("link", name="View Store").click()
    panel = page.locator("#asc-orders")
    expect(panel.get_by_role("heading", name="Amazon orders")).to_be_visible()
    expect(panel).to_contain_text("No Amazon order has come in yet.")
    panel.get_by_role("button", name="Import orders now").click()
    expect(page.locator("#asc-banners")).to_contain_text(
        "1 Amazon order imported, 1 needing attention, 0 cancelled.")
    rows = panel.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(unknown)  # Needs attention first
    expect(rows.first).to_contain_text("Needs attention")
    expect(rows.first).to_contain_text("No product of the website has the SKU LAMP-NEW")
    expect(rows.nth(1)).to_contain_text(order_id)
    expect(rows.nth(1)).to_contain_text("Imported")
    expect(panel).to_contain_text("1 order needs attention")
    settled(page)
    panel.scroll_into_view_if_needed()
    shot(page, "30-amazon-orders", full_page=False)
    assert_accessible(page, "#asc-root")

    page.goto(f"{live.url}/admin/amazon/")  # the home card says so too
    expect(page.locator("article.asc-card .asc-card-orders")).to_have_text(
        "1 order needs attention")

    page.goto(f"{live.url}/orders")
    shop = page.locator("#demo-orders")
    expect(shop).to_contain_text(order_id)
    expect(shop).to_contain_text("2 × TRS-001")
    assert _stock(page, live, "TRS-001") == before - 2

    _add_product(page, live, "LAMP-NEW")
    page.goto(f"{live.url}/admin/amazon/")
    page.locator("article.asc-card").get_by_role("link", name="View Store").click()
    row = page.locator("#asc-orders tbody tr", has_text=unknown)
    row.get_by_role("button", name="Import again").click()
    expect(page.locator("#asc-banners")).to_contain_text(f"Amazon order {unknown} was imported.")
    row = page.locator("#asc-orders tbody tr", has_text=unknown)
    expect(row).to_contain_text("Imported")
    row.get_by_role("link", name=re.compile(r"^Order \d+$")).click()
    expect(page.get_by_role("heading", name=re.compile(r"^Order DEMO-\d+$"))).to_be_visible()
    expect(page.locator("main")).to_contain_text(unknown)
    expect(page.locator("main")).to_contain_text("LAMP-NEW")
    assert _stock(page, live, "LAMP-NEW", added=True) == 9
    page.goto(f"{live.url}/admin/amazon/")
    expect(page.locator("article.asc-card .asc-card-orders")).to_have_count(0)


def test_the_same_in_traditional_chinese(browser, live, app, sandbox):
    sandbox.order_settings(interval=0)
    context = browser.new_context(locale="zh-TW", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, live.url)
    card = _connected_store(page, live, zh=True)
    _later(sandbox, 2)
    before = _stock(page, live, "BEA-9")
    (order_id,) = sandbox.place_order("BEA-9", 3)
    (unknown,) = sandbox.place_order("LAMP-ZH", 1)
    page.goto(f"{live.url}/admin/amazon/")
    card.get_by_role("link", name="檢視商店").click()
    panel = page.locator("#asc-orders")
    panel.get_by_role("button", name="立即匯入訂單").click()
    expect(page.locator("#asc-banners")).to_contain_text(
        "已匯入1筆Amazon訂單，1筆需要處理，0筆已取消。")
    rows = panel.locator("tbody tr")
    expect(rows.first).to_contain_text("需要處理")
    expect(rows.first).to_contain_text("網站中沒有SKU為LAMP-ZH的產品")
    expect(rows.nth(1)).to_contain_text("已匯入")
    settled(page)
    _assert_no_english(page, "#asc-orders")
    panel.scroll_into_view_if_needed()
    shot(page, "31-zh-amazon-orders", full_page=False)
    page.goto(f"{live.url}/admin/amazon/")
    expect(page.locator("article.asc-card .asc-card-orders")).to_have_text("1筆訂單需要處理")
    assert _stock(page, live, "BEA-9") == before - 3
    _add_product(page, live, "LAMP-ZH")
    page.goto(f"{live.url}/admin/amazon/")
    page.locator("article.asc-card").get_by_role("link", name="檢視商店").click()
    page.locator("#asc-orders tbody tr", has_text=unknown).get_by_role(
        "button", name="重新匯入").click()
    expect(page.locator("#asc-banners")).to_contain_text(f"Amazon訂單{unknown}已匯入。")
    page.goto(f"{live.url}/orders")
    expect(page.locator("#demo-orders")).to_contain_text(order_id)
    expect(page.locator("#demo-orders")).to_contain_text(unknown)
    context.close()
