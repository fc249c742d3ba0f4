"""Connecting a store to Amazon: start the consent flow, finish it, verify, renew, disconnect.

Nothing here touches the store until every check passed: a failed attempt leaves the store exactly
as it was and writes one activity-log entry that holds no secret.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import requests
import sqlalchemy as sa
from authlib.integrations.base_client import OAuthError
from flask import current_app, url_for
from flask_babel import format_date
from sqlalchemy.exc import IntegrityError

from .. import marketplaces, signals
from ..amazon import oauth, sellers
from ..amazon.errors import AmazonUnavailable, ConnectFailure
from ..extension import state
from ..i18n import _
from ..models import ConnectionState, Store, StoreStatus, utcnow
from . import activity

log = logging.getLogger("asc_plugin.connection")

OAUTH_ERRORS_FROM_APP = {
    "invalid_client": "invalid_client", "unauthorized_client": "app_rejected",
    "invalid_request": "app_rejected", "unsupported_grant_type": "app_rejected",
    "invalid_grant": "invalid_grant",
}


@dataclass
class Outcome:
    ok: bool
    message: str
    stores: list[Store]
    new_tab: bool = False
    code: str = "connected"


def _configured() -> bool:
    config = current_app.config
    return all(config[k] for k in (
        "ASC_AMAZON_CLIENT_ID", "ASC_AMAZON_CLIENT_SECRET", "ASC_AMAZON_APPLICATION_ID"))


def redirect_uri() -> str:
    return current_app.config["ASC_AMAZON_REDIRECT_URI"] or url_for(
        "asc.connect_callback", _external=True)


def start(store: Store, *, new_tab: bool) -> str:
    """Remember a fresh state for this admin and store; return Seller Central's consent URL."""
    if not _configured():
        raise ConnectFailure("not_configured")
    config = current_app.config
    client = oauth.client()
    renew = store.is_connected or store.seller_id is not None
    url = client.begin(
        data={
            "store_ids": [store.id],
            "expected_seller": store.seller_id if renew else None,
            "new_tab": bool(new_tab),
            "session_binding": oauth.session_binding(),
        },
        redirect_uri=redirect_uri(),
        seller_central_url=marketplaces.seller_central_url(config, store.marketplace_code),
        application_id=config["ASC_AMAZON_APPLICATION_ID"],
        draft=config["ASC_AMAZON_DRAFT_APP"],
    )
    activity.record(store, "connect_started", "info",
                    _("Renewal of the Amazon authorization started.") if renew
                    else _("Connection to Amazon Seller Central started."))
    state().session.commit()
    return url


def seller_central_hosts() -> set[str]:
    config = current_app.config
    urls = [m.seller_central_url for m in marketplaces.MARKETPLACES if m.seller_central_url]
    urls += list(config["ASC_AMAZON_SELLER_CENTRAL_URLS"].values())
    return {urlsplit(u).netloc.lower() for u in urls}


def valid_amazon_callback(uri: str) -> bool:
    """The Login URI's amazon_callback_uri must point at a Seller Central we know."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return False
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return False
    if parts.scheme == "http" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return False
    return parts.netloc.lower() in seller_central_hosts()


def stores_for_seller(seller_id: str) -> list[Store]:
    return list(state().session.scalars(
        sa.select(Store).where(Store.seller_id == seller_id).order_by(Store.id)).unique())


def renewal_redirect(*, amazon_callback_uri: str, amazon_state: str, store_ids: list[int],
                     expected_seller: str | None) -> str:
    """Amazon started the flow (Manage Your Apps > Re-Authorize): send the seller back to it."""
    if not _configured():
        raise ConnectFailure("not_configured")
    config = current_app.config
    our_state = oauth.client().new_state({
        "store_ids": store_ids, "expected_seller": expected_seller, "new_tab": False,
        "redirect_uri": redirect_uri(), "session_binding": oauth.session_binding(),
    })
    params = [("amazon_state", amazon_state), ("state", our_state),
              ("redirect_uri", redirect_uri())]
    if config["ASC_AMAZON_DRAFT_APP"]:
        params.append(("version", "beta"))
    for store in state().session.scalars(sa.select(Store).where(Store.id.in_(store_ids))):
        activity.record(store, "connect_started", "info",
                        _("Renewal started from Amazon Seller Central (Manage Your Apps)."))
    state().session.commit()
    separator = "&" if "?" in amazon_callback_uri else "?"
    return f"{amazon_callback_uri}{separator}{urlencode(params)}"


def finish(args) -> Outcome:
    """Handle Amazon's redirect back: check state, exchange the code, verify, then store."""
    client = oauth.client()
    try:
        data = client.take_state(args.get("state"))
    except oauth.StateProblem as problem:
        failure = ConnectFailure(problem.code)
        log.warning("Amazon callback refused: %s", problem.code)
        return Outcome(False, failure.message, [], code=problem.code)

    new_tab = bool(data.get("new_tab"))
    ids = [i for i in data.get("store_ids", []) if isinstance(i, int)]
    stores_ = list(state().session.scalars(sa.select(Store).where(Store.id.in_(ids))).unique())
    if not stores_:
        failure = ConnectFailure("store_gone")
        return Outcome(False, failure.message, [], new_tab, failure.code)
    try:
        connected = _complete(stores_, data, args, client)
    except (ConnectFailure, AmazonUnavailable) as failure:
        state().session.rollback()
        code = failure.code
        message = failure.message if isinstance(failure, ConnectFailure) else str(failure)
        audience = getattr(failure, "audience", "seller")
        for store in stores_:
            activity.record(store, "connect_failed", "failure", message)
            signals.connection_failed.send(
                current_app._get_current_object(), store=store, code=code, audience=audience,
                message=message)
        state().session.commit()
        log.warning("Amazon connection failed for stores %s: %s", ids, code)
        return Outcome(False, message, stores_, new_tab, code)
    connected.new_tab = new_tab
    return connected


