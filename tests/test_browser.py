"""Real Chromium (Debian's) through Playwright against the demo served over HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_support import assert_accessible, settled, shot, sign_in
from helpers import store_named, values_of
from playwright.sync_api import expect

from asc_plugin.models import ConnectionState

pytestmark = pytest.mark.browser


def test_sign_in_and_see_the_empty_state(page, live):
    page.goto(live.url)
    expect(page.get_by_text("Demo account: user admin, password admin")).to_be_visible()
    sign_in(page, live.url, "/")
    page.get_by_role("navigation", name="Admin").get_by_role(
        "link", name="Amazon Sales Channel").click()
    expect(page.get_by_role("heading", name="No Amazon stores yet")).to_be_visible()
    expect(page.get_by_role("link", name="Amazon Stores")).to_have_attribute(
        "aria-current", "page")
    assert_accessible(page)
    shot(page, "01-empty-state")


@pytest.mark.db  # one of the browser journeys the PostgreSQL pass runs too
def test_onboarding_walk_with_javascript(page, live, app):
    sign_in(page, live.url)
    page.get_by_role("link", name="Add Amazon Store").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Pre-setup tasks")).to_be_visible()
    dialog.get_by_role("button", name="Mark as done: Professional selling plan").click()
    expect(dialog.get_by_text("1 of 7 tasks done")).to_be_visible()
    assert_accessible(page)
    shot(page, "02-presetup-modal")
    dialog.get_by_role("link", name="Continue to Add Amazon Store").click()
    expect(dialog.get_by_role("heading", name="Add Amazon sales channel")).to_be_visible()
    settled(page)

    # Changing the id type swaps only the mapping result: every other node stays the same.
    name = dialog.get_by_label("New Store Name")
    name.fill("Amazon Store USA")
    name.evaluate("el => el.dataset.marker = 'kept'")
    id_select = dialog.get_by_label("Product ID on the Amazon market")
    id_select.evaluate("el => el.dataset.marker = 'kept'")
    dialog.get_by_label("Map a Demo Shop attribute").evaluate("el => el.dataset.marker = 'old'")
    id_select.select_option("UPC")
    expect(dialog.get_by_label("Map a Demo Shop attribute")).to_have_value("upc")
    expect(dialog.get_by_text(values_of("upc"))).to_be_visible()
    assert dialog.get_by_label("Map a Demo Shop attribute").evaluate(
        "el => el.dataset.marker") is None
    assert id_select.evaluate("el => el.dataset.marker") == "kept"
    assert name.evaluate("el => el.dataset.marker") == "kept"
    expect(name).to_have_value("Amazon Store USA")
    assert_accessible(page)
    shot(page, "03-add-dialog-mapping")

    # Submit with errors: they come back in place, in the dialog.
    dialog.get_by_label("Email Address").fill("not-an-email")
    dialog.get_by_role("button", name="Connect", exact=True).click()
    expect(dialog.get_by_text("Enter an email address like name@example.com.")).to_be_visible()
    expect(dialog.get_by_text("Choose the website to list on Amazon.")).to_be_visible()
    expect(dialog.get_by_label("Email Address")).to_have_attribute("aria-invalid", "true")
    shot(page, "04-add-dialog-errors")

    dialog.get_by_label("Demo Shop Website to use for Amazon Listing").select_option(
        label="Main Website")
    dialog.get_by_label("Email Address").fill("owner@example.com")
    dialog.get_by_label("Amazon Marketplace Country").select_option(label="United States")
    dialog.get_by_role("button", name="Connect", exact=True).click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    banner = page.locator("#asc-banners")
    expect(banner).to_contain_text("Store “Amazon Store USA” was added.")
    card = page.locator("article.asc-card", has_text="Amazon Store USA")
    expect(card).to_contain_text("United States · North America")
    expect(card).to_contain_text("Not connected")
    expect(card.get_by_role("button", name="Connect store")).to_be_visible()
    assert_accessible(page)
    shot(page, "05-home-with-card")

    card.get_by_role("link", name="View Store").click()
    expect(page.get_by_role("heading", name="Amazon Store USA", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Store Name", exact=True).fill("Amazon Store US")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#asc-banners")).to_contain_text("Settings of “Amazon Store US")
    expect(page.get_by_role("heading", name="Amazon Store US", level=1)).to_be_visible()
    shot(page, "06-dashboard")

    # An Incomplete store can be neither activated nor deactivated: it is not connected yet.
    expect(page.get_by_role("button", name="Deactivate")).to_have_count(0)
    expect(page.get_by_role("button", name="Activate")).to_have_count(0)

    page.get_by_role("navigation", name="Amazon Sales Channel").get_by_role(
        "link", name="Amazon Stores").click()
    card = page.locator("article.asc-card", has_text="Amazon Store US")
    card.locator("summary").click()
    expect(card.locator(".asc-menu-items").get_by_role("button")).to_have_count(0)
    card.get_by_role("link", name="Delete…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("This cannot be undone.")
    dialog.get_by_role("button", name="Delete store for good").click()
    expect(page.locator("#asc-banners")).to_contain_text("was deleted")
    expect(page.get_by_role("heading", name="No Amazon stores yet")).to_be_visible()
    assert store_named(app, "Amazon Store US") is None


def test_onboarding_walk_without_javascript(browser, live, app):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280,
                                                                        "height": 900})
    page = context.new_page()
    sign_in(page, live.url)
    page.get_by_role("link", name="Add Amazon Store").first.click()
    expect(page.get_by_role("heading", name="Pre-setup tasks")).to_be_visible()
    page.get_by_role("button", name="Mark as done: Currency").click()
    expect(page.get_by_text("1 of 7 tasks done")).to_be_visible()
    page.get_by_role("link", name="Continue to Add Amazon Store").click()
    page.get_by_label("Product ID on the Amazon market").select_option("EAN")
    page.get_by_label("Map a Demo Shop attribute").select_option("ean")
    page.get_by_role("button", name="Update preview").click()
    expect(page.get_by_role("columnheader", name="As EAN")).to_be_visible()
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.get_by_text("Enter a name for the store.")).to_be_visible()
    page.get_by_label("Demo Shop Website to use for Amazon Listing").select_option(
        label="Canada Website")
    page.get_by_label("Email Address").fill("ca@example.com")
    page.get_by_label("New Store Name").fill("Amazon Store Canada")
    page.get_by_label("Amazon Marketplace Country").select_option(label="Canada")
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.locator("#asc-banners")).to_contain_text("Store “Amazon Store Canada” was added.")
    page.get_by_role("link", name="View Store").click()
    page.get_by_label("Store Name", exact=True).fill("Amazon Store CA")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#asc-banners")).to_contain_text("Settings of “Amazon Store CA")
    page.get_by_role("link", name="Delete…").click()
    page.get_by_role("button", name="Delete store for good").click()
    expect(page.locator("#asc-banners")).to_contain_text("was deleted")
    assert store_named(app, "Amazon Store CA") is None
    context.close()


def _tab_to(page, name, limit=80):
    """Press Tab until the focused element's accessible text starts with name."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => (document.activeElement.getAttribute('aria-label') || "
            "document.activeElement.innerText || document.activeElement.id || '').trim()")
        if focused.startswith(name):
            return
    raise AssertionError(f"could not reach {name!r} with Tab")


