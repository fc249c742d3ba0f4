"""Confirmation and error banners: HX-Trigger events for htmx responses, flash() for full pages.

Both end up in the same markup (templates/asc/_banners.html): the page renders flashed
messages with it, and asc.js clones its <template> for ``asc:banner`` events. A banner about a
store carries the store as its ``key``: a newer outcome about the same store replaces the older
banner (an old "cancelled" never stands beside the success that followed it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, make_response, redirect, session

from ..htmx import events, is_htmx, trigger

LEVELS = ("success", "info", "warning", "error")
#: The event asc.js shows banners for.
EVENT = "asc:banner"
#: Flash categories carry the key after the level: "success|store-3".
SEPARATOR = "|"


def store_key(store) -> str | None:
    return f"store-{store.id}" if store is not None and store.id is not None else None


def banner(response, level: str, message: str, *, about=None):
    """Attach a banner to an htmx response, or flash it for the next full page. ``about`` is
    the store it concerns, if any."""
    assert level in LEVELS
    key = store_key(about)
    if response is not None and is_htmx():
        item = {"level": level, "message": message, **({"key": key} if key else {})}
        banners = [b for b in _banners_on(response) if not key or b.get("key") != key] + [item]
        detail = banners[0] if len(banners) == 1 else {"banners": banners}
        return trigger(response, EVENT, detail)
    if key:
        _forget_flashes(key)
    flash(message, f"{level}{SEPARATOR}{key}" if key else level)
    return response


def answer(fragment: Callable[[], Any], back: str, level: str, message: str, *, about=None):
    """What an action (a form's POST) answers, with its banner: to htmx, ``fragment()`` (the
    part of the page the action changed) and the banner as an event; to a plain browser, the
    banner flashed and a 303 to ``back`` (Post/Redirect/Get), where it shows. ``fragment`` is
    called only for htmx."""
    if is_htmx():
        return banner(make_response(fragment()), level, message, about=about)
    banner(None, level, message, about=about)
    return redirect(back, 303)


def _forget_flashes(key: str) -> None:
    """Older flashed banners about the same store, not shown yet, give way to this one."""
    pending = session.get("_flashes")
    if pending:
        kept = [(category, text) for category, text in pending
                if not category.endswith(f"{SEPARATOR}{key}")]
        if len(kept) != len(pending):
            session["_flashes"] = kept


def split_category(category: str) -> tuple[str, str | None]:
    """(level, key) of a flash category; a host's own categories map onto the four levels."""
    level, _sep, key = category.partition(SEPARATOR)
    level = {"danger": "error", "message": "info"}.get(level, level)
    return (level if level in LEVELS else "info"), (key or None)


def _banners_on(response) -> list[dict]:
    """Banners an earlier call put on this response (asc.js shows them all, in order)."""
    detail = events(response).get(EVENT)
    if not isinstance(detail, dict):
        return []
    return detail.get("banners", [detail])
