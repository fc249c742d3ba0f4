"""Presenting stores: what a card or dashboard shows beside the row itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property

from flask import abort, current_app, make_response, render_template

from .. import marketplaces
from ..extension import state
from ..host import Website
from ..i18n import _, _l
from ..models import ConnectionState, Store

STATUS_LABELS = {"incomplete": _l("Incomplete"), "active": _l("Active"),
                 "inactive": _l("Inactive")}
CONNECTION_LABELS = {
    ConnectionState.NOT_CONNECTED: _l("Not connected"),
    ConnectionState.CONNECTED: _l("Connected"),
    ConnectionState.EXPIRED: _l("Authorization expired"),
    ConnectionState.REVOKED: _l("Authorization revoked"),
}


@dataclass
class StoreView:
    store: Store
    website: Website | None
    marketplace: marketplaces.Marketplace | None

    @cached_property
    def urls(self) -> dict[str, str]:
        from .urls import store_urls

        return store_urls(self.store.id)

    @property
    def website_name(self) -> str:
        if self.website:
            return self.website.name
        return _("Unknown website (%(id)s)", id=self.store.website_id)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.store.status.value])

    @property
    def connection_label(self) -> str:
        return str(CONNECTION_LABELS[self.store.connection_state])

    @property
    def days_left(self) -> int | None:
        expires = self.store.authorization_expires_at
        if expires is None or not self.store.is_connected:
            return None
        return max(0, (expires - datetime.now(timezone.utc)).days)

    @property
    def renewal_due(self) -> bool:
        days = self.days_left
        warn = max(current_app.config["ASC_RENEWAL_WARNING_DAYS"] or (0,))
        return days is not None and days <= warn


def present(stores: list[Store]) -> list[StoreView]:
    websites = {w.id: w for w in state().host.websites()}
    return [
        StoreView(s, websites.get(s.website_id), marketplaces.get(s.marketplace_code))
        for s in stores
    ]


def store_or_404(store_id: int) -> Store:
    from ..services import stores

    store = stores.get(store_id)
    if store is None:
        abort(404)
    return store


def store_card(store: Store, **extra):
    """One store card as a response (htmx swaps, polling)."""
    (view,) = present([store])
    return make_response(render_template("asc/_store_card.html", card=view, **extra))
