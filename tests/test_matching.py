"""Listing rules, the listing preview and catalog matching over HTTP against the sandbox.

Most tests let the sandbox and the plugin run at 50 requests/s (``fast``) so a match of the
test catalog takes a second; the rate-limit tests run at Amazon's real 2/s.
"""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa
from helpers import (
    HX,
    PREFIX,
    SMALL_CATALOG,
    add_store,
    connected_store,
    csrf_from,
    demo_admin,
    listing_token,
    start_match,
    store_named,
)

from asc_plugin import signals
from asc_plugin.demo.catalog import generate
from asc_plugin.models import ActivityLog, ListingItem, MatchJob, Store
from asc_plugin.services import matching
from asc_plugin.state import plugin_state
from asc_plugin.testing import run_match_jobs

pytestmark = pytest.mark.usefixtures("fast")


@pytest.fixture()
def fast(request, app, sandbox):
    if "real_rate" in request.keywords:
        return
    sandbox.settings(catalog_rate=50, catalog_burst=50)
    app.config.update(ASC_CATALOG_RATE=50, ASC_CATALOG_BACKOFF_SECONDS=0.05)


def _items(app, store_id) -> dict[str, ListingItem]:
    with app.app_context():
        items = plugin_state().session.scalars(sa.select(ListingItem).where(
            ListingItem.store_id == store_id)).all()
        for item in items:
            plugin_state().session.expunge(item)
        return {item.product_id: item for item in items}


def _counts(app, store_id) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in _items(app, store_id).values():
        counts[item.status] = counts.get(item.status, 0) + 1
    return counts


def _page_of(request) -> tuple:
    """A catalog request's search and page: (identifiers, pageToken)."""
    return tuple(request["identifiers"]), tuple(request["params"].get("pageToken", []))


def _products(website="1"):
    return {p.id: p for p in generate(website, SMALL_CATALOG[website])}


def _save_rule(admin, store_id, conditions, match="all", enabled=True):
    page = admin.get(f"{PREFIX}/stores/{store_id}/rules")
    data = {"csrf_token": csrf_from(page.text), "match": match, "action": "save"}
    if enabled:
        data["enabled"] = "y"
    for n, (field, operator, value) in enumerate(conditions):
        data.update({f"conditions-{n}-field": field, f"conditions-{n}-operator": operator,
                     f"conditions-{n}-value": value})
    return admin.post(f"{PREFIX}/stores/{store_id}/rules", data=data)


# --- The whole flow ----------------------------------------------------------------------------

def test_match_lists_every_product_with_its_status_and_reason(app, admin, sandbox):
    store = connected_store(app, admin)
    received = []
    signals.catalog_matched.connect(lambda sender, **kw: received.append(kw), weak=False)
    try:
        assert start_match(admin, store.id).status_code == 303
        assert run_match_jobs(app) == ["done"]
    finally:
        signals.catalog_matched.receivers.clear()
    items = _items(app, store.id)
    products = _products()
    assert set(items) == set(products)  # no rule: every product of the website
    for product_id, item in items.items():
        upc = products[product_id].attributes.get("upc")
        if not upc:
            assert item.status == "id_missing"
        elif item.status == "id_invalid":
            assert item.reason == "check digit is wrong"
            assert item.identifier == upc  # shown in the preview, to be fixed
        else:
            assert item.status in ("matched", "several", "variation_parent", "no_match")
            assert item.matched_identifier == upc and item.matched_at is not None
    counts = _counts(app, store.id)
    assert {"matched", "several", "no_match", "id_missing", "id_invalid"} <= set(counts)
    # Each distinct identifier was asked in one search (every page of it once), 20 at most.
    requests_made = sandbox.catalog_requests()
    assert len(requests_made) == len({_page_of(r) for r in requests_made})
    searches = {tuple(r["identifiers"]) for r in requests_made}
    asked = [i for search in searches for i in search]
    assert len(asked) == len(set(asked))
    assert all(1 <= len(r["identifiers"]) <= 20 and r["type"] == "UPC" for r in requests_made)
    assert received and received[0]["counts"] == counts and received[0]["failure"] is None
    with app.app_context():
        log = [e.event for e in plugin_state().session.scalars(sa.select(ActivityLog).where(
            ActivityLog.store_id == store.id))]
    assert "match_started" in log and "match_finished" in log
    home = admin.get(f"{PREFIX}/").text
    listed = sum(counts.values())
    assert f"<strong>{counts['matched']}</strong> matched of <strong>{listed}</strong>" in home


