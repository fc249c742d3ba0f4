"""Price and quantity sync against the live sandbox: a merchant's change in the demo catalog
reaches Amazon's listing once (coalesced), only what changed is sent, the feed path above the
threshold, the region's shared quantity never fought over, a killed worker's run resumed, one
run per store, Amazon's limits kept."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from helpers import PREFIX, connected_store, csrf_from, hx, start_match
from test_offers import FAST, listings_faults, made, offers_of, publish, sandbox_fast, save_settings

from asc_plugin import signals
from asc_plugin.amazon import listings
from asc_plugin.demo.orders import DemoStockMove
from asc_plugin.models import Offer, Store, SyncState
from asc_plugin.persistence import commit
from asc_plugin.sandbox.listings import PROCESSING_SECONDS, verdict
from asc_plugin.services import leases, offer_runs, sync
from asc_plugin.state import plugin_state
from asc_plugin.testing import run_match_jobs


def published(app, admin, sandbox, *, nth=1, settings=None, **store):
    """A store connected, matched and published, Amazon's processing over (the sandbox's
    clock is set, not moved: the nth store's offers need it set further)."""
    sandbox_fast(sandbox)
    app.config.update(FAST)
    app.config["ASC_CATALOG_RATE"] = 50
    found = connected_store(app, admin, **store)
    assert start_match(admin, found.id).status_code == 303
    assert run_match_jobs(app) == ["done"]
    save_settings(app, found, **{"adjust_kind": "percent", "adjust_value": Decimal("0"),
                                 **(settings or {})})
    assert publish(app, found).status == "done"
    sandbox.move_clock(days=nth * (PROCESSING_SECONDS + 1) / 86400)
    return found


def good_offers(app, store) -> list[Offer]:
    """Submitted offers Amazon keeps as they are (no price cap, no suppression)."""
    return sorted((o for o in offers_of(app, store).values()
                   if o.status == "submitted" and verdict(o.asin) == "ok"), key=lambda o: o.id)


def edit_in_demo(admin, offer, price, stock, website="1"):
    """The merchant changes a product on the demo's catalog page (which tells the plugin)."""
    page = admin.get(f"/catalog?website={website}")
    answer = admin.post(f"/catalog/products/{offer.product_id}", data={
        "csrf_token": csrf_from(page.text), "website": website, "price": price,
        "quantity": stock})
    assert answer.status_code == 303, answer.text


def run_sync(app, store) -> sync.RunResult:
    with app.app_context():
        return sync.run(store.id)


def patches_for(sandbox, sku) -> list[list[dict]]:
    return [c["body"]["patches"] for c in made(sandbox)
            if c["operation"] == "patchListingsItem" and c["path"].endswith(
                "/" + requests.utils.quote(sku, safe=""))]


def amazon_listing(app, store, sku) -> listings.Listing:
    with app.app_context():
        return listings.get(offer_runs.seller_of(plugin_state().session.get(Store, store.id)), sku)


def test_a_changed_product_reaches_amazon_once_with_only_what_changed(app, admin, sandbox):
    store = published(app, admin, sandbox)
    first = run_sync(app, store)  # the first run reconciles: nothing differs, nothing is sent
    assert first.outcome == "done" and first.sent == 0 and first.unchanged > 0
    offer, other = good_offers(app, store)[:2]
    edit_in_demo(admin, offer, "12.34", 5)
    edit_in_demo(admin, offer, "13.50", 7)  # changed twice before the sync: one update
    edit_in_demo(admin, other, str(other.price), 3)  # only the stock changed
    assert offers_of(app, store)[offer.sku].dirty == sync.CHANGED
    result = run_sync(app, store)
    assert result.outcome == "done" and result.sent == 2, result
    sent = patches_for(sandbox, offer.sku)
    assert len(sent) == 1
    assert {p["op"]: p["path"] for p in sent[0]} == {
        "replace": "/attributes/purchasable_offer",
        "merge": "/attributes/fulfillment_availability"}
    price = next(p for p in sent[0] if p["op"] == "replace")["value"][0]
    assert price["our_price"][0]["schedule"][0]["value_with_tax"] == 13.5
    assert [p["path"] for p in patches_for(sandbox, other.sku)[0]] == [
        "/attributes/fulfillment_availability"]
    listing = amazon_listing(app, store, offer.sku)
    assert (listing.price, listing.quantity) == (Decimal("13.50"), 7)
    assert amazon_listing(app, store, other.sku).quantity == 3
    after = offers_of(app, store)[offer.sku]
    assert (after.sent_price, after.sent_quantity, after.dirty) == (Decimal("13.50"), 7, 0)
    assert after.sent_at is not None
    again = run_sync(app, store)  # nothing changed since: nothing sent
    assert again.sent == 0 and len(patches_for(sandbox, offer.sku)) == 1
    assert all(c["status"] != 429 for c in made(sandbox))


