"""A store's listing settings, and what they make of a host product: price and quantity.

The price comes from a host attribute (``price`` is the product's own price), adjusted by a
percentage or a fixed amount, then kept between the floor and the optional ceiling. It is in
the currency the settings name, which must be the marketplace's: a price is never converted.
The quantity is the host's stock less a buffer kept back, capped at a maximum listed quantity.
Services flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import sqlalchemy as sa

from ..models import ListingSettings, Store
from ..state import plugin_state

#: The currency each marketplace sells in.
MARKET_CURRENCY = {
    "US": "USD", "CA": "CAD", "MX": "MXN", "BR": "BRL", "UK": "GBP", "DE": "EUR", "FR": "EUR",
    "IT": "EUR", "ES": "EUR", "NL": "EUR", "IE": "EUR", "BE": "EUR", "SE": "SEK", "PL": "PLN",
    "TR": "TRY", "AE": "AED", "IN": "INR", "SA": "SAR", "EG": "EGP", "JP": "JPY", "AU": "AUD",
    "SG": "SGD",
}
CENT = Decimal("0.01")
#: Fields a change of which makes the next publish validate first.
FIELDS = ("condition", "price_attribute", "adjust_kind", "adjust_value", "floor_price",
          "ceiling_price", "currency", "quantity_attribute", "quantity_buffer", "max_quantity",
          "handling_days", "publish_mode", "end_mode")


def currency_of(store: Store) -> str:
    return MARKET_CURRENCY.get(store.marketplace_code, "USD")


def defaults(store: Store) -> ListingSettings:
    """Adobe's defaults: New, the product's price as it is, all stock, 2 days' handling,
    merchant fulfilment, publish on request."""
    return ListingSettings(store_id=store.id, condition="new_new", price_attribute="price",
                           adjust_kind="percent", adjust_value=Decimal("0"), floor_price=None,
                           ceiling_price=None, currency=currency_of(store),
                           quantity_attribute="quantity", quantity_buffer=0, max_quantity=None,
                           handling_days=2, fulfillment_channel="DEFAULT",
                           publish_mode="request", end_mode="delete", version=1,
                           validated_version=None)


def of(store: Store) -> ListingSettings | None:
    """The saved settings, or None (nothing is offered before they are saved)."""
    return plugin_state().session.scalar(sa.select(ListingSettings).where(
        ListingSettings.store_id == store.id))


def save(store: Store, values: dict) -> bool:
    """Save (flush); True when anything changed (then the next publish validates first)."""
    settings = of(store)
    if settings is None:
        settings = defaults(store)
        for name in FIELDS:
            setattr(settings, name, values.get(name, getattr(settings, name)))
        plugin_state().session.add(settings)
        plugin_state().session.flush()
        return True
    changed = False
    for name in FIELDS:
        if name in values and getattr(settings, name) != values[name]:
            setattr(settings, name, values[name])
            changed = True
    if changed:
        settings.version += 1
    plugin_state().session.flush()
    return changed


@dataclass(frozen=True)
class Terms:
    """What the settings make of one product."""

    shop_price: Decimal | None
    price: Decimal | None
    stock: int | None
    quantity: int
    currency: str
    #: Why it cannot be offered: "no_price", "wrong_currency", or None.
    problem: str | None = None


def terms(settings: ListingSettings, product, store: Store) -> Terms:
    """The price and quantity an offer of ``product`` carries under ``settings``."""
    currency = currency_of(store)
    stock = _stock(settings, product)
    quantity = max(0, (stock or 0) - max(0, settings.quantity_buffer or 0))
    if settings.max_quantity is not None:
        quantity = min(quantity, max(0, settings.max_quantity))
    shop = _shop_price(settings, product)
    if settings.currency != currency:
        return Terms(shop, None, stock, quantity, currency, "wrong_currency")
    if shop is None or shop <= 0:
        return Terms(shop, None, stock, quantity, currency, "no_price")
    value = Decimal(settings.adjust_value or 0)
    price = shop * (1 + value / 100) if settings.adjust_kind == "percent" else shop + value
    if settings.floor_price is not None:
        price = max(price, Decimal(settings.floor_price))
    if settings.ceiling_price is not None:
        price = min(price, Decimal(settings.ceiling_price))
    price = price.quantize(CENT, rounding=ROUND_HALF_UP)
    if price <= 0:
        return Terms(shop, None, stock, quantity, currency, "no_price")
    return Terms(shop, price, stock, quantity, currency)


def _shop_price(settings: ListingSettings, product) -> Decimal | None:
    raw = product.price if settings.price_attribute == "price" else \
        (product.attributes or {}).get(settings.price_attribute)
    try:
        price = Decimal(str(raw).strip()) if raw is not None else None
    except (InvalidOperation, ValueError):
        return None
    return price if price is not None and price.is_finite() and abs(price) < 10**9 else None


def _stock(settings: ListingSettings, product) -> int | None:
    raw = product.quantity if settings.quantity_attribute == "quantity" else \
        (product.attributes or {}).get(settings.quantity_attribute)
    try:
        stock = int(Decimal(str(raw).strip())) if raw is not None else None
    except (InvalidOperation, ValueError, OverflowError):
        return None
    return max(0, min(stock, 10**7)) if stock is not None else None