def test_keyboard_only_add_store(page, live, app):
    sign_in(page, live.url)
    _tab_to(page, "Add Amazon Store")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Pre-setup tasks")).to_be_visible()
    _tab_to(page, "Continue to Add Amazon Store")
    page.keyboard.press("Enter")
    expect(dialog.get_by_role("heading", name="Add Amazon sales channel")).to_be_visible()
    website = dialog.get_by_label("Demo Shop Website to use for Amazon Listing")
    expect(website).to_be_focused()
    page.keyboard.press("ArrowDown")  # Main Website
    page.keyboard.press("Tab")
    page.keyboard.type("kb@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("Keyboard Store")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # United States
    expect(dialog.get_by_label("Amazon Marketplace Country")).to_have_value("US")
    expect(page.locator(":focus")).to_have_css("outline-style", "solid")
    _tab_to(page, "Connect")
    page.keyboard.press("Enter")
    expect(page.locator("#asc-banners")).to_contain_text("Store “Keyboard Store” was added.")
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert store_named(app, "Keyboard Store").website_id == "1"
    _tab_to(page, "⋯")  # the card's Actions menu
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Delete…")).to_be_visible()
    page.keyboard.press("Escape")


def test_a_link_swapped_into_the_dialog_listens_the_moment_it_appears(page, live):
    """htmx wires new content when it settles: a link clicked the instant it is shown (here by
    a MutationObserver, before any timer can run) must still open in the dialog, not leave it
    (a quick Enter on "Continue" once did)."""
    sign_in(page, live.url)
    page.evaluate("""() => {
      const body = document.getElementById("asc-dialog-body");
      new MutationObserver((records, observer) => {
        const link = body.querySelector("a[href*='step=form']");
        if (link) { observer.disconnect(); link.click(); }
      }).observe(body, {childList: true, subtree: true});
    }""")
    page.get_by_role("link", name="Add Amazon Store").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Add Amazon sales channel")).to_be_visible()
    assert "step=form" not in page.url


def _add_us_store(page, live, name="Amazon Store USA", country="United States",
                  website="Main Website", signed_in=False):
    if signed_in:
        page.goto(f"{live.url}/admin/amazon/stores/new?step=form")
    else:
        sign_in(page, live.url, "/admin/amazon/stores/new?step=form")
    page.get_by_label("Demo Shop Website to use for Amazon Listing").select_option(label=website)
    page.get_by_label("Email Address").fill("owner@example.com")
    page.get_by_label("New Store Name").fill(name)
    page.get_by_label("Amazon Marketplace Country").select_option(label=country)
    page.get_by_label("Product ID on the Amazon market").select_option("ASIN")
    page.get_by_label("Map a Demo Shop attribute").select_option("amazon_asin")
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.locator("#asc-banners")).to_contain_text(f"Store “{name}” was added.")


