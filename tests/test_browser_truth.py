"""Pages that never say something false, looked at in Chromium: what is VISIBLE (computed style,
bounding boxes), in English and in Traditional Chinese."""

from __future__ import annotations

import re

import pytest
from browser_support import settled, shot, sign_in
from helpers import add_store, connected_store, start_match, store_named
from playwright.sync_api import expect
from test_browser_listing import PRODUCTS
from test_matching import _save_rule
from workers import Worker

from asc_plugin.models import Store
from asc_plugin.state import plugin_state

pytestmark = pytest.mark.browser

DISCARD = "You have changed this form."


def _visible_discard_box(page) -> bool:
    return page.evaluate("""() => {
        const box = document.getElementById('asc-discard');
        const style = getComputedStyle(box);
        const rect = box.getBoundingClientRect();
        return style.display !== 'none' && style.visibility !== 'hidden'
            && rect.width > 0 && rect.height > 0;
    }""")


def test_the_unsaved_changes_box_shows_only_after_a_change_and_a_close(page, live, app, admin):
    assert add_store(admin).status_code == 303
    sign_in(page, live.url)
    settled(page)
    card = page.locator("article.asc-card", has_text="Amazon Store USA")
    card.locator("summary").click()
    card.get_by_role("link", name="Delete").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Delete")).to_be_visible()
    settled(page)
    assert not _visible_discard_box(page)
    expect(page.get_by_text(DISCARD)).to_be_hidden()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.get_by_role("link", name="Add Amazon Store").first.click()
    expect(dialog).to_be_visible()
    settled(page)
    assert not _visible_discard_box(page)
    name = dialog.get_by_label("New Store Name")
    name.fill("Half typed")
    assert not _visible_discard_box(page)  # a change alone does not ask anything
    page.keyboard.press("Escape")
    expect(page.get_by_text(DISCARD)).to_be_visible()
    assert _visible_discard_box(page)
    page.get_by_role("button", name="Keep editing").click()
    assert not _visible_discard_box(page)


EXPIRED_WORDS = {
    "en-US": {"expired": "Authorization expired", "needs": "1 needs renewing",
              "never": ["Active", "✓ Connected", "days left", "day left", "expires today",
                        "1 connected", "1 renewal due soon"]},
    "zh-TW": {"expired": "授權已到期", "needs": "1家需要重新授權",
              "never": ["使用中", "✓已連線", "✓ 已連線", "1家已連線", "剩餘", "今天到期",
                        "1家即將需要重新授權"]},
}


@pytest.mark.parametrize("locale", ["en-US", "zh-TW"])
def test_past_the_yearly_end_every_place_says_expired(browser, live, app, admin, sandbox,
                                                      locale):
    store = connected_store(app, admin)
    sandbox.move_clock(days=366)  # a year and a day on: no check has run since
    words = EXPIRED_WORDS[locale]
    context = browser.new_context(locale=locale, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, live.url)
    card = page.locator(f"#asc-store-{store.id}")
    expect(card).to_contain_text(words["expired"])
    expect(page.locator("#asc-summary")).to_contain_text(words["needs"])
    page.goto(f"{live.url}/admin/amazon/?view=table")
    table = page.locator("table.asc-store-table")
    expect(table).to_contain_text(words["expired"])
    page.goto(f"{live.url}/admin/amazon/stores/{store.id}")
    panel = page.locator("#asc-connection")
    expect(panel).to_contain_text(words["expired"])
    for url in ("/admin/amazon/", "/admin/amazon/?view=table", f"/admin/amazon/stores/{store.id}"):
        page.goto(f"{live.url}{url}")
        shown = page.evaluate("""() => {  // what the page says, not the filters' choices
            const root = document.getElementById('asc-root').cloneNode(true);
            root.querySelectorAll('select, .asc-filters, nav').forEach(el => el.remove());
            document.body.appendChild(root);
            const text = root.innerText;
            root.remove();
            return text;
        }""")
        for never in words["never"]:
            assert never not in shown, (url, never, shown)
    context.close()


