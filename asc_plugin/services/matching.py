"""Catalog matching: which of a store's products Amazon already sells, by the mapped product id.

A run (a :class:`~asc_plugin.models.MatchJob`) has two phases, each in small steps that commit
their own work, so a run that stops — a worker killed, Amazon unavailable — continues where it
was and never redoes a finished step:

1. **evaluate** (local): the website's products page by page from the host; each is decided by
   the listing rule and its product id (missing, invalid, unsupported type, or an identifier to
   look up). Products whose identifier is unchanged and whose result is younger than
   ``ASC_MATCH_MAX_AGE_DAYS`` keep it. Products the host no longer has are removed at the end.
2. **match** (Amazon): the pending identifiers, 20 per ``searchCatalogItems`` search, every
   page of it read (one rate-limit token per page, from a bucket shared by every worker) before
   a product's result is decided. A batch Amazon refuses (400) is split until the identifier it
   refuses is found; that product is marked with Amazon's message and the others go on.

Transient faults (5xx, timeouts, bodies that are not JSON) are asked again after a jittered
back-off, ``ASC_CATALOG_RETRIES`` times; then the run *pauses*: finished batches are kept, and
*Match again* resumes it. One run per store at a time: the database holds at most one open
(queued, running or paused) run per store, and a worker claims a run only while no other run of
the store holds a live lease.

A worker holds the run through a lease in the database, renewed with every step's commit; a
step whose lease was taken over (the worker was presumed dead) is rolled back, so two workers
never write one run. Time for leases is the real clock; results are dated with the plugin's
clock (``ASC_CLOCK``), like everything a merchant reads.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from .. import clock, marketplaces, signals
from ..errors import MESSAGES, AmazonUnavailable, ConnectFailure, Failure
from ..i18n import _, ngettext
from ..models import (
    ActivityEvent,
    ActivityOutcome,
    ItemStatus,
    JobStatus,
    ListingItem,
    MatchJob,
    MatchPhase,
    ProductIdType,
    Store,
)
from ..persistence import rowcount, savepoint
from ..state import current_app_object, plugin_state
from . import activity, leases, product_ids, rate_limit, rules, tokens
from .runner import close_job, run_job_row

#: Every status, in the order the preview lists them.
STATUSES = tuple(ItemStatus)
#: Under way: a worker runs it or will.
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
#: Not over: a store has at most one such run (a partial unique index in the database).
OPEN = (*ACTIVE, JobStatus.PAUSED)
#: Products without a product id Amazon's catalog can be searched by.
UNUSABLE = (ItemStatus.ID_MISSING, ItemStatus.ID_INVALID, ItemStatus.UNSUPPORTED)
#: Items kept per product when Amazon has several for its identifier.
MAX_CANDIDATES = 10
VARIATION_PARENT = "VARIATION_PARENT"
#: searchCatalogItems per seller and app: 2 requests/s, burst 2 (Amazon's documentation). We
#: never burst: two requests sent back to back could reach Amazon bunched with the next one.
CATALOG_BURST = 1.0
#: The columns a first evaluation writes for a new product.
_INSERTED = ("store_id", "product_id", "sku", "name", "status", "reason", "identifier",
             "evaluated_at")
#: 429s in a row before a run stops (finished products are kept; the next run continues).
MAX_THROTTLED = 8

Progress = Callable[[MatchJob], None]
log = logging.getLogger(__name__)


def catalog_limit() -> rate_limit.Limit:
    return rate_limit.Limit(rate=float(current_app.config["ASC_CATALOG_RATE"]),
                            burst=CATALOG_BURST)


def bucket_key(store: Store) -> str:
    """Amazon counts per seller and app, per region: two stores of one seller share it."""
    return f"searchCatalogItems:{marketplaces.BY_CODE[store.marketplace_code].region}:" \
           f"{store.seller_id}"


# --- Starting and looking at runs --------------------------------------------------------------

def active_job(store: Store) -> MatchJob | None:
    """The store's open run (under way, or paused), if any."""
    return plugin_state().session.scalar(sa.select(MatchJob).where(
        MatchJob.store_id == store.id, MatchJob.status.in_(OPEN)).order_by(MatchJob.id.desc())
        .limit(1))


def latest_job(store: Store) -> MatchJob | None:
    return plugin_state().session.scalar(sa.select(MatchJob).where(MatchJob.store_id == store.id)
                                  .order_by(MatchJob.id.desc()).limit(1))


