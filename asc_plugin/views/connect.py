"""Connect store, the waiting card, Amazon's callback and Login URI, Test connection, disconnect."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from ..errors import ConnectFailure
from ..forms import ConfirmForm
from ..htmx import query_int, reselect, reswap, retarget
from ..i18n import _
from ..persistence import commit
from ..presenters import attempt_banner, present, present_one, waiting_hint
from ..services import attempts, authorizations, connection, stores
from ..services.binding import session_binding
from .banners import answer, banner
from .home import renewal_notices
from .layout import dialog, page
from .lookup import store_or_404
from .stores import render_dashboard
from .urls import rule

#: Where the waiting card and the dashboard's connection panel come from.
FRAGMENTS = {"card": "asc/_store_card.html", "panel": "asc/_connection_panel.html"}
#: Polls (2 s apart) the waiting card makes before a Connect POST it never saw reaches it.
MAX_TRIES = 15
#: Query and form values naming a place to go back to; anything else means home.
RETURN_TO = {"home", "dashboard"}


def _no_referrer(response):
    """Pages and redirects that carry an OAuth state leak nothing through the Referer."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _fragment() -> str:
    name = request.values.get("fragment")
    return name if name in FRAGMENTS else "card"


def _render_fragment(store, fragment: str, waiting: dict | None = None,
                     hint: str | None = None):
    card = present_one(store)
    card.waiting_hint = hint
    return make_response(render_template(FRAGMENTS[fragment], card=card, waiting=waiting))


def _settled(store, fragment: str):
    """What replaces the waiting card or panel once a connection attempt (or a test) has an
    answer: on the dashboard, the whole dashboard (its activity log and dates changed too); on
    the home page, the card, and the page's renewal notices and counts out of band."""
    if fragment == "panel":
        response = make_response(render_dashboard(store)[0])
        return reselect(reswap(retarget(response, "#asc-dashboard"), "outerHTML"),
                        "#asc-dashboard")
    return make_response(
        render_template(FRAGMENTS["card"], card=present_one(store), waiting=None)
        + render_template("asc/_renewals.html", renewals=renewal_notices(), oob=True)
        + render_template("asc/_store_summary.html", summary=stores.summary(), oob=True))


def connect(store_id: int):
    """POST from a card or the dashboard: open an attempt, then off to Seller Central."""
    store = store_or_404(store_id)
    return_to = request.form.get("return_to")
    return_to = return_to if return_to in RETURN_TO else "home"
    try:
        url = connection.begin_connect(store, new_tab=request.form.get("new_tab") == "1",
                               return_to=return_to)
    except ConnectFailure as failure:
        banner(None, "error", failure.message, about=store)
        return _no_referrer(redirect(_back(store, return_to), 303))
    commit()
    return _no_referrer(redirect(url, 303))


def _back(store, return_to: str) -> str:
    if return_to == "dashboard" and store is not None:
        return url_for("asc.dashboard", store_id=store.id)
    return url_for("asc.home")


def connect_status(store_id: int):
    """The card (or the dashboard's panel) while Amazon is open in another tab: it polls until
    the attempt ends, offering Reopen Seller Central and Cancel meanwhile.

    The first poll names the time the page was drawn (``since``): the attempt is this browser's
    newest one for the store started after it. Later polls name the attempt itself.
    """
    store = store_or_404(store_id)
    fragment = _fragment()
    attempt_id, since = query_int("attempt"), query_int("since")
    if attempt_id:
        attempt = attempts.find(attempt_id, store.id)
    elif since is not None:
        attempt = attempts.latest_since(store.id, datetime.fromtimestamp(since, timezone.utc))
    else:
        attempt = next(iter(attempts.pending(store.id, session_binding())), None)
    if attempt is None:
        # The Connect POST (from the other tab) has not reached us yet: look again, for half a
        # minute; after that Seller Central evidently did not open.
        tries = query_int("tries") or 0
        if since is None or tries >= MAX_TRIES:
            return banner(_settled(store, fragment), "warning", _(
                "Seller Central did not open for “%(name)s”. Click Connect store again; allow "
                "this site to open a new tab if your browser asks.", name=store.name),
                about=store)
        return _render_fragment(store, fragment, waiting={
            "fragment": fragment, "since": since, "tries": tries + 1})
    shown = attempt_banner(attempt, store)
    if shown is None and attempts.effective_outcome(attempt) is None:
        return _render_fragment(store, fragment, waiting={
            "fragment": fragment, "attempt": attempt.id}, hint=waiting_hint(attempt, store))
    response = _settled(store, fragment)
    return banner(response, *shown, about=store) if shown else response


def cancel(store_id: int):
    store = store_or_404(store_id)
    attempt_id = query_int("attempt")
    attempt = attempts.find(attempt_id, store.id) if attempt_id else None
    if attempt is not None and attempts.effective_outcome(attempt) is None:
        connection.cancel(attempt)
        commit()
    fragment = _fragment()
    message = _("Connecting “%(name)s” was cancelled; nothing changed.", name=store.name)
    return answer(lambda: _settled(store, fragment),
                  _back(store, "dashboard" if fragment == "panel" else "home"), "info", message,
                  about=store)


