"""Listing rules: the conditions' meaning, the form row by row over htmx, the live count, and
the same form without JavaScript."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from helpers import HX, PREFIX, SMALL_CATALOG, add_store, csrf_from, store_named
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asc_plugin import Product
from asc_plugin.demo.catalog import generate
from asc_plugin.models import ActivityLog
from asc_plugin.services import rules
from asc_plugin.state import plugin_state

SHOE = Product(id="1", sku="TRS-001", name="Trail Running Shoe", price=Decimal("89.00"),
               quantity=0, category=("Apparel", "Shoes", "Running"),
               attributes={"brand": "Northwind", "upc": "036000291452"})


@pytest.fixture()
def store(app, admin):
    assert add_store(admin).status_code == 303
    return store_named(app, "Amazon Store USA")


def _holds(app, field, operator, value, product=SHOE):
    with app.test_request_context():
        return rules.predicate([rules.Condition(field, operator, value)], "all")(product)


@pytest.mark.parametrize(("field", "operator", "value", "expected"), [
    ("sku", "is", "trs-001", True),                 # text compares without case
    ("sku", "is_not", "TRS-001", False),
    ("name", "contains", "running", True),
    ("name", "one_of", "Mug, Trail Running Shoe", True),
    ("price", "gt", "50", True),
    ("price", "lt", "89", False),
    ("price", "is", "89", True),                    # 89 == 89.00
    ("price", "one_of", "12, 89.0", True),
    ("quantity", "gt", "0", False),                 # out of stock
    ("quantity", "is", "0", True),
    ("category", "is", "shoes", True),              # any level of the path
    ("category", "is", "Apparel", True),
    ("category", "is_not", "Books", True),
    ("category", "contains", "run", True),
    ("category", "one_of", "Books, Running", True),
    ("attribute:brand", "is", "Northwind", True),
    ("attribute:color", "is_empty", "", True),
    ("attribute:upc", "is_set", "", True),
    ("attribute:ean", "is_set", "", False),
])
def test_each_operator(app, field, operator, value, expected):
    assert _holds(app, field, operator, value) is expected


def test_a_product_without_a_price_never_passes_a_number_comparison(app):
    free = Product(id="2", sku="X", name="X")
    assert not _holds(app, "price", "gt", "0", free)
    assert not _holds(app, "price", "lt", "1000", free)
    assert _holds(app, "price", "is_empty", "", free)


def test_all_and_any(app):
    with app.test_request_context():
        both = [rules.Condition("category", "is", "Shoes"), rules.Condition("quantity", "gt", "0")]
        assert not rules.predicate(both, "all")(SHOE)
        assert rules.predicate(both, "any")(SHOE)


@pytest.mark.parametrize(("condition", "problem"), [
    (("nope", "is", "x"), "Choose a field."),
    (("price", "contains", "x"), "Choose how to compare."),
    (("sku", "is", "  "), "Enter a value."),
    (("price", "gt", "cheap"), "Enter a number, like 19.99."),
    (("price", "gt", "NaN"), "Enter a number, like 19.99."),
    (("price", "one_of", "1, x"), "Enter a number, like 19.99."),
])
def test_unusable_conditions_say_why(app, condition, problem):
    with app.test_request_context():
        assert rules.problem(rules.Condition(*condition)) == problem


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(["sku", "name", "price", "quantity", "category", "attribute:upc"]),
       operator=st.sampled_from(list(rules.OPERATORS)), value=st.text(max_size=30))
def test_any_condition_either_works_or_says_why_never_raises(app, field, operator, value):
    with app.test_request_context():
        condition = rules.Condition(field, operator, value)
        listed = rules.predicate([condition], "all")
        for product in generate("1", 30):
            assert listed(product) in (True, False)


def _rule_page(admin, store):
    return admin.get(f"{PREFIX}/stores/{store.id}/rules")


def test_the_live_count_matches_an_independent_count(app, admin, store):
    token = csrf_from(_rule_page(admin, store).text)
    response = admin.post(f"{PREFIX}/stores/{store.id}/rules/count", headers=HX, data={
        "csrf_token": token, "match": "all", "enabled": "y",
        "conditions-0-field": "price", "conditions-0-operator": "lt",
        "conditions-0-value": "20", "conditions-1-field": "sku",
        "conditions-1-operator": "is", "conditions-1-value": ""})
    products = generate("1", SMALL_CATALOG["1"])
    cheap = sum(1 for p in products if p.price is not None and p.price < 20)
    assert f"<strong>{cheap}</strong> of <strong>{len(products)}</strong> products on " \
           "Main Website match" in response.text
    assert "(1 incomplete condition is not counted yet)" in response.text
    off = admin.post(f"{PREFIX}/stores/{store.id}/rules/count", headers=HX, data={
        "csrf_token": token, "match": "all", "conditions-0-field": "price",
        "conditions-0-operator": "lt", "conditions-0-value": "20"})
    assert f"<strong>{len(products)}</strong> of <strong>{len(products)}</strong>" in off.text


def test_rows_are_added_changed_and_removed_one_at_a_time(app, admin, store):
    token = csrf_from(_rule_page(admin, store).text)
    add = admin.post(f"{PREFIX}/stores/{store.id}/rules/row", headers=HX, data={
        "csrf_token": token, "action": "add", "conditions-0-field": "sku",
        "conditions-0-operator": "is", "conditions-0-value": "A",
        "conditions-4-field": "sku", "conditions-4-operator": "is"})
    html = add.text.strip()
    assert html.startswith('<tr id="asc-rule-row-5"') and html.count("<tr") == 1
    assert "asc:rule-changed" in add.headers["HX-Trigger-After-Settle"]
    # The field changes to a number: the row comes back with number comparisons only.
    changed = admin.post(f"{PREFIX}/stores/{store.id}/rules/row", headers=HX, data={
        "csrf_token": token, "row": "5", "conditions-5-field": "price",
        "conditions-5-operator": "contains", "conditions-5-value": ""}).text
    assert changed.strip().startswith('<tr id="asc-rule-row-5"')
    assert 'value="gt"' in changed and 'value="contains"' not in changed
    assert 'inputmode="decimal"' in changed
    # is_set takes no value: no text box.
    valueless = admin.post(f"{PREFIX}/stores/{store.id}/rules/row", headers=HX, data={
        "csrf_token": token, "row": "5", "conditions-5-field": "price",
        "conditions-5-operator": "is_set"}).text
    assert "No value needed." in valueless and 'type="text"' not in valueless
    removed = admin.post(f"{PREFIX}/stores/{store.id}/rules/row", headers=HX, data={
        "csrf_token": token, "action": "remove", "row": "5", "conditions-5-field": "price"})
    assert removed.status_code == 200 and removed.text == ""
    bogus = admin.post(f"{PREFIX}/stores/{store.id}/rules/row", headers=HX, data={
        "csrf_token": token, "row": "7"})
    assert bogus.status_code == 400


def test_a_rule_has_at_most_twenty_conditions(app, admin, store):
    token = csrf_from(_rule_page(admin, store).text)
    data = {"csrf_token": token, "action": "add"}
    for n in range(rules.MAX_CONDITIONS):
        data.update({f"conditions-{n}-field": "sku", f"conditions-{n}-operator": "is_set"})
    refused = admin.post(f"{PREFIX}/stores/{store.id}/rules/row", headers=HX, data=data)
    assert refused.text == "" and refused.headers["HX-Reswap"] == "none"
    assert "at most 20 conditions" in refused.headers["HX-Trigger"]


def test_without_javascript_add_remove_and_update_preview_rerender_without_saving(
        app, admin, store):
    token = csrf_from(_rule_page(admin, store).text)
    url = f"{PREFIX}/stores/{store.id}/rules"
    added = admin.post(url, data={"csrf_token": token, "match": "all", "enabled": "y",
                                  "action": "add"})
    assert added.status_code == 200 and 'id="asc-rule-row-0"' in added.text
    both = admin.post(url, data={
        "csrf_token": token, "match": "any", "enabled": "y", "action": "add",
        "conditions-0-field": "category", "conditions-0-operator": "is",
        "conditions-0-value": "Books"})
    assert 'id="asc-rule-row-1"' in both.text and 'value="Books"' in both.text
    preview = admin.post(url, data={
        "csrf_token": token, "match": "all", "enabled": "y", "action": "preview",
        "conditions-0-field": "category", "conditions-0-operator": "is",
        "conditions-0-value": "Books"})
    books = sum(1 for p in generate("1", SMALL_CATALOG["1"]) if "Books" in p.category)
    assert f"<strong>{books}</strong> of" in preview.text
    removed = admin.post(url, data={
        "csrf_token": token, "match": "all", "enabled": "y", "action": "remove-0",
        "conditions-0-field": "category", "conditions-0-operator": "is",
        "conditions-0-value": "Books"})
    assert 'id="asc-rule-row-0"' not in removed.text
    with app.app_context():
        assert rules.rule_of(store) is None  # nothing was saved


def test_save_refuses_an_incomplete_condition_and_keeps_what_was_typed(app, admin, store):
    token = csrf_from(_rule_page(admin, store).text)
    response = admin.post(f"{PREFIX}/stores/{store.id}/rules", data={
        "csrf_token": token, "match": "all", "enabled": "y", "action": "save",
        "conditions-0-field": "price", "conditions-0-operator": "gt",
        "conditions-0-value": "cheap"})
    assert response.status_code == 422
    assert "Enter a number, like 19.99." in response.text and 'value="cheap"' in response.text
    with app.app_context():
        assert rules.rule_of(store) is None


def test_saved_rules_show_on_the_dashboard_and_in_the_activity_log(app, admin, store):
    token = csrf_from(_rule_page(admin, store).text)
    saved = admin.post(f"{PREFIX}/stores/{store.id}/rules", data={
        "csrf_token": token, "match": "any", "enabled": "y", "action": "save",
        "conditions-3-field": "category", "conditions-3-operator": "is",
        "conditions-3-value": "Books", "conditions-9-field": "attribute:brand",
        "conditions-9-operator": "one_of", "conditions-9-value": "Northwind, Litware"})
    assert saved.status_code == 303
    page = _rule_page(admin, store).text
    assert 'value="Books"' in page and 'value="Northwind, Litware"' in page
    assert re.search(r'<input[^>]*checked[^>]*value="any"|<input[^>]*value="any"[^>]*checked',
                     page)
    dashboard = admin.get(f"{PREFIX}/stores/{store.id}").text
    assert "Edit listing rules" in dashboard
    assert "Products where any of these holds are listed: Category is “Books”; " \
           "Attribute: Brand is one of “Northwind, Litware”." in dashboard
    again = admin.post(f"{PREFIX}/stores/{store.id}/rules", data={
        "csrf_token": token, "match": "any", "enabled": "y", "action": "save",
        "conditions-0-field": "category", "conditions-0-operator": "is",
        "conditions-0-value": "Books", "conditions-1-field": "attribute:brand",
        "conditions-1-operator": "one_of", "conditions-1-value": "Northwind, Litware"})
    assert again.status_code == 303
    with app.app_context():
        events = [e.event for e in plugin_state().session.query(ActivityLog).filter_by(
            store_id=store.id)]
        assert events.count("rule_changed") == 1  # the second save changed nothing


def test_rule_routes_survive_garbage(app, admin, store):
    token = csrf_from(_rule_page(admin, store).text)
    url = f"{PREFIX}/stores/{store.id}/rules"
    for data in ({"conditions-99999999999999999999-field": "sku"},
                 {"conditions-0-field": "\r\n", "conditions-0-operator": "\x00",
                  "conditions-0-value": "\u202e"},
                 {"match": "neither", "action": "remove-x"},
                 {"action": "save", "conditions-0-value": "v" * 60000}):
        for path in ("", "/count", "/row"):
            response = admin.post(url + path, data={"csrf_token": token, **data}, headers=HX)
            assert response.status_code < 500, (path, data)
    for path in ("", "/count", "/row"):  # broken UTF-8
        response = admin.post(url + path, headers=HX, content_type=(
            "application/x-www-form-urlencoded"), data=f"csrf_token={token}&row=0&"
            "conditions-0-field=%FF%FE&conditions-0-operator=is&conditions-0-value=%C3%28")
        assert response.status_code < 500, path
