"""Login with Amazon's token endpoint: client authentication in the body, the
authorization_code and refresh_token grants, Amazon's error bodies, and its fault switch
(``POST /_sandbox/faults`` with ``token``)."""

from __future__ import annotations

import secrets

from flask import Blueprint, jsonify, request

from . import config as sandbox_config
from .data import Authorization
from .guards import Answer, apply_delay, current_sandbox, lwa_error, same

bp = Blueprint("lwa", __name__)

#: A refresh token lapses after a year (Amazon's documented lifetime for an authorization).
REFRESH_TOKEN_DAYS = 365


@bp.post("/auth/o2/token")
def token() -> Answer:
    state = current_sandbox()
    state.token_requests += 1
    apply_delay()
    fault = state.faults.token
    if fault == "500":
        return "<html><body>Internal Server Error</body></html>", 500
    if fault == "badjson":
        return "<html><body>Service temporarily unavailable</body></html>", 200
    form = request.form
    if (form.get("client_id") != sandbox_config.CLIENT_ID or not same(
            form.get("client_secret", ""), sandbox_config.CLIENT_SECRET)
            or fault == "invalid_client"):
        return lwa_error("invalid_client", "Client authentication failed", 401)
    if fault == "unauthorized_client":
        return lwa_error("unauthorized_client", "Not authorized for requested operation")
    grant = form.get("grant_type")
    if grant == "authorization_code":
        auth = _redeem_code()
        if not isinstance(auth, Authorization):
            return auth
    elif grant == "refresh_token":
        with state.lock:
            found = next((a for a in state.authorizations
                          if a.refresh_token == form.get("refresh_token")), None)
        if found is None or found.revoked or \
                state.now() - found.authorized_at > REFRESH_TOKEN_DAYS * 86400:
            return lwa_error("invalid_grant", "The request has an invalid grant parameter : "
                             "refresh_token. User may have revoked or didn't grant the "
                             "permission.")
        auth = found
    elif not grant:
        return lwa_error("invalid_request", "The request is missing grant_type")
    else:
        return lwa_error("unsupported_grant_type", "Unsupported grant type")
    body = {"access_token": state.issue_access_token(auth), "token_type": "bearer",
            "expires_in": 3600}
    if fault != "norefresh":
        body["refresh_token"] = auth.refresh_token
    return jsonify(body)


def _redeem_code() -> Authorization | Answer:
    """The authorization an unused, unexpired code grants (its redirect_uri repeated), or
    Amazon's invalid_grant."""
    state, form = current_sandbox(), request.form
    with state.lock:
        code = state.codes.get(form.get("code", ""))
        usable = code and not code["used"] and code["expires"] > state.now()
        if code:
            code["used"] = True
    if not usable or code is None:
        return lwa_error("invalid_grant", "The request has an invalid grant parameter : code")
    if code["redirect_uri"] and form.get("redirect_uri") != code["redirect_uri"]:
        return lwa_error("invalid_grant", "redirect_uri does not match")
    auth = Authorization(code["seller_id"], code["region"],
                         "Atzr|sb" + secrets.token_urlsafe(60), state.now())
    with state.lock:
        state.authorizations.append(auth)
    return auth
