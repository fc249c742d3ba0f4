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
]
