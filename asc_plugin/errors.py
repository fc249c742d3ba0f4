"""Every error the plugin raises to host code, and why things fail, in plain words.

Each failure has a code (for logs, tests and signals), a message for banners, the activity log
and the CLI (never a secret), and an audience: whose side can fix it — the ``seller`` (try
again, sign in with another account, renew) or the ``operator`` (the app's configuration:
credentials, roles, encryption keys), for whom signing in again never helps.

Host code meets these through ``asc_plugin.access_token()``:

- :class:`NotConnected` — the store has no authorization to use;
- :class:`AuthorizationRevoked` — Amazon refused the refresh token (revoked in Seller Central or
  expired); the store is marked so and its card asks the seller to renew;
- :class:`OperatorActionRequired` — Amazon refused the app itself (client id/secret, roles) or
  the configured keys cannot decrypt the stored token (:class:`KeyMismatch`), or a setting it
  needs is not set (:class:`SettingsMissing`);
- :class:`AmazonUnavailable` — Amazon did not answer properly (5xx, timeout, throttling).

All of them derive from :class:`AmazonSalesChannelError`.
"""

from __future__ import annotations

from collections.abc import Iterable

from .i18n import N_, gettext

__all__ = [
    "AmazonSalesChannelError",
    "AmazonUnavailable",
    "AuthorizationRevoked",
    "ConfigurationError",
    "Failure",
    "KeyMismatch",
    "NotConnected",
    "OperatorActionRequired",
    "SettingsMissing",
]

SELLER = "seller"
OPERATOR = "operator"

_OPERATOR_NOTE = N_(" Ask the administrator who set up the Amazon app; signing in again will not "
                    "help.")

