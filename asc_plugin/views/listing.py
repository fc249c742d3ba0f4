"""Listing preview and catalog matching: every product of the store's website with its status,
the "Match with Amazon catalog" action and its progress bar.

The preview's filter, search and pages are plain links and a GET form (real URLs, pushed into
the history by htmx, so reload and back work); only the results region is swapped. The progress
bar polls while a job is under way and survives reloads, since the job lives in the database.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import abort, make_response, render_template, request

from .. import jobs
from ..htmx import trigger
from ..i18n import _
from ..models import ItemStatus, JobStatus, ListingItem, MatchPhase, Store
from ..persistence import commit
from ..presenters import present_one
from ..safe_redirect import safe_next
from ..services import matching
from ..services.product_ids import LABELS
from ..state import plugin_state
from .banners import answer, banner
from .layout import page_or_fragment
from .lookup import store_or_404
from .queue import enqueued
from .results import Results, results, search_text, status_of
from .urls import rule, store_urls

#: Sent when the preview's rows changed: the products were read, or the match ended.
LISTING_CHANGED = "asc:listing-changed"


def status_info() -> dict[ItemStatus, tuple[str, str]]:
    """status -> (label, badge tone), in the preview's order."""
    return {
        ItemStatus.MATCHED: (_("Matched"), "success"),
        ItemStatus.SEVERAL: (_("Several matches"), "warning"),
        ItemStatus.VARIATION_PARENT: (_("Variation parent"), "warning"),
        ItemStatus.NO_MATCH: (_("No match on Amazon"), "muted"),
        ItemStatus.REFUSED: (_("Refused by Amazon"), "error"),
        ItemStatus.PENDING: (_("Not matched yet"), "info"),
        ItemStatus.ID_MISSING: (_("Product id missing"), "error"),
        ItemStatus.ID_INVALID: (_("Product id invalid"), "error"),
        ItemStatus.UNSUPPORTED: (_("Id type not searchable"), "warning"),
        ItemStatus.EXCLUDED: (_("Excluded by the rules"), "muted"),
    }


def _results(store: Store) -> Results:
    return results(ListingItem, store.id, matching.STATUSES,
                   (ListingItem.sku, ListingItem.name), ListingItem.product_id)


def _context(store: Store) -> dict:
    job = matching.latest_job(store)
    return {"store": store, "card": present_one(store), "urls": store_urls(store.id),
            "counts": matching.status_counts(store), "results": _results(store), "job": job,
            "status_info": status_info(), "candidates": matching.candidates,
            "id_label": _id_label(store), **progress_helpers()}


def progress_helpers() -> dict:
    """What the progress panel's template calls."""
    return {"progress": matching.progress, "waiting_long": matching.waiting_long,
            "failure_message": matching.failure_message}


def _id_label(store: Store) -> str:
    return _(LABELS[store.mapping.amazon_id_type]) if store.mapping else _("Product ID")


def listing(store_id: int):
    store = store_or_404(store_id)
    return page_or_fragment("asc/listing.html", "asc/_listing_results.html",
                            "asc-listing-results", **_context(store))


def start_match(store_id: int):
    store = store_or_404(store_id)
    if not store.is_connected:
        message, level = _("Connect “%(name)s” to Amazon before matching its products.",
                           name=store.name), "error"
        job = None
    else:
        job, created = matching.request_run(store, requested_by=plugin_state().host.admin_name())
        commit()
        message, level = (_("Matching “%(name)s” with Amazon's catalog started. You can leave "
                            "this page; the match goes on.", name=store.name) if created else
                          _("Matching “%(name)s” is already under way.", name=store.name),
                          "info")
        if created and not _enqueued(job.id):
            message, level = _("Matching “%(name)s” is waiting: the job queue did not take "
                               "it now. It starts when a worker next looks for waiting jobs.",
                               name=store.name), "warning"
    return answer(lambda: render_template(
        "asc/_match_progress.html", store=store, urls=store_urls(store.id),
        job=job or matching.latest_job(store), **progress_helpers()),
        store_urls(store.id)["listing"], level, message, about=store)


