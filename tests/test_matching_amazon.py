"""Catalog matching under Amazon's real behaviour, against the sandbox over real HTTP: searches
that page, one identifier refused in a batch, transient faults, variation parents and odd data.

The reference for every result is the sandbox's own catalog (``sandbox.catalog.lookup``): what
Amazon has for the identifier, whatever pages or batches the plugin read it through.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
import sqlalchemy as sa
from helpers import HX, PREFIX, connected_store, start_match
from workers import wait_for

from asc_plugin.models import ActivityLog, ListingItem, MatchJob
from asc_plugin.sandbox import catalog as sandbox_catalog
from asc_plugin.services import matching
from asc_plugin.state import plugin_state
from asc_plugin.testing import run_match_jobs

US = "ATVPDKIKX0DER"


@pytest.fixture(autouse=True)
def fast(app, sandbox):
    sandbox.settings(catalog_rate=50, catalog_burst=50)
    app.config.update(ASC_CATALOG_RATE=50, ASC_CATALOG_BACKOFF_SECONDS=0.01)


def _items(app, store_id) -> list[ListingItem]:
    with app.app_context():
        items = plugin_state().session.scalars(sa.select(ListingItem).where(
            ListingItem.store_id == store_id).order_by(ListingItem.id)).all()
        for item in items:
            plugin_state().session.expunge(item)
        return items


def _job(app) -> MatchJob:
    with app.app_context():
        job = plugin_state().session.scalar(sa.select(MatchJob).order_by(MatchJob.id.desc()))
        plugin_state().session.expunge(job)
        return job


def _stored(item: ListingItem) -> dict[str, tuple]:
    """ASIN -> (product type, classification) of what the plugin stored for a product."""
    if item.status == "several":
        return {c["asin"]: (c["product_type"], c["classification"])
                for c in matching.candidates(item)}
    if item.status in ("matched", "variation_parent"):
        return {item.asin: (item.product_type, item.item_classification)}
    return {}


def _expected(sandbox, identifier: str) -> dict[str, tuple]:
    """What the sandbox's catalog has for the identifier (the demo's names, as the app's)."""
    items = sandbox_catalog.lookup(US, "UPC", identifier,
                                   sandbox.app.config["SANDBOX_CATALOG_NAMES"])
    return {i["asin"]: (i["productTypes"][0]["productType"],
                        i["summaries"][0]["itemClassification"]) for i in items}


def _differences(app, sandbox, store_id) -> list[str]:
    wrong = []
    for item in _items(app, store_id):
        if item.matched_identifier is None or item.status == "refused":
            continue
        if _stored(item) != _expected(sandbox, item.matched_identifier):
            wrong.append(f"{item.sku} {item.matched_identifier}: {item.status}")
    return wrong


def test_every_stored_result_equals_the_sandbox_catalog_through_every_page(app, admin, sandbox):
    store = connected_store(app, admin)
    start_match(admin, store.id)
    assert run_match_jobs(app) == ["done"]
    made = sandbox.catalog_requests()
    paged = [r for r in made if r["params"].get("pageToken")]
    assert paged, "no search needed a second page: the test proves nothing"
    assert all(r["params"]["pageSize"] == ["20"] and r["status"] == 200 for r in made)
    items = _items(app, store.id)
    results = [i for i in items if i.matched_identifier]
    several = [i for i in results if len(_expected(sandbox, i.matched_identifier)) > 1]
    assert len(results) > 100 and len(several) > 30
    assert _differences(app, sandbox, store.id) == []
    assert any(i.status == "variation_parent" for i in items)
    assert all(i.status != "pending" for i in items)
    assert _job(app).requests == len(made)