MESSAGES: dict[str, tuple[str, str]] = {
    "access_denied": (SELLER, N_("The connection was cancelled on Amazon, so nothing changed. "
        "Click Connect store to try again.")),
    "state_missing": (SELLER, N_("Amazon's answer did not say which connection it belongs to. "
        "Start again from the store card.")),
    "state_unknown": (SELLER, N_("This answer from Amazon was already used or was not started from "
        "this admin, so it was ignored. Start again from the store card.")),
    "state_superseded": (SELLER, N_("This answer from Amazon belongs to an earlier attempt: "
        "Connect store was clicked again since, and only the newest attempt counts. Finish it in "
        "its Seller Central tab, or start again.")),
    "state_cancelled": (SELLER, N_("This connection was cancelled in the admin before Amazon "
        "answered, so nothing changed. Click Connect store to start again.")),
    "store_changed": (SELLER, N_("While you were at Amazon, this store's connection was changed in "
        "the admin (another admin connected, renewed or disconnected it), so this answer was not "
        "applied. Check the store, then start again if needed.")),
    "wrong_seller_central": (SELLER, N_("Amazon sent you back from a Seller Central that does not "
        "serve %(country)s (%(region)s). Sign in to Seller Central for %(region)s and start again "
        "from the store card.")),
    "signed_out": (SELLER, N_("You were signed out of the admin when Amazon sent you back, so the "
        "connection was not saved. Sign in and click Connect store again.")),
    "state_expired": (SELLER, N_("The connection took longer than 10 minutes and expired. Click "
        "Connect store to start again.")),
    "state_foreign": (SELLER, N_("This answer from Amazon belongs to a connection started in "
        "another browser or by another admin, so it was ignored. Start again from the store card "
        "in this browser.")),
    "store_gone": (SELLER, N_("The store this connection was for has been deleted.")),
    "callback_incomplete": (SELLER, N_("Amazon's answer was missing the authorization code or the "
        "seller id. Start again from the store card.")),
    "invalid_grant": (SELLER, N_("Amazon did not accept the authorization code: it expires after 5 "
        "minutes and works once. Click Connect store to try again.")),
    "invalid_client": (OPERATOR, N_("Amazon refused this app's credentials (the LWA client id or "
        "secret is wrong, or the client secret has expired: Amazon requires rotating it every 180 "
        "days). Set the current secret in ASC_AMAZON_CLIENT_SECRET.")),
    "app_rejected": (OPERATOR, N_("Amazon refused the token request for this app (unauthorized "
        "client or bad request): check ASC_AMAZON_CLIENT_ID and that the app is allowed to use "
        "Login with Amazon.")),
    "not_configured": (OPERATOR, N_("The Amazon app is not configured: set ASC_AMAZON_CLIENT_ID, "
        "ASC_AMAZON_CLIENT_SECRET and ASC_AMAZON_APPLICATION_ID.")),
    "keys_missing": (OPERATOR, N_("ASC_ENCRYPTION_KEYS is not set, so the Amazon Sales Channel "
        "cannot use stored Amazon tokens. Set it in the app's config (flask asc check-config says "
        "how).")),
    "settings_missing": (OPERATOR, N_("The Amazon Sales Channel is missing settings: %(settings)s. "
        "Set them in the app's config (flask asc check-config says how).")),
    "key_mismatch": (OPERATOR, N_("The store's stored Amazon tokens cannot be decrypted with the "
        "keys in ASC_ENCRYPTION_KEYS (a key was changed or removed). Put the old key back after "
        "the new one and run flask asc rotate-keys, or connect the store again.")),
    "sellers_role_missing": (OPERATOR, N_("Amazon refused this app access to the Sellers API (403) "
        "right after the seller granted it: the SP-API app lacks the role that API needs. Add it "
        "to the app in Seller Central › Develop Apps, then connect the store again.")),
    "token_unavailable": (SELLER, N_("Amazon's sign-in service did not answer properly. Nothing "
        "changed; try again in a few minutes.")),
    "token_timeout": (SELLER, N_("Amazon's sign-in service did not answer in time. Nothing "
        "changed; try again in a few minutes.")),
    "no_refresh_token": (SELLER, N_("Amazon granted access but sent no refresh token, so the "
        "connection could not be kept. Try again.")),
    "sellers_forbidden": (SELLER, N_("Amazon refused to show this seller's marketplaces (access "
        "denied). Make sure you signed in as the primary user of the seller account and granted "
        "access, then try again.")),
    "sellers_throttled": (SELLER, N_("Amazon is rate-limiting requests right now. Nothing changed; "
        "wait a minute and try again.")),
    "sellers_unavailable": (SELLER, N_("Amazon's Sellers API did not answer properly. Nothing "
        "changed; try again in a few minutes.")),
    "not_participating": (SELLER, N_("The Amazon account you signed in with does not sell in "
        "%(country)s. Sign in with the seller account for %(country)s (Seller Central for "
        "%(region)s), or add the store for a marketplace this account sells in.")),
    "seller_taken": (SELLER, N_("This Amazon seller account is already connected to the store "
        "“%(other)s” for %(country)s. One seller account can be linked to a marketplace once.")),
    "seller_taken_elsewhere": (SELLER, N_("This Amazon seller account is already connected to "
        "another store for %(country)s. One seller account can be linked to a marketplace once.")),
    "seller_mismatch": (SELLER, N_("You renewed with a different Amazon seller account than the "
        "one this store is connected to, so nothing changed. Sign in with the account the store "
        "uses.")),
    "seller_unconfirmed": (SELLER, N_("Amazon did not confirm that this authorization belongs to "
        "the seller %(seller)s named in its answer (the address was changed on the way), so "
        "nothing was saved. Start again from the store card.")),
    "seller_check_unavailable": (SELLER, N_("Amazon did not answer the check of which seller this "
        "authorization belongs to. Nothing changed; try again in a few minutes.")),
    "match_internal_error": (OPERATOR, N_("Matching stopped on an unexpected error; the details "
        "are in the server log. Finished products are kept.")),
    "not_connected": (SELLER, N_("This store is not connected to Amazon. Click Connect store.")),
    "authorization_revoked": (SELLER, N_("Amazon no longer accepts this store's authorization (it "
        "was removed in Seller Central › Manage Your Apps). Renew the authorization to "
        "reconnect.")),
    "authorization_expired": (SELLER, N_("The yearly Amazon authorization of this store expired. "
        "Renew it to reconnect.")),
}