@pytest.mark.parametrize("locale, test, says", [
    ("en-US", "Test connection", "does not sell in Brazil. Sign in with the seller account for "
                                 "Brazil (Seller Central for North America)"),
    ("zh-TW", "測試連線", "沒有在巴西銷售。請以巴西的賣家帳戶登入（北美的Seller Central）")])
def test_a_not_participating_check_names_the_marketplace(browser, live, app, admin, locale,
                                                        test, says):
    store = connected_store(app, admin)
    with app.app_context():  # the seller no longer sells in the store's marketplace
        row = plugin_state().session.get(Store, store.id)
        row.marketplace_code = "BR"
        plugin_state().session.commit()
    context = browser.new_context(locale=locale, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, live.url, f"/admin/amazon/stores/{store.id}")
    panel = page.locator("#asc-connection")
    panel.get_by_role("button", name=test).click()
    expect(panel).to_contain_text(says)
    page.reload()
    expect(panel).to_contain_text(says)
    assert "%(" not in panel.inner_text()
    context.close()


def test_activity_is_written_as_events_and_read_in_the_readers_language(browser, live, app,
                                                                       admin):
    """Entries written by an English-reading admin and by a job on a worker read in Chinese
    for a Chinese-reading admin, with Amazon's request id for support."""
    from asc_plugin.errors import Failure
    from asc_plugin.services import activity

    store = connected_store(app, admin)  # an admin reading English did these
    with app.app_context():
        failure = Failure("catalog_unavailable")
        failure.request_id = "b2f9e0c4-REQUEST-ID"
        activity.record(plugin_state().session.get(Store, store.id), "match_failed", "failure",
                        params=activity.failure_params(failure), admin="system")
        plugin_state().session.commit()
    context = browser.new_context(locale="zh-TW", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, live.url, "/admin/amazon/activity")
    log = page.locator("#asc-activity")
    expect(log).to_contain_text("已新增商店「Amazon Store USA」。")
    expect(log).to_contain_text("已連線至Example Outfitters（A3FH4EXAMPLE）。")
    expect(log).to_contain_text("與Amazon目錄的比對已停止：")
    expect(log).to_contain_text("Amazon請求ID：b2f9e0c4-REQUEST-ID")
    expect(log.locator(".asc-who", has_text="系統")).to_be_visible()
    text = log.inner_text()
    for english in ("was added", "Connected as", "Matching with", "system", "started"):
        assert english not in text, english
    context.close()
    english = browser.new_context(locale="en-US")
    page = english.new_page()
    sign_in(page, live.url, "/admin/amazon/activity")
    log = page.locator("#asc-activity")
    expect(log).to_contain_text("Store “Amazon Store USA” was added.")
    expect(log).to_contain_text("Amazon request id: b2f9e0c4-REQUEST-ID")
    expect(log.locator(".asc-who", has_text="system")).to_be_visible()
    english.close()


#: Chooses a field in each new condition row at the first moment script can see it (a
#: MutationObserver callback, before the browser handles any other event): the fastest merchant.
_PICK_AT_ONCE = """fields => {
    const rows = document.getElementById('asc-rule-rows');
    const seen = new Set();
    new MutationObserver(records => {
        for (const record of records) {
            for (const node of record.addedNodes) {
                if (!(node instanceof HTMLTableRowElement) || seen.has(node.id)) continue;
                seen.add(node.id);
                const select = node.querySelector('select[name$="-field"]');
                select.value = fields[seen.size - 1];
                select.dispatchEvent(new Event('change', {bubbles: true}));
            }
        }
    }).observe(rows, {childList: true});
}"""


