"""Price and quantity sync: Amazon kept in step with the shop.

The host says what changed (:func:`product_changed`, the ``product_changed`` signal, or an
optional paged ``changed_since`` host method); an imported or cancelled Amazon order marks its
SKUs too; a full reconcile every ``ASC_SYNC_RECONCILE_MINUTES`` marks every live offer. A mark
is a flag on the offer (``Offer.dirty``), not a queue: ten changes of one product make one
update.

A run (one per store at a time, under a lease; resumable, it commits its own steps):

1. **compute**: each changed offer's price and quantity under the store's listing settings;
   unchanged from what Amazon last accepted (``sent_price`` / ``sent_quantity``): nothing to
   send. The quantity of a seller SKU is shared by the marketplaces of one region: only the
   region's first store (lowest id) with a live offer of that SKU sends it, so two stores never
   fight over it.
2. **send**: ``patchListingsItem`` (``replace`` of ``purchasable_offer``, ``merge`` of
   ``fulfillment_availability``) per offer, or above ``ASC_FEED_THRESHOLD`` one
   JSON_LISTINGS_FEED of ``PATCH`` messages. A flag is cleared only once Amazon accepted, and
   only if no new change came in meanwhile.

Every call takes a token from the seller's listings bucket shared with the offers runs.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app, g

from .. import clock, marketplaces
from ..errors import Failure
from ..host import Product
from ..i18n import ngettext
from ..models import (
    ActivityEvent,
    ActivityOutcome,
    ListingSettings,
    Offer,
    OfferStatus,
    Store,
    SyncState,
)
from ..persistence import rowcount
from ..state import plugin_state
from . import activity, leases, listing_settings, orders
from .offers import ON_AMAZON
from .runner import RunOutcome, commit_step, run_job

log = logging.getLogger(__name__)

#: Offers Amazon has: the ones a sync updates.
LIVE = ON_AMAZON
CLEAN, CHANGED, TO_SEND = 0, 1, 2
#: Offers recomputed per step.
BATCH = 200


@dataclass
class RunResult:
    outcome: str  # a RunOutcome
    sent: int = 0
    refused: int = 0
    unchanged: int = 0
    failure: Failure | None = None
    requests: int = 0
    refusals: list[dict] = field(default_factory=list)


# --- What changed -------------------------------------------------------------------------------

def product_changed(website_id, product_ids) -> int:
    """The host changed these products (price, stock, attributes, status): their offers in
    every store of the website are recomputed by the next sync. Flushed in the plugin's
    session: commit it with your change. Returns the offers marked."""
    ids = [str(i)[:64] for i in product_ids]
    if not ids:
        return 0
    stores = sa.select(Store.id).where(Store.website_id == str(website_id))
    marked = 0
    for start in range(0, len(ids), 500):
        marked += rowcount(plugin_state().session.execute(
            sa.update(Offer).where(Offer.store_id.in_(stores),
                                   Offer.product_id.in_(ids[start:start + 500]))
            .values(dirty=CHANGED).execution_options(synchronize_session=False)))
    plugin_state().session.flush()
    return marked


def on_product_changed(sender, *, website_id, product_ids, **_ignored) -> None:
    """Listener of :data:`asc_plugin.signals.product_changed`."""
    product_changed(website_id, product_ids)


def on_order(sender, *, store: Store, skus=(), **_ignored) -> None:
    """An Amazon order imported (or cancelled) moved the host's stock of these SKUs: their
    offers, in every store of the website, are synced next. Written in the plugin's session,
    which the import commits (never a session of its own: SQLite would wait on the import's
    own write lock)."""
    skus = [str(s)[:200] for s in skus or () if s]
    if not skus:
        return
    session = plugin_state().session
    stores = sa.select(Store.id).where(Store.website_id == store.website_id)
    session.execute(sa.update(Offer).where(Offer.store_id.in_(stores), Offer.sku.in_(skus))
                    .values(dirty=CHANGED).execution_options(synchronize_session=False))
    session.flush()


def mark_all(store: Store) -> int:
    """The full reconcile: every live offer of the store recomputed by the next run."""
    return rowcount(plugin_state().session.execute(
        sa.update(Offer).where(Offer.store_id == store.id, is_live(),
                               Offer.pending.is_(None), Offer.dirty == CLEAN)
        .values(dirty=CHANGED).execution_options(synchronize_session=False)))


def is_live():
    """Offers Amazon accepted and keeps: the ones whose price and quantity are synced."""
    return sa.and_(Offer.status.in_(LIVE), Offer.submission_status == "ACCEPTED")


# --- Lease --------------------------------------------------------------------------------------

def sync_state(store: Store) -> SyncState:
    """The store's sync record, made (committed) on first use."""
    return leases.store_record(SyncState, store.id)