#: Each Amazon surface's failures by the code's suffix (``"orders": {"forbidden": …}`` is
#: ``orders_forbidden``): a new API adds its rows here.
SURFACES: dict[str, dict[str, tuple[str, str]]] = {
    "catalog": {
        "forbidden": (SELLER, N_("Amazon refused this store access to its catalog (the "
            "authorization was not accepted). Renew the authorization in the store's dashboard, "
            "then match again.")),
        "role_missing": (OPERATOR, N_("Amazon refused this app access to the Catalog Items API "
            "(403): the SP-API app lacks the Product Listing role. Add it to the app in Seller "
            "Central › Develop Apps; sellers then renew their authorization.")),
        "rejected": (OPERATOR, N_("Amazon rejected the catalog search as invalid (400). The "
            "details are in the server log.")),
        "throttled": (SELLER, N_("Amazon kept rate-limiting the catalog search, so matching "
            "paused. Finished products are kept; run the match again later to continue.")),
        "unavailable": (SELLER, N_("Amazon's Catalog Items API did not answer properly. Finished "
            "products are kept; run the match again later to continue.")),
    },
    "listings": {
        "role_missing": (OPERATOR, N_("Amazon refused this app access to the Listings APIs (403 "
            "without details): the SP-API app lacks the Product Listing role. Add it to the app in "
            "Seller Central › Develop Apps; the seller may then need to renew the authorization.")),
        "forbidden": (SELLER, N_("Amazon refused this store's authorization for its listings. "
            "Renew the authorization in the store's dashboard, then publish again.")),
        "rejected": (OPERATOR, N_("Amazon rejected a listings request as invalid. The details are "
            "in the server log.")),
        "throttled": (SELLER, N_("Amazon kept rate-limiting the listings requests, so publishing "
            "paused. Finished products are kept; publish again later to continue.")),
        "unavailable": (SELLER, N_("Amazon's Listings API did not answer properly. Finished "
            "products are kept; publish again later to continue.")),
    },
    "offers": {
        "preview_invalid": (SELLER, N_("Amazon's validation preview refused offers under the "
            "current listing settings, so nothing was published. The products marked Has errors "
            "show Amazon's message; fix the settings or the products, then publish again.")),
        "internal_error": (OPERATOR, N_("Publishing stopped on an unexpected error; the details "
            "are in the server log. Finished products are kept.")),
    },
    "orders": {
        "forbidden": (SELLER, N_("Amazon refused this store access to its orders (the "
            "authorization was not accepted). Renew the authorization in the store's dashboard; "
            "orders are imported again from where they stopped.")),
        "role_missing": (OPERATOR, N_("Amazon refused this app access to the Orders API (403): the "
            "SP-API app lacks the Inventory and Order Tracking role. Add it to the app in Seller "
            "Central › Develop Apps; sellers then renew their authorization.")),
        "rejected": (OPERATOR, N_("Amazon rejected the order search as invalid (400). The details "
            "are in the server log.")),
        "throttled": (SELLER, N_("Amazon kept rate-limiting the order search, so the import "
            "paused. Imported orders are kept; the next run continues.")),
        "unavailable": (SELLER, N_("Amazon's Orders API did not answer properly. Imported orders "
            "are kept; the next run continues.")),
        "internal_error": (OPERATOR, N_("The order import stopped on an unexpected error; the "
            "details are in the server log. Imported orders are kept.")),
    },
    "sync": {
        "internal_error": (OPERATOR, N_("The price and quantity sync stopped on an unexpected "
            "error; the details are in the server log. Accepted updates are kept; the next run "
            "continues.")),
    },
}
MESSAGES.update({f"{surface}_{code}": entry for surface, rows in SURFACES.items()
                 for code, entry in rows.items()})
#: The operator's messages that say where to act themselves (``flask asc check-config``):
#: no note that signing in again will not help.
WITHOUT_NOTE = {"keys_missing", "settings_missing"}


#: Detail values that are message ids themselves (country and region names): translated along
#: with the message, in the reader's language.
TRANSLATED_DETAILS = {"country", "region"}


class AmazonSalesChannelError(Exception):
    """Base of every error the plugin raises to host code."""


class ConfigurationError(AmazonSalesChannelError, RuntimeError):
    """The host's configuration cannot work; the message says what to set."""


class Failure(AmazonSalesChannelError):
    """A failure with a code, a message safe to show and to log, and an audience."""

    #: The HTTP status of Amazon's answer, where one caused the failure and it matters.
    status: int | None = None

    def __init__(self, code: str, **details: str) -> None:
        self.code = code
        self.audience, template = MESSAGES[code]
        self._template: str | tuple[str, str] = template
        if self.audience == OPERATOR and code not in WITHOUT_NOTE:
            self._template = (template, _OPERATOR_NOTE)
        self.details = details
        super().__init__(code)

    @property
    def message(self) -> str:
        """In the language of whoever reads it now (a banner, the CLI, the activity log)."""
        details = {key: gettext(value) if key in TRANSLATED_DETAILS else value
                   for key, value in self.details.items()}
        if isinstance(self._template, tuple):
            return "".join(gettext(part, **details) for part in self._template)
        return gettext(self._template, **details)

    def __str__(self) -> str:
        return self.message


class ConnectFailure(Failure):
    """A connection attempt failed; nothing about the store changed."""


class NotConnected(Failure):
    """The store has no authorization to use."""

    def __init__(self) -> None:
        super().__init__("not_connected")


class AuthorizationRevoked(Failure):
    """The store's refresh token no longer works: revoked in Seller Central, or expired."""

    def __init__(self, expired: bool = False) -> None:
        super().__init__("authorization_expired" if expired else "authorization_revoked")


class OperatorActionRequired(Failure):
    """Amazon refused the app itself, or the configured keys do not fit: the operator acts."""


class KeyMismatch(OperatorActionRequired):
    """No key in ASC_ENCRYPTION_KEYS opens a stored token."""

    def __init__(self) -> None:
        super().__init__("key_mismatch")


class SettingsMissing(OperatorActionRequired, ConfigurationError):
    """Something needs a setting the host has not set yet (keys, redirect URI, app ids)."""

    def __init__(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        if keys == ["ASC_ENCRYPTION_KEYS"]:  # token use, also on workers: a code that says it all
            super().__init__("keys_missing")
        else:
            super().__init__("settings_missing", settings=", ".join(keys))


class AmazonUnavailable(Failure):
    """Amazon did not answer properly (5xx, timeout, bad body, throttling): try again later."""
