"""Connecting a store to Amazon: start, Amazon's Login URI, the callback, verify, disconnect.

Amazon routes a connection in one of two ways, and both are handled: straight from the consent
page to the redirect URI with the code, or through the app's Login URI first (Seller Central
loads it with ``amazon_callback_uri`` and ``amazon_state``; the app sends the browser back there
with its own state, and only then does the code arrive). A Login URI visit while this admin has
a connect attempt pending continues that attempt without a click; without one it is a renewal
Amazon started (Manage Your Apps › Re-Authorize, or an Appstore authorization).

Nothing here touches a store until every check passed: a failed attempt leaves the store exactly
as it was, ends its attempt with the reason, and writes one activity-log entry without secrets.
Like every service this only flushes; the view commits.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from flask import current_app, url_for
from sqlalchemy.exc import IntegrityError

from .. import marketplaces, readiness, signals
from ..errors import AmazonUnavailable, ConnectFailure, Failure
from ..i18n import _
from ..models import (
    ActivityEvent,
    ActivityOutcome,
    AttemptOutcome,
    ConnectAttempt,
    ConnectionState,
    LoginHandoff,
    Store,
    StoreStatus,
    utcnow,
)
from ..persistence import savepoint
from ..state import current_app_object, plugin_state
from . import activity, attempts, stores

log = logging.getLogger("asc_plugin.connection")

SELLER_ID = re.compile(r"[A-Z0-9]{1,32}")
#: Amazon's consent-confirm path; a relative amazon_callback_uri must start with it.
CONFIRM_PATH = "/apps/authorize/"


@dataclass
class Outcome:
    ok: bool
    attempt: ConnectAttempt | None
    store: Store | None
    failure: Failure | None = None


def configured() -> bool:
    config = current_app.config
    return all(config[k] for k in (
        "ASC_AMAZON_CLIENT_ID", "ASC_AMAZON_CLIENT_SECRET", "ASC_AMAZON_APPLICATION_ID"))


def redirect_uri() -> str:
    """The configured redirect URI; built from the URL map only in debug and testing or with
    SERVER_NAME set, never from a request's Host header in production."""
    readiness.require(("ASC_AMAZON_REDIRECT_URI",))
    return current_app.config["ASC_AMAZON_REDIRECT_URI"] or url_for(
        "asc.connect_callback", _external=True)


def _require_settings() -> None:
    """Connect refuses, naming every setting it lacks (the message check-config prints)."""
    lacking = readiness.missing(needed=readiness.CONNECT)
    if lacking:
        raise ConnectFailure("settings_missing", settings=", ".join(lacking))


def _market(store: Store) -> marketplaces.Marketplace:
    return marketplaces.of(store.marketplace_code)


# --- Connect store / Renew: the admin starts ------------------------------------------------

def begin_connect(store: Store, *, new_tab: bool, return_to: str) -> str:
    """Open a connect attempt for the store; return Seller Central's consent URL."""
    from ..amazon import oauth  # lazy: the Amazon clients load requests (mounting stays light)

    _require_settings()
    config = current_app.config
    kind = "renewal" if store.seller_id else "connect"
    _attempt, value = attempts.open_attempt(store, kind=kind, redirect_uri=redirect_uri(),
                                     new_tab=new_tab, return_to=return_to)
    activity.record(store, ActivityEvent.CONNECT_STARTED, ActivityOutcome.INFO,
                    params={"kind": "renewal" if kind == "renewal" else "connect"})
    return oauth.client().consent_url(
        seller_central_url=marketplaces.seller_central_url(config, store.marketplace_code),
        application_id=config["ASC_AMAZON_APPLICATION_ID"], state=value,
        redirect_uri=redirect_uri(), draft=config["ASC_AMAZON_DRAFT_APP"])


def cancel(attempt: ConnectAttempt) -> None:
    attempts.close_attempt(attempt, AttemptOutcome.CANCELLED)


