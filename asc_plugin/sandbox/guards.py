"""What every sandbox surface shares: the state accessor, Amazon's checks before an SP-API
operation runs, Amazon's error bodies and response headers, and the test-only guard.

Amazon's SP-API runs the same gate before every operation (the user-agent, the access token,
the app's role) and answers refusals in one shape, so each surface module calls these instead
of repeating them.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import time
import uuid
from typing import Any

from flask import Response, abort, current_app, jsonify, make_response, request

from .data import SandboxState

#: Key of the sandbox's state in ``app.extensions``.
EXTENSION = "asc_sandbox"
REGIONS = {"na": "NA", "eu": "EU", "fe": "FE"}
#: Amazon's documented user-agent: AppName/AppVersion (Language=…[; Platform=…]), ≤ 500 chars.
USER_AGENT = re.compile(r"[^/\s()]+/[^\s()]+ \(Language=[^;()]+(?:;\s*[^;()]+)*\)")
QUOTA = ("QuotaExceeded", "You exceeded your quota for the requested resource.")
DENIED = "Access to requested resource is denied."
INVALID_TOKEN_DETAILS = "The access token you provided is revoked, malformed or invalid."  # noqa: S105
#: Fault switch value -> the answer Amazon gives (status, code, message, details).
CANNED_FAULTS = {
    "403": (403, "Unauthorized", DENIED, INVALID_TOKEN_DETAILS),
    "403_role": (403, "Unauthorized", DENIED, ""),
    "429": (429, *QUOTA, ""),
    "500": (500, "InternalFailure", "We encountered an internal error.", ""),
    "503": (503, "ServiceUnavailable", "Service temporarily unavailable.", ""),
}
#: Statuses whose answers carry x-amzn-RateLimit-Limit in Amazon's models (not 403, 429, 5xx).
RATE_STATUSES = (200, 400, 404)

#: A view's answer, as Flask takes it.
Answer = Any


def current_sandbox() -> SandboxState:
    """The state of the sandbox app serving this request."""
    state: SandboxState = current_app.extensions[EXTENSION]
    return state


def same(given: str, expected: str) -> bool:
    """Constant-time comparison that takes any text ("²" included: compare_digest refuses
    non-ASCII str)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"),
                               expected.encode("utf-8", "surrogatepass"))


def region_or_404(region: str) -> str:
    if region not in REGIONS:
        abort(404)
    return region


def spapi_error(status: int, code: str, message: str, details: str = "") -> Answer:
    """Amazon's SP-API error list."""
    return jsonify({"errors": [{"code": code, "message": message, "details": details}]}), status


def lwa_error(error: str, description: str, status: int = 400) -> Answer:
    """Login with Amazon's OAuth error body."""
    return jsonify({"error": error, "error_description": description}), status


def from_loopback() -> bool:
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def tests_only() -> None:
    """404 unless the sandbox runs in testing or the request comes from this machine."""
    if not (current_app.testing or from_loopback()):
        abort(404)


def apply_delay() -> None:
    delay = current_sandbox().faults.delay
    if delay:
        time.sleep(delay)


def fault_answer(fault: str | None) -> Answer | None:
    """The answer a fault switch gives instead of the operation's, or None."""
    if fault in CANNED_FAULTS:
        return spapi_error(*CANNED_FAULTS[fault])
    if fault == "429_empty":  # some gateways answer throttling without Amazon's body
        return "", 429
    if fault == "badjson":
        return "<html>oops</html>", 200
    return None


def caller(region: str, role: str) -> dict | Answer:
    """Amazon's checks of the caller: the user-agent, the access token (known, unexpired, this
    region), the app's role. Returns the token's record, or the error response."""
    agent = request.headers.get("user-agent", "")
    if len(agent) > 500 or not USER_AGENT.fullmatch(agent):
        return spapi_error(400, "InvalidInput",
                           "The user-agent header must read AppName/AppVersion "
                           "(Language=LanguageName) and have at most 500 characters.")
    state = current_sandbox()
    token = request.headers.get("x-amz-access-token", "")
    with state.lock:
        info = state.access_tokens.get(token)
    if info is None or info["region"] != REGIONS[region]:
        return spapi_error(403, "Unauthorized", DENIED, INVALID_TOKEN_DETAILS)
    if info["expires"] <= state.now():
        return spapi_error(403, "Unauthorized", DENIED,
                           "The access token you provided has expired.")
    if role not in state.settings.roles:
        return spapi_error(403, "Unauthorized", DENIED)
    return info


def spapi_guard(region: str, fault: str | None, role: str) -> dict | Answer:
    """Amazon's checks before an SP-API operation runs: the fault switch (after the delay
    fault), then :func:`caller`. Returns the token's record, or the error response."""
    region_or_404(region)
    apply_delay()
    faulted = fault_answer(fault)
    if faulted is not None:
        return faulted
    return caller(region, role)


def stamped(result: Answer, *, rate: float | None = None, request_id: str | None = None,
            rate_statuses: tuple[int, ...] | range = RATE_STATUSES) -> Response:
    """The answer with Amazon's x-amzn-RequestId and, on the statuses whose model declares it,
    x-amzn-RateLimit-Limit (``rate`` None: no rate header)."""
    response = make_response(result)
    response.headers["x-amzn-RequestId"] = request_id or str(uuid.uuid4())
    if rate is not None and response.status_code in rate_statuses:
        response.headers["x-amzn-RateLimit-Limit"] = str(rate)
    return response


def control_data() -> dict:
    """A test switch's settings: a JSON object, or the form of the sandbox's index page."""
    data = request.get_json(force=True, silent=True)
    if isinstance(data, dict):
        return data
    return {k: v for k, v in request.form.items() if k != "csrf_token"}
