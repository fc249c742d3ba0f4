"""The store dashboard's "Price and quantity sync" panel: the last sync, the next, what Amazon
refused and why, and *Sync now*."""

from __future__ import annotations

import sqlalchemy as sa

from ..errors import Failure
from ..i18n import _
from ..models import Offer, SyncState
from ..services import offers as offers_service
from ..services import sync
from ..services.runner import RunOutcome
from ..state import plugin_state
from .lookup import store_or_404
from .panels import Panel
from .urls import rule

#: Refused offers listed in the panel.
REFUSED_SHOWN = 5


def panel_context(store) -> dict:
    record = plugin_state().session.get(SyncState, store.id)
    refused = list(plugin_state().session.scalars(sa.select(Offer).where(
        Offer.store_id == store.id, sync.is_live(), Offer.issues.is_not(None),
        Offer.sent_at.is_not(None)).order_by(Offer.sku).limit(REFUSED_SHOWN))) \
        if record is not None and record.refused else []
    return {
        "sync_record": record, "sync_running": sync.running(store),
        "sync_next": sync.next_run(store) if store.is_connected else None,
        "sync_waiting": sync.pending_count(store),
        "sync_refused": refused, "sync_issues_of": offers_service.issues_of,
        "sync_failure": Failure(record.error_code).message
        if record is not None and record.error_code else None,
    }


PANEL = Panel("sync", "asc/_sync_panel.html", lambda: _("Price and quantity sync"),
              panel_context)


def sync_panel(store_id: int):
    return PANEL.show(store_or_404(store_id))


def sync_now(store_id: int):
    """Run the store's price and quantity sync here and now."""
    store = store_or_404(store_id)
    if not store.is_connected:
        return PANEL.done(store, "error", _(
            "Connect “%(name)s” to Amazon before syncing its prices and quantities.",
            name=store.name))
    try:
        result = sync.run(store.id)
    except Exception:  # noqa: BLE001 - logged by the service; the page stays up
        plugin_state().session.rollback()
        result = sync.RunResult(RunOutcome.FAILED)
    store = store_or_404(store_id)
    if result.outcome == RunOutcome.BUSY:
        message, level = _("The prices and quantities of “%(name)s” are being synced right "
                           "now.", name=store.name), "info"
    elif result.outcome == RunOutcome.FAILED:
        reason = result.failure.message if result.failure else _("an unknown error.")
        message, level = _("Price and quantity sync stopped: %(reason)s", reason=reason), \
            "error"
    else:
        message = sync.summary(result)
        level = "warning" if result.refused else "success"
    return PANEL.done(store, level, message)


def register(bp):
    bp.add_url_rule(rule("sync"), "sync", sync_panel)
    bp.add_url_rule(rule("sync_now"), "sync_now", sync_now, methods=["POST"])