# --- The Login URI: Amazon starts, or routes a connect through it ---------------------------

@dataclass(frozen=True)
class LoginRequest:
    """What Amazon sends to the Login URI."""

    callback_uri: str
    amazon_state: str
    seller_id: str
    version: str | None

    @classmethod
    def parse(cls, values) -> LoginRequest:
        """Raises ValueError with a message for the merchant when the request is unusable."""
        callback_uri = _single(values, "amazon_callback_uri")
        amazon_state = _single(values, "amazon_state")
        seller_id = _single(values, "selling_partner_id").strip()
        if not callback_uri or not amazon_state or not seller_id:
            raise ValueError(_("Amazon's request is missing amazon_callback_uri, amazon_state or "
                               "selling_partner_id. Start again from Seller Central."))
        if (not SELLER_ID.fullmatch(seller_id) or len(amazon_state) > 2048
                or len(callback_uri) > 2048 or _unprintable(callback_uri + amazon_state)):
            raise ValueError(_("This request from Amazon is malformed. Start again from Seller "
                               "Central."))
        return cls(callback_uri, amazon_state, seller_id, _single(values, "version") or None)

    def as_dict(self) -> dict:
        return {"amazon_callback_uri": self.callback_uri, "amazon_state": self.amazon_state,
                "selling_partner_id": self.seller_id, "version": self.version}


def _single(values, name: str) -> str:
    value = values.get(name, "")
    return value if isinstance(value, str) else ""


def _unprintable(text: str) -> bool:
    """Control characters or whitespace: never part of a URL or state, and never to reach a
    header (a CR/LF would split it)."""
    return any(ord(c) < 0x21 or ord(c) == 0x7f for c in text)


def callback_target(request: LoginRequest, marketplace_code: str) -> str | None:
    """amazon_callback_uri for the marketplace's region, made absolute; None if it is not a
    Seller Central address of that region.

    Integrators report a relative ``/apps/authorize/confirm/…``: it is resolved against the
    Seller Central URL of the store's marketplace. An absolute one must be https (http only on
    loopback, for the sandbox) and start with a Seller Central base URL of the store's region.
    """
    config = current_app.config
    uri = request.callback_uri
    if _unprintable(uri) or "\\" in uri:
        return None
    if uri.startswith("/") and not uri.startswith("//"):
        if not uri.startswith(CONFIRM_PATH):
            return None
        uri = marketplaces.seller_central_url(config, marketplace_code) + uri
    try:
        parts = urlsplit(uri)
    except ValueError:
        return None
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        return None
    if parts.username or parts.password:
        return None
    region = marketplaces.of(marketplace_code).region
    for base in marketplaces.seller_central_bases(config, region):
        if uri == base or uri.startswith(base + "/"):
            return uri
    return None


def points_at_seller_central(request: LoginRequest) -> bool:
    """amazon_callback_uri names some Seller Central (its region is checked against the store's
    once a store is chosen)."""
    return any(callback_target(request, code) is not None for code in ("US", "UK", "JP"))


def continue_pending(request: LoginRequest) -> str | None:
    """The Login URI arrived mid-connect: carry this admin's pending attempt on to Amazon.

    Returns the URL to send the browser to, None when no attempt is pending (a renewal Amazon
    started), or raises ConnectFailure when Amazon came back from the wrong region (the attempt
    ends with that reason, so its waiting card says so).
    """
    attempt = attempts.pending_for_login_uri(request.seller_id)
    if attempt is None:
        return None
    store = attempts.store_of(attempt)
    if store is None:
        attempts.close_attempt(attempt, "store_gone")
        raise ConnectFailure("store_gone")
    target = callback_target(request, store.marketplace_code)
    if target is None:
        market = _market(store)
        failure = ConnectFailure("wrong_seller_central", country=market.country,
                                 region=market.region_name)
        _failed(attempt, store, failure)
        raise failure
    return _to_amazon(target, request, attempts.continue_through_login_uri(attempt))