def take_lease(store: Store, owner: str) -> bool:
    """Take the store's sync if no live lease holds it (committed)."""
    sync_state(store)
    return leases.take(SyncState, SyncState.store_id == store.id, owner=owner,
                       now=leases.real_now())


def running(store: Store) -> bool:
    return leases.live(plugin_state().session.get(SyncState, store.id))


def next_run(store: Store) -> datetime | None:
    """When the embedded worker's schedule syncs next (a whole multiple of the minutes)."""
    minutes = max(1, min(59, int(current_app.config["ASC_SYNC_MINUTES"])))
    now = leases.real_now().replace(second=0, microsecond=0)
    return now + timedelta(minutes=minutes - now.minute % minutes)


def pending_count(store: Store) -> int:
    return plugin_state().session.scalars(sa.select(sa.func.count()).where(
        Offer.store_id == store.id, Offer.dirty != CLEAN, is_live())).one()


# --- A run --------------------------------------------------------------------------------------

def run(store_id: int, *, owner: str | None = None, on_progress=None) -> RunResult:
    """Sync one store's prices and quantities here (in an app context; commits)."""
    session = plugin_state().session
    store = session.get(Store, store_id)
    if store is None or not store.is_connected:
        return RunResult(RunOutcome.NOT_CONNECTED)
    owner = owner or leases.worker_name()
    if not take_lease(store, owner):
        return RunResult(RunOutcome.BUSY)
    runner = _Runner(store, owner, on_progress)
    return run_job(runner.go, runner.end, internal_error="sync_internal_error",
                   what=f"Price and quantity sync of store {store_id}")