def _complete(stores_: list[Store], data: dict, args, client) -> Outcome:
    if args.get("error"):
        raise ConnectFailure("access_denied")
    code = args.get("spapi_oauth_code")
    seller_id = (args.get("selling_partner_id") or "").strip()
    if not code or not seller_id or len(seller_id) > 32 or not seller_id.isalnum():
        raise ConnectFailure("callback_incomplete")
    expected = data.get("expected_seller")
    if expected and expected != seller_id:
        raise ConnectFailure("seller_mismatch")

    token = _token_call(lambda: client.exchange_code(code, data.get("redirect_uri")))
    refresh_token = token.get("refresh_token")
    access_token = token.get("access_token")
    if not refresh_token or not access_token:
        raise ConnectFailure("no_refresh_token")

    # Every store in this flow must be sold by this seller, verified by Amazon itself.
    by_region: dict[str, list] = {}
    amazon_names: dict[int, str | None] = {}
    for store in stores_:
        market = marketplaces.get(store.marketplace_code)
        if market.region not in by_region:
            by_region[market.region] = sellers.marketplace_participations(
                market.region, access_token)
        participation = next(
            (p for p in by_region[market.region] if p.marketplace_id == market.marketplace_id),
            None)
        if participation is None or not participation.is_participating:
            raise ConnectFailure("not_participating", country=_(market.country),
                                 region=_(market.region_name))
        taken = state().session.scalar(
            sa.select(Store).where(Store.marketplace_code == store.marketplace_code,
                                   Store.seller_id == seller_id, Store.id != store.id))
        if taken is not None:
            raise ConnectFailure("seller_taken", other=taken.name, country=_(market.country))
        amazon_names[store.id] = participation.store_name

    cipher = state().cipher
    now = utcnow()
    days = current_app.config["ASC_AUTHORIZATION_DAYS"]
    expires_in = int(token.get("expires_in") or 3600)
    messages = []
    for store in stores_:
        renewed = store.seller_id == seller_id and store.authorized_at is not None
        store.seller_id = seller_id
        store.amazon_store_name = (amazon_names[store.id] or "")[:200] or None
        store.refresh_token_encrypted = cipher.encrypt(refresh_token)
        store.access_token_encrypted = cipher.encrypt(access_token)
        store.access_token_expires_at = now + timedelta(seconds=expires_in)
        store.authorized_at = now
        store.authorization_expires_at = now + timedelta(days=days)
        store.last_verified_at = now
        store.connection_state = ConnectionState.CONNECTED
        if store.status is StoreStatus.INCOMPLETE:
            store.status = StoreStatus.ACTIVE
        shown = store.amazon_store_name or seller_id
        message = (_("Authorization renewed for “%(name)s”: connected as %(shown)s (%(seller)s) "
                     "until %(until)s.", name=store.name, shown=shown, seller=seller_id,
                     until=format_date(store.authorization_expires_at)) if renewed else
                   _("“%(name)s” is connected as %(shown)s (%(seller)s).", name=store.name,
                     shown=shown, seller=seller_id))
        activity.record(store, "connected", "success", message)
        messages.append((store, renewed, message))
    try:
        state().session.commit()
    except IntegrityError:
        state().session.rollback()
        market = marketplaces.get(stores_[0].marketplace_code)
        raise ConnectFailure("seller_taken", other=_("another store"),
                             country=_(market.country)) from None
    for store, renewed, _message in messages:
        signals.store_connected.send(current_app._get_current_object(), store=store,
                                     renewed=renewed)
    if len(messages) == 1:
        store, renewed, _message = messages[0]
        shown = store.amazon_store_name or seller_id
        text = (_("Authorization renewed: connected as %(shown)s (%(seller)s) for another year.",
                  shown=shown, seller=seller_id) if renewed
                else _("Connected as %(name)s (%(seller)s).", name=shown, seller=seller_id))
    else:
        text = " ".join(m for _s, _r, m in messages)
    return Outcome(True, text, stores_)


def _token_call(call):
    """Run an LWA token request, turning every way it can fail into a plain-language failure."""
    try:
        return call()
    except OAuthError as exc:
        raise ConnectFailure(OAUTH_ERRORS_FROM_APP.get(exc.error, "app_rejected")) from None
    except requests.Timeout:
        raise ConnectFailure("token_timeout") from None
    except (requests.RequestException, ValueError):
        raise ConnectFailure("token_unavailable") from None


def disconnect(store: Store) -> None:
    """Forget the store's tokens and seller; revoking on Amazon's side is the seller's step."""
    seller = store.seller_id
    store.refresh_token_encrypted = None
    store.access_token_encrypted = None
    store.access_token_expires_at = None
    store.authorized_at = None
    store.authorization_expires_at = None
    store.seller_id = None
    store.amazon_store_name = None
    store.connection_state = ConnectionState.NOT_CONNECTED
    if store.status is StoreStatus.ACTIVE:
        store.status = StoreStatus.INCOMPLETE
    activity.record(store, "disconnected", "success",
                    _("Disconnected from Amazon seller %(seller)s; stored tokens deleted.",
                      seller=seller) if seller
                    else _("Disconnected from Amazon; stored tokens deleted."))
    state().session.commit()
    signals.store_disconnected.send(current_app._get_current_object(), store=store)