def test_a_match_shows_amazons_item_and_several_matches_let_the_admin_pick(app, admin):
    store = connected_store(app, admin)
    start_match(admin, store.id)
    run_match_jobs(app)
    items = _items(app, store.id)
    matched = next(i for i in items.values() if i.status == "matched")
    page = admin.get(f"{PREFIX}/stores/{store.id}/listing?status=matched&q={matched.sku}").text
    assert matched.asin in page and matched.amazon_name in page
    several = next(i for i in items.values() if i.status == "several")
    options = json.loads(several.candidates)
    assert len(options) >= 2
    page = admin.get(f"{PREFIX}/stores/{store.id}/listing?status=several&q={several.sku}")
    for option in options:
        assert option["asin"] in page.text
    choice = options[1]["asin"]
    response = admin.post(
        f"{PREFIX}/stores/{store.id}/listing/{several.id}/choose", headers=HX,
        data={"csrf_token": csrf_from(page.text), "asin": choice})
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="asc-item-{several.id}"')
    assert choice in response.text and "Matched" in response.text
    chosen = _items(app, store.id)[several.product_id]
    assert (chosen.status, chosen.asin, chosen.chosen_asin) == ("matched", choice, choice)
    # An ASIN that is not one of the matches changes nothing.
    other = next(i for i in items.values() if i.status == "several" and i.id != several.id)
    refused = admin.post(f"{PREFIX}/stores/{store.id}/listing/{other.id}/choose",
                         data={"csrf_token": csrf_from(page.text), "asin": "B000000000"})
    assert refused.status_code == 303
    assert _items(app, store.id)[other.product_id].status == "several"


def test_the_choice_survives_a_new_match_while_the_identifier_is_unchanged(app, admin):
    store = connected_store(app, admin)
    start_match(admin, store.id)
    run_match_jobs(app)
    several = next(i for i in _items(app, store.id).values() if i.status == "several")
    asin = json.loads(several.candidates)[0]["asin"]
    token = listing_token(admin, store.id)
    admin.post(f"{PREFIX}/stores/{store.id}/listing/{several.id}/choose",
               data={"csrf_token": token, "asin": asin})
    app.config["ASC_MATCH_MAX_AGE_DAYS"] = 0  # everything is re-asked
    start_match(admin, store.id)
    run_match_jobs(app)
    again = _items(app, store.id)[several.product_id]
    assert (again.status, again.asin) == ("matched", asin)


def test_preview_filters_searches_and_pages_with_real_urls(app, admin):
    store = connected_store(app, admin)
    start_match(admin, store.id)
    run_match_jobs(app)
    counts = _counts(app, store.id)
    base = f"{PREFIX}/stores/{store.id}/listing"
    full = admin.get(base).text
    assert f"All ({sum(counts.values())})" in full
    assert f"Product id invalid ({counts['id_invalid']})" in full
    # A fragment for htmx, the whole page otherwise, from one URL.
    fragment = admin.get(f"{base}?status=id_invalid",
                         headers={**HX, "HX-Target": "asc-listing-results"}).text
    assert fragment.lstrip().startswith('<div id="asc-listing-results"')
    rows = re.findall(r'<tr id="asc-item-', fragment)
    assert len(rows) == counts["id_invalid"] and "check digit" in fragment
    page_two = admin.get(f"{base}?page=2").text
    assert "Page 2 of" in page_two
    first_sku = sorted(_products())[0]
    sku = _products()[first_sku].sku
    found = admin.get(f"{base}?q={sku}").text
    assert len(re.findall(r'<tr id="asc-item-', found)) == 1 and sku in found
    nothing = admin.get(f"{base}?q=%25_%5C").text  # LIKE wildcards are searched literally
    assert "No product fits this filter or search." in nothing
    for garbage in ("?page=99999999999999", "?page=-1", "?status=%0D%0A", "?q=" + "x" * 5000):
        assert admin.get(base + garbage).status_code == 200


