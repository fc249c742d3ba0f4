"""Connect attempts: one record per Connect store / Renew click, or per renewal Amazon started.

The record binds Amazon's answer to whoever asked (this browser session and admin), to the store
(its id, its creation time and its connection version when the attempt started) and to a
deadline. Only the SHA-256 of the OAuth ``state`` is stored. The waiting card reads the attempt
to learn how it ended; the activity log stays an audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from ..errors import ConnectFailure
from ..models import AttemptOutcome, ConnectAttempt, Store, utcnow
from ..persistence import own_session
from ..state import plugin_state
from .binding import session_binding

#: Finished attempts are kept this long, for the waiting card and for support.
KEEP = timedelta(days=30)
#: A claim that never finished (its worker died mid-way) reads as failed after this long.
STALE_CLAIM = timedelta(minutes=2)


def state_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def open_attempt(store: Store, *, kind: str, redirect_uri: str, new_tab: bool, return_to: str,
          routing: str = "direct") -> tuple[ConnectAttempt, str]:
    """A new attempt for the store, and its OAuth state (shown once, stored hashed).

    This browser's earlier unfinished attempts for the store end as "superseded": clicking
    Connect again (or Reopen Seller Central) starts over instead of racing the old one.
    """
    session = plugin_state().session
    now = utcnow()
    binding = session_binding()
    session.execute(sa.delete(ConnectAttempt).where(ConnectAttempt.started_at < now - KEEP))
    for old in pending(store.id, binding):
        close_attempt(old, AttemptOutcome.SUPERSEDED)
    value = secrets.token_urlsafe(36)
    host = plugin_state().host
    attempt = ConnectAttempt(
        store_id=store.id, store_created_at=store.created_at, admin_id=host.admin_id()[:200],
        admin_name=host.admin_name()[:200], session_binding=binding, state_hash=state_hash(value),
        kind=kind, routing=routing,
        expected_seller=store.seller_id if kind == "renewal" else None,
        connection_version=store.connection_version, new_tab=new_tab,
        redirect_uri=redirect_uri[:500], return_to=return_to, started_at=now,
        expires_at=now + timedelta(seconds=current_app.config["ASC_OAUTH_STATE_MAX_AGE"]))
    session.add(attempt)
    session.flush()
    return attempt, value


def pending(store_id: int, binding: str | None = None) -> list[ConnectAttempt]:
    query = sa.select(ConnectAttempt).where(
        ConnectAttempt.store_id == store_id, ConnectAttempt.finished_at.is_(None),
        ConnectAttempt.expires_at > utcnow())
    if binding is not None:
        query = query.where(ConnectAttempt.session_binding == binding)
    return list(plugin_state().session.scalars(query))


def pending_for_login_uri(selling_partner_id: str) -> ConnectAttempt | None:
    """The attempt Amazon's Login URI continues: this browser's and admin's latest unfinished
    one (a renewal only when it is for the seller Amazon names)."""
    return plugin_state().session.scalar(
        sa.select(ConnectAttempt).where(
            ConnectAttempt.session_binding == session_binding(),
            ConnectAttempt.finished_at.is_(None), ConnectAttempt.expires_at > utcnow(),
            sa.or_(ConnectAttempt.expected_seller.is_(None),
                   ConnectAttempt.expected_seller == selling_partner_id))
        .order_by(ConnectAttempt.started_at.desc(), ConnectAttempt.id.desc()).limit(1))


def continue_through_login_uri(attempt: ConnectAttempt) -> str:
    """A fresh state for an attempt Amazon routed through the Login URI (the old one is void)."""
    value = secrets.token_urlsafe(36)
    attempt.state_hash = state_hash(value)
    attempt.routing = "login_uri"
    plugin_state().session.flush()
    return value


def redeem(value: str | None) -> ConnectAttempt:
    """Take the attempt a callback's state names, once: raises ConnectFailure (state_*).

    The claim is committed at once in a session of its own, so a second callback with the same
    state (a double-clicked link, a replay) finds it taken while the first talks to Amazon.
    """
    if not value:
        raise ConnectFailure("state_missing")
    now = utcnow()
    with own_session() as session:
        claimed = session.execute(
            sa.update(ConnectAttempt)
            .where(ConnectAttempt.state_hash == state_hash(value),
                   ConnectAttempt.finished_at.is_(None))
            .values(finished_at=now, outcome=AttemptOutcome.PROCESSING)
            .returning(ConnectAttempt.id)).scalar()
    if claimed is None:
        ended = plugin_state().session.scalar(
            sa.select(ConnectAttempt.outcome).where(ConnectAttempt.state_hash == state_hash(value)))
        raise ConnectFailure({"superseded": "state_superseded", "cancelled": "state_cancelled",
                              "store_gone": "store_gone"}.get(ended or "", "state_unknown"))
    attempt = plugin_state().session.get_one(ConnectAttempt, claimed, populate_existing=True)
    if not hmac.compare_digest(attempt.session_binding, session_binding()):
        close_attempt(attempt, "state_foreign")
        raise ConnectFailure("state_foreign")
    if attempt.expires_at < now:
        close_attempt(attempt, "state_expired")
        raise ConnectFailure("state_expired")
    return attempt


def store_of(attempt: ConnectAttempt) -> Store | None:
    """The attempt's store, if it still exists and is the same store (not a reused id)."""
    if attempt.store_id is None:
        return None
    store = plugin_state().session.get(Store, attempt.store_id)
    if store is None or store.created_at != attempt.store_created_at:
        return None
    return store