def renewal_candidates(request: LoginRequest) -> tuple[list[Store], list[Store]]:
    """(stores already linked to Amazon's seller, stores not connected yet) this admin manages."""
    mine = stores.all_stores()
    linked = [s for s in mine if s.seller_id == request.seller_id]
    return linked, [s for s in mine if s.seller_id is None]


def start_from_amazon(request: LoginRequest, store: Store) -> str:
    """The admin confirmed a renewal (or first authorization) Amazon started."""
    _require_settings()
    target = callback_target(request, store.marketplace_code)
    if target is None:
        market = _market(store)
        raise ConnectFailure("wrong_seller_central", country=market.country,
                             region=market.region_name)
    kind = "renewal" if store.seller_id == request.seller_id else "connect"
    _attempt, value = attempts.open_attempt(store, kind=kind, redirect_uri=redirect_uri(),
                                     new_tab=False, return_to="home", routing="login_uri")
    activity.record(store, ActivityEvent.CONNECT_STARTED, ActivityOutcome.INFO,
                    params={"kind": "login_uri"})
    return _to_amazon(target, request, value)


def _to_amazon(target: str, request: LoginRequest, value: str) -> str:
    params = [("amazon_state", request.amazon_state), ("state", value),
              ("redirect_uri", redirect_uri())]
    if current_app.config["ASC_AMAZON_DRAFT_APP"]:
        params.append(("version", "beta"))
    separator = "&" if urlsplit(target).query else "?"
    return f"{target}{separator}{urlencode(params)}"


# The Login URI reached by a signed-out browser: its parameters wait here, never in a URL.

def park_login_request(request: LoginRequest) -> str:
    """Keep Amazon's Login URI parameters while the admin signs in; returns a one-time handle."""
    session = plugin_state().session
    now = utcnow()
    session.execute(sa.delete(LoginHandoff).where(LoginHandoff.expires_at < now))
    handle = secrets.token_urlsafe(24)
    session.add(LoginHandoff(
        key_hash=hashlib.sha256(handle.encode()).hexdigest(),
        payload_encrypted=plugin_state().cipher.encrypt(json.dumps(request.as_dict())),
        expires_at=now + timedelta(seconds=current_app.config["ASC_OAUTH_STATE_MAX_AGE"])))
    session.flush()
    return handle


def take_login_request(handle: str) -> LoginRequest | None:
    """The parked parameters, once; None when the handle is unknown, used or expired."""
    if not isinstance(handle, str) or not 0 < len(handle) <= 64:
        return None
    key = hashlib.sha256(handle.encode("utf-8", "surrogatepass")).hexdigest()
    session = plugin_state().session
    row = session.get(LoginHandoff, key)
    if row is None:
        return None
    session.delete(row)
    session.flush()
    if row.expires_at < utcnow():
        return None
    try:
        return LoginRequest.parse(json.loads(plugin_state().cipher.decrypt(row.payload_encrypted)))
    except (ValueError, Failure):
        return None


def signed_out_callback(value: str | None) -> None:
    """Amazon's answer reached a signed-out browser: the attempt ends, its code unused."""
    if not value:
        return
    attempt = plugin_state().session.scalar(sa.select(ConnectAttempt).where(
        ConnectAttempt.state_hash == attempts.state_hash(value),
        ConnectAttempt.finished_at.is_(None)))
    if attempt is not None:
        attempts.close_attempt(attempt, "signed_out")


# --- Amazon's answer at the redirect URI -----------------------------------------------------

