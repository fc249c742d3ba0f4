"""Access tokens for host code and later features: cached, refreshed through LWA when needed."""

from __future__ import annotations

from datetime import timedelta

import requests
import sqlalchemy as sa
from authlib.integrations.base_client import OAuthError
from flask import current_app
from sqlalchemy.orm import lazyload

from .. import signals
from ..amazon import oauth
from ..amazon.errors import AmazonUnavailable, AuthorizationRevoked
from ..extension import state
from ..i18n import _
from ..models import ConnectionState, Store, utcnow
from . import activity

#: Refresh this long before Amazon's expiry, so a token never dies mid-request.
EARLY = timedelta(seconds=120)


class NotConnected(Exception):
    """The store has no authorization to use."""


def access_token(store_id: int) -> str:
    """A valid SP-API access token for the store.

    Cached (encrypted) on the store row, so every worker shares it; refreshed under a row lock
    (``SELECT … FOR UPDATE`` where the database has it), so two workers asking at once refresh
    once. Raises :class:`AuthorizationRevoked` when Amazon refuses the refresh token (the store is
    then marked revoked), :class:`AmazonUnavailable` when Amazon does not answer properly.
    """
    session = state().session
    cipher = state().cipher
    store = session.get(Store, store_id)
    if store is None or store.refresh_token_encrypted is None or not store.is_connected:
        raise NotConnected(f"Store {store_id} is not connected to Amazon.")
    if _fresh(store):
        return cipher.decrypt(store.access_token_encrypted)

    session.rollback()  # start the locking read in a new transaction
    store = session.scalars(
        sa.select(Store).where(Store.id == store_id).options(lazyload(Store.mapping))
        .with_for_update(of=Store).execution_options(populate_existing=True)
    ).unique().one()
    if _fresh(store):  # another worker refreshed while we waited for the lock
        token = cipher.decrypt(store.access_token_encrypted)
        session.commit()
        return token
    refresh_token = cipher.decrypt(store.refresh_token_encrypted)
    try:
        token = oauth.client().refresh(refresh_token)
    except OAuthError as exc:
        if exc.error == "invalid_grant":
            _mark_revoked(store)
            raise AuthorizationRevoked(store.name) from None
        session.rollback()
        raise AmazonUnavailable("token_unavailable") from None
    except requests.Timeout:
        session.rollback()
        raise AmazonUnavailable("token_timeout") from None
    except (requests.RequestException, ValueError):
        session.rollback()
        raise AmazonUnavailable("token_unavailable") from None
    store.access_token_encrypted = cipher.encrypt(token["access_token"])
    store.access_token_expires_at = utcnow() + timedelta(seconds=int(token.get("expires_in", 3600)))
    if token.get("refresh_token") and token["refresh_token"] != refresh_token:
        store.refresh_token_encrypted = cipher.encrypt(token["refresh_token"])
    session.commit()
    return token["access_token"]


def _fresh(store: Store) -> bool:
    return bool(
        store.access_token_encrypted and store.access_token_expires_at
        and store.access_token_expires_at - EARLY > utcnow()
    )


def _mark_revoked(store: Store) -> None:
    ends = store.authorization_expires_at
    expired = ends is not None and ends <= utcnow()
    store.connection_state = ConnectionState.EXPIRED if expired else ConnectionState.REVOKED
    store.access_token_encrypted = None
    store.access_token_expires_at = None
    activity.record(
        store, "authorization_revoked", "failure",
        _("Amazon no longer accepts this store's authorization (it expired or was removed in "
          "Seller Central › Manage Your Apps). Renew the authorization to reconnect."),
        admin="system",
    )
    state().session.commit()
    signals.authorization_revoked.send(
        current_app._get_current_object(), store=store, state=store.connection_state.value)