def request_run(store: Store, *, requested_by: str) -> tuple[MatchJob, bool]:
    """A new run for the store, a paused one resumed, or the one already under way;
    (job, created: whether it has to be handed to the queue). Flushed only.

    Concurrent requests make one run: the database refuses a second open run of a store (a
    partial unique index), and the request that lost the race answers with the winner's."""
    job = active_job(store)
    if job is not None:
        return job, _resume(job, requested_by)
    job = MatchJob(store_id=store.id, status=JobStatus.QUEUED, phase=MatchPhase.EVALUATE,
                   total=plugin_state().host.product_count(store.website_id),
                   requested_by=requested_by[:200], created_at=clock.now())
    try:
        with savepoint():
            plugin_state().session.add(job)
            plugin_state().session.flush()
    except IntegrityError:
        job = active_job(store)
        if job is None:  # the other run ended meanwhile: the caller may simply ask again
            raise
        return job, False
    activity.record(store, ActivityEvent.MATCH_STARTED, ActivityOutcome.INFO, admin=requested_by)
    plugin_state().session.flush()
    return job, True


def _resume(job: MatchJob, requested_by: str) -> bool:
    """A paused run goes back to the queue where it stopped (finished batches kept)."""
    if job.status != JobStatus.PAUSED:
        return False
    resumed = rowcount(plugin_state().session.execute(
        sa.update(MatchJob).where(MatchJob.id == job.id, MatchJob.status == JobStatus.PAUSED)
        .values(status=JobStatus.QUEUED, error_code=None, finished_at=None,
                created_at=clock.now(),
                lease_owner=None, lease_expires_at=None, requested_by=requested_by[:200])
        .execution_options(synchronize_session=False)))
    plugin_state().session.refresh(job)
    return resumed == 1


def stalled(job: MatchJob) -> bool:
    """Under way but nobody holds it: its worker died, or the queue lost it."""
    if job.status not in ACTIVE:
        return False
    if job.lease_owner is None:  # queued: created_at is on the plugin's clock
        return leases.aware(job.created_at) < clock.now() - leases.duration()
    return job.lease_expires_at is None or leases.aware(job.lease_expires_at) < leases.real_now()


def waiting_long(job: MatchJob) -> bool:
    """Queued for longer than a lease and never taken: probably no worker is running."""
    return job.status == JobStatus.QUEUED and job.started_at is None and \
        leases.aware(job.created_at) < clock.now() - leases.duration()


def failure_message(code: str | None) -> str:
    """Why a run stopped, for the merchant."""
    return Failure(code).message if code in MESSAGES else _("an unknown error.")


def progress(job: MatchJob) -> tuple[int, int]:
    """(done, of) for the progress bar: products read, then products matched."""
    if job.phase == MatchPhase.EVALUATE:
        return job.evaluated, max(job.total, job.evaluated)
    return job.matched, job.to_match


# --- Running a job -----------------------------------------------------------------------------

def take_lease(job_id: int, owner: str) -> bool:
    """Take the run if it is under way and nobody holds a live lease on it, nor on another run
    of the same store (committed)."""
    now = leases.real_now()
    other = aliased(MatchJob)
    return leases.take(
        MatchJob, MatchJob.id == job_id, MatchJob.status.in_(ACTIVE),
        ~sa.exists().where(other.store_id == MatchJob.store_id, other.id != MatchJob.id,
                           other.status.in_(ACTIVE), leases.held(other, now)),
        owner=owner, now=now, status=JobStatus.RUNNING,
        started_at=sa.func.coalesce(MatchJob.started_at, clock.now()))


def run(job_id: int, *, owner: str | None = None, on_progress: Progress | None = None) -> str:
    """Run the job to its end in this process (inside an app context). Returns "done",
    "failed", "paused" (Amazon kept failing for a while: resumable), "busy" (another worker
    holds it, or it is over) or "lost" (taken over)."""
    return run_job_row(MatchJob, job_id, owner or leases.worker_name(), take_lease=take_lease,
                       steps_for=_Runner, end=_end, on_progress=on_progress,
                       progress_first=True, internal_error="match_internal_error",
                       what=f"Catalog matching job {job_id}")


