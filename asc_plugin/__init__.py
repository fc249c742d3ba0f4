"""Amazon Sales Channel for Flask commerce admins.

Public API: the extension, the host contract and the data it exchanges.
"""

from .errors import ConfigurationError
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

__version__ = "0.1.0"


def product_changed(website_id, product_ids) -> int:
    """Tell the plugin that these products' price, stock, attributes or status changed (in an
    app context, inside the transaction that changed them): the next price and quantity sync
    sends Amazon what that makes of them. Returns the offers marked."""
    from .services.sync import product_changed as mark

    return mark(website_id, product_ids)


__all__ = [
    "AmazonSalesChannel",
    "AttributePreview",
    "BaseHost",
    "ConfigurationError",
    "Host",
    "IncomingOrder",
    "NavEntry",
    "OrderLine",
    "OrderRejected",
    "Product",
    "ProductAttribute",
    "RuleCondition",
    "RuleQuery",
    "ShippingAddress",
    "UnknownSku",
    "Website",
    "__version__",
    "product_changed",
]
