"""The sandbox's own page and test switches: faults, settings, clock, reset, and what tests
and the benchmark read back (issued authorizations, catalog requests).

Where Amazon is documented or reported to behave in more than one way, the sandbox can show
each way (``POST /_sandbox/settings``): consent routed straight to the redirect URI or through
the app's Login URI; an absolute or a relative ``amazon_callback_uri``; the app's roles (the
Sellers API answers 403 without details when a role is missing); the catalog's rate limit and
header and the identifiers it refuses. Faults on every API: ``POST /_sandbox/faults``; its
clock moves with ``POST /_sandbox/clock``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from .data import SELLERS, Faults, Settings
from .guards import Answer, control_data, current_sandbox, tests_only

bp = Blueprint("switches", __name__)

#: The clock moves at most this far either way.
CLOCK_LIMIT = 10 * 365 * 86400.0


@bp.get("/")
def index() -> Answer:
    state = current_sandbox()
    return render_template("asc_sandbox/index.html", sellers=SELLERS,
                           settings=state.settings, clock_days=state.clock_offset / 86400)


def _answer(payload: dict) -> Answer:
    """JSON for tests; a page back for the forms on the sandbox's index."""
    if request.form:
        return redirect(url_for(".index"), 303)
    return jsonify({"ok": True, **payload})


@bp.post("/_sandbox/faults")
def faults() -> Answer:
    data = control_data()
    try:
        delay = min(float(data.get("delay") or 0), 30.0)
    except (TypeError, ValueError):
        delay = 0.0
    try:
        times = int(data["catalog_times"]) if data.get("catalog_times") else None
    except (TypeError, ValueError):
        times = None
    current_sandbox().faults = Faults(token=data.get("token"), sellers=data.get("sellers"),
                                      catalog=data.get("catalog"), catalog_times=times,
                                      delay=delay)
    return _answer({})


@bp.post("/_sandbox/settings")
def settings() -> Answer:
    state, data = current_sandbox(), control_data()
    current = state.settings
    roles = data.get("roles", current.roles)
    state.settings = Settings(
        routing="login_uri" if data.get("routing", current.routing) == "login_uri"
        else "direct",
        relative_callback=bool(data.get("relative_callback", current.relative_callback)),
        roles=tuple(roles) if isinstance(roles, (list, tuple)) else current.roles,
        catalog_rate=_rate(data.get("catalog_rate"), current.catalog_rate),
        catalog_burst=_rate(data.get("catalog_burst"), current.catalog_burst),
        rate_header=_flag(data.get("rate_header"), current.rate_header),
        refused_identifiers=_strings(data.get("refused_identifiers"),
                                     current.refused_identifiers))
    return _answer({"settings": state.settings.__dict__})


@bp.post("/_sandbox/clock")
def clock() -> Answer:
    state, data = current_sandbox(), control_data()
    try:
        if "days" in data:
            offset = float(data["days"]) * 86400
        else:
            offset = float(data.get("offset", 0))
    except (TypeError, ValueError):
        offset = 0.0
    state.clock_offset = max(-CLOCK_LIMIT, min(offset, CLOCK_LIMIT))
    return _answer({"offset": state.clock_offset})


@bp.post("/_sandbox/reset")
def reset() -> Answer:
    current_sandbox().reset()
    return _answer({})


@bp.get("/_sandbox/authorizations")
def authorizations() -> Answer:
    """Issued refresh tokens, for tests: only in testing, or from this machine."""
    tests_only()
    state = current_sandbox()
    return jsonify({
        "authorizations": [a.__dict__ for a in state.authorizations],
        "token_requests": state.token_requests,
        "codes": list(state.codes),
    })


@bp.get("/_sandbox/catalog/requests")
def catalog_requests() -> Answer:
    """Every searchCatalogItems request so far, for tests and the benchmark."""
    tests_only()
    state = current_sandbox()
    with state.lock:
        return jsonify({"requests": list(state.catalog_requests)})


def _rate(value: Any, current: float) -> float:
    try:
        rate = float(value)
    except (TypeError, ValueError):
        return current
    return rate if 0.1 <= rate <= 100 else current


def _strings(value: Any, current: tuple[str, ...]) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        return current
    return tuple(str(v)[:100] for v in value[:1000])


def _flag(value: Any, current: bool) -> bool:
    if value is None:
        return current
    return value not in (False, "0", "false", "off", "")
