"""The merchant-facing polish, in Chromium at 1366×900: dialogs that do not lose typing, inline
checks that do not go stale, menus and buttons where they belong, many stores at a glance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from browser_support import assert_accessible, settled, shot, sign_in
from helpers import add_store, store_named
from playwright.sync_api import expect
from test_browser import _add_us_store, _assert_no_english, _seller_central

from asc_plugin.models import Store, utcnow
from asc_plugin.state import plugin_state

pytestmark = pytest.mark.browser


def _open_add_form(page):
    settled(page)
    page.get_by_role("link", name="Add Amazon Store").first.click()
    dialog = page.get_by_role("dialog")
    continue_link = dialog.get_by_role("link", name="Continue to Add Amazon Store")
    expect(continue_link).to_be_in_viewport()  # no scrolling to find it at 1366×900
    shot(page, "02-presetup-modal")
    continue_link.click()
    expect(dialog.get_by_role("heading", name="Add Amazon sales channel")).to_be_visible()
    settled(page)
    return dialog


def test_escape_with_unsaved_changes_asks_before_discarding(page, live):
    sign_in(page, live.url)
    dialog = _open_add_form(page)
    dialog.get_by_label("New Store Name").fill("Half typed")
    page.keyboard.press("Escape")
    expect(page.get_by_text("You have changed this form.")).to_be_visible()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.get_by_role("button", name="Keep editing").click()
    expect(dialog.get_by_label("New Store Name")).to_have_value("Half typed")
    dialog.get_by_role("link", name="Close dialog").click()
    expect(page.get_by_text("You have changed this form.")).to_be_visible()
    shot(page, "04b-unsaved-changes")
    page.get_by_role("button", name="Discard and close").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    _open_add_form(page)
    page.keyboard.press("Escape")  # nothing typed: closes at once
    expect(page.get_by_role("dialog")).to_be_hidden()


def test_inline_checks_never_go_stale(page, live, app):
    sign_in(page, live.url)
    dialog = _open_add_form(page)
    dialog.get_by_role("button", name="Connect", exact=True).click()
    website = dialog.get_by_label("Demo Shop Website to use for Amazon Listing")
    expect(dialog.get_by_text("Choose the website to list on Amazon.")).to_be_visible()
    expect(website).to_have_attribute("aria-invalid", "true")
    website.select_option("1")
    expect(dialog.get_by_text("Choose the website to list on Amazon.")).to_be_hidden()
    expect(website).not_to_have_attribute("aria-invalid", "true")
    name = dialog.get_by_label("New Store Name")
    expect(name).to_have_attribute("aria-invalid", "true")
    name.fill("Fine name")
    name.blur()
    expect(dialog.get_by_text("Looks good.")).to_be_visible()
    expect(name).not_to_have_attribute("aria-invalid", "true")
    assert name.evaluate("el => getComputedStyle(el).borderTopColor") != "rgb(180, 35, 24)"


def test_a_check_answering_under_the_pointer_does_not_move_the_buttons(page, live):
    """Clicking Connect straight after typing a name blurs the name field first; its check
    answers between mouse down and up. Had the answer pushed the button down, the click would
    land beside it and nothing would be submitted."""
    sign_in(page, live.url)
    dialog = _open_add_form(page)
    connect = dialog.get_by_role("button", name="Connect", exact=True)
    name = dialog.get_by_label("New Store Name")
    name.fill("Fine name")
    before = connect.bounding_box()
    name.blur()
    expect(dialog.get_by_text("Looks good.")).to_be_visible()
    dialog.get_by_label("Email Address").fill("not an email")
    dialog.get_by_label("Email Address").blur()
    expect(dialog.get_by_text("Enter an email address like name@example.com.")).to_be_visible()
    assert abs(connect.bounding_box()["y"] - before["y"]) < 1  # sub-pixel rounding only


def test_card_actions_stay_on_one_row_and_the_menu_opens_inside(page, live, app):
    _add_us_store(page, live)
    page.goto(f"{live.url}/admin/amazon/")
    card = page.locator("article.asc-card").first
    boxes = [card.locator(".asc-card-actions > *").nth(i).bounding_box()
             for i in range(card.locator(".asc-card-actions > *").count())]
    assert max(b["y"] for b in boxes) < min(b["y"] + b["height"] for b in boxes)  # one row
    card.locator("summary").click()
    menu = card.locator(".asc-menu-items")
    expect(menu).to_be_visible()
    sidebar_right = page.locator(".demo-sidebar").bounding_box()
    menu_box = menu.bounding_box()
    assert menu_box["x"] >= sidebar_right["x"] + sidebar_right["width"]
    items = menu.locator(".asc-menu-item")
    assert len({items.nth(i).evaluate("e => getComputedStyle(e).textDecorationLine")
                for i in range(items.count())}) == 1  # one look for buttons and links
    shot(page, "05-home-with-card")
    assert_accessible(page)


def test_many_stores_at_a_glance_with_filters_and_a_table(page, live, app):
    _add_us_store(page, live, name="Store One")
    _add_us_store(page, live, name="Store Two", country="Canada", website="Canada Website",
                  signed_in=True)
    page.goto(f"{live.url}/admin/amazon/")
    settled(page)
    expect(page.locator(".asc-summary")).to_contain_text("2 stores")
    page.get_by_label("Table").check()
    expect(page.locator("table.asc-store-table")).to_be_visible()
    expect(page).to_have_url(f"{live.url}/admin/amazon/?status=&connection=&renewal=&sort="
                             "newest&view=table")
    page.get_by_label("Sort by").select_option("name")
    expect(page.locator("table.asc-store-table tbody tr").first).to_contain_text("Store One")
    shot(page, "16-store-table")
    assert_accessible(page)
    page.get_by_label("Amazon connection").select_option("connected")
    expect(page.get_by_text("No store matches these filters.")).to_be_visible()
    page.go_back()
    expect(page.locator("table.asc-store-table")).to_be_visible()


def test_renewing_from_a_card_clears_its_renewal_notice(page, live, app, sandbox):
    _add_us_store(page, live)
    store = store_named(app, "Amazon Store USA")
    card = page.locator("article.asc-card", has_text="Amazon Store USA")
    with page.context.expect_page() as tab:
        card.get_by_role("button", name="Connect store").click()
    _seller_central(tab.value)
    expect(card).to_contain_text("Connected", timeout=10000)
    with app.app_context():
        row = plugin_state().session.get(type(store), store.id)
        row.authorization_expires_at = utcnow() + timedelta(days=5)
        plugin_state().session.commit()
    page.reload()
    expect(page.locator("#asc-renewals")).to_contain_text("expires in 5 days")
    card = page.locator("article.asc-card", has_text="Amazon Store USA")
    expect(card.locator(".asc-text-error")).to_have_text("5 days left")
    with page.context.expect_page() as tab:
        card.get_by_role("button", name="Renew authorization").click()
    _seller_central(tab.value)
    expect(page.locator("#asc-banners")).to_contain_text("renewed", timeout=10000)
    expect(page.locator("#asc-renewals")).not_to_contain_text("expires in")
    expect(card).to_contain_text("365 days left")


def test_the_activity_log_and_the_table_in_traditional_chinese(browser, live, app):
    context = browser.new_context(locale="zh-TW", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, live.url, "/admin/amazon/stores/new?step=form")
    page.get_by_label("用於Amazon清單的Demo Shop網站").select_option("1")
    page.get_by_label("電子郵件地址").fill("tw@example.com")
    page.get_by_label("新商店名稱").fill("亞馬遜美國商店")
    page.get_by_label("Amazon站點國家／地區").select_option("US")
    page.get_by_label("Amazon站點上的產品ID").select_option("UPC")
    page.get_by_label("對應Demo Shop屬性").select_option("upc")
    page.get_by_role("button", name="連線", exact=True).click()
    expect(page.locator("#asc-banners")).to_contain_text("已新增商店「亞馬遜美國商店」")
    page.goto(f"{live.url}/admin/amazon/?view=table")
    expect(page.locator(".asc-summary")).to_contain_text("1家商店")
    _assert_no_english(page, "#asc-root")
    page.get_by_role("link", name="活動").click()
    expect(page.get_by_role("heading", name="活動", level=1)).to_be_visible()
    _assert_no_english(page, "#asc-root")
    shot(page, "17-zh-activity")
    assert_accessible(page)
    context.close()


def test_the_activity_log_filters_in_place_on_the_dashboard_and_on_its_page(browser, live, app,
                                                                           admin):
    """One log in two places: its tabs swap the log alone (the fragment, not the page inside
    it); on the dashboard it keeps its link to the store's whole log, on its page it has none."""
    from asc_plugin.errors import Failure
    from asc_plugin.services import activity

    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    with app.app_context():
        activity.record(plugin_state().session.get(Store, store.id), "match_failed", "failure",
                        params=activity.failure_params(Failure("catalog_unavailable")),
                        admin="system")
        plugin_state().session.commit()
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    dashboard_url = f"{live.url}/admin/amazon/stores/{store.id}"
    sign_in(page, live.url, f"/admin/amazon/stores/{store.id}")
    log = page.locator("#asc-store-activity")
    expect(log).to_contain_text("was added")
    settled(page)
    log.get_by_role("link", name="Problems").click()
    expect(log.get_by_role("link", name="Problems")).to_have_attribute("aria-current", "true")
    expect(log).not_to_contain_text("was added")
    expect(log).to_contain_text("stopped")
    whole_log = log.get_by_role("link", name="All activity of this store")
    expect(whole_log).to_be_visible()
    assert page.url == dashboard_url
    expect(page.locator("#asc-orders")).to_have_count(1)  # no page inside the page
    expect(page.locator("h1")).to_have_count(1)
    whole_log.click()
    page.wait_for_url(f"{live.url}/admin/amazon/activity?store={store.id}")
    settled(page)
    log = page.locator("#asc-activity")
    expect(log).to_contain_text("was added")
    log.get_by_role("link", name="Problems").click()
    expect(log.get_by_role("link", name="Problems")).to_have_attribute("aria-current", "true")
    expect(log).not_to_contain_text("was added")
    expect(page.get_by_role("heading", name="Activity", level=1)).to_be_visible()
    expect(page.locator("h1")).to_have_count(1)
    expect(page.get_by_role("link", name="All activity of this store")).to_have_count(0)
    context.close()
