"""Login with Amazon's token endpoint: the code exchange and the refresh, failures in our words.

The requests go through the Authlib client (``client_secret_post``, Amazon's quirks in
:mod:`asc_plugin.amazon.oauth`); what Amazon answers is turned into the plugin's errors here,
by who must act: an ``invalid_grant`` is the seller's (connect again, renew), an
``invalid_client``/``unauthorized_client`` the operator's (credentials), a 5xx, a timeout or a
body that is not JSON nobody's (try again later).
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from authlib.integrations.base_client import OAuthError

from ..errors import AmazonUnavailable, AuthorizationRevoked, ConnectFailure, OperatorActionRequired
from . import oauth

#: LWA error codes that say the app (its client id, secret or registration) is at fault.
APP_ERRORS = {"invalid_client": "invalid_client", "unauthorized_client": "app_rejected",
              "invalid_request": "app_rejected", "unsupported_grant_type": "app_rejected"}


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_in: int
    refresh_token: str | None


def exchange_code(code: str, redirect_uri: str | None) -> Token:
    """authorization_code grant; raises ConnectFailure (nothing is stored on failure)."""
    try:
        return _token(lambda: oauth.client().exchange_code(code, redirect_uri))
    except _Refused as refused:
        raise ConnectFailure("invalid_grant" if refused.error == "invalid_grant"
                             else APP_ERRORS.get(refused.error, "app_rejected")) from None
    except AmazonUnavailable as failure:
        raise ConnectFailure(failure.code) from None


def refresh(refresh_token: str) -> Token:
    """refresh_token grant; raises AuthorizationRevoked, OperatorActionRequired or
    AmazonUnavailable."""
    try:
        return _token(lambda: oauth.client().refresh(refresh_token))
    except _Refused as refused:
        if refused.error == "invalid_grant":
            raise AuthorizationRevoked() from None
        raise OperatorActionRequired(APP_ERRORS.get(refused.error, "app_rejected")) from None


class _Refused(Exception):
    def __init__(self, error: str):
        self.error = error


def _token(call) -> Token:
    try:
        body = call()
    except OAuthError as exc:
        raise _Refused(exc.error or "") from None
    except requests.Timeout:
        raise AmazonUnavailable("token_timeout") from None
    except (requests.RequestException, ValueError):
        raise AmazonUnavailable("token_unavailable") from None
    try:
        access_token = body["access_token"]
        expires_in = int(body.get("expires_in") or 3600)
    except (KeyError, TypeError, ValueError):
        raise AmazonUnavailable("token_unavailable") from None
    if not isinstance(access_token, str) or not access_token:
        raise AmazonUnavailable("token_unavailable")
    refresh_token = body.get("refresh_token")
    return Token(access_token, expires_in,
                 refresh_token if isinstance(refresh_token, str) and refresh_token else None)
