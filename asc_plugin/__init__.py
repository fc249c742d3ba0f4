"""Amazon Sales Channel for Flask commerce admins.

The public API is what this package exports (``__all__``: the extension, the host contract and
the data it exchanges, the errors, :func:`access_token` and :func:`product_changed`) and the
public modules, each with its own ``__all__``: :mod:`asc_plugin.errors`,
:mod:`asc_plugin.signals`, :mod:`asc_plugin.jobs`, :mod:`asc_plugin.migrations`,
:mod:`asc_plugin.logs`, :mod:`asc_plugin.testing`, :mod:`asc_plugin.sandbox` and
:mod:`asc_plugin.contrib.flask_admin`. Every other module is private and may change in any
release.
"""

from __future__ import annotations

from collections.abc import Iterable

from .errors import (
    AmazonSalesChannelError,
    AmazonUnavailable,
    AuthorizationRevoked,
    ConfigurationError,
    Failure,
    KeyMismatch,
    NotConnected,
    OperatorActionRequired,
    SettingsMissing,
)
from .extension import AmazonSalesChannel
from .host import (
    AttributePreview,
    BaseHost,
    Host,
    IncomingOrder,
    NavEntry,
    OrderLine,
    OrderRejected,
    Product,
    ProductAttribute,
    RuleCondition,
    RuleQuery,
    ShippingAddress,
    UnknownSku,
    Website,
)
from .services.sync import product_changed as _mark_changed
from .services.tokens import access_token as _access_token

__version__ = "0.1.0"


def access_token(store_id: int) -> str:
    """A valid SP-API access token for the store, for host code calling Amazon itself (in an
    app context).

    Cached encrypted on the store row, so every worker shares it; refreshed through Login with
    Amazon two minutes before it expires, under a row lock, in a session of its own (the
    host's pending changes are untouched). Raises :class:`NotConnected`,
    :class:`AuthorizationRevoked` (the store is then marked revoked or expired, and its card
    says so), :class:`OperatorActionRequired` (Amazon refused the app's credentials or roles,
    or no key opens the stored token: :class:`KeyMismatch`, :class:`SettingsMissing`) or
    :class:`AmazonUnavailable` (try later).
    """
    return _access_token(store_id)


def product_changed(website_id: str, product_ids: Iterable[str]) -> int:
    """Tell the plugin that these products' price, stock, attributes or status changed (in an
    app context, inside the transaction that changed them): the next price and quantity sync
    sends Amazon what that makes of them. Returns the offers marked."""
    return _mark_changed(website_id, product_ids)


__all__ = [
    "AmazonSalesChannel",
    "AmazonSalesChannelError",
    "AmazonUnavailable",
    "AttributePreview",
    "AuthorizationRevoked",
    "BaseHost",
    "ConfigurationError",
    "Failure",
    "Host",
    "IncomingOrder",
    "KeyMismatch",
    "NavEntry",
    "NotConnected",
    "OperatorActionRequired",
    "OrderLine",
    "OrderRejected",
    "Product",
    "ProductAttribute",
    "RuleCondition",
    "RuleQuery",
    "SettingsMissing",
    "ShippingAddress",
    "UnknownSku",
    "Website",
    "__version__",
    "access_token",
    "product_changed",
]
