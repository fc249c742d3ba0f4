"""Publishing offers for matched products against the live sandbox: restrictions, a validation
preview first, one putListingsItem per offer under the seller's rate limit (or one
JSON_LISTINGS_FEED above the threshold), Amazon's verdict read back, offers ended."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import requests
import sqlalchemy as sa
from helpers import connected_store, start_match

from asc_plugin.models import ActivityLog, ListingItem, Offer, OfferJob
from asc_plugin.persistence import commit
from asc_plugin.sandbox.listings import PROCESSING_SECONDS, verdict
from asc_plugin.services import activity_messages, listing_settings, offers
from asc_plugin.state import plugin_state
from asc_plugin.testing import run_match_jobs

FAST = {"ASC_LISTINGS_RATE": 50.0, "ASC_FEED_POLL_SECONDS": 0.3}


def sandbox_fast(sandbox):
    sandbox.settings(catalog_rate=50, catalog_burst=50)
    requests.post(f"{sandbox.url}/_sandbox/listings/faults", json={"rate_scale": 10},
                  timeout=10).raise_for_status()


def listings_faults(sandbox, **switches):
    requests.post(f"{sandbox.url}/_sandbox/listings/faults", json=switches,
                  timeout=10).raise_for_status()


def made(sandbox) -> list[dict]:
    return requests.get(f"{sandbox.url}/_sandbox/listings/requests", timeout=10).json()[
        "requests"]


def matched_store(app, admin, sandbox, *, fast=True):
    """A store connected and matched through the sandbox."""
    if fast:
        sandbox_fast(sandbox)
        app.config.update(FAST)
    app.config["ASC_CATALOG_RATE"] = 50
    store = connected_store(app, admin)
    assert start_match(admin, store.id).status_code == 303
    assert run_match_jobs(app) == ["done"]
    return store


def save_settings(app, store, **values):
    with app.app_context():
        s = plugin_state().session.get(type(store), store.id)
        listing_settings.save(s, values)
        commit()


def publish(app, store, kind="publish") -> OfferJob:
    with app.app_context():
        s = plugin_state().session.get(type(store), store.id)
        job, _created = offers.request_run(s, kind=kind, requested_by="tests")
        commit()
        job_id = job.id
    with app.app_context():
        outcome = offers.run(job_id)
    with app.app_context():
        job = plugin_state().session.get(OfferJob, job_id)
        plugin_state().session.expunge(job)
    assert outcome == job.status
    return job


def offers_of(app, store) -> dict[str, Offer]:
    with app.app_context():
        found = {o.sku: o for o in plugin_state().session.scalars(
            sa.select(Offer).where(Offer.store_id == store.id))}
        for offer in found.values():
            plugin_state().session.expunge(offer)
        return found


def matched_items(app, store) -> list[ListingItem]:
    with app.app_context():
        items = list(plugin_state().session.scalars(sa.select(ListingItem).where(
            ListingItem.store_id == store.id, ListingItem.status == "matched")))
        for item in items:
            plugin_state().session.expunge(item)
        return items


def later(sandbox, times=1):
    sandbox.move_clock(days=times * (PROCESSING_SECONDS + 1) / 86400)


def test_publishing_offers_every_matched_product_and_reads_back_amazons_verdict(
        app, admin, sandbox):
    store = matched_store(app, admin, sandbox)
    save_settings(app, store, adjust_kind="percent", adjust_value=Decimal("8"))
    job = publish(app, store)
    assert job.status == "done", job.error_code
    items = {i.sku: i for i in matched_items(app, store)}
    found = offers_of(app, store)
    assert set(found) == set(items)  # every matched product, nothing else
    calls = made(sandbox)
    puts = [c for c in calls if c["operation"] == "putListingsItem"]
    # The first publish is validated first, with the preview mode, before any real offer.
    assert puts[0]["params"]["mode"] == ["VALIDATION_PREVIEW"]
    real = [c for c in puts if "mode" not in c["params"]]
    assert real and all(c["status"] == 200 for c in real)
    body = real[0]["body"]
    assert body["requirements"] == "LISTING_OFFER_ONLY" and body["productType"]
    attributes = body["attributes"]
    assert attributes["condition_type"][0]["value"] == "new_new"
    assert attributes["fulfillment_availability"][0]["lead_time_to_ship_max_days"] == 2
    by_kind = {kind: [o for o in found.values() if verdict(o.asin) == kind]
               for kind in ("approval", "not_eligible", "ok", "price_cap")}
    assert by_kind["ok"] and all(o.status == "submitted" and o.submission_id
                                 for o in by_kind["ok"])
    for offer in by_kind["approval"]:
        assert offer.status == "approval" and offer.approval_link.startswith("https://")
    for offer in by_kind["not_eligible"]:
        assert offer.status == "not_eligible"
    # The price is the host's, +8 %, in the marketplace's currency; the quantity the stock.
    with app.app_context():
        products = {p.sku: p for p in plugin_state().host.products("1", after=None, limit=10000)}
    some = by_kind["ok"][0]
    assert some.price == (products[some.sku].price * Decimal("1.08")).quantize(Decimal("0.01"))
    assert some.currency == "USD" and some.quantity == products[some.sku].quantity
    # Amazon processes later: a status sweep then sees Active, or the price cap's error.
    later(sandbox)
    assert publish(app, store, kind="status").status == "done"
    after = offers_of(app, store)
    for offer in by_kind["ok"]:
        stock = products[offer.sku].quantity
        assert after[offer.sku].status == ("active" if stock else "inactive")
    capped = [o for o in by_kind["price_cap"] if o.price and o.price > 40]
    for offer in capped:
        (issue,) = json.loads(after[offer.sku].issues)
        assert after[offer.sku].status == "errors"
        assert "Maximum Seller Allowed Price" in issue["message"]
        assert issue["attribute_names"] == ["purchasable_offer"]


def test_a_settings_change_is_validated_again_and_a_dry_run_sends_nothing(app, admin, sandbox):
    store = matched_store(app, admin, sandbox)
    save_settings(app, store, adjust_value=Decimal("0"))
    assert publish(app, store).status == "done"
    before = len(made(sandbox))
    assert publish(app, store).status == "done"  # nothing changed: nothing sent
    assert not [c for c in made(sandbox)[before:] if c["operation"] == "putListingsItem"]
    save_settings(app, store, adjust_kind="fixed", adjust_value=Decimal("-1.00"))
    before = len(made(sandbox))
    job = publish(app, store, kind="dry_run")
    assert job.status == "done" and job.done > 0
    previews = [c for c in made(sandbox)[before:] if c["operation"] == "putListingsItem"]
    assert previews and all(c["params"].get("mode") == ["VALIDATION_PREVIEW"]
                            for c in previews)
    before = len(made(sandbox))
    assert publish(app, store).status == "done"
    puts = [c for c in made(sandbox)[before:] if c["operation"] == "putListingsItem"]
    assert puts[0]["params"].get("mode") == ["VALIDATION_PREVIEW"]
    assert any("mode" not in c["params"] for c in puts)


def test_a_price_in_another_currency_is_never_sent(app, admin, sandbox):
    store = matched_store(app, admin, sandbox)
    save_settings(app, store, currency="CAD")
    assert publish(app, store).status == "done"
    assert not [c for c in made(sandbox) if c["operation"] == "putListingsItem"]
    assert {o.problem for o in offers_of(app, store).values()} == {"wrong_currency"}


def test_a_missing_role_stops_the_run_with_the_operators_message(app, admin, sandbox):
    store = matched_store(app, admin, sandbox)
    save_settings(app, store)
    listings_faults(sandbox, restrictions="403_role")
    job = publish(app, store)
    assert (job.status, job.error_code) == ("failed", "listings_role_missing")
    with app.app_context():
        entry = plugin_state().session.scalar(sa.select(ActivityLog).where(
            ActivityLog.event == "offers_failed"))
        assert "Product Listing" in activity_messages.text(entry)


def test_transient_faults_are_retried_and_throttling_waits(app, admin, sandbox):
    store = matched_store(app, admin, sandbox)
    save_settings(app, store)
    listings_faults(sandbox, listings="503", times=2)
    assert publish(app, store).status == "done"
    listings_faults(sandbox, listings="429_empty", times=2)
    later(sandbox)
    assert publish(app, store, kind="status").status == "done"
    assert "active" in {o.status for o in offers_of(app, store).values()}


def test_products_leaving_the_listing_have_their_offer_ended_with_a_record(app, admin, sandbox):
    store = matched_store(app, admin, sandbox)
    save_settings(app, store)
    assert publish(app, store).status == "done"
    submitted = sorted(o.sku for o in offers_of(app, store).values() if o.status == "submitted")
    leaving = submitted[0]
    with app.app_context():
        item = plugin_state().session.scalar(sa.select(ListingItem).where(
            ListingItem.store_id == store.id, ListingItem.sku == leaving))
        item.status = "excluded"  # as a rule change and the next match would leave it
        commit()
    assert publish(app, store).status == "done"
    deletes = [c for c in made(sandbox) if c["operation"] == "deleteListingsItem"]
    assert [c["path"].rsplit("/", 1)[1] for c in deletes] == [leaving]
    assert offers_of(app, store)[leaving].status == "ended"
    with app.app_context():
        entry = plugin_state().session.scalar(sa.select(ActivityLog).where(
            ActivityLog.event == "offer_ended"))
        assert leaving in activity_messages.text(entry)


def test_above_the_threshold_one_feed_carries_every_offer(app, admin, sandbox):
    store = matched_store(app, admin, sandbox)
    app.config["ASC_FEED_THRESHOLD"] = 5
    save_settings(app, store, adjust_kind="percent", adjust_value=Decimal("50"))
    job = publish(app, store)
    assert job.status == "done", job.error_code
    calls = made(sandbox)
    assert [c["operation"] for c in calls].count("createFeed") == 1
    assert not [c for c in calls if c["operation"] == "putListingsItem" and
                "mode" not in c["params"]]
    found = offers_of(app, store)
    sent = [o for o in found.values() if o.submission_id and
            o.submission_id.startswith("feed:")]
    assert sent and all(o.status in ("submitted", "errors") for o in sent)
    later(sandbox)
    assert publish(app, store, kind="status").status == "done"
    after = offers_of(app, store)
    assert {after[o.sku].status for o in sent} <= {"active", "inactive", "errors", "suppressed"}


@pytest.mark.slow
def test_the_listings_rate_limit_holds_at_amazons_five_per_second(app, admin, sandbox):
    """Amazon's own limit (no speed-up on either side): the listings calls, all operations
    together, fit one token bucket of 5/s with a burst of 5, as Amazon counts them."""
    store = matched_store(app, admin, sandbox, fast=False)
    save_settings(app, store)
    assert publish(app, store).status == "done"
    calls = [c for c in made(sandbox) if c["operation"] in offers.LISTINGS_FAMILY[:5]]
    assert len(calls) > 10 and all(c["status"] != 429 for c in calls)
    tokens, last = 5.0, None
    for at in sorted(c["at"] for c in calls):
        if last is not None:
            tokens = min(5.0, tokens + (at - last) * 5.0)
        tokens -= 1
        last = at
        assert tokens >= -0.05, "more than Amazon's 5/s burst 5"


@pytest.mark.parametrize("kind", ["publish"])
def test_one_run_per_store(app, admin, sandbox, kind):
    store = matched_store(app, admin, sandbox)
    save_settings(app, store)
    with app.app_context():
        s = plugin_state().session.get(type(store), store.id)
        first, created = offers.request_run(s, kind=kind, requested_by="a")
        second, again = offers.request_run(s, kind=kind, requested_by="b")
        commit()
        assert created and not again and first.id == second.id


def test_the_publish_and_listing_status_commands(app, admin, sandbox):
    store = matched_store(app, admin, sandbox)
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["asc", "publish", "--store", str(store.id)])
    assert missing.exit_code == 1 and "save the listing settings" in missing.output
    save_settings(app, store)
    dry = runner.invoke(args=["asc", "publish", "--dry-run"])
    assert not [c for c in made(sandbox) if c["operation"] == "putListingsItem"
                and "mode" not in c["params"]]
    assert "Offers on Amazon" in dry.output
    published = runner.invoke(args=["asc", "publish", "--store", str(store.id)])
    assert published.exit_code == 0, published.output
    assert "submitted" in published.output
    later(sandbox)
    status = runner.invoke(args=["asc", "listing-status"])
    counts = {}
    for offer in offers_of(app, store).values():
        counts[offer.status] = counts.get(offer.status, 0) + 1
    row = next(line for line in status.output.splitlines()
               if line.startswith(store.name + " "))
    assert row.split()[-7] == f"{counts.get('active', 0):,}"
    needs = counts.get("errors") or counts.get("approval") or counts.get("suppressed")
    assert status.exit_code == (1 if needs else 0)
    if needs:
        assert f"needs attention: {store.name}" in status.output


def test_automatic_publishing_follows_a_match_and_deactivating_ends_every_offer(
        app, admin, sandbox):
    from helpers import PREFIX, csrf_from

    from asc_plugin.testing import run_offer_jobs

    store = matched_store(app, admin, sandbox)
    save_settings(app, store, publish_mode="auto")
    assert start_match(admin, store.id).status_code == 303
    assert run_match_jobs(app) == ["done"]
    assert run_offer_jobs(app) == ["done"]  # started by the finished match
    live = [o.sku for o in offers_of(app, store).values() if o.status == "submitted"]
    assert live
    page = admin.get(f"{PREFIX}/stores/{store.id}")
    assert admin.post(f"{PREFIX}/stores/{store.id}/deactivate",
                      data={"csrf_token": csrf_from(page.text)}).status_code == 303
    assert run_offer_jobs(app) == ["done"]
    deleted = {c["path"].rsplit("/", 1)[1] for c in made(sandbox)
               if c["operation"] == "deleteListingsItem"}
    assert deleted == set(live)
    assert {offers_of(app, store)[sku].status for sku in live} == {"ended"}
    with app.app_context():
        ended = plugin_state().session.scalars(sa.select(ActivityLog).where(
            ActivityLog.event == "offer_ended")).all()
        assert len(ended) == len(live)


class Killed(BaseException):
    """A worker dying mid-run (not an error the run could catch and record)."""


def test_a_killed_run_resumes_where_it_stopped_and_sends_no_offer_twice(app, admin, sandbox):
    from collections import Counter
    from datetime import datetime, timedelta, timezone

    store = matched_store(app, admin, sandbox)
    save_settings(app, store)
    with app.app_context():
        job, _created = offers.request_run(plugin_state().session.get(type(store), store.id),
                                     requested_by="tests")
        commit()
        job_id = job.id
    steps = {"n": 0}

    def die_after_40(job):
        steps["n"] += 1
        if steps["n"] == 40:
            raise Killed

    with app.app_context(), pytest.raises(Killed):
        offers.run(job_id, owner="worker-a", on_progress=die_after_40)
    with app.app_context():
        assert offers.run(job_id, owner="worker-b") == "busy"  # its lease is still live
        job = plugin_state().session.get(OfferJob, job_id)
        assert job.status == "running" and job.lease_owner == "worker-a"
        job.lease_expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
        commit()
    sent_before = Counter(c["path"] for c in made(sandbox)
                          if c["operation"] == "putListingsItem" and "mode" not in c["params"])
    assert sent_before  # the dead worker had sent some
    with app.app_context():
        assert offers.run(job_id, owner="worker-b") == "done"
    sent = Counter(c["path"] for c in made(sandbox)
                   if c["operation"] == "putListingsItem" and "mode" not in c["params"])
    assert max(sent.values()) == 1 and len(sent) > len(sent_before)
    found = offers_of(app, store)
    assert not [o for o in found.values() if o.pending]
    assert {o.status for o in found.values()} <= {"submitted", "approval", "not_eligible"}


def test_status_sweeps_after_the_first_ask_only_for_what_changed(app, admin, sandbox):
    from asc_plugin.amazon import listings
    from asc_plugin.services.offer_runs import seller_of

    store = matched_store(app, admin, sandbox)
    save_settings(app, store)
    assert publish(app, store).status == "done"
    later(sandbox)
    assert publish(app, store, kind="status").status == "done"  # the first: every SKU
    active = sorted(o.sku for o in offers_of(app, store).values() if o.status == "active")
    changed = active[0]
    sandbox.move_clock(days=20 * (PROCESSING_SECONDS + 1) / 86400)  # well past the overlap
    assert publish(app, store, kind="status").status == "done"  # the watermark moves here
    with app.app_context():
        s = plugin_state().session.get(type(store), store.id)
        offer = plugin_state().session.scalar(sa.select(Offer).where(Offer.sku == changed))
        # Changed in Seller Central, not through the plugin: quantity 0.
        assert listings.patch(seller_of(s), changed, offer.product_type, [{
            "op": "merge", "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}]}]).status == \
            "ACCEPTED"
    sandbox.move_clock(days=21.1 * (PROCESSING_SECONDS + 1) / 86400)
    before = len(made(sandbox))
    assert publish(app, store, kind="status").status == "done"
    searches = [c for c in made(sandbox)[before:] if c["operation"] == "searchListingsItems"]
    assert searches and all("lastUpdatedAfter" in c["params"] or "identifiers" in c["params"]
                            for c in searches)
    assert len(searches) < len(active) / 20  # not every SKU again
    assert offers_of(app, store)[changed].status == "inactive"
