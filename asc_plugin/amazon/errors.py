"""Why a connection failed, in plain words, and whose side can fix it.

Each failure has a code (for logs and tests), a message for the banner and activity log (never a
secret), and an audience: the seller (retry, other account), or the operator (app configuration).
"""

from __future__ import annotations

from ..i18n import N_, gettext

SELLER = "seller"
OPERATOR = "operator"

_OPERATOR_NOTE = N_(" Ask the administrator who set up the Amazon app; signing in again will not "
                    "help.")

MESSAGES: dict[str, tuple[str, str | tuple[str, str]]] = {
    "access_denied": (SELLER, N_("The connection was cancelled on Amazon, so nothing changed. "
                      "Click Connect store to try again.")),
    "state_missing": (SELLER, N_("Amazon's answer did not say which connection it belongs to. "
                      "Start again from the store card.")),
    "state_unknown": (SELLER, N_("This answer from Amazon was already used or was not started from "
                      "this admin, so it was ignored. Start again from the store card.")),
    "state_expired": (SELLER, N_("The connection took longer than 10 minutes and expired. "
                      "Click Connect store to start again.")),
    "state_foreign": (SELLER, N_("This answer from Amazon belongs to a connection started in "
                      "another browser or by another admin, so it was ignored. Start again from "
                      "the store card in this browser.")),
    "store_gone": (SELLER, N_("The store this connection was for has been deleted.")),
    "callback_incomplete": (SELLER, N_("Amazon's answer was missing the authorization code or the "
                            "seller id. Start again from the store card.")),
    "invalid_grant": (SELLER, N_("Amazon did not accept the authorization code: it expires after "
                      "5 minutes and works once. Click Connect store to try again.")),
    "invalid_client": (OPERATOR, (N_("Amazon refused this app's credentials (the LWA client id or "
                       "secret is wrong, or the client secret has expired: Amazon requires "
                       "rotating it every 180 days)."), _OPERATOR_NOTE)),
    "app_rejected": (OPERATOR, (N_("Amazon refused the token request for this app "
                     "(unauthorized client or bad request)."), _OPERATOR_NOTE)),
    "not_configured": (OPERATOR, (N_("The Amazon app is not configured: set ASC_AMAZON_CLIENT_ID, "
                       "ASC_AMAZON_CLIENT_SECRET and ASC_AMAZON_APPLICATION_ID."), _OPERATOR_NOTE)),
    "token_unavailable": (SELLER, N_("Amazon's sign-in service did not answer properly. Nothing "
                          "changed; try again in a few minutes.")),
    "token_timeout": (SELLER, N_("Amazon's sign-in service did not answer in time. Nothing "
                      "changed; try again in a few minutes.")),
    "no_refresh_token": (SELLER, N_("Amazon granted access but sent no refresh token, so the "
                         "connection could not be kept. Try again.")),
    "sellers_forbidden": (SELLER, N_("Amazon refused to show this seller's marketplaces (access "
                          "denied). Make sure you signed in as the primary user of the seller "
                          "account and granted access, then try again.")),
    "sellers_throttled": (SELLER, N_("Amazon is rate-limiting requests right now. Nothing changed; "
                          "wait a minute and try again.")),
    "sellers_unavailable": (SELLER, N_("Amazon's Sellers API did not answer properly. Nothing "
                            "changed; try again in a few minutes.")),
    "not_participating": (SELLER, N_("The Amazon account you signed in with does not sell in "
                          "%(country)s. Sign in with the seller account for %(country)s (Seller "
                          "Central for %(region)s), or add the store for a marketplace this "
                          "account sells in.")),
    "seller_taken": (SELLER, N_("This Amazon seller account is already connected to the store "
                     "“%(other)s” for %(country)s. One seller account can be linked to a "
                     "marketplace once.")),
    "seller_mismatch": (SELLER, N_("You renewed with a different Amazon seller account than the "
                        "one this store is connected to, so nothing changed. Sign in with the "
                        "account the store uses.")),
}


class ConnectFailure(Exception):
    """A connection attempt that failed; ``message`` is safe to show and to log."""

    def __init__(self, code: str, **details: str):
        self.code = code
        self.audience, template = MESSAGES[code]
        self.message = _translate(template, details)
        super().__init__(code)


class AuthorizationRevoked(Exception):
    """The store's refresh token no longer works (revoked, or the authorization expired)."""


class AmazonUnavailable(Exception):
    """Amazon did not answer properly (5xx, timeout, bad body, throttling)."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(_translate(MESSAGES[code][1], {}))


def _translate(template, details: dict) -> str:
    """Operator messages are a sentence plus a shared note; both are translated."""
    if isinstance(template, tuple):
        return "".join(gettext(part, **details) for part in template)
    return gettext(template, **details)
