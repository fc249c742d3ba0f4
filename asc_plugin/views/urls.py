"""Per-store URLs from one url_for call: a page of 24 cards would otherwise build ~170 URLs.

The routes themselves are registered from the same table, so the two cannot drift apart.
"""

from __future__ import annotations

from flask import url_for

STORE_RULE = "/stores/<int:store_id>"

#: endpoint (without "asc.") -> path after the store's own URL
STORE_PATHS = {
    "dashboard": "",
    "store_card": "/card",
    "update_settings": "/settings",
    "update_mapping": "/mapping",
    "activate_store": "/activate",
    "deactivate_store": "/deactivate",
    "delete_store": "/delete",
    "connect": "/connect",
    "connect_status": "/connect/status",
    "disconnect": "/disconnect",
}


def rule(endpoint: str) -> str:
    return STORE_RULE + STORE_PATHS[endpoint]


def store_urls(store_id: int) -> dict[str, str]:
    base = url_for("asc.dashboard", store_id=store_id)
    return {endpoint: base + path for endpoint, path in STORE_PATHS.items()}