def callback():
    """Amazon's redirect back. Every outcome ends in a banner; only success changes a store."""
    outcome = connection.complete_connect(request.args)
    commit()
    attempt, store = outcome.attempt, outcome.store
    shown = attempt_banner(attempt, store) if attempt is not None else None
    if shown is None:
        assert outcome.failure is not None  # an outcome without a banner of its own failed
        shown = ("error", outcome.failure.message)
    level, message = shown
    response: WerkzeugResponse
    if attempt is not None and attempt.new_tab:
        response = make_response(page("asc/connect_done.html", ok=outcome.ok, level=level,
                                      message=message))
    else:
        banner(None, level, message, about=store)
        response = redirect(_back(store, attempt.return_to if attempt else "home"), 303)
    return _no_referrer(response)


def login_uri():
    """Amazon's Login URI: it continues this admin's pending connect at once, or asks to confirm
    a renewal (or first authorization) that Seller Central started."""
    handle = request.values.get("handoff")
    if handle:
        login = connection.take_login_request(handle)
        commit()
        if login is None:
            return _login_problem(_("This link from Amazon has expired or was already used. "
                                    "Start again from Seller Central."))
    else:
        try:
            login = connection.LoginRequest.parse(request.values)
        except ValueError as problem:
            return _login_problem(str(problem))
    if not connection.points_at_seller_central(login):
        return _login_problem(_("The return address in this request is not an Amazon Seller "
                                "Central address. Start again from Seller Central."))
    try:
        target = connection.continue_pending(login)
    except ConnectFailure as failure:
        commit()
        return _login_problem(failure.message)
    if target is not None:
        commit()
        return _no_referrer(redirect(target, 303))
    return _confirm_amazon_start(login)


def _confirm_amazon_start(login):
    linked, unconnected = connection.renewal_candidates(login)
    candidates = linked or unconnected
    form = ConfirmForm()
    if request.method == "POST" and form.validate():
        chosen = request.form.get("store_id", type=int)
        store = next((s for s in candidates if s.id == chosen), None)
        if store is None:
            banner(None, "error", _("Choose the store to authorize."))
        else:
            try:
                url = connection.start_from_amazon(login, store)
            except ConnectFailure as failure:
                return _login_problem(failure.message)
            commit()
            return _no_referrer(redirect(url, 303))
    response = make_response(page(
        "asc/login_uri.html", login=login, renewal=bool(linked), cards=present(candidates),
        form=form))
    return _no_referrer(response)


def _login_problem(message: str):
    return _no_referrer(make_response(page(
        "asc/error.html", title=_("Cannot continue with Amazon"), message=message), 400))


def signed_out_arrival():
    """Amazon's answer or Login URI reached a browser that is not signed in to the admin.

    The host's sign-in would carry this URL in its ``next`` (and in access logs and Referers),
    with Amazon's one-time code or ``amazon_state`` in it. So first: a callback ends its attempt
    unused; a Login URI parks its parameters server-side. Then the browser goes on to a clean
    URL, which the host's guard turns into its sign-in.
    """
    if request.endpoint == "asc.connect_callback" and request.args:
        connection.signed_out_callback(request.args.get("state"))
        commit()
        return _no_referrer(redirect(url_for("asc.home"), 303))
    if request.endpoint == "asc.connect_login" and "amazon_state" in request.values:
        try:
            login = connection.LoginRequest.parse(request.values)
        except ValueError:
            return _no_referrer(redirect(url_for("asc.connect_login"), 303))
        handle = connection.park_login_request(login)
        commit()
        return _no_referrer(redirect(url_for("asc.connect_login", handoff=handle), 303))
    return None


def test_connection(store_id: int):
    """Dashboard: the same live check cron runs, answered at once."""
    store = store_or_404(store_id)
    result = authorizations.check(store)
    commit()
    if result.failure is None:
        level, message = "success", _(
            "Amazon accepts the authorization of “%(name)s” and it sells in %(country)s.",
            name=store.name, country=present_one(store).marketplace_name)
    else:
        level = "error" if result.audience else "warning"
        message = _("Test connection for “%(name)s”: %(reason)s", name=store.name,
                    reason=result.failure.message)
    return answer(lambda: _settled(store, "panel"), url_for("asc.dashboard", store_id=store.id),
                  level, message, about=store)


def disconnect(store_id: int):
    store = store_or_404(store_id)
    form = ConfirmForm()
    if request.method == "POST" and form.validate():
        connection.disconnect(store)
        commit()
        banner(None, "success", _(
            "“%(name)s” is disconnected and its tokens are deleted. To revoke the access on "
            "Amazon's side too, open Seller Central › Apps and Services › Manage Your Apps "
            "and remove the app.", name=store.name), about=store)
        return redirect(url_for("asc.dashboard", store_id=store.id), 303)
    return dialog("asc/_confirm_disconnect.html", _("Disconnect store"), card=present_one(store),
                  form=form)


def register(bp):
    bp.add_url_rule(rule("connect"), "connect", connect, methods=["POST"])
    bp.add_url_rule(rule("connect_status"), "connect_status", connect_status)
    bp.add_url_rule(rule("connect_cancel"), "connect_cancel", cancel, methods=["POST"])
    bp.add_url_rule(rule("test_connection"), "test_connection", test_connection,
                    methods=["POST"])
    bp.add_url_rule(rule("disconnect"), "disconnect", disconnect, methods=["GET", "POST"])
    bp.add_url_rule("/connect/callback", "connect_callback", callback)
    bp.add_url_rule("/connect/login", "connect_login", login_uri, methods=["GET", "POST"])