class _Runner:
    def __init__(self, store: Store, owner: str, on_progress):
        from .offer_runs import SellerCalls  # lazy: it loads the Amazon clients (requests)

        self.store, self.owner, self.on_progress = store, owner, on_progress
        self.session = plugin_state().session
        self.result = RunResult(RunOutcome.DONE)
        self.settings = listing_settings.of(store)
        self.amazon = SellerCalls(store)

    @property
    def record(self) -> SyncState:
        return self.session.get_one(SyncState, self.store.id)

    def commit(self) -> None:
        """Commit a step with the lease renewed; a lost lease stops the run (raises
        :class:`~.runner.Lost`)."""
        commit_step(self.record, self.owner)
        if self.on_progress is not None:
            self.on_progress(self.result)

    def go(self) -> None:
        if self.record.feed_id:  # a killed worker's feed: its answer first
            self._finish_feed()
        self._gather()
        if self.settings is None:
            return
        self._compute(self.settings)
        waiting = self._to_send_count()
        if waiting > int(current_app.config["ASC_FEED_THRESHOLD"]):
            while self._to_send_count():
                self._submit_feed()
                self._finish_feed()
        else:
            self._send_each()

    # what changed ------------------------------------------------------------------------------
    def _gather(self) -> None:
        record, host = self.record, plugin_state().host
        changed_since = getattr(host, "changed_since", None)
        if callable(changed_since):
            since = record.changes_since or self.store.authorized_at or clock.now()
            upto, after = clock.now(), None
            while True:
                page = list(changed_since(self.store.website_id, since, after=after,
                                          limit=500))
                product_changed(self.store.website_id, page)
                if len(page) < 500:
                    break
                after = str(page[-1])
            record.changes_since = upto
        minutes = float(current_app.config["ASC_SYNC_RECONCILE_MINUTES"])
        if record.reconciled_at is None or \
                leases.aware(record.reconciled_at) <= clock.now() - timedelta(minutes=minutes):
            mark_all(self.store)
            record.reconciled_at = clock.now()
        self.commit()

    # compute -----------------------------------------------------------------------------------
    def _compute(self, settings: ListingSettings) -> None:
        while True:
            batch = list(self.session.scalars(sa.select(Offer).where(
                Offer.store_id == self.store.id, Offer.dirty == CHANGED)
                .order_by(Offer.id).limit(BATCH)))
            if not batch:
                return
            products = self._products({o.product_id for o in batch})
            owned = self._quantity_owned([o.sku for o in batch])
            for offer in batch:
                product = products.get(offer.product_id)
                if product is None or offer.status not in LIVE or \
                        offer.submission_status != "ACCEPTED" or offer.pending is not None:
                    offer.dirty = CLEAN  # gone from the host: the offers run ends it
                    continue
                terms = listing_settings.terms(settings, product, self.store)
                if terms.problem:
                    offer.problem, offer.dirty = terms.problem, CLEAN
                    continue
                offer.problem = None
                offer.price, offer.currency = terms.price, terms.currency
                offer.quantity = terms.quantity
                if offer.price != offer.sent_price or (
                        offer.sku in owned and offer.quantity != offer.sent_quantity):
                    offer.dirty = TO_SEND
                else:
                    offer.dirty = CLEAN
                    self.result.unchanged += 1
            self.commit()

    def _products(self, ids: set[str]) -> dict:
        """The host's products by id: ``products_by_ids`` when the host has it, else its
        catalog paged through until all are found."""
        host = plugin_state().host
        lookup = getattr(host, "products_by_ids", None)
        if callable(lookup):
            return {str(p.id)[:64]: p for p in lookup(self.store.website_id, sorted(ids))}
        found: dict[str, Product] = {}
        after = None
        while len(found) < len(ids):
            page = list(host.products(self.store.website_id, after=after, limit=500))
            found.update({str(p.id)[:64]: p for p in page if str(p.id)[:64] in ids})
            if len(page) < 500:
                break
            after = str(page[-1].id)
        return found

    def _quantity_owned(self, skus: list[str]) -> set[str]:
        """The SKUs whose quantity this store sends: Amazon shares it across the region's
        marketplaces, so the region's first store (lowest id) with a live offer owns it."""
        return quantity_owned(self.store, skus)

    # send --------------------------------------------------------------------------------------
    def _to_send_count(self) -> int:
        return self.session.scalars(sa.select(sa.func.count()).where(
            Offer.store_id == self.store.id, Offer.dirty == TO_SEND)).one()

    def _patches(self, offer: Offer, owned: bool) -> list[dict]:
        market = marketplaces.BY_CODE[self.store.marketplace_code]
        patches = []
        if offer.price is not None and offer.price != offer.sent_price:
            patches.append({"op": "replace", "path": "/attributes/purchasable_offer",
                            "value": [{"marketplace_id": market.marketplace_id,
                                       "currency": offer.currency, "our_price": [
                                           {"schedule": [{"value_with_tax":
                                                          float(offer.price)}]}]}]})
        if owned and offer.quantity is not None and offer.quantity != offer.sent_quantity:
            patches.append({"op": "merge", "path": "/attributes/fulfillment_availability",
                            "value": [{"fulfillment_channel_code": "DEFAULT",
                                       "quantity": int(offer.quantity)}]})
        return patches

    def _send_each(self) -> None:
        from ..amazon import listings, spapi  # lazy: the Amazon clients load requests

        after = 0
        while True:
            offer = self.session.scalar(sa.select(Offer).where(
                Offer.store_id == self.store.id, Offer.dirty == TO_SEND, Offer.id > after)
                .order_by(Offer.id).limit(1))
            if offer is None:
                return
            after = offer.id
            owned = offer.sku in self._quantity_owned([offer.sku])
            patches = self._patches(offer, owned)
            if not patches:
                offer.dirty = CLEAN
                self.commit()
                continue
            seller = self._seller()
            try:
                answer = self._call("patchListingsItem", lambda s=seller, o=offer, p=patches:
                                    listings.patch(s, o.sku, o.product_type, p))
            except spapi.Rejected as rejected:
                if rejected.status not in (400, 404):
                    raise
                self._refused(offer, [{"code": str(rejected.status), "severity": "ERROR",
                                       "message": rejected.amazon_message[:1000],
                                       "attribute_names": []}])
                self.commit()
                continue
            if answer.status == "ACCEPTED":
                self._accepted(offer, owned)
            else:
                self._refused(offer, [i.as_dict() for i in answer.issues])
            self.commit()

    def _accepted(self, offer: Offer, owned: bool) -> None:
        offer.sent_price = offer.price
        if owned:
            offer.sent_quantity = offer.quantity
        offer.sent_at = clock.now()
        self._fresh(offer)
        self._clear(offer)
        self.result.sent += 1
        self.record.sent = (self.record.sent or 0) + 1

    @staticmethod
    def _fresh(offer: Offer) -> None:
        """Amazon accepted an update: an offer that had errors is Submitted again until the
        next read-back says what Amazon made of it."""
        offer.issues = None
        if offer.status == OfferStatus.ERRORS:
            offer.status = OfferStatus.SUBMITTED

    def _refused(self, offer: Offer, issues: list[dict]) -> None:
        offer.issues = json.dumps(issues) if issues else None
        self._clear(offer)
        self.result.refused += 1
        if len(self.result.refusals) < 20:
            self.result.refusals.append({"sku": offer.sku, "issues": issues[:3]})

    def _clear(self, offer: Offer) -> None:
        """Back in step, unless the host changed the product again meanwhile."""
        self.session.flush()
        self.session.execute(sa.update(Offer).where(Offer.id == offer.id,
                                                    Offer.dirty == TO_SEND)
                             .values(dirty=CLEAN).execution_options(
                                 synchronize_session=False))
        self.session.refresh(offer, ["dirty"])

    # feed --------------------------------------------------------------------------------------
    def _submit_feed(self) -> None:
        from ..amazon import feeds  # lazy: the Amazon clients load requests (mounting stays light)

        batch = list(self.session.scalars(sa.select(Offer).where(
            Offer.store_id == self.store.id, Offer.dirty == TO_SEND)
            .order_by(Offer.id).limit(feeds.MAX_MESSAGES)))
        owned = quantity_owned(self.store, [o.sku for o in batch])
        messages: list[dict[str, object]] = []
        skus: dict[int, list[object]] = {}
        for offer in batch:
            patches = self._patches(offer, offer.sku in owned)
            if not patches:
                offer.dirty = CLEAN
                continue
            n = len(messages) + 1
            messages.append({"messageId": n, "sku": offer.sku, "operationType": "PATCH",
                             "productType": offer.product_type, "patches": patches})
            skus[n] = [offer.sku, str(offer.price), offer.quantity, offer.sku in owned]
        if not messages:
            self.commit()
            return
        seller = self._seller()
        content = feeds.document(seller, messages)
        doc = self._call("createFeedDocument", lambda: feeds.create_document(seller),
                         surface="feeds_doc_create")
        feeds.upload(doc.url, content)
        feed_id = self._call("createFeed", lambda: feeds.create_feed(seller, doc.document_id),
                             surface="feeds_create")
        self.record.feed_id, self.record.feed_skus = feed_id, json.dumps(skus)
        self.commit()

    def _finish_feed(self) -> None:
        from ..amazon import feeds  # lazy: the Amazon clients load requests (mounting stays light)

        record, seller = self.record, self._seller()
        feed_id = record.feed_id
        if feed_id is None:  # the batch needed no patch: no feed was sent
            return
        while True:
            feed = self._call("getFeed", lambda: feeds.get_feed(seller, feed_id),
                              surface="feeds_get")
            if feed.status in feeds.FINAL:
                break
            self.commit()  # the lease lives on while Amazon processes the feed
            time.sleep(float(current_app.config["ASC_FEED_POLL_SECONDS"]))
        issues: dict[int, list[dict]] = {}
        if feed.result_document_id:
            doc = self._call("getFeedDocument", lambda: feeds.get_document(
                seller, feed.result_document_id), surface="feeds_doc")
            issues = feeds.report_issues(feeds.download_report(doc))
        sent = {int(k): v for k, v in json.loads(record.feed_skus or "{}").items()}
        offers = {o.sku: o for o in self.session.scalars(sa.select(Offer).where(
            Offer.store_id == self.store.id, Offer.sku.in_([v[0] for v in sent.values()])))}
        for message_id, (sku, price, quantity, owned) in sent.items():
            offer = offers.get(sku)
            if offer is None:
                continue
            found = issues.get(message_id, [])
            if feed.status != "DONE" or any(i["severity"] == "ERROR" for i in found):
                self._refused(offer, found or [{"code": feed.status, "severity": "ERROR",
                                                "message": f"JSON_LISTINGS_FEED {feed.status}",
                                                "attribute_names": []}])
                continue
            offer.sent_price = Decimal(price)
            if owned:
                offer.sent_quantity = quantity
            offer.sent_at = clock.now()
            self._fresh(offer)
            self._clear(offer)
            self.result.sent += 1
            record.sent = (record.sent or 0) + 1
        record.feed_id = record.feed_skus = None
        self.commit()

    # calls -------------------------------------------------------------------------------------
    def _seller(self):
        from .offer_runs import seller_of  # cycle: offer_runs imports sync

        return seller_of(self.store)

    def _call(self, operation: str, send, surface: str = "listings"):
        """One Amazon call under the seller's shared bucket, asked again until it is answered
        (see :class:`~.offer_runs.SellerCalls`)."""
        from .offer_runs import AGAIN  # lazy: it loads the Amazon clients (requests)

        while True:
            before = self.amazon.count
            result = self.amazon.attempt(operation, send, surface)
            self.result.requests += self.amazon.count - before
            if result is not AGAIN:
                return result

    # end ---------------------------------------------------------------------------------------
    def end(self, outcome: RunOutcome, failure: Failure | None) -> RunResult:
        session, result = self.session, self.result
        session.rollback()
        record = session.get(SyncState, self.store.id, populate_existing=True)
        if outcome is RunOutcome.LOST or record is None or record.lease_owner != self.owner:
            result.outcome = RunOutcome.LOST
            return result
        record.lease_owner = record.lease_expires_at = None
        record.last_run_at = clock.now()
        record.error_code = failure.code if failure else None
        record.refused = result.refused
        store = session.get_one(Store, self.store.id)
        if failure is not None:
            result.outcome, result.failure = RunOutcome.FAILED, failure
            activity.record(store, ActivityEvent.SYNC_FAILED, ActivityOutcome.FAILURE,
                            params=activity.failure_params(failure), admin="system")
        else:
            record.last_success_at = record.last_run_at
            if result.refused:
                activity.record(store, ActivityEvent.SYNC_REFUSED, ActivityOutcome.FAILURE,
                                params={"sent": result.sent, "refused": result.refused,
                                        "skus": [r["sku"] for r in result.refusals[:5]]},
                                admin="system")
            elif result.sent:
                activity.record(store, ActivityEvent.SYNC_SENT, ActivityOutcome.SUCCESS,
                                params={"sent": result.sent}, admin="system")
        session.commit()
        return result