def test_a_rule_excludes_products_and_matching_only_asks_for_listed_ones(app, admin, sandbox):
    store = connected_store(app, admin)
    assert _save_rule(admin, store.id, [("category", "is", "Books"),
                                        ("quantity", "gt", "0")]).status_code == 303
    start_match(admin, store.id)
    run_match_jobs(app)
    products = _products()
    items = _items(app, store.id)
    for product_id, item in items.items():
        product = products[product_id]
        listed = "Books" in product.category and (product.quantity or 0) > 0
        assert (item.status != "excluded") == listed
    asked = {i for r in sandbox.catalog_requests() for i in r["identifiers"]}
    assert asked == {i.identifier for i in items.values()
                     if i.status in ("matched", "several", "no_match")}


def test_a_second_match_asks_amazon_only_for_what_changed_or_aged(app, admin, sandbox):
    store = connected_store(app, admin)
    start_match(admin, store.id)
    run_match_jobs(app)
    first = len(sandbox.catalog_requests())
    assert first > 0
    start_match(admin, store.id)
    run_match_jobs(app)
    assert len(sandbox.catalog_requests()) == first  # nothing changed: nothing asked
    # The host's product gets another UPC: only that one is asked again.
    host = app.extensions["asc"].host
    products = host.catalog.all("1")
    index, old = next((n, p) for n, p in enumerate(products)
                      if p.attributes.get("upc") and p.attributes.get("upc")[-1] != "0"
                      and _items(app, store.id)[p.id].status == "matched")
    from dataclasses import replace

    new_upc = "036000291452" if old.attributes["upc"] != "036000291452" else "012345678905"
    products[index] = replace(old, attributes={**old.attributes, "upc": new_upc})
    try:
        start_match(admin, store.id)
        run_match_jobs(app)
    finally:
        products[index] = old
    later = sandbox.catalog_requests()[first:]
    assert [r["identifiers"] for r in later] == [[new_upc]]
    assert _items(app, store.id)[old.id].matched_identifier == new_upc
    # Results older than ASC_MATCH_MAX_AGE_DAYS are asked again.
    sandbox.move_clock(days=31)
    start_match(admin, store.id)
    run_match_jobs(app)
    assert len(sandbox.catalog_requests()) > first + 1


def test_products_the_host_no_longer_has_leave_the_preview(app, admin):
    store = connected_store(app, admin)
    start_match(admin, store.id)
    run_match_jobs(app)
    host = app.extensions["asc"].host
    products = host.catalog.all("1")
    gone = products.pop()
    try:
        start_match(admin, store.id)
        run_match_jobs(app)
        assert gone.id not in _items(app, store.id)
        assert len(_items(app, store.id)) == len(products)
    finally:
        products.append(gone)


def test_matching_needs_aconnected_store(app, admin):
    assert add_store(admin).status_code == 303
    store = store_named(app, "Amazon Store USA")
    response = start_match(admin, store.id, **HX)
    assert "Connect the store to Amazon to match its products." in response.text
    with app.app_context():
        assert plugin_state().session.scalar(sa.select(sa.func.count()).select_from(MatchJob)) == 0


def test_one_job_per_store_at_a_time(app, admin):
    store = connected_store(app, admin)
    start_match(admin, store.id)
    second = start_match(admin, store.id, **HX)
    assert "already under way" in second.headers["HX-Trigger"]
    with app.app_context():
        assert plugin_state().session.scalar(sa.select(sa.func.count()).select_from(MatchJob)) == 1


def test_progress_fragment_polls_while_running_and_announces_the_end(app, admin):
    store = connected_store(app, admin)
    started = start_match(admin, store.id, **HX)
    assert 'hx-trigger="every 1s"' in started.text and "<progress" in started.text
    assert "match/status?was=evaluate" in started.text
    run_match_jobs(app)
    status = admin.get(f"{PREFIX}/stores/{store.id}/match/status?was=match", headers=HX)
    assert "every 1s" not in status.text and "Last match finished:" in status.text
    assert "asc:listing-changed" in status.headers["HX-Trigger"]
    quiet = admin.get(f"{PREFIX}/stores/{store.id}/match/status", headers=HX)
    assert "HX-Trigger" not in quiet.headers


def test_a_revoked_authorization_stops_the_match_and_says_why(app, admin, sandbox):
    store = connected_store(app, admin)
    with app.app_context():
        seller = plugin_state().session.get(Store, store.id).seller_id
    sandbox.state.revoke(seller)
    start_match(admin, store.id)
    assert run_match_jobs(app) == ["failed"]
    page = admin.get(f"{PREFIX}/stores/{store.id}/listing").text
    assert "The last match stopped:" in page and "Renew the authorization" in page