def test_a_field_chosen_the_moment_its_row_appears_gets_its_own_comparisons(page, live, app,
                                                                             admin):
    assert add_store(admin).status_code == 303
    store_id = store_named(app, "Amazon Store USA").id
    sign_in(page, live.url, f"/admin/amazon/stores/{store_id}/rules")
    settled(page)
    fields = ["price", "category", "quantity", "name"]
    page.evaluate(_PICK_AT_ONCE, fields)
    add = page.get_by_role("button", name="Add condition")
    for _ in fields:  # as fast as the clicks go: each waits for nothing
        add.click()
    rows = page.locator("#asc-rule-rows tr")
    expect(rows).to_have_count(len(fields))
    expected = {"price": "is greater than", "quantity": "is greater than",
                "category": "contains", "name": "contains"}
    for n, key in enumerate(fields):
        row = page.locator(f"#asc-rule-row-{n}")
        expect(row.get_by_label("Field")).to_have_value(key)
        comparison = row.get_by_label("Comparison").locator("option", has_text=expected[key])
        expect(comparison).to_have_count(1)
    numbers_only = page.locator("#asc-rule-row-0").get_by_label("Comparison")
    expect(numbers_only.locator("option", has_text="contains")).to_have_count(0)
    ids = page.evaluate("() => [...document.querySelectorAll('#asc-rule-rows tr')].map(r => r.id)")
    assert len(set(ids)) == len(ids), ids


@pytest.fixture()
def match_worker(app, live, tmp_path):
    """A real job worker process for the app under test."""
    process = Worker(app, tmp_path / "worker.log")
    yield process
    process.stop()


def _tab(page, label):
    """The count in a status filter link: "Several matches (3)" -> 3 (0 when it is not shown)."""
    link = page.get_by_role("navigation", name="Filter by status").get_by_role(
        "link", name=re.compile(rf"^{re.escape(label)} \("))
    if link.count() == 0:
        return 0
    return int(re.search(r"\(([\d,]+)\)", link.inner_text()).group(1).replace(",", ""))


def test_the_preview_tells_the_truth_after_a_run_and_a_choice(page, live, app, admin, sandbox,
                                                             match_worker):
    sandbox.settings(catalog_rate=50, catalog_burst=50)
    app.config["ASC_CATALOG_RATE"] = 50
    store = connected_store(app, admin)  # matched by UPC
    assert _save_rule(admin, store.id, [("price", "lt", "50")]).status_code == 303
    sign_in(page, live.url, f"/admin/amazon/stores/{store.id}/listing")
    banners = page.locator("#asc-banners .asc-banner")
    for button in ("Match with Amazon catalog", "Match again"):
        page.get_by_role("button", name=button).click()
        expect(banners).to_contain_text("Matching “Amazon Store USA” with Amazon's catalog "
                                        "started.")
        expect(page.get_by_text("Last match finished:")).to_be_visible(timeout=60000)
        # the run's end replaces "started": one banner about the store, saying what happened
        expect(banners).to_have_count(1)
        expect(banners).to_contain_text("Matching with Amazon's catalog finished:")
        expect(banners).not_to_contain_text("started")

    # Excluded products still show their product id.
    upc = {p.sku: p.attributes.get("upc") for p in PRODUCTS}
    page.goto(f"{live.url}/admin/amazon/stores/{store.id}/listing?status=excluded")
    rows = page.locator(".asc-listing tbody tr")
    expect(rows.first).to_contain_text("Excluded by the rules")
    for n in range(min(rows.count(), 10)):
        sku, _name, shown = rows.nth(n).locator("td").all_inner_texts()[:3]
        assert shown == (upc[sku] or "—"), (sku, shown)
    assert any(upc[s] for s in rows.locator("td:first-child").all_inner_texts())

    # Choosing one of several matches moves the counts at once; the choice can be undone.
    page.goto(f"{live.url}/admin/amazon/stores/{store.id}/listing?status=several")
    several, matched = _tab(page, "Several matches"), _tab(page, "Matched")
    assert several > 0
    first = page.locator(".asc-listing tbody tr").first
    row_id = first.get_attribute("id")
    first.get_by_role("button", name=re.compile("^Choose")).first.click()
    row = page.locator(f"#{row_id}")
    expect(row).to_contain_text("chosen by an admin")
    expect(page.get_by_role("link", name=f"Several matches ({several - 1})")).to_be_visible()
    expect(page.get_by_role("link", name=f"Matched ({matched + 1})")).to_be_visible()
    settled(page)
    row.get_by_text("Change or undo this choice").click()
    row.get_by_role("button", name=re.compile("^Undo the choice")).click()
    expect(row).to_contain_text("Amazon has several items with this id.")
    expect(page.get_by_role("link", name=f"Several matches ({several})")).to_be_visible()
    expect(page.get_by_role("link", name=f"Matched ({matched})")).to_be_visible()
    expect(page.locator("#asc-banners")).to_contain_text("is undone")
    # ... and changed: choose, then choose another of its matches
    row.get_by_role("button", name=re.compile("^Choose")).first.click()
    expect(row).to_contain_text("chosen by an admin")
    first_choice = row.locator(".asc-amazon .asc-asin").first.inner_text()
    settled(page)
    row.get_by_text("Change or undo this choice").click()
    row.get_by_role("button", name=re.compile("^Choose")).first.click()
    expect(row.locator(".asc-amazon .asc-asin").first).not_to_have_text(first_choice)
    expect(row).to_contain_text("chosen by an admin")
    page.reload()  # what the page said is what is stored
    expect(page.get_by_role("link", name=f"Several matches ({several - 1})")).to_be_visible()