def quantity_owned(store: Store, skus: list[str]) -> set[str]:
    """Of these SKUs, the ones whose quantity ``store`` sends to Amazon. A seller SKU's
    quantity is one number for all the marketplaces of a region: the region's first store
    (lowest id) of the same seller with a live offer of the SKU owns it; the others send
    only their price."""
    if not skus:
        return set()
    peers = _earlier_peers(store)
    if not store.seller_id or not peers:
        return set(skus)
    taken = set(plugin_state().session.scalars(sa.select(Offer.sku).where(
        Offer.store_id.in_(peers), Offer.sku.in_(skus), is_live())))
    return {sku for sku in skus if sku not in taken}


def _earlier_peers(store: Store) -> list[int]:
    """Connected stores of the same seller in the same region, added before this one (kept
    for the app context: a run asks once per offer)."""
    cache = g.setdefault("asc_sync_peers", {})
    if store.id not in cache:
        region = marketplaces.BY_CODE[store.marketplace_code].region
        cache[store.id] = [s.id for s in plugin_state().session.scalars(sa.select(Store).where(
            Store.seller_id == store.seller_id, Store.id < store.id)).unique()
            if s.marketplace_code in marketplaces.BY_CODE and
            marketplaces.BY_CODE[s.marketplace_code].region == region and s.is_connected] \
            if store.seller_id else []
    return cache[store.id]


def region_quantity(store: Store, offer: Offer) -> int | None:
    """The quantity a full offer body of ``store`` carries for ``offer``: its own, unless an
    earlier store of the region owns the SKU's quantity; then the owner's last accepted one
    (a publish never overwrites the region's quantity with another store's number)."""
    if offer.sku in quantity_owned(store, [offer.sku]):
        return offer.quantity
    peers = _earlier_peers(store)
    owner = plugin_state().session.scalar(sa.select(Offer).where(
        Offer.store_id.in_(peers), Offer.sku == offer.sku, is_live()).order_by(Offer.store_id)
        .limit(1)) if peers else None
    if owner is None:
        return offer.quantity
    return owner.sent_quantity if owner.sent_quantity is not None else owner.quantity


def connected_stores(store_ids=()) -> list[Store]:
    return orders.connected_stores(store_ids)


def summary(result: RunResult) -> str:
    return ngettext(
        "%(num)s price or quantity update accepted by Amazon, %(refused)s refused, "
        "%(unchanged)s already in step.",
        "%(num)s price or quantity updates accepted by Amazon, %(refused)s refused, "
        "%(unchanged)s already in step.", result.sent, refused=result.refused,
        unchanged=result.unchanged)