def _end(_steps: _Runner, job: MatchJob, failure: Failure | None) -> str:
    session = plugin_state().session
    store = session.get_one(Store, job.store_id)
    counts = status_counts(store)
    paused = isinstance(failure, AmazonUnavailable)  # transient: resumable where it stopped
    close_job(job, JobStatus.PAUSED if paused else JobStatus.FAILED if failure
              else JobStatus.DONE, failure)
    job.error_request_id = getattr(failure, "request_id", None) if failure else None
    admin = job.requested_by or "system"
    if failure is None:
        activity.record(store, ActivityEvent.MATCH_FINISHED, ActivityOutcome.SUCCESS,
                        params={"counts": counts},
                        admin=admin)
    else:
        params = activity.failure_params(failure)
        if job.error_request_id:  # Amazon's support asks for it
            params["request_id"] = job.error_request_id
        activity.record(store, ActivityEvent.MATCH_PAUSED if paused else ActivityEvent.MATCH_FAILED,
                        ActivityOutcome.FAILURE,
                        params=params, admin=admin)
    session.commit()
    signals.catalog_matched.send(current_app_object(), store=store, job=job,
                                 counts=counts, failure=failure)
    return job.status


def summary(counts: dict[str, int]) -> str:
    listed = sum(n for status, n in counts.items() if status != ItemStatus.EXCLUDED)
    return ngettext(
        "Matching with Amazon's catalog finished: %(matched)s of %(num)s listed product "
        "matched, %(several)s with several matches, %(none)s without a match, %(unusable)s "
        "without a usable product id.",
        "Matching with Amazon's catalog finished: %(matched)s of %(num)s listed products "
        "matched, %(several)s with several matches, %(none)s without a match, %(unusable)s "
        "without a usable product id.", listed,
        matched=counts.get(ItemStatus.MATCHED, 0), several=counts.get(ItemStatus.SEVERAL, 0),
        none=counts.get(ItemStatus.NO_MATCH, 0),
        unusable=sum(counts.get(s, 0) for s in UNUSABLE))