def test_a_refused_identifier_is_marked_and_the_rest_of_the_store_matches(app, admin, sandbox):
    store = connected_store(app, admin)
    start_match(admin, store.id)
    assert run_match_jobs(app) == ["done"]
    identifiers = sorted({i.identifier for i in _items(app, store.id) if i.matched_identifier})
    refused = identifiers[3]  # in the first batch, as the issue found it
    sandbox.settings(refused_identifiers=[refused])
    app.config["ASC_MATCH_MAX_AGE_DAYS"] = 0  # every result asked again
    for _run in range(2):  # a refused identifier never blocks a later run either
        start_match(admin, store.id)
        assert run_match_jobs(app) == ["done"]
    items = _items(app, store.id)
    (marked,) = [i for i in items if i.status == "refused"]
    assert marked.identifier == refused
    assert marked.reason.startswith(f"Invalid identifiers: {refused}")
    assert all(i.status != "pending" for i in items)
    assert _differences(app, sandbox, store.id) == []
    made = sandbox.catalog_requests()
    assert [r["identifiers"] for r in made if r["status"] == 400].count([refused]) == 2
    page = admin.get(f"{PREFIX}/stores/{store.id}/listing?status=refused").text
    assert "Refused by Amazon" in page
    assert f"Amazon refused this identifier: Invalid identifiers: {refused}" in page


def test_a_refused_identifier_is_kept_while_young_and_not_asked_again(app, admin, sandbox):
    store = connected_store(app, admin)
    start_match(admin, store.id)
    run_match_jobs(app)
    first = sorted({i.identifier for i in _items(app, store.id) if i.matched_identifier})
    sandbox.settings(refused_identifiers=[first[0]])
    app.config["ASC_MATCH_MAX_AGE_DAYS"] = 0
    start_match(admin, store.id)
    run_match_jobs(app)
    app.config["ASC_MATCH_MAX_AGE_DAYS"] = 30
    asked = len(sandbox.catalog_requests())
    start_match(admin, store.id)
    assert run_match_jobs(app) == ["done"]
    assert len(sandbox.catalog_requests()) == asked
    assert [i.status for i in _items(app, store.id) if i.identifier == first[0]][0] == "refused"


@pytest.mark.parametrize("fault", ["500", "503", "badjson", "slow"])
def test_transient_faults_are_asked_again_and_the_run_finishes(app, admin, sandbox, fault):
    if fault == "slow":  # the sandbox's slow answer takes a second; every other one, far less
        app.config["ASC_AMAZON_HTTP_TIMEOUT"] = 0.5
    store = connected_store(app, admin)
    sandbox.faults(catalog=fault, catalog_times=2)
    start_match(admin, store.id)
    assert run_match_jobs(app) == ["done"]
    # The slow answers come after we gave up on them: wait for them, so that they take no rate
    # token of the next test.
    wait_for(lambda: all(r["status"] is not None for r in sandbox.catalog_requests()),
             timeout=30, what="the slow answers")
    asked = Counter((tuple(r["identifiers"]), tuple(r["params"].get("pageToken", [])))
                    for r in sandbox.catalog_requests())
    assert sorted(asked.values())[-2:] == [1, 3]  # one page asked again twice, no other
    assert _differences(app, sandbox, store.id) == []
    assert all(i.status != "pending" for i in _items(app, store.id))