def _enqueued(job_id: int) -> bool:
    return enqueued(jobs.enqueue, job_id, "catalog matching")


def match_status(store_id: int):
    """The progress bar, polled while the job is under way; resumes a stalled job."""
    store = store_or_404(store_id)
    job = matching.latest_job(store)
    if job is not None and matching.stalled(job):
        _enqueued(job.id)
    response = make_response(render_template(
        "asc/_match_progress.html", store=store, urls=store_urls(store.id), job=job,
        **progress_helpers()))
    was = request.args.get("was")
    if job is not None and was in tuple(MatchPhase) and (
            job.status not in matching.ACTIVE or job.phase != was):
        trigger(response, LISTING_CHANGED)
        if job.status not in matching.ACTIVE:  # replaces "Matching … started" (same store key)
            banner(response, *_run_ended(store, job), about=store)
    return response


def _run_ended(store: Store, job) -> tuple[str, str]:
    """(level, message) of the banner that says how the run the page watched ended."""
    if job.status == JobStatus.DONE:
        return "success", _("“%(name)s”: %(summary)s", name=store.name,
                            summary=matching.summary(matching.status_counts(store)))
    return "error", _("“%(name)s”: %(reason)s", name=store.name,
                      reason=_("The last match stopped: %(reason)s",
                               reason=matching.failure_message(job.error_code)))


def choose(store_id: int, item_id: int):
    """The admin picks one of several Amazon items for a product."""
    store = store_or_404(store_id)
    item = plugin_state().session.get(ListingItem, item_id)
    if item is None or item.store_id != store.id:
        abort(404)
    back = _back_to_listing(store)  # checked before anything is written
    asin = request.form.get("asin", "")[:10]
    if not asin and matching.unchoose(store, item):
        commit()
        message, level = _("The choice for %(sku)s is undone: choose one of its matches "
                           "again.", sku=item.sku), "info"
    elif asin and matching.choose(store, item, asin):
        commit()
        message, level = _("%(sku)s is matched with ASIN %(asin)s.", sku=item.sku,
                           asin=asin), "success"
        if item.status == ItemStatus.VARIATION_PARENT:
            message, level = _("%(sku)s: ASIN %(asin)s is a variation parent; an offer needs "
                               "one of its children.", sku=item.sku, asin=asin), "warning"
    else:
        message, level = _("That ASIN is not one of the matches for %(sku)s; nothing changed.",
                           sku=item.sku), "error"
    return answer(lambda: _row_and_counts(store, item, back), back, level, message)


def _row_and_counts(store: Store, item: ListingItem, back: str) -> str:
    """The product's row again; the status counts follow it (out of band)."""
    context = {"store": store, "status_info": status_info(), "back": back,
               "candidates": matching.candidates}
    return render_template("asc/_listing_row.html", item=item, **context) + render_template(
        "asc/_listing_counts.html", counts=matching.status_counts(store), oob=True,
        results=_filters_of(back), **context)


def _back_to_listing(store: Store) -> str:
    """The posted ``back`` when it is a safe path to this store's preview (a filter or page of
    it), else the preview itself."""
    listing_url = store_urls(store.id)["listing"]
    back = safe_next(request.form.get("back"), listing_url)
    rest = back.removeprefix(listing_url)
    return back if rest != back and rest[:1] in ("", "?") else listing_url


def _filters_of(back: str) -> Results:
    """The status filter and search of the preview a choice was made on (its ``back`` URL), for
    the count links swapped with the row."""
    first = {name: values[0] for name, values in parse_qs(urlsplit(back).query).items()}
    return Results([], status_of(first.get("status"), matching.STATUSES),
                   search_text(first.get("q")), 1, 1, 0)


def register(bp):
    bp.add_url_rule(rule("listing"), "listing", listing)
    bp.add_url_rule(rule("match"), "match", start_match, methods=["POST"])
    bp.add_url_rule(rule("match_status"), "match_status", match_status)
    bp.add_url_rule(rule("listing") + "/<int(max=2147483647):item_id>/choose", "choose_match",
                    choose, methods=["POST"])