class _Runner:
    """One run's steps: a page of products to evaluate, or a batch of identifiers to match."""

    def __init__(self, store: Store, job: MatchJob):
        from ..amazon import catalog  # lazy: the Amazon clients load requests

        self.store, self.job = store, job
        self.listed, _version = rules.active_predicate(store)
        mapping = store.mapping
        self.id_type = mapping.amazon_id_type if mapping else ProductIdType.SELLER_SKU
        self.attribute = mapping.host_attribute_code if mapping else "sku"
        #: "" for an id type the catalog cannot search (its items are never pending).
        self.identifiers_type = product_ids.IDENTIFIERS_TYPE.get(self.id_type, "")
        self.batch = catalog.batch_size(self.identifiers_type)
        self.fresh_after = clock.now() - timedelta(
            days=float(current_app.config["ASC_MATCH_MAX_AGE_DAYS"]))
        self.throttled = 0
        self.transient = 0
        self.refreshed = False
        #: A search's pages read so far, by its identifiers: a step that stops mid-search (a
        #: 429, a transient fault) goes on from the next page.
        self.pages: dict[tuple[str, ...], list] = {}
        #: No item stored for the store when this run began reading (products come in id
        #: order, each once, so none of them can be stored yet).
        self.first_evaluation = job.phase == MatchPhase.EVALUATE and job.cursor is None and not \
            plugin_state().session.scalar(sa.select(sa.exists().where(
                ListingItem.store_id == store.id)))

    def step(self) -> bool:
        """One unit of work (flushed, not committed); True when the run is complete."""
        if self.job.phase == MatchPhase.EVALUATE:
            self._evaluate_page()
            return False
        return self._match_batch()

    # evaluate ------------------------------------------------------------------------------
    def _evaluate_page(self) -> None:
        job, session = self.job, plugin_state().session
        page = list(plugin_state().host.products(self.store.website_id, after=job.cursor,
                                          limit=rules.PAGE))
        known = self._known([_key(p) for p in page])
        new_rows = []
        for product in page:
            item = known.get(_key(product))
            if item is None:  # inserted in bulk below: a first run writes 1,000 rows at once
                item = known[_key(product)] = ListingItem(store_id=self.store.id,
                                                          product_id=_key(product))
                self._evaluate(item, product)
                new_rows.append({column: getattr(item, column) for column in _INSERTED})
            elif item.id is not None:  # only what changed is written: no UPDATE if nothing did
                self._evaluate(item, product)
        if new_rows:
            table = ListingItem.__table__
            assert isinstance(table, sa.Table)
            session.execute(sa.insert(table), new_rows)  # Core: one executemany
        job.evaluated += len(page)
        if page:
            job.cursor = page[-1].id
        if len(page) < rules.PAGE:
            self._finish_evaluation()

    def _known(self, product_ids: list[str]) -> dict[str, ListingItem]:
        """The stored items of these products. A store's first evaluation has none and asks
        nothing: its table is growing page by page, and a database whose statistics have not
        caught up yet would scan it for every page."""
        if self.first_evaluation or not product_ids:
            return {}
        return {item.product_id: item for item in plugin_state().session.scalars(
            sa.select(ListingItem).where(ListingItem.store_id == self.store.id,
                                         ListingItem.product_id.in_(product_ids)))}

    def _evaluate(self, item: ListingItem, product) -> None:
        before = item.status
        item.sku, item.name = product.sku[:100], product.name[:300]
        item.status, item.reason = self._decide(item, product)
        if item.status != before:
            item.evaluated_at = clock.now()

    def _decide(self, item: ListingItem, product) -> tuple[str, str | None]:
        """(status, reason) for a product, by the rule and its id; keeps a young result."""
        raw = product.attributes.get(self.attribute)
        if raw is None and self.attribute == "sku":
            raw = product.sku
        outcome, identifier, reason = product_ids.catalog_identifier(self.id_type, raw)
        if not self.listed(product):  # its id still shows in the preview
            shown = identifier[:64] if identifier is not None else (raw or "").strip()[:64] or None
            if shown != item.identifier:
                item.identifier = shown
            return ItemStatus.EXCLUDED, None
        if identifier is None:  # not "ok": the value as the host has it, so the preview shows
            # what to fix
            item.identifier = (raw or "").strip()[:64] or None
            return {"missing": ItemStatus.ID_MISSING, "invalid": ItemStatus.ID_INVALID}.get(
                outcome, ItemStatus.UNSUPPORTED), reason
        if identifier != item.identifier:
            item.identifier, item.chosen_asin = identifier[:64], None
        young = item.matched_at is not None and leases.aware(item.matched_at) >= self.fresh_after
        if item.matched_identifier == item.identifier and young:
            if item.status == ItemStatus.REFUSED:
                return ItemStatus.REFUSED, item.reason
            return _result_status(item), None
        return ItemStatus.PENDING, None

    def _finish_evaluation(self) -> None:
        """Remove the products the host no longer has, then go on to matching. The host's ids
        are read again (no writes), so a run resumed mid-evaluation removes the same ones."""
        job, session = self.job, plugin_state().session
        session.flush()
        current = {_key(product) for product in rules.products(self.store)}
        stored = session.execute(sa.select(ListingItem.id, ListingItem.product_id).where(
            ListingItem.store_id == self.store.id)).all()
        vanished = [item_id for item_id, product_id in stored if product_id not in current]
        for start in range(0, len(vanished), 500):
            session.execute(sa.delete(ListingItem).where(
                ListingItem.id.in_(vanished[start:start + 500]))
                .execution_options(synchronize_session=False))
        job.phase = MatchPhase.MATCH
        job.to_match = session.scalars(sa.select(sa.func.count()).where(
            ListingItem.store_id == self.store.id,
            ListingItem.status == ItemStatus.PENDING)).one()
        job.matched = 0

    # match ---------------------------------------------------------------------------------
    def _match_batch(self) -> bool:
        session = plugin_state().session
        identifiers = [identifier for identifier in session.scalars(
            sa.select(ListingItem.identifier).where(ListingItem.store_id == self.store.id,
                                                    ListingItem.status == ItemStatus.PENDING,
                                                    ListingItem.identifier.is_not(None))
            .group_by(ListingItem.identifier).order_by(ListingItem.identifier)
            .limit(self.batch)) if identifier is not None]
        if not identifiers:
            return True
        found = self._search_or_split(identifiers)
        if found is None:  # throttled or a transient fault: the same batch again, next step
            return False
        now = clock.now()
        items = session.scalars(sa.select(ListingItem).where(
            ListingItem.store_id == self.store.id, ListingItem.status == ItemStatus.PENDING,
            ListingItem.identifier.in_(identifiers)))
        done = 0
        for item in items:
            answer = found.get(item.identifier, [])
            if isinstance(answer, str):
                _refuse(item, answer, now)
            else:
                _apply_result(item, answer, now)
            done += 1
        self.job.matched += done
        return False

    def _search_or_split(self, identifiers: list[str]) -> dict | None:
        """identifier -> its items, or Amazon's message when it refused the identifier. A
        refused batch is split in halves until the refused identifiers are alone; when every
        identifier of a batch is refused, the search itself is at fault (raised)."""
        from ..amazon import catalog  # lazy: the Amazon clients load requests

        try:
            result = self._search(identifiers)
        except catalog.Refused as refused:
            if len(identifiers) == 1:
                return {identifiers[0]: refused.amazon_message}
            half = len(identifiers) // 2
            found = {}
            for part in (identifiers[:half], identifiers[half:]):
                answer = self._search_or_split(part)
                if answer is None:
                    return None
                found.update(answer)
            refusals = [v for v in found.values() if isinstance(v, str)]
            if len(found) > 2 and len(refusals) == len(found) and len(set(refusals)) == 1:
                raise  # one message for every identifier: the request, not an identifier
            return found
        return None if result is None else result.items

    def _search(self, identifiers: list[str]):
        """Every page of the batch's search (None: not finished in this step)."""
        from ..amazon import catalog  # lazy: the Amazon clients load requests

        pages = self.pages.setdefault(tuple(identifiers), [])
        while not pages or (pages[-1].next_token and len(pages) < catalog.MAX_PAGES):
            page = self._page(identifiers, pages[-1].next_token if pages else None)
            if page is None:
                return None
            pages.append(page)
        del self.pages[tuple(identifiers)]
        return catalog.collect(pages, identifiers, self.identifiers_type,
                               _marketplace_id(self.store))

    def _page(self, identifiers: list[str], token: str | None):
        """One page, under the seller's rate limit; None after a 429 or a transient fault
        (backed off; the caller asks again in its next step)."""
        from ..amazon import catalog  # lazy: the Amazon clients load requests

        key, limit = bucket_key(self.store), catalog_limit()
        rate_limit.acquire(key, limit)
        self.job.requests += 1
        try:
            page = catalog.search_page(
                region=_region(self.store), access_token=tokens.access_token(self.store.id),
                marketplace_id=_marketplace_id(self.store),
                identifiers_type=self.identifiers_type, identifiers=identifiers,
                seller_id=self.store.seller_id, page_token=token)
        except catalog.Throttled as throttled:
            rate_limit.observe(key, limit, throttled.rate_limit)
            self.throttled += 1
            self.job.error_request_id = throttled.request_id
            if self.throttled > MAX_THROTTLED:
                raise
            rate_limit.back_off(key, self.throttled, base=self._backoff())
            return None
        except catalog.Unavailable as fault:
            self.transient += 1
            self.job.error_request_id = fault.request_id
            if self.transient > int(current_app.config["ASC_CATALOG_RETRIES"]):
                raise
            time.sleep(min(leases.duration().total_seconds() / 2, self._backoff() * 2 ** (
                self.transient - 1)) * random.uniform(1.0, 1.5))
            return None
        except ConnectFailure as failure:
            # A token Amazon considers expired while our clock does not (clock skew): refresh
            # once and ask again; a second refusal is the authorization's.
            if failure.code != "catalog_forbidden" or self.refreshed:
                raise
            self.refreshed = True
            tokens.refresh_now(self.store.id)
            return self._page(identifiers, token)
        self.throttled = self.transient = 0
        rate_limit.observe(key, limit, page.rate_limit)
        return page

    @staticmethod
    def _backoff() -> float:
        return float(current_app.config["ASC_CATALOG_BACKOFF_SECONDS"])


