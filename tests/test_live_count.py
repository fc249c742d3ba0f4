"""The live rule count: one query on a host that counts in SQL (``count_matching``), the same
answer as the plugin's own evaluation, caps on what one count may be asked, and in Chromium a
slow count that a newer one replaces never overwrites it."""

from __future__ import annotations

import re
import threading

import pytest
from browser_support import settled, sign_in
from helpers import PREFIX, SMALL_CATALOG, add_store, csrf_from, signed_in, store_named
from hosts.shop_sql import SqlShopHost, load
from playwright.sync_api import expect

from asc_plugin.demo.app import DemoHost
from asc_plugin.demo.catalog import Catalog, generate
from asc_plugin.services import rules
from asc_plugin.state import plugin_state

PRODUCTS = generate("1", SMALL_CATALOG["1"])
COUNT = re.compile(
    r"<strong>([\d,]+)</strong> of <strong>([\d,]+)</strong> products on Main Website match")

#: (conditions, match): every operator of every kind of field, and both ways of combining.
RULES = [
    ([], "all"),
    ([("price", "lt", "50")], "all"),
    ([("price", "gt", "24.99"), ("quantity", "is", "0")], "any"),
    ([("price", "is_not", "19.99"), ("quantity", "one_of", "1, 2, 3, 60")], "all"),
    ([("quantity", "is_set", ""), ("price", "is_empty", "")], "any"),
    ([("category", "is", "Shoes")], "all"),
    ([("category", "is_not", "apparel"), ("category", "contains", "OOK")], "all"),
    ([("category", "one_of", "Hats, Tents, Mugs"), ("category", "is_empty", "")], "any"),
    ([("name", "contains", "trail"), ("sku", "is_not", "APP-00010")], "all"),
    ([("attribute:brand", "one_of", "Northwind, Fabrikam"), ("attribute:color", "is", "navy")],
     "any"),
    ([("attribute:upc", "is_empty", ""), ("attribute:isbn", "is_set", "")], "any"),
    ([("attribute:amazon_condition", "is", "used - good"), ("name", "contains", "100%_")], "any"),
    ([("attribute:ean", "contains", "40"), ("sku", "one_of", "TRS-001, mug-3, BOOK-77")], "any"),
    ([("sku", "is", "TRS-001"), ("sku", "one_of", "mug-3, BOOK-77"), ("category", "is", "Hats"),
      ("category", "one_of", "tents"), ("price", "is", "12"), ("price", "one_of", "5.99")], "any"),
]


def _form(token, conditions, match):
    data = {"csrf_token": token, "match": match, "enabled": "y"}
    for n, (field, operator, value) in enumerate(conditions):
        data.update({f"conditions-{n}-field": field, f"conditions-{n}-operator": operator,
                     f"conditions-{n}-value": value})
    return data


def _expected(conditions, match, app) -> int:
    with app.test_request_context():
        listed = rules.predicate([rules.Condition(*c) for c in conditions], match)
        return sum(1 for p in PRODUCTS if listed(p))


@pytest.fixture()
def sql_app(app):
    """The demo, with its products in SQL tables and counted by the host's own query."""
    host = SqlShopHost(Catalog(SMALL_CATALOG))
    plugin_state(app).host = host
    with app.app_context():
        load("1", SMALL_CATALOG["1"])
    return app


def test_a_host_counting_in_sql_gives_the_plugins_own_count_in_one_query(sql_app, live):
    admin = signed_in(live.url)
    page = admin.get(f"{live.url}{PREFIX}/stores/new?step=form")
    admin.post(f"{live.url}{PREFIX}/stores/new", data={
        "csrf_token": csrf_from(page.text), "website_id": "1", "contact_email": "o@example.com",
        "name": "SQL store", "marketplace": "US", "amazon_id_type": "UPC",
        "host_attribute": "upc"}, timeout=30)
    store = store_named(sql_app, "SQL store")
    url = f"{live.url}{PREFIX}/stores/{store.id}/rules"
    token = csrf_from(admin.get(url, timeout=30).text)
    host = plugin_state(sql_app).host
    seen = []
    for conditions, match in RULES:
        expected = _expected(conditions, match, sql_app)
        for in_sql in (True, False):
            host.count_in_sql = in_sql
            answer = admin.post(f"{url}/count", data=_form(token, conditions, match),
                                headers={"HX-Request": "true"}, timeout=30)
            assert answer.status_code == 200
            listed, total = (int(n.replace(",", "")) for n in COUNT.search(answer.text).groups())
            assert (listed, total) == (expected, len(PRODUCTS)), (conditions, match, in_sql)
        seen.append(expected)
    assert len(set(seen)) > 8  # the rules really differ

    # Counted in SQL, the products are not read at all.
    host.count_in_sql = True
    host.products = lambda *a, **k: pytest.fail("read every product instead of counting in SQL")
    answer = admin.post(f"{url}/count", data=_form(token, RULES[9][0], "any"),
                        headers={"HX-Request": "true"}, timeout=30)
    assert COUNT.search(answer.text)