def _seller_central(page, name_prefix=None):
    """The seed's screens at the sandbox: sign in, 2FA (unless this browser is signed in to
    Seller Central already), I understand + Next, Continue."""
    consent = page.get_by_text("is requesting access")
    expect(page.get_by_role("heading", name="Sign in").or_(consent)).to_be_visible()
    if not consent.is_visible():
        page.get_by_label("Email or mobile phone number").fill("seller@example.com")
        page.get_by_label("Password").fill("sandbox")
        if name_prefix:
            shot(page, f"{name_prefix}-signin")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_label("Enter OTP").fill("123456")
        page.get_by_role("button", name="Sign in").click()
    expect(consent).to_be_visible()
    page.get_by_label("I understand").check()
    if name_prefix:
        shot(page, f"{name_prefix}-consent")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="You are almost done")).to_be_visible()
    page.get_by_role("button", name="Continue").click()


@pytest.mark.parametrize("routing", ["direct", "login_uri"])
def test_first_store_second_marketplace_and_renewal_under_both_routings(page, live, app,
                                                                        sandbox, routing):
    """Amazon sends the seller straight back, or through the Login URI first: in both, no
    extra click, the waiting card follows the attempt, and the banners name the store."""
    sandbox.settings(routing=routing)
    _add_us_store(page, live)
    card = page.locator("article.asc-card", has_text="Amazon Store USA")
    with page.context.expect_page() as new_tab:
        card.get_by_role("button", name="Connect store").click()
    expect(card.get_by_role("button", name="Reopen Seller Central")).to_be_visible()
    expect(card.get_by_role("button", name="Cancel")).to_be_visible()
    _seller_central(new_tab.value)
    expect(new_tab.value.get_by_text("You can close this tab")).to_be_visible()
    expect(page.locator("#asc-banners")).to_contain_text(
        "“Amazon Store USA” is connected as Example Outfitters (A3FH4EXAMPLE).", timeout=10000)

    _add_us_store(page, live, name="Amazon Store Canada", country="Canada",
                  website="Canada Website", signed_in=True)
    card = page.locator("article.asc-card", has_text="Amazon Store Canada")
    with page.context.expect_page() as new_tab:
        card.get_by_role("button", name="Connect store").click()
    _seller_central(new_tab.value)
    expect(page.locator("#asc-banners")).to_contain_text(
        "“Amazon Store Canada” is connected as Example Outfitters (A3FH4EXAMPLE).",
        timeout=10000)
    expect(page.locator("#asc-banners")).to_contain_text("now serves “Amazon Store USA” too")

    sandbox.move_clock(days=358)
    page.locator("article.asc-card", has_text="Amazon Store USA").get_by_role(
        "link", name="View Store").click()
    panel = page.locator("#asc-connection")
    expect(panel).to_contain_text("7 days left")
    with page.context.expect_page() as new_tab:
        panel.get_by_role("button", name="Renew authorization").click()
    expect(panel).to_contain_text("Waiting for Amazon")
    _seller_central(new_tab.value)
    expect(page.locator("#asc-banners")).to_contain_text(
        "Authorization of “Amazon Store USA” renewed", timeout=10000)
    expect(panel).to_contain_text("365 days left")
    assert store_named(app, "Amazon Store Canada").authorization_expires_at == store_named(
        app, "Amazon Store USA").authorization_expires_at  # one authorization, renewed for both
    if routing == "login_uri":
        shot(page, "15-renewed-on-the-dashboard")