def _key(product) -> str:
    """A product's id as stored (the column holds 64 characters)."""
    return str(product.id)[:64]


def _region(store: Store) -> str:
    return marketplaces.BY_CODE[store.marketplace_code].region


def _marketplace_id(store: Store) -> str:
    return marketplaces.BY_CODE[store.marketplace_code].marketplace_id


def _apply_result(item: ListingItem, found: list, now: datetime) -> None:
    found = found[:MAX_CANDIDATES]
    item.matched_identifier, item.matched_at, item.reason = item.identifier, now, None
    item.candidates = json.dumps([
        {"asin": i.asin, "name": i.name, "brand": i.brand, "product_type": i.product_type,
         "classification": i.classification} for i in found]) if len(found) > 1 else None
    only = found[0] if len(found) == 1 else None
    item.asin = only.asin if only else None
    item.amazon_name = only.name if only else None
    item.amazon_brand = only.brand if only else None
    item.product_type = only.product_type if only else None
    item.item_classification = only.classification if only else None
    item.status = _result_status(item)


def _refuse(item: ListingItem, message: str, now: datetime) -> None:
    """Amazon refused the identifier itself: its message is kept for the preview."""
    item.matched_identifier, item.matched_at, item.candidates = item.identifier, now, None
    item.asin = item.amazon_name = item.amazon_brand = None
    item.product_type = item.item_classification = None
    item.status, item.reason = ItemStatus.REFUSED, (message or "InvalidInput")[:100]


