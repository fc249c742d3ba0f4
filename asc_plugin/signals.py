"""Blinker signals a host can subscribe to (email the merchant, page the operator, …).

Each is sent with the Flask app as sender and ``store=`` (and ``message=`` where it says why).
"""

from blinker import Namespace

__all__ = [
    "authorization_expiring",
    "authorization_revoked",
    "catalog_matched",
    "connection_failed",
    "order_cancelled",
    "order_imported",
    "orders_imported",
    "product_changed",
    "store_connected",
    "store_disconnected",
]

_signals = Namespace()

#: A store was connected (or its authorization renewed). kwargs: store, renewed (bool).
store_connected = _signals.signal("asc.store-connected")
#: A connection attempt failed. kwargs: store, code, audience ("seller" | "operator"), message.
connection_failed = _signals.signal("asc.connection-failed")
#: A store's authorization expires soon. kwargs: store, days_left.
authorization_expiring = _signals.signal("asc.authorization-expiring")
#: Amazon no longer accepts the store's authorization. kwargs: store, state ("revoked"|"expired").
authorization_revoked = _signals.signal("asc.authorization-revoked")
#: An admin disconnected a store. kwargs: store.
store_disconnected = _signals.signal("asc.store-disconnected")
#: A "Match with Amazon catalog" run ended. kwargs: store, job (its counters), counts (status ->
#: products), failure (None, or the Failure that stopped it; finished products are kept).
catalog_matched = _signals.signal("asc.catalog-matched")
#: An Amazon order was imported into the host (its stock went down). kwargs: store,
#: amazon_order_id, host_order_id, skus (the seller SKUs whose stock changed). The price and
#: quantity sync listens, so the next sync sends the new quantities to Amazon.
order_imported = _signals.signal("asc.order-imported")
#: An imported Amazon order was cancelled in the host. kwargs: store, amazon_order_id,
#: host_order_id, skus.
order_cancelled = _signals.signal("asc.order-cancelled")
#: An order import run ended. kwargs: store, counts (imported, cancelled, needs_attention…),
#: failure (None or the Failure that stopped it).
orders_imported = _signals.signal("asc.orders-imported")
#: The HOST sends this when products' price, stock, attributes or status changed (sender: the
#: app; kwargs: website_id, product_ids). Their offers are recomputed by the next price and
#: quantity sync; send it inside the request or job that changed them (its transaction commits
#: the mark). Same as calling :func:`asc_plugin.product_changed`.
product_changed = _signals.signal("asc.product-changed")