def test_connect_across_two_tabs(page, live, app, sandbox):
    _add_us_store(page, live)
    card = page.locator("article.asc-card", has_text="Amazon Store USA")
    with page.context.expect_page() as new_tab:
        card.get_by_role("button", name="Connect store").click()
    amazon = new_tab.value
    expect(page.locator("article.asc-card", has_text="Amazon Store USA")).to_contain_text(
        "Waiting for Amazon")
    summary = page.get_by_role("list", name="Your stores at a glance")
    expect(summary).to_contain_text("1 store")
    expect(summary).to_contain_text("0 connected")
    shot(page, "07-waiting-for-amazon")
    # Next stays disabled until the box is ticked (the sandbox's own script).
    _seller_central(amazon, "08-sandbox")
    expect(amazon.get_by_text("You can close this tab")).to_be_visible()
    card = page.locator("article.asc-card", has_text="Amazon Store USA")
    expect(card).to_contain_text("Connected", timeout=10000)
    expect(card).to_contain_text("as Example Outfitters (A3FH4EXAMPLE)")
    expect(page.locator("#asc-banners")).to_contain_text(
        "“Amazon Store USA” is connected as Example Outfitters (A3FH4EXAMPLE).")
    expect(summary).to_contain_text("1 connected")  # the counts follow the card
    expect(summary).to_contain_text("0 not connected")
    assert_accessible(page)
    shot(page, "09-connected")
    store = store_named(app, "Amazon Store USA")
    assert store.connection_state is ConnectionState.CONNECTED
    assert "Atzr|" not in store.refresh_token_encrypted
    card.get_by_role("link", name="View Store").click()
    expect(page.get_by_text("Authorization expires")).to_be_visible()
    shot(page, "10-dashboard-connected")


def test_connect_without_javascript(browser, live, app):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _add_us_store(page, live)
    page.locator("article.asc-card", has_text="Amazon Store USA").get_by_role(
        "button", name="Connect store").click()
    _seller_central(page)
    expect(page.locator("#asc-banners")).to_contain_text(
        "“Amazon Store USA” is connected as Example Outfitters (A3FH4EXAMPLE).")
    expect(page.locator("article.asc-card", has_text="Amazon Store USA")).to_contain_text(
        "Connected")
    assert store_named(app, "Amazon Store USA").connection_state is ConnectionState.CONNECTED
    context.close()