def close_attempt(attempt: ConnectAttempt, outcome: str, *, seller_id: str | None = None,
           **details) -> None:
    attempt.finished_at = utcnow()
    attempt.outcome = outcome
    attempt.seller_id = seller_id
    attempt.details = json.dumps(details, ensure_ascii=False) if details else None
    plugin_state().session.flush()


def details(attempt: ConnectAttempt) -> dict:
    try:
        return json.loads(attempt.details) if attempt.details else {}
    except ValueError:
        return {}


def find(attempt_id: int, store_id: int) -> ConnectAttempt | None:
    """An attempt of this browser for this store (the waiting card's), or None."""
    if not 0 < attempt_id <= 2**31 - 1:
        return None
    attempt = plugin_state().session.get(ConnectAttempt, attempt_id)
    if attempt is None or attempt.store_id != store_id or not hmac.compare_digest(
            attempt.session_binding, session_binding()):
        return None
    return attempt


def latest_since(store_id: int, since) -> ConnectAttempt | None:
    """This browser's newest attempt for the store started at or after ``since``."""
    return plugin_state().session.scalar(
        sa.select(ConnectAttempt).where(
            ConnectAttempt.store_id == store_id,
            ConnectAttempt.session_binding == session_binding(),
            ConnectAttempt.started_at >= since)
        .order_by(ConnectAttempt.started_at.desc(), ConnectAttempt.id.desc()).limit(1))


def effective_outcome(attempt: ConnectAttempt) -> str | None:
    """How the attempt ended as of now: its outcome, "expired" past its deadline, "interrupted"
    for a claim whose worker never finished it, or None while it is still open."""
    now = utcnow()
    if attempt.outcome == AttemptOutcome.PROCESSING:
        claimed = attempt.finished_at  # set with the claim
        return (AttemptOutcome.INTERRUPTED if claimed is not None and claimed < now - STALE_CLAIM
                else None)
    if attempt.finished_at is not None:
        return attempt.outcome
    return AttemptOutcome.EXPIRED if attempt.expires_at <= now else None


def forget_store(store: Store) -> None:
    """A deleted store's open attempts end now, and none can ever point at its id again."""
    for attempt in pending(store.id):
        close_attempt(attempt, "store_gone")
    plugin_state().session.execute(
        sa.update(ConnectAttempt).where(ConnectAttempt.store_id == store.id)
        .values(store_id=None))