_HAN = "\u4e00-\u9fff"
#: What Traditional Chinese text must not show: half-width brackets, quotes or separators
#: around Chinese, and spaces after full-width punctuation or between Chinese and a bracket.
_ZH_PROBLEMS = {
    "half-width bracket": re.compile(rf"[{_HAN}] ?\(|\) ?[{_HAN}]|\([{_HAN}]|[{_HAN}]\)"),
    "curly quotes": re.compile("[“”‘’]"),
    "half-width separator": re.compile(rf"[{_HAN}」）][;,:] ?|[;,:] [{_HAN}「（]"),
    "space after full-width punctuation": re.compile(r"[。，、；：？！」）] +\S"),
    "space before full-width punctuation": re.compile(r"\S +[。，、；：？！「（]"),
    # (a date and its time, "2026年11月30日 清晨6:14", keep CLDR's own space)
    "space between Chinese words": re.compile(rf"[{_HAN}](?<!日) +[{_HAN}]"),
    "mixed listing words": re.compile("刊登|上架|商品"),
}


def _zh_problems(text: str) -> list[tuple[str, str]]:
    found = []
    for line in text.splitlines():
        for name, pattern in _ZH_PROBLEMS.items():
            match = pattern.search(line)
            if match:
                found.append((name, line[max(0, match.start() - 20):match.end() + 20]))
    return found


def test_traditional_chinese_pages_keep_one_typography(browser, live, app, admin, sandbox):
    from asc_plugin.testing import run_match_jobs

    sandbox.settings(catalog_rate=50, catalog_burst=50)
    app.config["ASC_CATALOG_RATE"] = 50
    store = connected_store(app, admin)
    assert _save_rule(admin, store.id, [("category", "contains", "Apparel"),
                                        ("price", "lt", "50")]).status_code == 303
    assert start_match(admin, store.id).status_code == 303
    assert run_match_jobs(app) == ["done"]
    context = browser.new_context(locale="zh-TW", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, live.url)
    problems = {}
    for path in ("/admin/amazon/", "/admin/amazon/?view=table", f"/admin/amazon/stores/{store.id}",
                 f"/admin/amazon/stores/{store.id}/rules",
                 f"/admin/amazon/stores/{store.id}/listing",
                 f"/admin/amazon/stores/{store.id}/listing?status=several",
                 f"/admin/amazon/stores/{store.id}/delete",
                 f"/admin/amazon/stores/{store.id}/disconnect",
                 "/admin/amazon/activity", "/admin/amazon/learning", "/admin/amazon/attributes"):
        page.goto(f"{live.url}{path}")
        settled(page)
        found = _zh_problems(page.locator("#asc-root").inner_text())
        if found:
            problems[path] = found
    assert not problems, "\n".join(f"{path}: {name}: {text}" for path, found in problems.items()
                                    for name, text in found)
    context.close()


