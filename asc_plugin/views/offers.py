"""Offers on Amazon: the listing settings panel (with a live example on the store's own
products), the offers view of the listing preview with Amazon's statuses, *Publish*, *Check
with Amazon* (a dry run), *Refresh statuses*, and ending one offer.

Like the rest of the admin, every action is a real form (303 after it) and htmx swaps only the
panel it changes; validation errors come back as 200 with the form for htmx requests.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from babel.numbers import format_currency
from flask import abort, make_response, redirect, render_template, request

from .. import jobs
from ..errors import MESSAGES, Failure
from ..htmx import trigger
from ..i18n import _, current_locale
from ..models import ItemStatus, ListingItem, ListingSettings, Offer, OfferKind, OfferStatus, Store
from ..offer_forms import OfferSettingsForm
from ..persistence import commit
from ..presenters import present_one
from ..services import listing_settings, offers
from ..state import plugin_state
from .banners import answer, banner
from .layout import page_or_fragment
from .lookup import store_or_404
from .queue import enqueued
from .results import Results, results
from .urls import rule, store_urls

EXAMPLES = 3
OFFERS_CHANGED = "asc:offers-changed"


def status_info() -> dict[OfferStatus, tuple[str, str]]:
    """Amazon's statuses as the preview names them: status -> (label, badge tone)."""
    return {
        OfferStatus.ACTIVE: (_("Active"), "success"),
        OfferStatus.SUBMITTED: (_("Submitted"), "info"),
        OfferStatus.READY: (_("Ready to list"), "muted"),
        OfferStatus.ERRORS: (_("Has errors"), "error"),
        OfferStatus.APPROVAL: (_("Needs approval"), "warning"),
        OfferStatus.NOT_ELIGIBLE: (_("Not eligible"), "error"),
        OfferStatus.INACTIVE: (_("Inactive"), "muted"),
        OfferStatus.SUPPRESSED: (_("Suppressed"), "error"),
        OfferStatus.ENDED: (_("Ended"), "muted"),
    }


def money(value, currency: str) -> str:
    return format_currency(value, currency, locale=current_locale())


# --- Listing settings ---------------------------------------------------------------------------

def _form_for(store: Store, settings: ListingSettings | None, formdata=None):
    current = settings or listing_settings.defaults(store)
    data = {name: getattr(current, name) for name in listing_settings.FIELDS}
    form = OfferSettingsForm(formdata=formdata, data=data, store=store)
    return form


def _transient(store: Store, form: OfferSettingsForm) -> ListingSettings:
    settings = listing_settings.defaults(store)
    for name, value in form.values().items():
        setattr(settings, name, value)
    return settings


@dataclass(frozen=True)
class Example:
    name: str
    text: str


def examples(store: Store, settings: ListingSettings) -> list[Example]:
    """The settings applied to a few real products: matched ones first, else the first."""
    host = plugin_state().host
    products = list(host.products(store.website_id, after=None, limit=200))
    matched = set(plugin_state().session.scalars(sa.select(ListingItem.product_id).where(
        ListingItem.store_id == store.id, ListingItem.status == ItemStatus.MATCHED,
        ListingItem.product_id.in_([str(p.id)[:64] for p in products])))) if products else set()
    chosen = [p for p in products if str(p.id)[:64] in matched][:EXAMPLES] or \
        products[:EXAMPLES]
    found = []
    for product in chosen:
        terms = listing_settings.terms(settings, product, store)
        if terms.problem == "wrong_currency":
            text = _("not offered: prices are never converted to %(currency)s.",
                     currency=terms.currency)
        elif terms.problem:
            text = _("not offered: no price in the price source.")
        else:
            text = _("%(shop)s in the shop → %(amazon)s on Amazon, %(listed)s of %(stock)s in "
                     "stock listed", shop=money(terms.shop_price, terms.currency),
                     amazon=money(terms.price, terms.currency),
                     listed=format(terms.quantity, ","), stock=format(terms.stock or 0, ","))
        found.append(Example(product.name, text))
    return found