@pytest.mark.parametrize("locale, message", [
    ("en", "An “is one of” list takes at most 100 values; this one has 101."),
    ("zh-TW", "「為以下其中之一」清單最多可有100個值；此清單有101個。"),
])
def test_too_many_values_or_a_huge_number_are_refused_with_a_clear_message(
        app, admin, locale, message):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    url = f"{PREFIX}/stores/{store.id}/rules"
    headers = {"Accept-Language": locale}
    token = csrf_from(admin.get(url).text)
    values = ", ".join(f"v{n}" for n in range(101))
    saved = admin.post(url, headers=headers, data={
        **_form(token, [("attribute:brand", "one_of", values)], "all"), "action": "save"})
    assert saved.status_code == 422
    assert message in saved.text
    huge = admin.post(url, headers=headers, data={
        **_form(token, [("price", "lt", "1e309")], "all"), "action": "save"})
    assert huge.status_code == 422
    assert ("Enter a number, like 19.99." if locale == "en" else "請輸入數字") in huge.text
    with app.app_context():
        assert rules.rule_of(plugin_state().session.get(type(store), store.id)) is None


def test_more_conditions_than_a_rule_takes_are_refused(app, admin):
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    url = f"{PREFIX}/stores/{store.id}/rules"
    token = csrf_from(admin.get(url).text)
    many = [("name", "contains", f"x{n}") for n in range(rules.MAX_CONDITIONS + 1)]
    saved = admin.post(url, data={**_form(token, many, "any"), "action": "save"})
    assert saved.status_code == 422
    assert "A listing rule has at most 20 conditions." in saved.text
    with app.app_context():
        assert rules.rule_of(plugin_state().session.get(type(store), store.id)) is None


class SlowCountHost(DemoHost):
    """Counts in "SQL" that blocks while a condition's value says "slow", until released."""

    def __init__(self, products):
        super().__init__(products)
        self.slow_started = threading.Event()
        self.release = threading.Event()
        self.slow_answered = threading.Event()

    def count_matching(self, website_id, rule):
        if any("slow" in v for c in rule.conditions for v in c.values):
            self.slow_started.set()
            assert self.release.wait(30)
            self.slow_answered.set()
            return 0
        return None


@pytest.mark.browser
def test_a_newer_count_replaces_a_slow_one_that_never_overwrites_it(page, live, app, admin):
    host = SlowCountHost(Catalog(SMALL_CATALOG))
    plugin_state(app).host = host
    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    sign_in(page, live.url)
    page.goto(f"{live.url}{PREFIX}/stores/{store.id}/rules")
    count = page.locator("#asc-rule-count")
    expect(count).to_contain_text(f"{len(PRODUCTS)} of {len(PRODUCTS)} products")
    page.get_by_role("button", name="Add condition").click()
    row = page.locator("#asc-rule-row-0")
    expect(row).to_be_visible()
    settled(page)
    row.get_by_label("Field").select_option(label="Product name")
    settled(page)
    page.locator("#asc-rule-row-0").get_by_label("Comparison").select_option(label="contains")
    settled(page)
    page.locator("#asc-rule-row-0").get_by_label("Value").fill("slow")
    assert host.slow_started.wait(10)  # the slow count is on the server, blocked
    # The browser gives up the slow request when the newer one starts (hx-sync replace).
    with page.expect_event("requestfailed", lambda r: r.url.endswith("/rules/count")):
        page.locator("#asc-rule-row-0").get_by_label("Value").fill("trail")
    trail = sum(1 for p in PRODUCTS if "trail" in p.name.casefold())
    assert trail > 0
    contains = f"{trail} of {len(PRODUCTS)} products"
    expect(count).to_contain_text(contains)
    host.release.set()
    assert host.slow_answered.wait(10)
    settled(page)
    expect(count).to_contain_text(contains)
    expect(count).not_to_contain_text(f"0 of {len(PRODUCTS)}")


def test_column_count_and_per_product_predicate_agree_on_odd_products(app):
    """Missing numbers, empty paths and attributes, odd case and spaces: the live count's
    column evaluation and the match job's per-product predicate list the same products."""
    from decimal import Decimal

    from asc_plugin import Product
    from asc_plugin.services.rule_count import count_page

    odd = [Product(id="x1", sku="", name="", price=None, quantity=None),
           Product(id="x2", sku="APP-00010", name="TRAIL Tent", price=Decimal("19.99"),
                   quantity=0, category=("Outdoors", "SHOES"),
                   attributes={"brand": "  northwind ", "upc": "", "color": "Navy"}),
           Product(id="x3", sku="mug-3", name="100%_ mug", price=Decimal("50"), quantity=2,
                   category=("Home",), attributes={"amazon_condition": "Used - Good"})]
    page = odd + PRODUCTS[:60]
    with app.test_request_context():
        kinds = {f.key: f.kind for f in rules.fields()}
        for conditions, match in RULES:
            query = rules.rule_query([rules.Condition(*c) for c in conditions], match)
            listed = rules.query_predicate(query)
            assert count_page(query, kinds, page) == sum(map(listed, page)), (conditions, match)


def test_a_rule_stored_before_the_limits_keeps_working(app, admin):
    """The limits guard what an admin edits; a rule saved before them (a list of 120 values)
    still decides what is listed, rather than silently losing a condition."""
    from asc_plugin.models import ListingCondition, ListingRule, Store

    add_store(admin)
    store = store_named(app, "Amazon Store USA")
    values = ", ".join(["Northwind"] + [f"brand {n}" for n in range(119)])
    with app.test_request_context():
        plugin_state().session.add(ListingRule(
            store_id=store.id, match="all", enabled=True, version=1,
            conditions=[ListingCondition(position=0, field="attribute:brand",
                                         operator="one_of", value=values)]))
        plugin_state().session.commit()
        listed, _version = rules.active_predicate(plugin_state().session.get(Store, store.id))
        assert sum(map(listed, PRODUCTS)) == sum(
            1 for p in PRODUCTS if p.attributes.get("brand") == "Northwind") > 0