def test_next_is_disabled_until_i_understand_is_ticked(page, live):
    _add_us_store(page, live)
    card = page.locator("article.asc-card", has_text="Amazon Store USA")
    with page.context.expect_page() as new_tab:
        card.get_by_role("button", name="Connect store").click()
    amazon = new_tab.value
    amazon.get_by_label("Email or mobile phone number").fill("+15555550100")
    amazon.get_by_label("Password").fill("sandbox")
    amazon.get_by_role("button", name="Sign in").click()
    amazon.get_by_label("Enter OTP").fill("000000")
    amazon.get_by_role("button", name="Sign in").click()
    expect(amazon.get_by_role("alert")).to_contain_text("not valid")
    amazon.get_by_label("Enter OTP").fill("123456")
    amazon.get_by_role("button", name="Sign in").click()
    expect(amazon.get_by_role("button", name="Next")).to_be_disabled()
    amazon.get_by_label("I understand").check()
    expect(amazon.get_by_role("button", name="Next")).to_be_enabled()
    amazon.get_by_role("button", name="Cancel").click()
    expect(amazon.get_by_role("alert")).to_contain_text("cancelled on Amazon")
    expect(page.locator("article.asc-card", has_text="Amazon Store USA")).to_contain_text(
        "Not connected")
    expect(page.locator("#asc-banners")).to_contain_text("cancelled on Amazon", timeout=10000)


def _readme_csp(sandbox_url: str) -> str:
    """The Content-Security-Policy the docs recommend (docs/production.md), with the sandbox
    standing in for Seller Central in form-action."""
    page = (Path(__file__).resolve().parents[1] / "docs" / "production.md").read_text()
    policy = re.search(r"^Content-Security-Policy: (.+)$", page, re.M).group(1)
    return policy.replace("https://sellercentral.amazon.com", sandbox_url, 1)


def test_pages_work_under_the_readmes_content_security_policy(page, app, live, sandbox):
    policy = _readme_csp(sandbox.url)

    @app.after_request
    def strict_csp(response):
        response.headers["Content-Security-Policy"] = policy
        return response

    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in(page, live.url)
    page.get_by_role("link", name="Add Amazon Store").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("link", name="Continue to Add Amazon Store").click()
    settled(page)
    dialog.get_by_label("Product ID on the Amazon market").select_option("EAN")
    expect(dialog.get_by_label("Map a Demo Shop attribute")).to_have_value("ean")
    dialog.get_by_label("Demo Shop Website to use for Amazon Listing").select_option("1")
    dialog.get_by_label("Email Address").fill("csp@example.com")
    dialog.get_by_label("New Store Name").fill("CSP store")
    dialog.get_by_label("Amazon Marketplace Country").select_option("UK")
    dialog.get_by_role("button", name="Connect", exact=True).click()
    expect(page.locator("#asc-banners")).to_contain_text("Store “CSP store” was added.")
    page.locator("#asc-banners .asc-dismiss").first.click()
    expect(page.locator("#asc-banners")).not_to_contain_text("CSP store")
    page.locator("article.asc-card", has_text="CSP store").get_by_role(
        "link", name="View Store").click()
    with page.context.expect_page() as new_tab:  # Connect store: a form answered by Amazon
        page.get_by_role("button", name="Connect store").click()
    expect(new_tab.value.get_by_role("heading", name="Sign in")).to_be_visible()
    assert violations == []