def test_an_imported_order_marks_its_skus_and_the_lower_quantity_reaches_amazon(
        app, admin, sandbox):
    store = published(app, admin, sandbox)
    offer = good_offers(app, store)[0]
    with app.app_context():  # what the demo's import_order does, then the import's signal
        plugin_state().session.add(DemoStockMove(product_id=offer.product_id, delta=-2))
        commit()
        signals.order_imported.send(app, store=plugin_state().session.get(Store, store.id),
                                    amazon_order_id="111-1", host_order_id="1",
                                    skus=[offer.sku])
        commit()  # the import commits what its listeners wrote
    assert offers_of(app, store)[offer.sku].dirty == sync.CHANGED
    assert run_sync(app, store).sent == 1
    assert amazon_listing(app, store, offer.sku).quantity == offer.quantity - 2


def test_above_the_threshold_one_feed_of_patch_messages(app, admin, sandbox):
    store = published(app, admin, sandbox)
    app.config["ASC_FEED_THRESHOLD"] = 1
    chosen = good_offers(app, store)[:3]
    for n, offer in enumerate(chosen):
        edit_in_demo(admin, offer, f"2{n}.00", 10 + n)
    result = run_sync(app, store)
    assert result.outcome == "done" and result.sent == 3, result
    calls = made(sandbox)
    assert [c["operation"] for c in calls].count("createFeed") == 1
    assert not [c for c in calls if c["operation"] == "patchListingsItem"]
    for n, offer in enumerate(chosen):
        listing = amazon_listing(app, store, offer.sku)
        assert (listing.price, listing.quantity) == (Decimal(f"2{n}.00"), 10 + n)
    with app.app_context():
        assert plugin_state().session.get(SyncState, store.id).feed_id is None


def test_a_refused_update_does_not_stop_the_others_and_is_told(app, admin, sandbox):
    store = published(app, admin, sandbox)
    bad, good = good_offers(app, store)[:2]
    edit_in_demo(admin, bad, "99999999.00", 1)  # above Amazon's highest price: INVALID
    edit_in_demo(admin, good, "11.00", 2)
    result = run_sync(app, store)
    assert (result.sent, result.refused) == (1, 1)
    assert result.refusals[0]["sku"] == bad.sku
    assert amazon_listing(app, store, good.sku).price == Decimal("11.00")
    assert "out of range" in offers_of(app, store)[bad.sku].issues


def test_a_killed_workers_run_is_resumed_and_flags_clear_only_once_accepted(
        app, admin, sandbox):
    store = published(app, admin, sandbox)
    offer = good_offers(app, store)[0]
    edit_in_demo(admin, offer, "14.00", 4)
    listings_faults(sandbox, listings="500", times=20)  # Amazon down: nothing accepted
    failed = run_sync(app, store)
    assert failed.outcome == "failed"
    assert offers_of(app, store)[offer.sku].dirty != sync.CLEAN
    listings_faults(sandbox)
    with app.app_context():  # a worker died holding the lease; it expired since
        record = plugin_state().session.get(SyncState, store.id)
        record.lease_owner = "dead-worker"
        record.lease_expires_at = leases.real_now() - timedelta(seconds=1)
        commit()
    resumed = run_sync(app, store)
    assert resumed.outcome == "done" and resumed.sent == 1
    assert amazon_listing(app, store, offer.sku).price == Decimal("14.00")


def test_one_run_per_store_at_once(app, admin, sandbox):
    store = published(app, admin, sandbox)
    with app.app_context():
        assert sync.take_lease(plugin_state().session.get(Store, store.id), "other-worker")
    assert run_sync(app, store).outcome == "busy"
    with app.app_context():
        assert sync.running(plugin_state().session.get(Store, store.id))


def test_two_stores_of_one_region_never_fight_over_the_shared_quantity(app, admin, sandbox):
    us = published(app, admin, sandbox)
    # Canada would keep 3 back: not its call, the region's quantity is the US store's.
    ca = published(app, admin, sandbox, nth=2, settings={"quantity_buffer": 3},
                   name="Amazon Store Canada", marketplace="CA")
    shared = {o.sku for o in good_offers(app, us)} & {o.sku for o in good_offers(app, ca)}
    assert shared
    # Canada's publish carried the quantity the US store had sent, not a number of its own.
    us_offers, ca_offers = offers_of(app, us), offers_of(app, ca)
    assert all(ca_offers[sku].sent_quantity == us_offers[sku].sent_quantity for sku in shared)
    offer = next(o for o in good_offers(app, us) if o.sku in shared)
    edit_in_demo(admin, offer, "15.00", 9)
    assert run_sync(app, ca).sent >= 1
    ca_patches = patches_for(sandbox, offer.sku)
    assert ca_patches and all(p["path"] != "/attributes/fulfillment_availability"
                              for p in ca_patches[-1])
    assert run_sync(app, us).sent == 1
    assert amazon_listing(app, us, offer.sku).quantity == 9
    assert amazon_listing(app, ca, offer.sku).quantity == 9  # one quantity for the region
    assert run_sync(app, ca).sent == 0 and run_sync(app, us).sent == 0