def panel_context(store: Store, form: OfferSettingsForm | None = None,
                  saved: bool = False) -> dict:
    settings = listing_settings.of(store)
    form = form or _form_for(store, settings)
    shown = _transient(store, form) if form.errors == {} and form.is_submitted() else \
        (settings or listing_settings.defaults(store))
    return {"offer_form": form, "offer_examples": examples(store, shown) if not form.errors
            else [], "offer_saved": saved, "offer_settings_saved": settings is not None,
            "offer_urls": store_urls(store.id),
            "offer_marketplace_currency": listing_settings.currency_of(store)}


def offer_settings(store_id: int):
    store = store_or_404(store_id)
    if request.method == "GET":
        return _settings_panel(store, panel_context(store))
    form = _form_for(store, listing_settings.of(store), formdata=request.form)
    if form.validate():
        changed = listing_settings.save(store, form.values())
        commit()
        message = (_("Listing settings of “%(name)s” saved. The next publish is validated by "
                     "Amazon first.", name=store.name) if changed else
                   _("Nothing changed in the listing settings of “%(name)s”.", name=store.name))
        return answer(lambda: render_template(
            "asc/_offer_settings.html", store=store, **panel_context(store, saved=True)),
            store_urls(store.id)["dashboard"], "success", message, about=store)
    return _settings_panel(store, panel_context(store, form), status=422)


def _settings_panel(store: Store, context: dict, status: int = 200):
    """The listing settings: the panel for htmx (the dashboard's), else its own page."""
    return page_or_fragment("asc/offer_settings.html", "asc/_offer_settings.html",
                            "asc-offer-settings", status=status, store=store,
                            card=present_one(store), **context)


def offer_example(store_id: int):
    """The live example for the form as it is now (nothing saved)."""
    store = store_or_404(store_id)
    form = _form_for(store, None, formdata=request.form)
    valid = form.validate()
    return render_template("asc/_offer_example.html", offer_examples=examples(
        store, _transient(store, form)) if valid else [], offer_invalid=not valid)


# --- Offers view of the listing preview ---------------------------------------------------------

def _results(store: Store) -> Results:
    return results(Offer, store.id, offers.STATUSES, (Offer.sku, Offer.asin), Offer.sku)


def _names(store: Store, rows: list[Offer]) -> dict[str, str]:
    if not rows:
        return {}
    return dict(plugin_state().session.execute(sa.select(ListingItem.sku, ListingItem.name).where(
        ListingItem.store_id == store.id, ListingItem.sku.in_([o.sku for o in rows]))).all())


def offers_context(store: Store) -> dict:
    results = _results(store)
    return {"store": store, "card": present_one(store), "urls": store_urls(store.id),
            "counts": offers.status_counts(store), "results": results,
            "names": _names(store, results.rows), "status_info": status_info(),
            "issues_of": offers.issues_of, "money": money,
            "settings_saved": listing_settings.of(store) is not None,
            **progress_context(store)}


def progress_context(store: Store) -> dict:
    return {"offer_job": offers.latest_job(store), "offer_progress": offers.progress,
            "offer_failure": _failure_message}


def _failure_message(code: str | None) -> str:
    return Failure(code).message if code in MESSAGES else _("an unknown error.")


def offers_page(store_id: int):
    store = store_or_404(store_id)
    return page_or_fragment("asc/offers.html", "asc/_offer_results.html", "asc-offer-results",
                            **offers_context(store))


