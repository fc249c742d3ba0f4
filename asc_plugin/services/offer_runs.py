"""The steps of an offers run (see :mod:`asc_plugin.services.offers`), and what Amazon's
answers make of an offer. Kept apart so that mounting the plugin never loads the Amazon
clients (``requests``): this module is imported when a run starts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from .. import clock, marketplaces
from ..amazon import definitions, feeds, listings, restrictions, spapi
from ..errors import ConnectFailure, Failure
from ..models import (
    ActivityEvent,
    ActivityOutcome,
    ItemStatus,
    ListingItem,
    ListingSettings,
    Offer,
    OfferJob,
    OfferKind,
    OfferPending,
    OfferPhase,
    OfferStatus,
    Store,
    StoreStatus,
)
from ..state import plugin_state
from . import activity, leases, listing_settings, rate_limit, rules, tokens
from .offers import (
    LISTINGS_FAMILY,
    MAX_THROTTLED,
    MAX_UNAVAILABLE,
    NOT_ON_AMAZON,
    ON_AMAZON,
    PREVIEW_SAMPLE,
    VERIFY_BATCH,
)
from .sync import region_quantity

#: lastUpdatedAfter goes back this much before the watermark (clocks differ, Amazon is late).
SWEEP_OVERLAP = timedelta(minutes=5)
#: Results Amazon pages through for one query.
SWEEP_MAX = 1000


class PreviewRefused(Failure):
    def __init__(self):
        super().__init__("offers_preview_invalid")


# --- Amazon: who, and how fast ------------------------------------------------------------------

def seller_of(store: Store) -> spapi.Seller:
    market = marketplaces.BY_CODE[store.marketplace_code]
    return spapi.Seller(region=market.region, access_token=tokens.access_token(store.id),
                        seller_id=store.seller_id or "", marketplace_id=market.marketplace_id,
                        issue_locale="en_US")


def bucket_key(store: Store, surface: str = "listings") -> str:
    """One bucket per seller, app and region for all listings operations (Amazon counts per
    selling partner); restrictions, definitions and feeds have their own."""
    region = marketplaces.BY_CODE[store.marketplace_code].region
    return f"{surface}:{region}:{store.seller_id}"


def limit(operation: str) -> rate_limit.Limit:
    """The documented limit; ASC_LISTINGS_RATE (Amazon's 5/s by default) scales the listings
    family, for an app Amazon granted more (or a host that wants less)."""
    documented = spapi.LIMITS[operation]
    if operation not in LISTINGS_FAMILY:
        return rate_limit.Limit(rate=documented.rate, burst=documented.burst)
    scale = float(current_app.config["ASC_LISTINGS_RATE"]) / 5.0
    return rate_limit.Limit(rate=documented.rate * scale, burst=documented.burst * scale)


# --- A run's steps ------------------------------------------------------------------------------

class Runner:
    def __init__(self, store: Store, job: OfferJob):
        self.store, self.job = store, job
        self.settings: ListingSettings | None = listing_settings.of(store)
        self.amazon = SellerCalls(store)
        self.schemas: dict[str, definitions.OfferSchema] = {}
        self.restricted: dict[str, list[restrictions.Restriction]] = {}
        #: Why the run ends without an exception (its steps' work is kept).
        self.failure: Failure | None = None
        self.previewed: set[int] = set()
        #: The sweep found more changes than one query pages through: read every offer.
        self.full_read = False
        self.refused = 0

    @property
    def saved(self) -> ListingSettings:
        """The settings, in the phases that run only with saved ones (a run without them only
        ends offers: see ``_step``)."""
        if self.settings is None:
            raise RuntimeError("this phase of an offers run needs saved listing settings")
        return self.settings

    def step(self) -> bool:
        """One unit of work, flushed, not committed. A step makes its Amazon calls before it
        writes anything: the rate bucket is taken in a session of its own, which a pending
        write of this one would block on SQLite."""
        before = self.amazon.count
        finished = self._step()
        self.job.requests += self.amazon.count - before
        return finished

    def _step(self) -> bool:
        phase = self.job.phase
        if phase == OfferPhase.PREPARE:
            if self.job.kind == OfferKind.STATUS:  # offers an admin asked to end are ended first
                self.job.phase = OfferPhase.END
            elif self.settings is None:  # nothing to offer; offers to end still end
                if self.job.kind == OfferKind.PUBLISH:
                    self._mark_ends()
                self.job.phase = OfferPhase.END if self.job.kind == OfferKind.PUBLISH \
                    else OfferPhase.DONE
            else:
                self._prepare_page()
            return False
        if phase == OfferPhase.PREVIEW:
            self._preview()
            return False
        if phase == OfferPhase.SEND:
            threshold = int(current_app.config["ASC_FEED_THRESHOLD"])
            if self._count_pending(OfferPending.SEND) > threshold:
                self.job.phase = OfferPhase.FEED
                return False
            self._send_one()
            return False
        if phase == OfferPhase.FEED:
            self._feed_step()
            return False
        if phase == OfferPhase.END:
            self._end_one()
            return False
        if phase == OfferPhase.SWEEP:
            self._sweep_page()
            return False
        if phase == OfferPhase.VERIFY:
            return self._verify_batch()
        return True

    # prepare -----------------------------------------------------------------------------------
    def _prepare_page(self) -> None:
        job, session, store = self.job, plugin_state().session, self.store
        if job.cursor is None and job.total == 0:
            job.total = plugin_state().host.product_count(store.website_id)
        page = list(plugin_state().host.products(store.website_id, after=job.cursor,
                                                 limit=rules.PAGE))
        ids = [str(p.id)[:64] for p in page]
        items = {i.product_id: i for i in session.scalars(sa.select(ListingItem).where(
            ListingItem.store_id == store.id, ListingItem.product_id.in_(ids)))} if ids else {}
        skus = [p.sku[:200] for p in page]
        offers = {o.sku: o for o in session.scalars(sa.select(Offer).where(
            Offer.store_id == store.id, Offer.sku.in_(skus)))} if skus else {}
        for product in page:
            item = items.get(str(product.id)[:64])
            if item is None or item.status != ItemStatus.MATCHED or not item.asin or \
                    item.item_classification == "VARIATION_PARENT" or not product.sku:
                continue
            self._prepare(product, item, offers.get(product.sku[:200]))
        job.done += len(page)
        if page:
            job.cursor = str(page[-1].id)[:64]
        if len(page) < rules.PAGE:
            if job.kind == OfferKind.PUBLISH:
                self._mark_ends()
            job.total = self._count_pending(OfferPending.SEND)
            job.done, job.cursor = 0, None
            needs_preview = self.job.kind == OfferKind.DRY_RUN or (
                self.saved.validated_version != self.saved.version and job.total)
            job.phase = OfferPhase.PREVIEW if needs_preview else OfferPhase.SEND

    def _prepare(self, product, item: ListingItem, offer: Offer | None) -> None:
        assert item.asin  # _prepare_page passes matched items with an ASIN only
        terms = listing_settings.terms(self.saved, product, self.store)
        if offer is None:
            offer = Offer(store_id=self.store.id, sku=product.sku[:200], status=OfferStatus.READY)
            plugin_state().session.add(offer)
        changed = (offer.asin != item.asin or offer.price != terms.price or
                   offer.quantity != terms.quantity or
                   offer.settings_version != self.saved.version)
        offer.product_id = str(product.id)[:64]
        offer.asin = item.asin
        offer.product_type = (item.product_type or listings.FALLBACK_PRODUCT_TYPE)[:100]
        offer.price, offer.currency, offer.quantity = terms.price, terms.currency, \
            terms.quantity
        offer.problem = terms.problem
        if terms.problem:
            offer.pending = None
            if offer.status in (OfferStatus.READY, OfferStatus.ERRORS):
                offer.status = OfferStatus.READY
            return
        if changed or offer.status in (OfferStatus.READY, OfferStatus.ENDED) or \
                offer.pending == OfferPending.SEND:
            offer.pending = OfferPending.SEND

    def _mark_ends(self) -> None:
        """Offers whose product is no longer a listed match (or whose store is inactive)."""
        session = plugin_state().session
        query = sa.update(Offer).where(Offer.store_id == self.store.id,
                                       Offer.status.not_in(NOT_ON_AMAZON))
        if self.store.status is not StoreStatus.INACTIVE:
            listed = sa.select(ListingItem.product_id).where(
                ListingItem.store_id == self.store.id, ListingItem.status == ItemStatus.MATCHED,
                ListingItem.asin == Offer.asin)
            query = query.where(Offer.product_id.not_in(listed))
        session.execute(query.values(pending=OfferPending.END).execution_options(
            synchronize_session=False))
        session.flush()

    def _count_pending(self, what: str) -> int:
        return plugin_state().session.scalars(sa.select(sa.func.count()).where(
            Offer.store_id == self.store.id, Offer.pending == what)).one()

    def _next_pending(self, what: str, limit: int = 1) -> list[Offer]:
        return list(plugin_state().session.scalars(sa.select(Offer).where(
            Offer.store_id == self.store.id, Offer.pending == what).order_by(Offer.id)
            .limit(limit)))

    # preview / send ----------------------------------------------------------------------------
    def _body(self, offer: Offer) -> dict:
        schema = self._schema(offer.product_type)
        quantity = region_quantity(self.store, offer)  # shared by the region's marketplaces
        if offer.price is None or offer.currency is None or offer.quantity is None:
            raise RuntimeError(f"offer {offer.id} is to be sent without its price and quantity")
        return listings.offer_body(
            product_type=offer.product_type, marketplace_id=self._seller().marketplace_id,
            asin=offer.asin, condition=self.saved.condition, price=offer.price,
            currency=offer.currency, quantity=offer.quantity if quantity is None else quantity,
            handling_days=self.saved.handling_days if schema.handling_time else None)

    def _preview(self) -> None:
        """A dry run previews every offer to send, one a step (``job.cursor`` is the last
        offer id), and sends nothing; a publish previews a sample first and stops, with
        Amazon's issues on those offers, if Amazon refuses any."""
        job = self.job
        if job.kind == OfferKind.DRY_RUN:
            found = list(plugin_state().session.scalars(sa.select(Offer).where(
                Offer.store_id == self.store.id, Offer.pending == OfferPending.SEND,
                Offer.id > int(job.cursor or 0)).order_by(Offer.id).limit(1)))
            if not found:
                job.phase = OfferPhase.DONE
                return
            if not self._ready_to_send(found[0], restrictions_too=False):
                return
            answer = self._call("putListingsItem", lambda: listings.put(
                self._seller(), found[0].sku, self._body(found[0]), preview=True))
            if answer is not None:
                self._apply_preview(found[0], answer)
                job.cursor, job.done = str(found[0].id), job.done + 1
            return
        sample = [o for o in self._next_pending(OfferPending.SEND, limit=PREVIEW_SAMPLE)
                  if o.id not in self.previewed]
        if sample and self.failure is None:
            offer = sample[0]
            if not self._ready_to_send(offer):
                return
            answer = self._call("putListingsItem", lambda: listings.put(
                self._seller(), offer.sku, self._body(offer), preview=True))
            if answer is not None:
                self.previewed.add(offer.id)
                self._apply_preview(offer, answer)
            return
        if self.failure is None:
            self.saved.validated_version = self.saved.version
            job.phase = OfferPhase.SEND
        else:
            job.phase = OfferPhase.DONE

    def _apply_preview(self, offer: Offer, answer: listings.Submission) -> None:
        """Amazon's preview verdict on one offer. A refused offer shows Amazon's issues; when
        every offer of a publish's sample is refused, the settings are at fault and nothing
        is sent."""
        offer.submission_status = answer.status
        if answer.status == "INVALID":
            offer.status, offer.pending = OfferStatus.ERRORS, None
            offer.issues = json.dumps([i.as_dict() for i in answer.issues])
            self.refused += 1
            if self.job.kind == OfferKind.PUBLISH and self.refused >= min(
                    PREVIEW_SAMPLE, self.job.total):
                self.failure = PreviewRefused()

    def _ready_to_send(self, offer: Offer, *, restrictions_too: bool = False) -> bool:
        """What an offer needs from Amazon before it is sent (its product type's schema, the
        ASIN's restrictions), one call a step; True once all is known."""
        if offer.product_type not in self.schemas:
            schema = self._call("getDefinitionsProductType", lambda: definitions.offer_only(
                self._seller(), offer.product_type), surface="definitions")
            if schema is not None:
                self.schemas[offer.product_type] = schema
            return False
        key = f"{offer.asin}:{self.saved.condition}"
        if restrictions_too and key not in self.restricted:
            found = self._call("getListingsRestrictions", lambda: restrictions.get(
                self._seller(), offer.asin, self.saved.condition), surface="restrictions")
            if found is not None:
                self.restricted[key] = found
            return False
        return True

    def _send_one(self) -> None:
        found = self._next_pending(OfferPending.SEND)
        if not found:
            self.job.phase = OfferPhase.END
            return
        offer = found[0]
        check = offer.status in NOT_ON_AMAZON
        if not self._ready_to_send(offer, restrictions_too=check):
            return
        restricted = self.restricted.get(f"{offer.asin}:{self.saved.condition}") \
            if check else None
        if restricted:
            first = restricted[0]
            offer.status = OfferStatus.APPROVAL if first.reason_code == "APPROVAL_REQUIRED" else \
                OfferStatus.NOT_ELIGIBLE
            offer.approval_link = first.link
            offer.issues = json.dumps([{"code": first.reason_code, "message": first.message,
                                        "severity": "ERROR", "attribute_names": []}])
            offer.pending = None
            self.job.done += 1
            return
        answer = self._call("putListingsItem", lambda: listings.put(
            self._seller(), offer.sku, self._body(offer)))
        if answer is None:
            return
        self._apply_submission(offer, answer)
        self.job.done += 1

    def _apply_submission(self, offer: Offer, answer: listings.Submission) -> None:
        offer.submission_id = answer.submission_id[:100] or None
        offer.submission_status = answer.status
        offer.request_id = (answer.request_id or "")[:64] or None
        offer.issues = json.dumps([i.as_dict() for i in answer.issues]) if answer.issues \
            else None
        offer.settings_version = self.settings.version if self.settings else None
        offer.pending = None
        offer.approval_link = None
        if answer.status == "ACCEPTED":
            offer.status, offer.submitted_at = OfferStatus.SUBMITTED, clock.now()
            offer.sent_price, offer.sent_quantity, offer.sent_at = \
                offer.price, self._sent_quantity(offer), offer.submitted_at
            offer.dirty = 0
        else:
            offer.status = OfferStatus.ERRORS

    def _sent_quantity(self, offer: Offer) -> int | None:
        """The quantity the body carried (the region's owner's, when another store owns it)."""
        quantity = region_quantity(self.store, offer)
        return offer.quantity if quantity is None else quantity

    def _schema(self, product_type: str) -> definitions.OfferSchema:
        return self.schemas[product_type]

    # feed --------------------------------------------------------------------------------------
    def _feed_step(self) -> None:
        job, feed_id = self.job, self.job.feed_id
        if feed_id is None:
            self._submit_feed()
            return
        seller = self._seller()
        feed = self._call("getFeed", lambda: feeds.get_feed(seller, feed_id),
                          surface="feeds_get")
        if feed is None:
            return
        if feed.status not in feeds.FINAL:
            time.sleep(float(current_app.config["ASC_FEED_POLL_SECONDS"]))
            return
        skus = {int(k): v for k, v in json.loads(job.feed_skus or "{}").items()}
        issues: dict[int, list[dict]] = {}
        if feed.result_document_id:
            doc = self._call("getFeedDocument", lambda: feeds.get_document(
                seller, feed.result_document_id), surface="feeds_doc")
            if doc is None:
                return
            issues = feeds.report_issues(feeds.download_report(doc))
        offers = {o.sku: o for o in plugin_state().session.scalars(sa.select(Offer).where(
            Offer.store_id == self.store.id, Offer.sku.in_(list(skus.values()))))}
        now = clock.now()
        for message_id, sku in skus.items():
            offer = offers.get(sku)
            if offer is None:
                continue
            found = issues.get(message_id, [])
            errors = feed.status != "DONE" or any(i["severity"] == "ERROR" for i in found)
            offer.issues = json.dumps(found) if found else None
            offer.submission_status = "INVALID" if errors else "ACCEPTED"
            offer.submission_id = f"feed:{job.feed_id}"[:100]
            offer.settings_version = self.saved.version
            offer.pending = None
            if errors:
                offer.status = OfferStatus.ERRORS
            else:
                offer.status, offer.submitted_at = OfferStatus.SUBMITTED, now
                offer.sent_price, offer.sent_quantity, offer.sent_at = \
                    offer.price, self._sent_quantity(offer), now
                offer.dirty = 0
            job.done += 1
        job.feed_id = job.feed_document_id = job.feed_skus = None
        if not self._count_pending(OfferPending.SEND):
            job.phase = OfferPhase.END

    def _submit_feed(self) -> None:
        job, seller = self.job, self._seller()
        batch = self._next_pending(OfferPending.SEND, limit=feeds.MAX_MESSAGES)
        missing = next((o for o in batch if o.product_type not in self.schemas), None)
        if missing is not None:
            self._ready_to_send(missing)
            return
        messages, skus = [], {}
        for n, offer in enumerate(batch, start=1):
            body = self._body(offer)
            messages.append({"messageId": n, "sku": offer.sku, "operationType": "UPDATE",
                             "productType": body["productType"],
                             "requirements": "LISTING_OFFER_ONLY",
                             "attributes": body["attributes"]})
            skus[n] = offer.sku
        content = feeds.document(seller, messages)
        if self._call("JSON_LISTINGS_FEED", lambda: True, surface="feeds_submit") is None:
            return
        doc = self._call("createFeedDocument", lambda: feeds.create_document(seller),
                         surface="feeds_doc_create")
        if doc is None:
            return
        feeds.upload(doc.url, content)  # at once: the URL lives 5 minutes
        feed_id = self._call("createFeed", lambda: feeds.create_feed(seller, doc.document_id),
                             surface="feeds_create")
        if feed_id is None:
            return
        job.feed_id, job.feed_document_id = feed_id, doc.document_id
        job.feed_skus = json.dumps(skus)

    # end ---------------------------------------------------------------------------------------
    def _end_one(self) -> None:
        found = self._next_pending(OfferPending.END)
        if not found:
            self.job.phase = OfferPhase.SWEEP if self._incremental() else OfferPhase.VERIFY
            return
        offer = found[0]
        zero = self.settings is not None and self.settings.end_mode == "zero" and \
            self.store.status is not StoreStatus.INACTIVE
        try:
            if zero:
                answer = self._call("patchListingsItem", lambda: listings.patch(
                    self._seller(), offer.sku, offer.product_type, [{
                        "op": "merge", "path": "/attributes/fulfillment_availability",
                        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}]}]))
            else:
                answer = self._call("deleteListingsItem", lambda: listings.delete(
                    self._seller(), offer.sku))
        except spapi.Rejected as rejected:
            if rejected.status != 404:
                raise
            answer = listings.Submission(offer.sku, "ACCEPTED", "")
        if answer is None:
            return
        offer.pending = None
        offer.submission_id = answer.submission_id[:100] or offer.submission_id
        if zero:
            offer.status, offer.quantity = OfferStatus.INACTIVE, 0
        else:
            offer.status, offer.ended_at = OfferStatus.ENDED, clock.now()
        activity.record(self.store, ActivityEvent.OFFER_ENDED, ActivityOutcome.INFO,
                        params={"sku": offer.sku, "asin": offer.asin, "zero": bool(zero)},
                        admin=self.job.requested_by or "system")

    # sweep -------------------------------------------------------------------------------------
    def _incremental(self) -> bool:
        """A status sweep after a first full one asks only for what changed since."""
        return self.job.kind == OfferKind.STATUS and self.settings is not None and \
            self.settings.status_watermark is not None

    def _sweep_page(self) -> None:
        """One page of searchListingsItems(lastUpdatedAfter=watermark − overlap); Amazon pages
        at most 1,000 results per query, so a bigger change falls back to reading every
        offer by SKU."""
        watermark = self.saved.status_watermark
        assert watermark is not None  # _incremental() chose this sweep
        since = leases.aware(watermark) - SWEEP_OVERLAP
        page = self._call("searchListingsItems", lambda: listings.search(
            self._seller(), last_updated_after=since, page_token=self.job.cursor))
        if page is None:
            return
        if page.total > SWEEP_MAX:
            self.full_read = True
            self.job.cursor, self.job.phase = None, OfferPhase.VERIFY
            return
        offers = {o.sku: o for o in plugin_state().session.scalars(sa.select(Offer).where(
            Offer.store_id == self.store.id,
            Offer.sku.in_([listing.sku for listing in page.listings])))} \
            if page.listings else {}
        now = clock.now()
        for listing in page.listings:
            offer = offers.get(listing.sku)
            if offer is not None and offer.status != OfferStatus.ENDED:
                apply_listing(offer, listing)
                offer.checked_at = now
        self.job.cursor = page.next_token
        if page.next_token is None:
            self.job.phase = OfferPhase.VERIFY

    # verify ------------------------------------------------------------------------------------
    def _verify_batch(self) -> bool:
        since = self.job.started_at or clock.now()
        batch = list(plugin_state().session.scalars(sa.select(Offer).where(
            Offer.store_id == self.store.id,
            Offer.status.in_(ON_AMAZON),
            Offer.submission_status == "ACCEPTED", ~Offer.sku.contains(","),
            sa.or_(Offer.checked_at.is_(None), Offer.checked_at < since),
            # After an incremental sweep, only offers Amazon has not shown yet are asked for.
            Offer.status == OfferStatus.SUBMITTED if self._incremental() and not self.full_read
            else sa.true())
            .order_by(Offer.id).limit(VERIFY_BATCH)))
        if not batch:
            if self.job.kind != OfferKind.DRY_RUN and self._count_pending(OfferPending.END):
                self.job.phase = OfferPhase.END  # an admin asked to end one while this run went on
                return False
            if self.job.kind == OfferKind.STATUS and self.settings is not None:
                self.settings.status_watermark = self.job.started_at
            return True
        page = self._call("searchListingsItems", lambda: listings.search(
            self._seller(), [o.sku for o in batch]))
        if page is None:
            return False
        found = {listing.sku: listing for listing in page.listings}
        now = clock.now()
        for offer in batch:
            apply_listing(offer, found.get(offer.sku))
            offer.checked_at = max(now, leases.aware(since))
        self.job.requests += 1
        return False

    # calls -------------------------------------------------------------------------------------
    def _seller(self) -> spapi.Seller:
        return seller_of(self.store)

    def _call(self, operation: str, send: Callable[[], Any], surface: str = "listings") -> Any:
        """One Amazon call; None when it has to be asked again (the step repeats)."""
        result = self.amazon.attempt(operation, send, surface)
        return None if result is AGAIN else result


