"""Connect store, Amazon's callback, the waiting card, renewal from Seller Central, disconnect."""

from __future__ import annotations

import time

import sqlalchemy as sa
from flask import current_app, make_response, redirect, render_template, request, url_for

from ..amazon.errors import ConnectFailure
from ..extension import state
from ..forms import ConfirmForm
from ..htmx import client_redirect, is_htmx
from ..i18n import _
from ..models import ActivityLog
from ..services import connection, stores
from .banners import banner
from .context import present, store_card, store_or_404
from .urls import rule


def _no_referrer(response):
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def connect(store_id: int):
    """POST from the card: remember a state, then off to Seller Central (a real navigation)."""
    store = store_or_404(store_id)
    try:
        url = connection.start(store, new_tab=request.form.get("new_tab") == "1")
    except ConnectFailure as failure:
        banner(None, "error", failure.message)
        return _no_referrer(redirect(url_for("asc.home"), 303))
    return _no_referrer(redirect(url, 303))


def callback():
    """Amazon's redirect back. Every outcome ends in a banner; only success changes a store."""
    outcome = connection.finish(request.args)
    level = "success" if outcome.ok else "error"
    if outcome.new_tab:
        response = make_response(render_template(
            "asc/connect_done.html", outcome=outcome, level=level))
    else:
        banner(None, level, outcome.message)
        response = redirect(url_for("asc.home"), 303)
    return _no_referrer(response)


def connect_status(store_id: int):
    """The card while Amazon is open in another tab: polls until the attempt ends."""
    store = store_or_404(store_id)
    since = request.args.get("since", type=int)
    started = request.args.get("t", type=float)
    now = time.time()
    if since is None or started is None:
        since = state().session.scalar(
            sa.select(sa.func.coalesce(sa.func.max(ActivityLog.id), 0))
            .where(ActivityLog.store_id == store.id, ActivityLog.event != "connect_started"))
        started = now
    finished = state().session.scalar(
        sa.select(ActivityLog).where(
            ActivityLog.store_id == store.id, ActivityLog.id > since,
            ActivityLog.event.in_(("connected", "connect_failed")))
        .order_by(ActivityLog.id.desc()).limit(1))
    if finished is not None:
        level = "success" if finished.outcome == "success" else "error"
        message = finished.message
        if finished.event == "connected" and store.seller_id:
            shown = store.amazon_store_name or store.seller_id
            message = _("Connected as %(name)s (%(seller)s).", name=shown,
                        seller=store.seller_id)
        return banner(store_card(store), level, message)
    if now - started > current_app.config["ASC_OAUTH_STATE_MAX_AGE"]:
        return banner(store_card(store), "warning",
                      _("No answer came back from Amazon in 10 minutes. Click Connect store to "
                        "try again."))
    return store_card(store, waiting_since=f"{since}", waiting_started=f"{started:.0f}")


def login_uri():
    """Amazon's Login URI: Seller Central (Manage Your Apps > Re-Authorize) starts a renewal."""
    callback_uri = request.values.get("amazon_callback_uri", "")
    amazon_state = request.values.get("amazon_state", "")
    seller_id = request.values.get("selling_partner_id", "").strip()
    problem = None
    if not callback_uri or not amazon_state or not seller_id:
        problem = _("Amazon's request is missing amazon_callback_uri, amazon_state or "
                    "selling_partner_id. Start again from Seller Central.")
    elif not connection.valid_amazon_callback(callback_uri):
        problem = _("The return address in this request is not an Amazon Seller Central "
                    "address.")
    elif len(seller_id) > 32 or not seller_id.isalnum() or len(amazon_state) > 2048:
        problem = _("This request from Amazon is malformed. Start again from Seller Central.")
    if problem:
        return render_template("asc/error.html", title=_("Cannot renew from this link"),
                               message=problem), 400

    matching = connection.stores_for_seller(seller_id)
    candidates = matching or [s for s in stores.all_stores() if s.seller_id is None]
    form = ConfirmForm()
    if request.method == "POST" and form.validate():
        chosen = request.form.getlist("store_id", type=int)
        allowed = {s.id for s in candidates}
        chosen = [i for i in chosen if i in allowed]
        if chosen:
            try:
                url = connection.renewal_redirect(
                    amazon_callback_uri=callback_uri, amazon_state=amazon_state,
                    store_ids=chosen, expected_seller=seller_id if matching else None)
            except ConnectFailure as failure:
                banner(None, "error", failure.message)
                return redirect(url_for("asc.home"), 303)
            return _no_referrer(redirect(url, 303))
        banner(None, "error", _("Choose at least one store to authorize."))
    response = make_response(render_template(
        "asc/login_uri.html", seller_id=seller_id, matching=matching,
        cards=present(candidates), form=form, callback_uri=callback_uri,
        amazon_state=amazon_state))
    return _no_referrer(response)


def disconnect(store_id: int):
    store = store_or_404(store_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate():
        connection.disconnect(store)
        message = _("“%(name)s” is disconnected and its tokens are deleted. To revoke the "
                    "access on Amazon's side too, open Seller Central › Apps and Services › "
                    "Manage Your Apps and remove the app.", name=store.name)
        banner(None, "success", message)  # shown by the next full page
        if is_htmx():
            return client_redirect(make_response(""), url_for("asc.dashboard", store_id=store.id))
        return redirect(url_for("asc.dashboard", store_id=store.id), 303)
    (view,) = present([store])
    if is_htmx():
        return render_template("asc/_confirm_disconnect.html", card=view, form=form, dialog=True)
    return render_template("asc/confirm_disconnect.html", card=view, form=form, dialog=False)


def register(bp):
    bp.add_url_rule(rule("connect"), "connect", connect, methods=["POST"])
    bp.add_url_rule(rule("connect_status"), "connect_status", connect_status)
    bp.add_url_rule(rule("disconnect"), "disconnect", disconnect, methods=["GET", "POST"])
    bp.add_url_rule("/connect/callback", "connect_callback", callback)
    bp.add_url_rule("/connect/login", "connect_login", login_uri, methods=["GET", "POST"])
