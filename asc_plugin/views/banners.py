"""Confirmation and error banners: HX-Trigger events for htmx responses, flash() for full pages.

Both end up in the same markup (templates/asc/_banners.html): the page renders flashed
messages with it, and asc.js clones its <template> for ``asc:banner`` events.
"""

from __future__ import annotations

from flask import flash

from ..htmx import is_htmx, trigger

LEVELS = ("success", "info", "warning", "error")


def banner(response, level: str, message: str):
    """Attach a banner to an htmx response, or flash it for the next full page."""
    assert level in LEVELS
    if response is not None and is_htmx():
        banners = _banners_on(response) + [{"level": level, "message": message}]
        detail = banners[0] if len(banners) == 1 else {"banners": banners}
        return trigger(response, "asc:banner", detail)
    flash(message, level)
    return response


def _banners_on(response) -> list[dict]:
    """Banners an earlier call put on this response (asc.js shows them all, in order)."""
    import json

    try:
        detail = json.loads(response.headers.get("HX-Trigger", "{}")).get("asc:banner")
    except ValueError:
        return []
    if not detail:
        return []
    return detail.get("banners", [detail])
