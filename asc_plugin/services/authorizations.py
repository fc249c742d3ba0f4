"""The yearly authorization: who expires when, and the live check (cron and Test connection).

The live check proves an authorization with Amazon itself: a refresh-token grant (which a
revoked or expired authorization fails with ``invalid_grant``, whatever access token is cached),
then the Sellers API (the store's marketplace must still be one the seller takes part in). A
store that failed keeps being reported on every later run until someone acts.

Renewal thresholds all come from ``ASC_RENEWAL_WARNING_DAYS`` (largest first): inside the first
the notice is informational, inside the second a warning, inside the third and later an error —
and an error is what makes ``flask asc check-authorizations`` exit 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from .. import marketplaces, signals
from ..errors import (
    SELLER,
    AmazonUnavailable,
    AuthorizationRevoked,
    ConnectFailure,
    Failure,
    OperatorActionRequired,
)
from ..models import ActivityEvent, ActivityOutcome, ConnectionState, Store, utcnow
from ..state import current_app_object, plugin_state
from . import activity, tokens

LEVELS = ("info", "warning", "error")


@dataclass(frozen=True)
class CheckResult:
    store: Store
    code: str                 # "ok", "expiring", "not_participating" or an error code
    days_left: int | None
    needs_attention: bool
    audience: str | None      # who must act: "seller", "operator", or None when all is well
    failure: Failure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


def thresholds() -> list[int]:
    return sorted((int(d) for d in current_app.config["ASC_RENEWAL_WARNING_DAYS"]),
                  reverse=True)


def days_left(store: Store) -> int | None:
    """Whole days until the authorization ends, rounded up: 365 right after connecting."""
    if store.authorization_expires_at is None or not store.is_connected:
        return None
    seconds = (store.authorization_expires_at - utcnow()).total_seconds()
    return max(0, math.ceil(seconds / 86400))


def warning_level(days: int | None) -> str | None:
    """None while the end is further than the first threshold; then info, warning, error."""
    steps = thresholds()
    if days is None or not steps:
        return None
    crossed = sum(1 for step in steps if days <= step)
    return LEVELS[min(crossed, len(LEVELS)) - 1] if crossed else None


def stores_due_for_renewal() -> list[Store]:
    """Connected stores inside the first warning threshold (and not ended yet), soonest first."""
    steps = thresholds()
    if not steps:
        return []
    now = utcnow()
    horizon = now + timedelta(days=steps[0])
    return list(plugin_state().session.scalars(
        sa.select(Store).where(Store.connection_state == ConnectionState.CONNECTED,
                               Store.authorization_expires_at <= horizon,
                               Store.authorization_expires_at > now)
        .order_by(Store.authorization_expires_at)).unique())


def stores_to_check(store_ids: list[int] | None = None) -> list[Store]:
    """Every store that has (or had) an authorization: connected, revoked or expired."""
    query = (sa.select(Store).where(Store.connection_state != ConnectionState.NOT_CONNECTED)
             .order_by(Store.id))
    if store_ids:
        query = query.where(Store.id.in_(store_ids))
    return list(plugin_state().session.scalars(query).unique())


def check(store: Store, *, participations: dict | None = None) -> CheckResult:
    """The live check of one store; records its outcome on the store.

    The caller commits after each store: the token service works in a session of its own, which
    must not wait on rows this session has written.
    """
    app = current_app_object()
    if store.connection_state is ConnectionState.CONNECTED and store.authorization_expires_at \
            and store.authorization_expires_at <= utcnow():
        store.connection_state = ConnectionState.EXPIRED
        activity.record(store, ActivityEvent.AUTHORIZATION_EXPIRED, ActivityOutcome.FAILURE,
                        params=activity.failure_params(AuthorizationRevoked(expired=True)),
                        admin="system")
        plugin_state().session.flush()
        signals.authorization_revoked.send(app, store=store, state="expired")
    if store.connection_state is not ConnectionState.CONNECTED:
        failure = AuthorizationRevoked(expired=store.connection_state is ConnectionState.EXPIRED)
        return _result(store, failure)
    try:
        tokens.refresh_now(store.id)
        _check_participation(store, participations if participations is not None else {})
    except (AuthorizationRevoked, OperatorActionRequired, AmazonUnavailable,
            ConnectFailure) as failure:
        plugin_state().session.refresh(store)  # a lapse was recorded by the token service
        return _result(store, failure)
    plugin_state().session.refresh(store)
    days = days_left(store)
    level = warning_level(days)
    if level is not None and days in thresholds():  # a daily cron tells the host once per step
        signals.authorization_expiring.send(app, store=store, days_left=days)
    store.health_code, store.health_checked_at = "ok", utcnow()
    return CheckResult(store, "expiring" if level else "ok", days, level == "error",
                       SELLER if level == "error" else None)


def _check_participation(store: Store, cache: dict) -> None:
    from ..amazon import sellers  # lazy: the Amazon clients load requests (mounting stays light)

    market = marketplaces.of(store.marketplace_code)
    key = (store.seller_id or "", market.region)
    if key not in cache:
        cache[key] = sellers.marketplace_participations(
            market.region, tokens.access_token(store.id))
    participation = next((p for p in cache[key] if p.marketplace_id == market.marketplace_id),
                         None)
    if participation is None or not participation.is_participating:
        raise ConnectFailure("not_participating", **failure_details(store))


def failure_details(store: Store) -> dict[str, str]:
    """What a stored failure code's message needs about the store (its marketplace's country and
    region, as message ids: translated when shown, in the reader's language)."""
    market = marketplaces.get(store.marketplace_code)
    if market is None:
        return {"country": store.marketplace_code, "region": store.marketplace_code}
    return {"country": market.country, "region": market.region_name}


def _result(store: Store, failure: Failure) -> CheckResult:
    store.health_code, store.health_checked_at = failure.code, utcnow()
    return CheckResult(store, failure.code, days_left(store), True, failure.audience, failure)