def _result_status(item: ListingItem) -> str:
    """What the stored result says: one item, several (unless one was chosen), or none; a
    variation parent (no offer can go on it) is shown as such."""
    options = candidates(item)
    if options:
        chosen = next((c for c in options if c["asin"] == item.chosen_asin), None)
        if chosen is None:
            item.asin = item.amazon_name = item.amazon_brand = None
            item.product_type = item.item_classification = None
            return ItemStatus.SEVERAL
        item.asin, item.amazon_name, item.amazon_brand = (chosen["asin"], chosen["name"],
                                                          chosen["brand"])
        item.product_type = chosen.get("product_type")
        item.item_classification = chosen.get("classification")
    if not item.asin:
        return ItemStatus.NO_MATCH
    if item.item_classification == VARIATION_PARENT:
        return ItemStatus.VARIATION_PARENT
    return ItemStatus.MATCHED


def candidates(item: ListingItem) -> list[dict]:
    """The stored candidates, read defensively (the column is ours, but never trusted)."""
    try:
        found = json.loads(item.candidates or "[]")
    except ValueError:
        return []
    if not isinstance(found, list):
        return []
    return [{"asin": c["asin"], "name": _str(c.get("name")), "brand": _str(c.get("brand")),
             "product_type": _str(c.get("product_type")),
             "classification": _str(c.get("classification"))}
            for c in found if isinstance(c, dict) and isinstance(c.get("asin"), str)
            and c.get("asin")]


def _str(value) -> str | None:
    return value if isinstance(value, str) else None


# --- What the preview and the cards show -------------------------------------------------------

def status_counts(store: Store) -> dict[str, int]:
    rows = plugin_state().session.execute(
        sa.select(ListingItem.status, sa.func.count()).where(ListingItem.store_id == store.id)
        .group_by(ListingItem.status))
    return dict(rows.all())


def matched_of_listed(store_ids: list[int]) -> dict[int, tuple[int, int]]:
    """store id -> (matched, listed) for the store cards, in one query."""
    if not store_ids:
        return {}
    rows = plugin_state().session.execute(
        sa.select(ListingItem.store_id, ListingItem.status, sa.func.count())
        .where(ListingItem.store_id.in_(store_ids)).group_by(ListingItem.store_id,
                                                              ListingItem.status))
    totals: dict[int, Counter] = {}
    for store_id, status, n in rows:
        totals.setdefault(store_id, Counter())[status] += n
    return {store_id: (c[ItemStatus.MATCHED], sum(c.values()) - c[ItemStatus.EXCLUDED])
            for store_id, c in totals.items()}


def choose(store: Store, item: ListingItem, asin: str) -> bool:
    """The admin picks one of several matches (flushed). False if it is not one of them."""
    chosen = next((c for c in candidates(item) if c["asin"] == asin), None)
    if item.store_id != store.id or chosen is None:
        return False
    item.chosen_asin = chosen["asin"]
    item.status = _result_status(item)
    activity.record(store, ActivityEvent.MATCH_CHOSEN, ActivityOutcome.INFO, params={
        "sku": item.sku, "asin": chosen["asin"], "count": len(candidates(item))})
    plugin_state().session.flush()
    return True


def unchoose(store: Store, item: ListingItem) -> bool:
    """Undo an admin's choice: the product is back among several matches (flushed). False when
    nothing was chosen."""
    if item.store_id != store.id or not item.chosen_asin:
        return False
    asin, item.chosen_asin = item.chosen_asin, None
    item.status = _result_status(item)
    activity.record(store, ActivityEvent.MATCH_CHOICE_UNDONE, ActivityOutcome.INFO, params={
        "sku": item.sku, "asin": asin, "count": len(candidates(item))})
    plugin_state().session.flush()
    return True