def _english_sentences():
    """The plugin's English source strings of three words or more."""
    from babel.messages.pofile import read_po

    po = Path(__file__).resolve().parents[1] / \
        "asc_plugin/translations/zh_Hant/LC_MESSAGES/asc_plugin.po"
    with po.open("rb") as f:
        catalog = read_po(f)
    sentences = set()
    for message in catalog:
        for text in (message.id if isinstance(message.id, tuple) else (message.id,)):
            plain = re.sub(r"%\(\w+\)[sd]", "", text).strip()
            if len(plain.split()) >= 3:
                sentences.add(plain.split("%(")[0].strip()[:40])
    return sentences


def _assert_no_english(page, selector):
    from asc_plugin.sandbox.config import APP_NAME

    # The SP-API app's registered name is data Amazon shows, not a sentence of ours.
    text = page.locator(selector).first.inner_text().replace(APP_NAME, "")
    leaked = [s for s in _english_sentences() if s and s in text]
    assert leaked == [], leaked


def seller_central_zh(amazon, check=lambda: None):
    """The sandbox's screens in Traditional Chinese: sign in, 2FA, consent, almost done."""
    amazon.get_by_label("電子郵件或手機號碼").fill("seller@example.com")
    amazon.get_by_label("密碼").fill("sandbox")
    amazon.get_by_role("button", name="登入").click()
    amazon.get_by_label("輸入一次性密碼").fill("123456")
    amazon.get_by_role("button", name="登入").click()
    amazon.get_by_label("我了解並同意").check()
    check()
    amazon.get_by_role("button", name="下一步").click()
    expect(amazon.get_by_role("heading", name="即將完成")).to_be_visible()
    amazon.get_by_role("button", name="繼續").click()


def test_add_and_connect_in_traditional_chinese(browser, live, app):
    context = browser.new_context(locale="zh-TW", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, live.url)
    expect(page.get_by_role("heading", name="還沒有Amazon商店")).to_be_visible()
    expect(page.locator("#asc-root")).to_have_attribute("lang", "zh-Hant")
    expect(page.get_by_role("navigation", name="Admin")).to_contain_text("行銷")
    _assert_no_english(page, "#asc-root")
    page.get_by_role("link", name="新增Amazon商店").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="預先設定工作")).to_be_visible()
    _assert_no_english(page, "#asc-dialog")
    dialog.get_by_role("link", name="繼續新增Amazon商店").click()
    expect(dialog.get_by_role("heading", name="新增Amazon銷售管道")).to_be_visible()
    settled(page)
    dialog.get_by_label("用於Amazon清單的Demo Shop網站").select_option("1")
    dialog.get_by_label("電子郵件地址").fill("tw@example.com")
    dialog.get_by_label("新商店名稱").fill("亞馬遜美國商店")
    dialog.get_by_label("Amazon站點國家／地區").select_option("US")
    dialog.get_by_label("Amazon站點上的產品ID").select_option("UPC")
    expect(dialog.get_by_label("對應Demo Shop屬性")).to_have_value("upc")
    _assert_no_english(page, "#asc-dialog")
    shot(page, "11-zh-add-dialog")
    dialog.get_by_role("button", name="連線", exact=True).click()
    expect(page.locator("#asc-banners")).to_contain_text("已新增商店「亞馬遜美國商店」")
    card = page.locator("article.asc-card", has_text="亞馬遜美國商店")
    expect(card).to_contain_text("美國 · 北美")
    with context.expect_page() as new_tab:
        card.get_by_role("button", name="連線商店").click()
    amazon = new_tab.value
    expect(amazon.get_by_role("heading", name="登入")).to_be_visible()
    _assert_no_english(amazon, ".sb-card")
    seller_central_zh(amazon, check=lambda: _assert_no_english(amazon, ".sb-card"))
    expect(amazon.get_by_text("您可以關閉此分頁")).to_be_visible()
    expect(page.locator("#asc-banners")).to_contain_text(
        "「亞馬遜美國商店」已連線至Example Outfitters（A3FH4EXAMPLE）。", timeout=10000)
    expect(card).to_contain_text("剩餘365天")
    _assert_no_english(page, "#asc-root")
    shot(page, "12-zh-connected")
    context.close()