def test_bad_patches_get_amazons_400(app, admin, sandbox):
    store = published(app, admin, sandbox)
    offer = good_offers(app, store)[0]
    with app.app_context():
        seller = offer_runs.seller_of(plugin_state().session.get(Store, store.id))
        for patches in ([{"op": "swap", "path": "/attributes/purchasable_offer", "value": []}],
                        [{"op": "replace", "path": "/attributes/a/b", "value": [{}]}],
                        [{"op": "merge", "path": "/attributes/fulfillment_availability",
                          "value": {"quantity": 1}}], []):
            with pytest.raises(listings.spapi.Rejected) as refused:
                listings.patch(seller, offer.sku, offer.product_type, patches)
            assert refused.value.status == 400


def test_the_sync_command_names_stores_needing_attention(app, admin, sandbox):
    store = published(app, admin, sandbox)
    bad = good_offers(app, store)[0]
    edit_in_demo(admin, bad, "99999999.00", 1)
    result = app.test_cli_runner().invoke(args=["asc", "sync", "--store", str(store.id)])
    assert result.exit_code == 1
    assert "Stores needing attention: Amazon Store USA" in result.output
    assert f"Amazon refused {bad.sku}" in result.output
    clean = app.test_cli_runner().invoke(args=["asc", "sync"])
    assert clean.exit_code == 0, clean.output


def test_the_scheduled_function_syncs_every_connected_store(app, admin, sandbox):
    """What Huey's periodic task (and an RQ or Celery host's schedule) runs."""
    from asc_plugin import jobs

    store = published(app, admin, sandbox)
    offer = good_offers(app, store)[0]
    edit_in_demo(admin, offer, "22.00", 2)
    assert jobs._tasks(app)["sync"].name == "asc_plugin.sync"
    with app.app_context():
        assert jobs.sync_all() == {store.id: "done"}
    assert amazon_listing(app, store, offer.sku).price == Decimal("22.00")


def test_sync_now_on_the_dashboard_and_the_offers_page_show_what_amazon_got(
        app, admin, sandbox):
    store = published(app, admin, sandbox)
    offer = good_offers(app, store)[0]
    edit_in_demo(admin, offer, "16.25", 6)
    dashboard = admin.get(f"{PREFIX}/stores/{store.id}")
    assert "Price and quantity sync" in dashboard.text and "Sync now" in dashboard.text
    answer = admin.post(f"{PREFIX}/stores/{store.id}/sync/now",
                        data={"csrf_token": csrf_from(dashboard.text)},
                        headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert "Last sync" in answer.text and "Waiting to be sent" in answer.text
    page = admin.get(f"{PREFIX}/stores/{store.id}/offers", query_string={"q": offer.sku})
    row = page.text[page.text.index(f'id="asc-offer-{offer.id}"'):]
    row = row[:row.index("</tr>")]
    assert "$16.25 · <strong>6</strong> units" in row and "Amazon got it at" in row, row
    assert amazon_listing(app, store, offer.sku).price == Decimal("16.25")


def test_the_sync_panel_is_a_fragment_for_htmx_and_a_page_of_its_own_without_javascript(
        app, admin):
    store = connected_store(app, admin)
    url = f"{PREFIX}/stores/{store.id}/sync"
    fragment = admin.get(url, headers=hx("asc-sync")).text
    assert fragment.lstrip().startswith('<section class="asc-panel asc-sync" id="asc-sync"')
    whole = admin.get(url).text
    assert "<html" in whole and whole.count('id="asc-sync"') == 1
    assert f"Price and quantity sync · {store.name}" in whole and "Sync now" in whole
    dashboard = admin.get(f"{PREFIX}/stores/{store.id}")
    answer = admin.post(f"{url}/now", data={"csrf_token": csrf_from(dashboard.text)})
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"{PREFIX}/stores/{store.id}#asc-sync-title"
    assert f'data-asc-key="store-{store.id}"' in admin.get(answer.headers["Location"]).text


def test_a_host_without_the_signal_is_asked_what_changed_since(app, admin, sandbox):
    from asc_plugin.demo.orders import DemoPrice

    store = published(app, admin, sandbox)
    offer = good_offers(app, store)[0]
    assert run_sync(app, store).sent == 0  # the first run's reconcile; the next is not one
    asked = []

    def changed_since(website_id, since, *, after, limit):
        asked.append((website_id, since, after))
        return [offer.product_id] if after is None else []

    with app.app_context():
        plugin_state().session.add(DemoPrice(product_id=offer.product_id, price=Decimal("21.00")))
        commit()  # changed in the shop's tables, and nobody told the plugin
        plugin_state().host.changed_since = changed_since
    try:
        result = run_sync(app, store)
    finally:
        with app.app_context():
            del plugin_state().host.changed_since
    assert asked and asked[0][0] == "1" and result.sent == 1
    assert amazon_listing(app, store, offer.sku).price == Decimal("21.00")
    with app.app_context():
        assert plugin_state().session.get(SyncState, store.id).changes_since is not None
