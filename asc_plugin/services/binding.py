"""Who started a connection attempt: this browser session and the host's admin, together.

A connection is bound to a random id kept in the browser's session (made once, never rewritten,
so a double click cannot race it) hashed with the host's admin id: Amazon's answer is accepted
only in the browser, and by the admin, that asked for it.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import session

from ..state import plugin_state

BINDING_KEY = "_asc_oauth_binding"


def ensure_session_binding() -> None:
    """Give the browser session its random id once, before any flow starts."""
    if BINDING_KEY not in session:
        session[BINDING_KEY] = secrets.token_urlsafe(32)


def session_binding() -> str:
    raw = f"{session.get(BINDING_KEY, '')}\x00{plugin_state().host.admin_id()}"
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
