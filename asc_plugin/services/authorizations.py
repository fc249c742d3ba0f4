"""The yearly authorization: who expires when, and the check cron runs."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from .. import signals
from ..amazon.errors import AmazonUnavailable, AuthorizationRevoked
from ..extension import state
from ..i18n import _, ngettext
from ..models import ConnectionState, Store, utcnow
from . import activity, tokens


@dataclass(frozen=True)
class CheckResult:
    store_name: str
    marketplace: str
    state: str
    days_left: int | None
    note: str
    needs_attention: bool


def days_left(store: Store) -> int | None:
    if store.authorization_expires_at is None:
        return None
    return max(0, (store.authorization_expires_at - utcnow()).days)


def warning_level(days: int | None) -> str | None:
    """Banner level for a countdown: info from 30 days, warning from 14, error from 1."""
    thresholds = sorted(current_app.config["ASC_RENEWAL_WARNING_DAYS"], reverse=True)
    if days is None or not thresholds or days > thresholds[0]:
        return None
    if days <= 1:
        return "error"
    if days <= 14:
        return "warning"
    return "info"


def stores_due_for_renewal() -> list[Store]:
    """Connected stores inside the first warning threshold, soonest first."""
    thresholds = current_app.config["ASC_RENEWAL_WARNING_DAYS"]
    if not thresholds:
        return []
    from datetime import timedelta

    horizon = utcnow() + timedelta(days=max(thresholds) + 1)
    return list(state().session.scalars(
        sa.select(Store).where(Store.connection_state == ConnectionState.CONNECTED,
                               Store.authorization_expires_at <= horizon)
        .order_by(Store.authorization_expires_at)).unique())


def check_all() -> list[CheckResult]:
    app = current_app._get_current_object()
    thresholds = app.config["ASC_RENEWAL_WARNING_DAYS"]
    results = []
    connected = list(state().session.scalars(
        sa.select(Store).where(Store.connection_state == ConnectionState.CONNECTED)
        .order_by(Store.id)).unique())
    for store in connected:
        name, market = store.name, store.marketplace_code
        if store.authorization_expires_at and store.authorization_expires_at <= utcnow():
            store.connection_state = ConnectionState.EXPIRED
            activity.record(store, "authorization_expired", "failure",
                            _("The yearly Amazon authorization expired. Renew it to reconnect."),
                            admin="system")
            state().session.commit()
            signals.authorization_revoked.send(app, store=store, state="expired")
            results.append(CheckResult(name, market, "expired", 0, _("renew now"), True))
            continue
        try:
            tokens.access_token(store.id)
        except AuthorizationRevoked:
            results.append(CheckResult(name, market, store.connection_state.value, None,
                                       _("Amazon refused the authorization"), True))
            continue
        except AmazonUnavailable as exc:
            results.append(CheckResult(name, market, "connected", days_left(store),
                                       _("could not check: %(why)s", why=exc), True))
            continue
        store = state().session.get(Store, store.id)
        store.last_verified_at = utcnow()
        state().session.commit()
        days = days_left(store)
        note = _("ok")
        if days is not None and thresholds and days <= max(thresholds):
            note = ngettext("renew within %(num)d day", "renew within %(num)d days", days)
            if days in thresholds:  # a daily cron tells the host once per threshold
                signals.authorization_expiring.send(app, store=store, days_left=days)
        results.append(CheckResult(name, market, "connected", days, note,
                                   days is not None and days <= 7))
    return results