def test_a_run_amazon_keeps_failing_pauses_keeps_its_batches_and_resumes(app, admin, sandbox,
                                                                        caplog):
    store = connected_store(app, admin)
    start_match(admin, store.id)
    job = _job(app)
    armed = []

    def arm_after_three_searches(job):
        if job.requests >= 3 and not armed:
            armed.append(job.matched)
            sandbox.faults(catalog="500")

    with app.app_context():
        assert matching.run(job.id, on_progress=arm_after_three_searches) == "paused"
    paused = _job(app)
    made = sandbox.catalog_requests()
    failed = [r for r in made if r["status"] == 500]
    assert len(failed) == app.config["ASC_CATALOG_RETRIES"] + 1
    assert paused.status == "paused" and paused.error_code == "catalog_unavailable"
    assert paused.error_request_id == failed[-1]["request_id"]
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert all(f"x-amzn-RequestId {r['request_id']}" in logged for r in failed)
    with app.app_context():
        entry = plugin_state().session.scalar(sa.select(ActivityLog).where(
            ActivityLog.event == "match_paused"))
        assert json.loads(entry.params)["request_id"] == failed[-1]["request_id"]
    done_before = [i for i in _items(app, store.id) if i.matched_at is not None]
    assert armed and len(done_before) == paused.matched > 0  # finished batches are kept
    page = admin.get(f"{PREFIX}/stores/{store.id}/listing").text
    assert "The match paused:" in page and failed[-1]["request_id"] in page
    assert "Resume matching" in page
    sandbox.faults()
    resumed = start_match(admin, store.id, **HX)
    assert "started" in resumed.headers["HX-Trigger"]
    assert run_match_jobs(app) == ["done"]
    assert _job(app).id == paused.id  # the same run went on
    later = sandbox.catalog_requests()[len(made):]
    kept = {i.identifier for i in done_before}
    assert later and not kept & {i for r in later for i in r["identifiers"]}
    assert _differences(app, sandbox, store.id) == []
    assert all(i.status != "pending" for i in _items(app, store.id))


def test_odd_data_from_amazon_never_fails_a_run(app, admin, sandbox):
    store = connected_store(app, admin)
    sandbox.faults(catalog="odd")
    start_match(admin, store.id)
    assert run_match_jobs(app) == ["done"]
    items = _items(app, store.id)
    asins = [i.asin for i in items if i.asin] + [
        c["asin"] for i in items for c in matching.candidates(i)]
    assert asins and all(re.fullmatch(r"[A-Z0-9]{10}", a) for a in asins)
    crowded = [i for i in items if i.status == "several"
               and len(matching.candidates(i)) == matching.MAX_CANDIDATES]
    assert crowded  # a dozen items for one identifier: capped
    assert all(len(matching.candidates(i)) <= matching.MAX_CANDIDATES for i in items)


def test_variation_parents_are_shown_as_such_in_english_and_chinese(app, admin, sandbox):
    store = connected_store(app, admin)
    start_match(admin, store.id)
    run_match_jobs(app)
    parents = [i for i in _items(app, store.id) if i.status == "variation_parent"]
    assert parents and all(i.item_classification == "VARIATION_PARENT" for i in parents)
    page = admin.get(f"{PREFIX}/stores/{store.id}/listing?status=variation_parent").text
    assert "Variation parent" in page and parents[0].asin in page
    assert "an offer goes on one of its children" in page
    chinese = admin.get(f"{PREFIX}/stores/{store.id}/listing?status=variation_parent",
                        headers={"Accept-Language": "zh-TW"}).text
    assert "變體父項" in chinese


def test_choosing_a_variation_parent_among_several_says_it_takes_no_offer(app, admin, sandbox):
    store = connected_store(app, admin)
    start_match(admin, store.id)
    run_match_jobs(app)
    item, parent = next((i, c) for i in _items(app, store.id) if i.status == "several"
                        for c in matching.candidates(i) if c["classification"] ==
                        "VARIATION_PARENT")
    page = admin.get(f"{PREFIX}/stores/{store.id}/listing?status=several&q={item.sku}").text
    assert "variation parent: no offer on it" in page
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = admin.post(f"{PREFIX}/stores/{store.id}/listing/{item.id}/choose", headers=HX,
                          data={"csrf_token": token, "asin": parent["asin"]})
    assert "is a variation parent; an offer needs one of its children" in \
        response.headers["HX-Trigger"]
    assert "Variation parent" in response.text
    (chosen,) = [i for i in _items(app, store.id) if i.id == item.id]
    assert (chosen.status, chosen.asin, chosen.item_classification) == (
        "variation_parent", parent["asin"], "VARIATION_PARENT")
    assert chosen.product_type == parent["product_type"]
