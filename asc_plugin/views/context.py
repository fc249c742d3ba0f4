"""Presenting stores: what a card or dashboard shows beside the row itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property

from flask import current_app

from .. import marketplaces
from ..extension import state
from ..host import Website
from ..models import ConnectionState, Store

STATUS_LABELS = {"incomplete": "Incomplete", "active": "Active", "inactive": "Inactive"}
CONNECTION_LABELS = {
    ConnectionState.NOT_CONNECTED: "Not connected",
    ConnectionState.CONNECTED: "Connected",
    ConnectionState.EXPIRED: "Authorization expired",
    ConnectionState.REVOKED: "Authorization revoked",
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
        return self.website.name if self.website else f"Unknown website ({self.store.website_id})"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.store.status.value]

    @property
    def connection_label(self) -> str:
        return CONNECTION_LABELS[self.store.connection_state]

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