#: What :meth:`SellerCalls.attempt` answers when the call has to be made again.
AGAIN = object()


class SellerCalls:
    """A run's Amazon calls under the seller's shared rate buckets: a throttled answer backs
    off, a transient fault is asked again a few times, a refused token is refreshed once; past
    that the error is raised and ends the run."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.throttled = self.unavailable = 0
        self.refreshed = False
        #: Requests sent (the run's ``requests`` figure).
        self.count = 0

    def attempt(self, operation: str, send: Callable[[], Any], surface: str = "listings") -> Any:
        """``send()``'s answer, or :data:`AGAIN` after a back-off or a refreshed token."""
        key, documented = bucket_key(self.store, surface), limit(operation)
        rate_limit.acquire(key, documented)
        self.count += 1
        try:
            result = send()
        except spapi.Throttled as throttled:
            rate_limit.observe(key, documented, throttled.rate_limit)
            self.throttled += 1
            if self.throttled > MAX_THROTTLED:
                raise
            rate_limit.back_off(key, self.throttled, base=float(
                current_app.config["ASC_CATALOG_BACKOFF_SECONDS"]))
            return AGAIN
        except spapi.Unavailable:
            self.unavailable += 1
            if self.unavailable > MAX_UNAVAILABLE:
                raise
            time.sleep(min(5.0, 0.2 * 2 ** self.unavailable))
            return AGAIN
        except ConnectFailure as failure:
            if failure.code != "listings_forbidden" or self.refreshed:
                raise
            self.refreshed = True
            tokens.refresh_now(self.store.id)
            return AGAIN
        self.throttled = self.unavailable = 0
        return result


def apply_listing(offer: Offer, listing: listings.Listing | None) -> None:
    """Amazon's read-back of one listing, as the offer's status."""
    if listing is None:
        if offer.status != OfferStatus.SUBMITTED:
            offer.status = OfferStatus.ENDED  # removed at Amazon (Seller Central, or expired)
        return
    offer.amazon_statuses = ",".join(listing.statuses)[:60] or None
    offer.amazon_price = listing.price
    offer.amazon_quantity = listing.quantity
    offer.issues = json.dumps([i.as_dict() for i in listing.issues]) if listing.issues else None
    if any("LISTING_SUPPRESSED" in i.enforcements for i in listing.issues):
        offer.status = OfferStatus.SUPPRESSED
    elif any(i.severity == "ERROR" for i in listing.issues):
        offer.status = OfferStatus.ERRORS
    elif "BUYABLE" in listing.statuses:
        offer.status = OfferStatus.ACTIVE
    else:
        offer.status = OfferStatus.INACTIVE
