"""Offers on Amazon for a store's matched products, and Amazon's verdict on each.

A run (an :class:`~asc_plugin.models.OfferJob`, one active per store, enforced by a partial
unique index) goes through phases, each in small steps that commit their own work, so a killed
worker's run continues where it stopped:

1. **prepare** (local): the website's products page by page; each matched product (never a
   variation parent) gets an :class:`~asc_plugin.models.Offer` keyed by store and SKU, with the
   price and quantity the listing settings make of it; an offer whose terms changed is marked
   to send. Offers whose product left the listing (or the host, or whose store is inactive)
   are marked to end.
2. **preview**: the first publish, and the first after the settings changed, sends a sample
   with ``mode=VALIDATION_PREVIEW`` first (a dry run previews every offer and sends nothing).
3. **send**: per offer, ``getListingsRestrictions`` (Needs approval / Not eligible) then
   ``putListingsItem`` LISTING_OFFER_ONLY; above ``ASC_FEED_THRESHOLD`` offers, **feed**: one
   JSON_LISTINGS_FEED per 25,000, its processing report mapped back to the offers.
4. **end**: ``deleteListingsItem`` (or quantity 0, as the settings say), each with an activity
   entry.
5. **verify**: ``searchListingsItems`` 20 SKUs a call: Submitted becomes Active, Inactive, Has
   errors (Amazon's message and attribute) or Suppressed.

Every listings call takes a token from the seller's bucket in the database (5/s, burst 5, for
all listings operations together). Services flush; the run commits its own steps.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..errors import Failure
from ..i18n import ngettext
from ..models import (
    ActivityEvent,
    ActivityOutcome,
    JobStatus,
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
from . import activity, leases, listing_settings
from .runner import close_job, run_job_row

log = logging.getLogger(__name__)

#: Every status, in the order the preview lists them.
STATUSES = tuple(OfferStatus)
#: Offers Amazon has (sent and accepted at some point, not ended).
ON_AMAZON = (OfferStatus.SUBMITTED, OfferStatus.ACTIVE, OfferStatus.INACTIVE, OfferStatus.ERRORS,
             OfferStatus.SUPPRESSED)
#: Offers Amazon does not have: never sent, refused before sending, or ended.
NOT_ON_AMAZON = (OfferStatus.ENDED, OfferStatus.READY, OfferStatus.APPROVAL,
                 OfferStatus.NOT_ELIGIBLE)
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
KINDS = (OfferKind.PUBLISH, OfferKind.DRY_RUN, OfferKind.STATUS)
#: Offers sent with a validation preview before a changed store's first real submission.
PREVIEW_SAMPLE = 3
#: Throttled answers in a row before a run stops (finished offers are kept).
MAX_THROTTLED = 8
MAX_UNAVAILABLE = 3
#: Offers read back per searchListingsItems call (Amazon's maximum).
VERIFY_BATCH = 20

Progress = Callable[[OfferJob], None]
#: The operations that share the seller's listings rate (ASC_LISTINGS_RATE scales them).
LISTINGS_FAMILY = ("putListingsItem", "patchListingsItem", "deleteListingsItem",
                   "getListingsItem", "searchListingsItems", "getListingsRestrictions",
                   "getDefinitionsProductType")


# --- Starting and looking at runs ---------------------------------------------------------------

def active_job(store: Store) -> OfferJob | None:
    return plugin_state().session.scalar(sa.select(OfferJob).where(
        OfferJob.store_id == store.id, OfferJob.status.in_(ACTIVE)).limit(1))


def latest_job(store: Store) -> OfferJob | None:
    return plugin_state().session.scalar(sa.select(OfferJob).where(OfferJob.store_id == store.id)
                                  .order_by(OfferJob.id.desc()).limit(1))


def request_run(store: Store, *, kind: str = OfferKind.PUBLISH,
          requested_by: str) -> tuple[OfferJob, bool]:
    """A new run for the store, or the one under way (the database allows one); flushed."""
    if kind not in KINDS:
        raise ValueError(kind)
    job = active_job(store)
    if job is not None:
        return job, False
    session = plugin_state().session
    job = OfferJob(store_id=store.id, kind=kind, status=JobStatus.QUEUED, phase=OfferPhase.PREPARE,
                   requested_by=requested_by[:200], created_at=clock.now())
    try:
        with session.begin_nested():
            session.add(job)
    except IntegrityError:  # another request started one a moment ago
        under_way = active_job(store)
        if under_way is None:  # no run got in first: another constraint refused this one
            raise
        return under_way, False
    if kind != OfferKind.STATUS:
        activity.record(store, ActivityEvent.OFFERS_STARTED, ActivityOutcome.INFO,
                        params={"kind": OfferKind.DRY_RUN if kind == OfferKind.DRY_RUN
                                else OfferKind.PUBLISH},
                        admin=requested_by)
    session.flush()
    return job, True


def stalled(job: OfferJob) -> bool:
    if job.status not in ACTIVE:
        return False
    if job.lease_owner is None:
        return leases.aware(job.created_at) < clock.now() - leases.duration()
    return job.lease_expires_at is None or leases.aware(job.lease_expires_at) < leases.real_now()


def take_lease(job_id: int, owner: str) -> bool:
    """Take the run if it is under way and nobody holds a live lease on it (committed)."""
    return leases.take(OfferJob, OfferJob.id == job_id, OfferJob.status.in_(ACTIVE),
                       owner=owner, now=leases.real_now(), status=JobStatus.RUNNING,
                       started_at=sa.func.coalesce(OfferJob.started_at, clock.now()))


def run(job_id: int, *, owner: str | None = None, on_progress: Progress | None = None) -> str:
    """Run the job to its end here (in an app context): "done", "failed", "busy" or "lost"."""
    from .offer_runs import Runner  # lazy: it loads the Amazon clients (requests)

    return run_job_row(OfferJob, job_id, owner or leases.worker_name(), take_lease=take_lease,
                       steps_for=Runner, end=_end, on_progress=on_progress,
                       internal_error="offers_internal_error", what=f"Offer job {job_id}")


def _end(steps: Any, job: OfferJob, failure: Failure | None) -> str:
    failure = failure or steps.failure  # why the steps stopped the run themselves, if they did
    session = plugin_state().session
    store = session.get_one(Store, job.store_id)
    close_job(job, JobStatus.FAILED if failure else JobStatus.DONE, failure)
    admin = job.requested_by or "system"
    if failure is not None:
        activity.record(store, ActivityEvent.OFFERS_FAILED, ActivityOutcome.FAILURE,
                        params=activity.failure_params(failure), admin=admin)
    elif job.kind != OfferKind.STATUS:
        activity.record(store, ActivityEvent.OFFERS_PUBLISHED, ActivityOutcome.SUCCESS,
                        params={"counts": status_counts(store)}, admin=admin)
    session.commit()
    return job.status


def summary(counts: dict[str, int]) -> str:
    return ngettext(
        "Offers on Amazon: %(num)s active, %(submitted)s submitted, %(errors)s with errors, "
        "%(approval)s needing approval.",
        "Offers on Amazon: %(num)s active, %(submitted)s submitted, %(errors)s with errors, "
        "%(approval)s needing approval.", counts.get(OfferStatus.ACTIVE, 0),
        submitted=counts.get(OfferStatus.SUBMITTED, 0), errors=counts.get(OfferStatus.ERRORS, 0),
        approval=counts.get(OfferStatus.APPROVAL, 0))


def progress(job: OfferJob) -> tuple[int, int]:
    return job.done, max(job.total, job.done)


# --- What the preview and the card show ---------------------------------------------------------

def status_counts(store: Store) -> dict[str, int]:
    rows = plugin_state().session.execute(sa.select(Offer.status, sa.func.count()).where(
        Offer.store_id == store.id).group_by(Offer.status))
    return dict(rows.all())


def active_counts(store_ids: list[int]) -> dict[int, int]:
    """store id -> offers active on Amazon, for the store cards, in one query."""
    if not store_ids:
        return {}
    rows = plugin_state().session.execute(sa.select(Offer.store_id, sa.func.count()).where(
        Offer.store_id.in_(store_ids), Offer.status == OfferStatus.ACTIVE).group_by(Offer.store_id))
    return dict(rows.all())


def has_live_offers(store: Store) -> bool:
    return bool(plugin_state().session.scalar(sa.select(sa.exists().where(
        Offer.store_id == store.id, Offer.status.not_in(NOT_ON_AMAZON)))))


def after_match(sender, *, store: Store, failure=None, **_ignored) -> None:
    """Publishing set to automatic: a finished catalog match starts a publish run."""
    if failure is not None or not store.is_connected or \
            store.status is StoreStatus.INACTIVE:
        return
    settings = listing_settings.of(store)
    if settings is None or settings.publish_mode != "auto":
        return
    job, created = request_run(store, kind=OfferKind.PUBLISH, requested_by="system")
    plugin_state().session.commit()
    if created:
        from .. import jobs  # cycle: jobs imports services.offers

        try:
            jobs.enqueue_offer_job(job.id)
        except Exception:  # noqa: BLE001 - a stalled job is resumed by the worker later
            log.exception("Could not enqueue offers job %s", job.id)


def issues_of(offer: Offer) -> list[dict]:
    try:
        found = json.loads(offer.issues or "[]")
    except ValueError:
        return []
    return [i for i in found if isinstance(i, dict)] if isinstance(found, list) else []


def end_one(store: Store, offer: Offer, *, admin: str) -> None:
    """An admin ends one offer from the preview: marked, then ended by a run (flushed)."""
    if offer.store_id != store.id or offer.status == OfferStatus.ENDED:
        return
    offer.pending = OfferPending.END
    activity.record(store, ActivityEvent.OFFER_END_REQUESTED, ActivityOutcome.INFO,
                    params={"sku": offer.sku, "asin": offer.asin}, admin=admin)
    plugin_state().session.flush()