def complete_connect(args) -> Outcome:
    """Check the attempt, exchange the code, verify with the Sellers API, then store."""
    try:
        attempt = attempts.redeem(_single(args, "state"))
    except ConnectFailure as failure:
        log.warning("Amazon callback refused: %s", failure.code)
        return Outcome(False, None, None, failure)
    store = attempts.store_of(attempt)
    try:
        if store is None:
            raise ConnectFailure("store_gone")
        _complete(attempt, store, args)
    except (ConnectFailure, AmazonUnavailable) as failure:
        _failed(attempt, store, failure)
        log.warning("Amazon connection failed for store %s: %s", attempt.store_id, failure.code)
        return Outcome(False, attempt, store, failure)
    return Outcome(True, attempt, store)


def _failed(attempt: ConnectAttempt, store: Store | None, failure: Failure) -> None:
    attempts.close_attempt(attempt, failure.code, **failure.details)
    if store is not None:
        activity.record(store, ActivityEvent.CONNECT_FAILED, ActivityOutcome.FAILURE,
                        params=activity.failure_params(failure))
        signals.connection_failed.send(
            current_app_object(), store=store, code=failure.code,
            audience=failure.audience, message=failure.message)


def _complete(attempt: ConnectAttempt, store: Store, args) -> None:
    from ..amazon import lwa, sellers  # lazy: the Amazon clients load requests

    if _single(args, "error"):
        raise ConnectFailure("access_denied")
    if store.connection_version != attempt.connection_version:
        raise ConnectFailure("store_changed")
    code = _single(args, "spapi_oauth_code")
    seller_id = _single(args, "selling_partner_id").strip()
    if not code or not SELLER_ID.fullmatch(seller_id) or len(code) > 2048:
        raise ConnectFailure("callback_incomplete")
    if attempt.expected_seller and attempt.expected_seller != seller_id:
        raise ConnectFailure("seller_mismatch")

    token = lwa.exchange_code(code, attempt.redirect_uri)
    if not token.refresh_token:
        raise ConnectFailure("no_refresh_token")
    market = _market(store)
    found = sellers.marketplace_participations(market.region, token.access_token)
    participation = next((p for p in found if p.marketplace_id == market.marketplace_id), None)
    if participation is None or not participation.is_participating:
        raise ConnectFailure("not_participating", country=market.country,
                             region=market.region_name)
    siblings = _seller_stores(seller_id, market.region)
    _check_identity(store, siblings, participation.store_name)
    _confirm_seller(market, token.access_token, seller_id)
    taken = next((s for s in siblings
                  if s.marketplace_code == store.marketplace_code and s.id != store.id), None)
    if taken is not None:
        if not stores.may_manage(taken):  # another admin's store: not even its name
            raise ConnectFailure("seller_taken_elsewhere", country=market.country)
        raise ConnectFailure("seller_taken", other=taken.name, country=market.country)
    _apply(attempt, store, [s for s in siblings if s.id != store.id], seller_id, token,
           participation.store_name)


def _confirm_seller(market, access_token: str, seller_id: str) -> None:
    """The callback's selling_partner_id comes from the URL: before a store counts as connected
    (and its rate buckets are keyed on that id), Amazon must show that seller's listings to the
    new token, which it does only for the token's own seller."""
    from ..amazon import listings, spapi  # lazy: the Amazon clients load requests

    try:
        listings.confirm_seller(spapi.Seller(market.region, access_token, seller_id,
                                             market.marketplace_id))
    except spapi.TokenRefused:
        raise ConnectFailure("seller_unconfirmed", seller=seller_id) from None
    except spapi.RoleMissing:
        raise ConnectFailure("listings_role_missing") from None
    except (spapi.Unavailable, spapi.Throttled, spapi.Rejected):
        raise ConnectFailure("seller_check_unavailable") from None


def _seller_stores(seller_id: str, region: str) -> list[Store]:
    """Stores already linked to this seller in this region: they share its authorization."""
    linked = plugin_state().session.scalars(
        sa.select(Store).where(Store.seller_id == seller_id)).unique()
    return [s for s in linked if _market(s).region == region]


