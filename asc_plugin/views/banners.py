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
        return trigger(response, "asc:banner", {"level": level, "message": message})
    flash(message, level)
    return response
