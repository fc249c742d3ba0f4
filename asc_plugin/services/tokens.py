"""Access tokens for host code and later features: cached, refreshed through LWA when needed.

``access_token()`` is offered to host code, so it never touches the host's transaction: it reads
and writes the store row in a session of its own (committed on its own), and the host's pending
changes stay pending.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import lazyload

from .. import clock, signals
from ..errors import AuthorizationRevoked, NotConnected, OperatorActionRequired
from ..models import ActivityEvent, ActivityOutcome, ConnectionState, Store
from ..persistence import own_session
from ..state import current_app_object, plugin_state
from . import activity

#: Refresh this long before Amazon's expiry, so a token never dies mid-request.
EARLY = timedelta(seconds=120)


def access_token(store_id: int) -> str:
    """A valid SP-API access token for the store.

    Cached (encrypted) on the store row, so every worker shares it; refreshed under a row lock
    (``SELECT … FOR UPDATE`` where the database has it), so two workers asking at once refresh
    once. Raises :class:`~asc_plugin.errors.NotConnected`,
    :class:`~asc_plugin.errors.AuthorizationRevoked` (Amazon refused the refresh token; the
    store is then marked revoked or expired and its card says so),
    :class:`~asc_plugin.errors.OperatorActionRequired` (the app's credentials, or keys that
    cannot decrypt the stored token) or :class:`~asc_plugin.errors.AmazonUnavailable`.
    """
    cipher = plugin_state().cipher
    with own_session() as session:
        store = _locked(session, store_id, lock=False)
        if _fresh(store) and store.access_token_encrypted:
            return cipher.decrypt(store.access_token_encrypted)
    with own_session() as session:
        store = _locked(session, store_id, lock=True)
        if not _fresh(store):  # else another worker refreshed while we waited for the lock
            _refresh(session, store)
        if not store.access_token_encrypted:  # a refresh always stores one
            raise NotConnected()
        return cipher.decrypt(store.access_token_encrypted)


def refresh_now(store_id: int) -> None:
    """Prove the authorization with a refresh-token grant now, cached token or not."""
    with own_session() as session:
        _refresh(session, _locked(session, store_id, lock=True))


def _locked(session, store_id: int, *, lock: bool) -> Store:
    query = sa.select(Store).where(Store.id == store_id).options(lazyload(Store.mapping))
    if lock:
        query = query.with_for_update(of=Store)
    store = session.scalars(query).unique().one_or_none()
    if store is None or store.refresh_token_encrypted is None \
            or store.connection_state is not ConnectionState.CONNECTED:  # Amazon says if it ended
        raise NotConnected()
    return store


def _refresh(session, store: Store) -> None:
    """LWA refresh grant; on invalid_grant the store is marked lapsed (committed with it)."""
    from ..amazon import lwa  # lazy: the Amazon clients load requests (mounting stays light)

    cipher = plugin_state().cipher
    if store.refresh_token_encrypted is None:  # _locked() lets no such store through
        raise NotConnected()
    refresh_token = cipher.decrypt(store.refresh_token_encrypted)
    try:
        token = lwa.refresh(refresh_token)
    except AuthorizationRevoked:
        lapsed = _mark_lapsed(session, store)
        raise AuthorizationRevoked(expired=lapsed is ConnectionState.EXPIRED) from None
    except OperatorActionRequired as failure:
        activity.record(store, ActivityEvent.TOKEN_REFUSED, ActivityOutcome.FAILURE,
                        params=activity.failure_params(failure), admin="system", session=session)
        session.commit()
        raise
    store.access_token_encrypted = cipher.encrypt(token.access_token)
    store.access_token_expires_at = clock.now() + timedelta(seconds=token.expires_in)
    store.last_verified_at = clock.now()
    if token.refresh_token and token.refresh_token != refresh_token:
        store.refresh_token_encrypted = cipher.encrypt(token.refresh_token)


def _fresh(store: Store) -> bool:
    return bool(
        store.access_token_encrypted and store.access_token_expires_at
        and store.access_token_expires_at - EARLY > clock.now()
    )


def _mark_lapsed(session, store: Store) -> ConnectionState:
    ends = store.authorization_expires_at
    expired = ends is not None and ends <= clock.now()
    store.connection_state = ConnectionState.EXPIRED if expired else ConnectionState.REVOKED
    store.access_token_encrypted = None
    store.access_token_expires_at = None
    activity.record(store, ActivityEvent.AUTHORIZATION_REVOKED, ActivityOutcome.FAILURE,
                    admin="system", session=session)
    session.commit()
    signals.authorization_revoked.send(
        current_app_object(), store=store, state=store.connection_state.value)
    return store.connection_state