def _check_identity(store: Store, siblings: list[Store], amazon_name: str | None) -> None:
    """The callback's selling_partner_id comes from the URL, where anyone can edit it: refuse
    when what Amazon says about the new token (the seller's store name) contradicts what the
    stores recorded for that seller."""
    recorded = {s.amazon_store_name for s in (store, *siblings)
                if s.seller_id and s.amazon_store_name}
    if recorded and amazon_name not in recorded:
        raise ConnectFailure("seller_mismatch")


def _apply(attempt: ConnectAttempt, store: Store, siblings: list[Store], seller_id: str, token,
           amazon_name: str | None) -> None:
    """Store the authorization on the store and on the seller's other stores of the region
    (one authorization serves them all, so renewing one renews them all)."""
    cipher = plugin_state().cipher
    now = utcnow()
    until = now + timedelta(days=current_app.config["ASC_AUTHORIZATION_DAYS"])
    renewed = store.seller_id == seller_id and store.authorized_at is not None
    refresh_token = cipher.encrypt(token.refresh_token)
    access_token = cipher.encrypt(token.access_token)
    changed = []
    try:
        with savepoint():
            for each in (store, *siblings):
                was_renewal = each.seller_id == seller_id and each.authorized_at is not None
                each.seller_id = seller_id
                each.amazon_store_name = amazon_name
                each.refresh_token_encrypted = refresh_token
                each.access_token_encrypted = access_token
                each.access_token_expires_at = now + timedelta(seconds=token.expires_in)
                each.authorized_at = now
                each.authorization_expires_at = until
                each.last_verified_at = now
                each.health_code, each.health_checked_at = "ok", now
                each.connection_state = ConnectionState.CONNECTED
                each.connection_version += 1
                if each.status is StoreStatus.INCOMPLETE:
                    each.status = StoreStatus.ACTIVE
                changed.append((each, was_renewal))
            plugin_state().session.flush()
    except IntegrityError:
        market = _market(store)
        raise ConnectFailure("seller_taken_elsewhere", country=market.country) from None
    shown = amazon_name or seller_id
    app = current_app_object()
    for each, was_renewal in changed:
        params = {"shown": shown, "seller": seller_id,
                  **({"until": until.isoformat()} if was_renewal or each is not store else {})}
        if each is not store:  # its tokens changed through another store: say so on it
            activity.record(each, ActivityEvent.AUTHORIZATION_SHARED, ActivityOutcome.SUCCESS,
                            params=params)
            continue
        activity.record(each, ActivityEvent.CONNECTED, ActivityOutcome.SUCCESS, params=params)
    # The banner names only the stores this admin manages (the others are counted).
    attempts.close_attempt(attempt, AttemptOutcome.RENEWED if renewed else AttemptOutcome.CONNECTED,
                           seller_id=seller_id, shown=shown, until=until.isoformat(),
                           others=[s.name for s in siblings if stores.may_manage(s)],
                           others_hidden=sum(1 for s in siblings if not stores.may_manage(s)))
    for each, was_renewal in changed:
        signals.store_connected.send(app, store=each, renewed=was_renewal)


# --- After connecting --------------------------------------------------------------------------

def disconnect(store: Store) -> None:
    """Forget the store's tokens and seller; revoking on Amazon's side is the seller's step."""
    seller = store.seller_id
    store.refresh_token_encrypted = None
    store.access_token_encrypted = None
    store.access_token_expires_at = None
    store.authorized_at = None
    store.authorization_expires_at = None
    store.last_verified_at = None
    store.health_code = store.health_checked_at = None
    store.seller_id = None
    store.amazon_store_name = None
    store.connection_state = ConnectionState.NOT_CONNECTED
    store.connection_version += 1
    if store.status is StoreStatus.ACTIVE:
        store.status = StoreStatus.INCOMPLETE
    activity.record(store, ActivityEvent.DISCONNECTED, ActivityOutcome.SUCCESS,
                    params={"seller": seller or None})
    plugin_state().session.flush()
    signals.store_disconnected.send(current_app_object(), store=store)