def publish(store_id: int):
    store = store_or_404(store_id)
    asked = request.form.get("kind", OfferKind.PUBLISH)
    kind = OfferKind(asked) if asked in offers.KINDS else OfferKind.PUBLISH
    if not store.is_connected:
        message, level = _("Connect “%(name)s” to Amazon before publishing offers.",
                           name=store.name), "error"
    elif kind != OfferKind.STATUS and listing_settings.of(store) is None:
        message, level = _("Save the listing settings of “%(name)s” before publishing.",
                           name=store.name), "error"
    else:
        job, created = offers.request_run(store, kind=kind,
                                          requested_by=plugin_state().host.admin_name())
        commit()
        message, level = ({OfferKind.PUBLISH: _("Publishing the offers of “%(name)s” to Amazon "
                                        "started. You can leave this page.", name=store.name),
                           OfferKind.DRY_RUN: _("Amazon is checking the offers of “%(name)s” "
                                        "(nothing is published).", name=store.name),
                           OfferKind.STATUS: _("Reading the offers of “%(name)s” back from Amazon.",
                                       name=store.name)}[kind] if created else
                          _("An offers run of “%(name)s” is already under way.",
                            name=store.name), "info")
        if created and not _enqueued(job.id):
            message, level = _("The offers run of “%(name)s” is waiting: the job queue did not "
                               "take it now.", name=store.name), "warning"
    return answer(lambda: render_template(
        "asc/_offer_progress.html", store=store, urls=store_urls(store.id),
        **progress_context(store)), store_urls(store.id)["offers"], level, message, about=store)


def _enqueued(job_id: int) -> bool:
    return enqueued(jobs.enqueue_offer_job, job_id, "offers")


def offers_status(store_id: int):
    """The progress panel, polled while a run is under way; resumes a stalled run."""
    store = store_or_404(store_id)
    job = offers.latest_job(store)
    if job is not None and offers.stalled(job):
        _enqueued(job.id)
    response = make_response(render_template(
        "asc/_offer_progress.html", store=store, urls=store_urls(store.id),
        **progress_context(store)))
    if job is not None and request.args.get("was") == "active" and \
            job.status not in offers.ACTIVE:
        trigger(response, OFFERS_CHANGED)
    return response


def end_offer(store_id: int, offer_id: int):
    """An admin ends one offer: marked, and a run ends it on Amazon."""
    store = store_or_404(store_id)
    offer = plugin_state().session.get(Offer, offer_id)
    if offer is None or offer.store_id != store.id:
        abort(404)
    if offer.status == OfferStatus.ENDED:
        message, level = _("The offer of %(sku)s has already ended.", sku=offer.sku), "info"
    else:
        offers.end_one(store, offer, admin=plugin_state().host.admin_name())
        job, created = offers.request_run(store, kind=OfferKind.PUBLISH,
                                    requested_by=plugin_state().host.admin_name())
        commit()
        if created:
            _enqueued(job.id)
        message, level = _("Ending the offer of %(sku)s on Amazon.", sku=offer.sku), "info"
    banner(None, level, message, about=store)
    return redirect(store_urls(store.id)["offers"], 303)


def end_offers_of_inactive(store: Store) -> None:
    """A deactivated store's offers end: a publish run of an inactive store ends them all."""
    if store.is_connected and offers.has_live_offers(store):
        job, created = offers.request_run(store, kind=OfferKind.PUBLISH,
                                          requested_by=plugin_state().host.admin_name())
        commit()
        if created:
            _enqueued(job.id)


# --- Shared with other screens ------------------------------------------------------------------

def register(bp):
    bp.add_url_rule(rule("offer_settings"), "offer_settings", offer_settings,
                    methods=["GET", "POST"])
    bp.add_url_rule(rule("offer_example"), "offer_example", offer_example, methods=["POST"])
    bp.add_url_rule(rule("offers"), "offers", offers_page)
    bp.add_url_rule(rule("publish"), "publish", publish, methods=["POST"])
    bp.add_url_rule(rule("offers_status"), "offers_status", offers_status)
    bp.add_url_rule(rule("offers") + "/<int(max=2147483647):offer_id>/end", "end_offer",
                    end_offer, methods=["POST"])

    @bp.context_processor
    def offer_helpers():
        return {"asc_offer_panel": panel_context}
