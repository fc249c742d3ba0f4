"""Small htmx helpers in the manner of django-htmx: detect partial requests, merge HX-Trigger."""

from __future__ import annotations

import json

from flask import Response, request


def is_htmx() -> bool:
    """True for requests htmx made for a fragment (not history restores, nor a host's boosted
    links and forms: those want a full page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
        and not is_boosted()
    )


def is_boosted() -> bool:
    """A host's hx-boost brought the browser here (a boosted link, or a boosted sign-in form
    redirected to a plugin page): htmx would swap the page's body in and leave the plugin's
    CSS and JS (in the head) behind."""
    return request.headers.get("HX-Boosted") == "true"


def trigger(response: Response, event: str, detail=None, *, after: str = "receive") -> Response:
    """Add an event to HX-Trigger (or -After-Swap/-After-Settle), merging with what is there."""
    header = {
        "receive": "HX-Trigger",
        "swap": "HX-Trigger-After-Swap",
        "settle": "HX-Trigger-After-Settle",
    }[after]
    events: dict = {}
    existing = response.headers.get(header)
    if existing:
        try:
            events = json.loads(existing)
        except ValueError:
            events = {name.strip(): None for name in existing.split(",")}
    events[event] = detail
    # ensure_ascii keeps the header latin-1 safe; the JSON encoder escapes <, > and & too.
    response.headers[header] = json.dumps(events, ensure_ascii=True).replace(
        "<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return response


def client_redirect(response: Response, url: str) -> Response:
    """Ask htmx to navigate the whole page (HX-Redirect)."""
    response.headers["HX-Redirect"] = url
    return response


def refresh(response: Response) -> Response:
    """Ask htmx to reload the whole page (HX-Refresh) instead of swapping this response."""
    response.headers["HX-Refresh"] = "true"
    return response


def vary_on_htmx(response: Response) -> Response:
    """Caches must keep full pages and fragments of one URL apart."""
    response.vary.add("HX-Request")
    return response