_STICKING_OUT = """width => {
    const fits = el => el.getBoundingClientRect().right <= width + 1;
    const scrolledByAFittingBox = el => {
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
            if (['auto', 'scroll'].includes(getComputedStyle(up).overflowX)) return fits(up);
        }
        return false;
    };
    return [...document.querySelectorAll('body *')]
        .filter(el => el.getClientRects().length && !fits(el) && !scrolledByAFittingBox(el)
                && !el.closest('dialog:not([open])'))
        .slice(0, 5).map(el => el.tagName + '.' + el.className + ' ' + Math.round(
            el.getBoundingClientRect().right));
}"""


PHONE = 390


def test_on_a_phone_nothing_overflows_the_page(browser, live, app, admin, sandbox):
    """390 px wide: the rule form, the listing preview and the store table fit; wide tables
    scroll inside their own box, never the page."""
    from asc_plugin.testing import run_match_jobs

    sandbox.settings(catalog_rate=50, catalog_burst=50)
    app.config["ASC_CATALOG_RATE"] = 50
    store = connected_store(app, admin)
    assert _save_rule(admin, store.id, [("category", "contains", "Apparel"),
                                        ("price", "one_of", "19.99, 29.99, 39.99, 49.99"),
                                        ("quantity", "gt", "0")]).status_code == 303
    assert start_match(admin, store.id).status_code == 303
    assert run_match_jobs(app) == ["done"]
    context = browser.new_context(viewport={"width": PHONE, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    sign_in(page, live.url)
    wide = {}
    for path in ("/admin/amazon/", "/admin/amazon/?view=table", f"/admin/amazon/stores/{store.id}",
                 f"/admin/amazon/stores/{store.id}/rules",
                 f"/admin/amazon/stores/{store.id}/listing",
                 f"/admin/amazon/stores/{store.id}/listing?status=several",
                 "/admin/amazon/activity", "/admin/amazon/attributes"):
        page.goto(f"{live.url}{path}")
        settled(page)
        # A phone widens its layout viewport (innerWidth) to what overflows: compare with 390.
        sizes = page.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
        # What sticks out of the phone's width, unless a box that fits scrolls it.
        outside = page.evaluate(_STICKING_OUT, PHONE)
        if max(sizes) > PHONE or outside:
            wide[path] = (sizes, outside)
        if path.endswith(("/rules", "/listing")):
            shot(page, f"30-phone-{path.rsplit('/', 1)[1]}", full_page=False)
    assert not wide, wide
    context.close()


@pytest.mark.parametrize("locale, words", [
    ("en-US", {"connect": "Connect store", "waiting": "Waiting for Amazon…",
               "hint": ["MD4010", "sells in United States",
                        "sign in to Seller Central for North America"],
               "reopen": "Reopen Seller Central", "ended": "within 10 minutes"}),
    ("zh-TW", {"connect": "連線商店", "waiting": "等待Amazon…",
               "hint": ["MD4010", "在美國銷售", "北美的Seller Central"],
               "reopen": "重新開啟Seller Central", "ended": "10分鐘內沒有收到"})])
def test_a_sign_in_with_another_regions_account_is_explained(browser, live, app, admin, sandbox,
                                                             locale, words):
    """Amazon shows MD4010 in its own tab and never sends the seller back: after a couple of
    minutes the waiting card says what likely happened, names the region and what to do; when
    the attempt expires, the banner says it again."""
    assert add_store(admin).status_code == 303
    context = browser.new_context(locale=locale, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, live.url)
    card = page.locator("article.asc-card", has_text="Amazon Store USA")
    with page.context.expect_page() as tab:
        card.get_by_role("button", name=words["connect"]).click()
    amazon = tab.value
    if locale == "en-US":  # the seller signs in with the UK account: Amazon shows MD4010
        amazon.get_by_label("Email or mobile phone number").fill("uk-seller@example.com")
        amazon.get_by_label("Password").fill("sandbox")
        amazon.get_by_role("button", name="Sign in").click()
        expect(amazon.get_by_text("MD4010")).to_be_visible()
    amazon.close()
    expect(card).to_contain_text(words["waiting"])
    hint = card.locator(".asc-waiting-hint")
    expect(hint).to_be_hidden()  # not at once: signing in takes a while
    sandbox.move_clock(days=3 / 1440)  # three minutes on, no answer
    for text in words["hint"]:
        expect(hint).to_contain_text(text)
    expect(card.get_by_role("button", name=re.compile(words["reopen"]))).to_be_visible()
    sandbox.move_clock(days=11 / 1440)  # the attempt expires
    banner = page.locator("#asc-banners")
    expect(banner).to_contain_text(words["ended"], timeout=10000)
    expect(banner).to_contain_text("MD4010")
    expect(card).not_to_contain_text(words["waiting"])
    context.close()


@pytest.mark.parametrize("locale, words", [
    ("en-US", {"add": "Add condition", "field": "Field", "value": "Value",
               "category": "Category", "brand": "Attribute: Brand", "price": "Price",
               "quantity": "Quantity in stock",
               "price_hint": "A price in US dollars, like $19.99.",
               "quantity_hint": "A quantity in stock, like 10.",
               "not_a_number": "Enter a number, like 19.99."}),
    ("zh-TW", {"add": "新增條件", "field": "欄位", "value": "值", "category": "類別",
               "brand": "屬性：Brand", "price": "價格", "quantity": "庫存數量",
               "price_hint": "以美元計價的價格，例如US$19.99。",
               "quantity_hint": "庫存數量，例如10。",
               "not_a_number": "請輸入數字"})])
def test_rule_inputs_offer_the_catalogs_values_and_check_prices(browser, live, app, admin,
                                                                locale, words):
    assert add_store(admin).status_code == 303  # United States: prices in US dollars
    store_id = store_named(app, "Amazon Store USA").id
    context = browser.new_context(locale=locale, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, live.url, f"/admin/amazon/stores/{store_id}/rules")
    add = page.get_by_role("button", name=words["add"])

    def condition(n, field):
        add.click()
        row = page.locator(f"#asc-rule-row-{n}")
        row.get_by_label(words["field"]).select_option(label=field)
        expect(row.get_by_label(words["field"])).to_have_value(re.compile("."))
        settled(page)
        return page.locator(f"#asc-rule-row-{n}")

    def offered(row):
        return row.get_by_label(words["value"]).evaluate(
            "el => el.list ? [...el.list.options].map(o => o.value) : []")

    category = condition(0, words["category"])
    categories = {segment for p in PRODUCTS for segment in p.category}
    assert set(offered(category)) == categories
    brand = condition(1, words["brand"])
    brands = {p.attributes["brand"] for p in PRODUCTS if p.attributes.get("brand")}
    assert brands and set(offered(brand)) == brands
    price = condition(2, words["price"])
    expect(price.locator(".asc-help")).to_have_text(words["price_hint"])
    price.get_by_label(words["value"]).fill("cheap")
    price.get_by_label(words["value"]).press("Tab")
    expect(page.locator("#asc-rule-row-2 .asc-error")).to_contain_text(words["not_a_number"])
    expect(page.locator("#asc-rule-row-2 .asc-error")).to_be_visible()
    expect(page.locator("#asc-rule-row-2").get_by_label(words["value"])).to_have_attribute(
        "aria-invalid", "true")
    page.locator("#asc-rule-row-2").get_by_label(words["value"]).fill("25")
    page.locator("#asc-rule-row-2").get_by_label(words["value"]).press("Tab")
    expect(page.locator("#asc-rule-row-2 .asc-error")).to_have_count(0)
    expect(page.locator("#asc-rule-row-2").get_by_label(words["value"])).not_to_have_attribute(
        "aria-invalid", "true")
    quantity = condition(3, words["quantity"])
    expect(quantity.locator(".asc-help")).to_have_text(words["quantity_hint"])
    context.close()