# --- Amazon's answers, each way it gives them ---------------------------------------------------

@pytest.mark.parametrize(("fault", "code", "outcome"), [
    ("403_role", "catalog_role_missing", "failed"),
    ("500", "catalog_unavailable", "paused"),
    ("badjson", "catalog_unavailable", "paused")])
def test_amazon_failures_stop_the_run_and_keep_what_was_done(app, admin, sandbox, fault, code,
                                                             outcome):
    store = connected_store(app, admin)
    sandbox.faults(catalog=fault)
    start_match(admin, store.id)
    assert run_match_jobs(app) == [outcome]
    with app.app_context():
        job = plugin_state().session.scalar(sa.select(MatchJob))
        assert (job.status, job.error_code, job.phase) == (outcome, code, "match")
    assert "pending" in _counts(app, store.id)  # evaluated, waiting for the next run
    sandbox.faults()
    start_match(admin, store.id)
    assert run_match_jobs(app) == ["done"]
    assert "pending" not in _counts(app, store.id)


def test_a_429_backs_off_and_the_run_goes_on(app, admin, sandbox):
    store = connected_store(app, admin)
    sandbox.faults(catalog="429_empty", catalog_times=2)  # then Amazon lets us through
    start_match(admin, store.id)
    assert run_match_jobs(app) == ["done"]
    statuses = [r["status"] for r in sandbox.catalog_requests()]
    assert statuses[:3] == [429, 429, 200] and set(statuses[2:]) == {200}
    assert "pending" not in _counts(app, store.id)


def test_endless_throttling_stops_the_run_with_a_clear_reason(app, admin, sandbox):
    store = connected_store(app, admin)
    app.config["ASC_CATALOG_BACKOFF_SECONDS"] = 0.005  # 8 back-offs, doubling: keep it short
    sandbox.faults(catalog="429")
    start_match(admin, store.id)
    assert run_match_jobs(app) == ["paused"]
    assert len(sandbox.catalog_requests()) == matching.MAX_THROTTLED + 1
    page = admin.get(f"{PREFIX}/stores/{store.id}/listing").text
    assert "The match paused:" in page and "kept rate-limiting" in page
    assert "Resume matching" in page


# --- From cron ---------------------------------------------------------------------------------

def test_cli_matches_every_connected_store_with_progress_and_a_summary(app, admin, sandbox):
    store = connected_store(app, admin)
    result = app.test_cli_runner().invoke(args=["asc", "match-catalog"])
    assert result.exit_code == 0, result.output
    assert "Amazon Store USA: reading products" in result.output
    assert "Amazon Store USA: matching" in result.output
    counts = _counts(app, store.id)
    assert (f"Amazon Store USA: Matching with Amazon's catalog finished: {counts['matched']} of "
            f"{sum(counts.values())} listed products matched") in result.output
    again = app.test_cli_runner().invoke(args=["asc", "match-catalog", "--store", str(store.id)])
    assert again.exit_code == 0 and len(sandbox.catalog_requests()) == len(
        {_page_of(r) for r in sandbox.catalog_requests()})


def test_cli_exits_1_naming_a_store_whose_authorization_failed(app, admin, sandbox):
    store = connected_store(app, admin)
    with app.app_context():
        seller = plugin_state().session.get(Store, store.id).seller_id
    sandbox.state.revoke(seller)
    result = app.test_cli_runner().invoke(args=["asc", "match-catalog"])
    assert result.exit_code == 1
    assert "Amazon Store USA could not be matched: Amazon no longer accepts this store's " \
           "authorization" in result.output  # Click 8.2+: output holds stderr too
    assert "1 store could not be matched." in result.output


def test_a_queue_that_is_down_leaves_the_job_waiting_without_an_error(make_app, sandbox):
    def broken(job_id):
        raise ConnectionError("redis is down")

    app = make_app(ASC_JOB_QUEUE=broken, ASC_CATALOG_RATE=50)
    sandbox.settings(catalog_rate=50, catalog_burst=50)
    admin = demo_admin(app)
    store = connected_store(app, admin)
    response = start_match(admin, store.id, **HX)
    assert response.status_code == 200
    assert "the job queue did not take it now" in response.headers["HX-Trigger"]
    assert run_match_jobs(app) == ["done"]  # the saved job still runs
