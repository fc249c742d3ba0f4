"""Per-store URLs from one url_for call per request: 24 cards would otherwise build ~170 URLs.

The routes themselves are registered from the same table, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from flask import g, url_for

#: Ids beyond PostgreSQL's INTEGER cannot exist: larger numbers are a 404, not an overflow.
STORE_RULE = "/stores/<int(max=2147483647):store_id>"

#: endpoint (without "asc.") -> path after the store's own URL
STORE_PATHS = {
    "dashboard": "",
    "update_settings": "/settings",
    "update_mapping": "/mapping",
    "activate_store": "/activate",
    "deactivate_store": "/deactivate",
    "delete_store": "/delete",
    "connect": "/connect",
    "connect_status": "/connect/status",
    "connect_cancel": "/connect/cancel",
    "test_connection": "/connect/test",
    "disconnect": "/disconnect",
    "rules": "/rules",
    "rule_count": "/rules/count",
    "rule_row": "/rules/row",
    "listing": "/listing",
    "match": "/match",
    "match_status": "/match/status",
    "orders": "/orders",
    "import_orders": "/orders/import",
    "offer_settings": "/offers/settings",
    "offer_example": "/offers/example",
    "offers": "/offers",
    "publish": "/offers/publish",
    "offers_status": "/offers/status",
    "sync": "/sync",
    "sync_now": "/sync/now",
}


def rule(endpoint: str) -> str:
    return STORE_RULE + STORE_PATHS[endpoint]


def store_urls(store_id: int) -> StoreUrls:
    return StoreUrls(_store_prefix() + str(int(store_id)))


class StoreUrls(Mapping[str, str]):
    """endpoint -> one store's URL, each made when asked for: a card uses 8 of the 26."""

    __slots__ = ("base",)

    def __init__(self, base: str):
        self.base = base

    def __getitem__(self, endpoint: str) -> str:
        return self.base + STORE_PATHS[endpoint]

    def __iter__(self) -> Iterator[str]:
        return iter(STORE_PATHS)

    def __len__(self) -> int:
        return len(STORE_PATHS)


def _store_prefix() -> str:
    """'/…/stores/' as this request builds it (script root, prefix), built once per request."""
    prefix = g.get("_asc_store_prefix")
    if prefix is None:
        prefix = g._asc_store_prefix = url_for("asc.dashboard", store_id=0)[:-1]
    return prefix
