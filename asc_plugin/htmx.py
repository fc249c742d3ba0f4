"""The plugin's htmx vocabulary, in the manner of django-htmx: what a request's ``HX-*`` headers
say (:class:`HtmxDetails`, :func:`details`), one small helper per response header, and the
query-int reader the views share.

Views set htmx headers only through these helpers, so each header's spelling and encoding is
decided once. Headers are set on, and return, the Flask response given.
"""

from __future__ import annotations

import json
from typing import Any, Literal, TypeVar
from urllib.parse import unquote

from flask import Response, request
from werkzeug.datastructures import Headers

from .params import query_int as query_int  # the views read numbers through this module too

_R = TypeVar("_R", bound=Response)

#: The swap styles htmx knows (``HX-Reswap`` may add modifiers after a space).
SwapStyle = Literal["innerHTML", "outerHTML", "beforebegin", "afterbegin", "beforeend",
                    "afterend", "delete", "none"]


# --- The request --------------------------------------------------------------------------------

class HtmxDetails:
    """What htmx says about a request, read from its headers (django-htmx's ``request.htmx``).

    ``bool(details)`` is true for any request htmx made; :attr:`wants_fragment` is the narrower
    question the views ask.
    """

    def __init__(self, headers: Headers) -> None:
        self.headers = headers

    def _value(self, name: str) -> str | None:
        """A header's value; htmx URI-encodes non-ASCII values and says so in a second header."""
        value = self.headers.get(name) or None
        if value is not None and self.headers.get(f"{name}-URI-AutoEncoded") == "true":
            value = unquote(value)
        return value

    def __bool__(self) -> bool:
        return self._value("HX-Request") == "true"

    @property
    def boosted(self) -> bool:
        """A host's hx-boost brought the browser here (a boosted link, or a boosted sign-in
        form redirected to a plugin page)."""
        return self._value("HX-Boosted") == "true"

    @property
    def history_restore(self) -> bool:
        """htmx rebuilds a page from history (back button, its cache missed): a whole page."""
        return self._value("HX-History-Restore-Request") == "true"

    @property
    def target(self) -> str | None:
        """The id of the element the answer is swapped into (none if it has no id)."""
        return self._value("HX-Target")

    @property
    def trigger(self) -> str | None:
        """The id of the element that made the request."""
        return self._value("HX-Trigger")

    @property
    def trigger_name(self) -> str | None:
        return self._value("HX-Trigger-Name")

    @property
    def current_url(self) -> str | None:
        """The browser's address when htmx made the request."""
        return self._value("HX-Current-URL")

    @property
    def wants_fragment(self) -> bool:
        """htmx made the request for part of a page: not a history restore, nor a host's
        boosted link or form (those swap the body and would leave the plugin's CSS and JS,
        in the head, behind)."""
        return bool(self) and not self.boosted and not self.history_restore


def details() -> HtmxDetails:
    """The current request's :class:`HtmxDetails`."""
    return HtmxDetails(request.headers)


def is_htmx() -> bool:
    """True for requests htmx made for part of a page (see :attr:`HtmxDetails.wants_fragment`)."""
    return details().wants_fragment


def is_boosted() -> bool:
    return details().boosted


def wants_fragment(target: str) -> bool:
    """The one rule for "fragment or page": htmx asks for part of a page, to swap it into the
    element whose id is ``target``. Any other request (a plain browser, a new tab, a history
    restore, a boosted visit, an htmx request aimed elsewhere) gets the whole page."""
    found = details()
    return found.wants_fragment and found.target == target


# --- The response -------------------------------------------------------------------------------

def reswap(response: _R, style: SwapStyle | str) -> _R:
    """Swap this answer in another way than the element says (``"none"``: not at all)."""
    response.headers["HX-Reswap"] = style
    return response


def retarget(response: _R, selector: str) -> _R:
    """Swap this answer into another element than the one that asked."""
    response.headers["HX-Retarget"] = selector
    return response


def reselect(response: _R, selector: str) -> _R:
    """Swap only this part of the answer."""
    response.headers["HX-Reselect"] = selector
    return response


def push_url(response: _R, url: str | Literal[False]) -> _R:
    """Push ``url`` into the browser's history (``False``: push nothing)."""
    response.headers["HX-Push-Url"] = "false" if url is False else url
    return response


def replace_url(response: _R, url: str | Literal[False]) -> _R:
    """Replace the current history entry's URL (``False``: leave it)."""
    response.headers["HX-Replace-Url"] = "false" if url is False else url
    return response


After = Literal["receive", "swap", "settle"]
_TRIGGER_HEADERS = {"receive": "HX-Trigger", "swap": "HX-Trigger-After-Swap",
                    "settle": "HX-Trigger-After-Settle"}


def trigger(response: _R, event: str, detail: Any = None, *, after: After = "receive") -> _R:
    """Add an event to HX-Trigger (or -After-Swap/-After-Settle), merging with what is there."""
    merged = {**events(response, after=after), event: detail}
    response.headers[_TRIGGER_HEADERS[after]] = _json_header(merged)
    return response


def events(response: Response, *, after: After = "receive") -> dict[str, Any]:
    """The events (name -> detail) already set on the response by :func:`trigger`, or by hand
    as a comma-separated list of names."""
    existing = response.headers.get(_TRIGGER_HEADERS[after])
    if not existing:
        return {}
    try:
        found = json.loads(existing)
    except ValueError:
        found = None
    if isinstance(found, dict):
        return found
    return {name.strip(): None for name in existing.split(",")}


def location(response: _R, url: str, **spec: Any) -> _R:
    """Have htmx load ``url`` as if by hx-get, without a full reload (HX-Location); ``spec``
    takes htmx's keys: target, swap, select, source, event, headers, values."""
    response.headers["HX-Location"] = _json_header({"path": url, **spec}) if spec else url
    return response


def client_redirect(response: _R, url: str) -> _R:
    """Ask htmx to navigate the whole page (HX-Redirect)."""
    response.headers["HX-Redirect"] = url
    return response


def refresh(response: _R) -> _R:
    """Ask htmx to reload the whole page (HX-Refresh) instead of swapping this response."""
    response.headers["HX-Refresh"] = "true"
    return response


def vary_on_htmx(response: _R) -> _R:
    """Caches must keep full pages, fragments and boosted answers of one URL apart: they
    depend on these headers (:func:`wants_fragment`, and a boosted visit's HX-Redirect)."""
    for header in ("HX-Request", "HX-Target", "HX-Boosted"):
        response.vary.add(header)
    return response


def _json_header(value: Any) -> str:
    # ensure_ascii keeps the header latin-1 safe; <, > and & are escaped too.
    return json.dumps(value, ensure_ascii=True).replace(
        "<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
