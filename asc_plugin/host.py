"""The host contract: what a host admin gives the plugin.

A host passes an object with these methods to ``AmazonSalesChannel(host=...)``. Subclass
:class:`BaseHost` and override what you have; everything it does not override denies or is empty,
so a half-configured host shows nothing to anyone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from flask import abort
from flask.typing import ResponseReturnValue

if TYPE_CHECKING:
    from .models import Store


@dataclass(frozen=True)
class Website:
    """A host storefront an Amazon store lists from (and imports orders into)."""

    id: str
    code: str
    name: str
    default_store_view: str = ""


@dataclass(frozen=True)
class ProductAttribute:
    """A host product attribute that can carry the Amazon product id."""

    code: str
    label: str
    type: str = "text"


@dataclass(frozen=True)
class AttributePreview:
    """A few products' values for one attribute, and how many products have any value."""

    samples: Sequence[tuple[str, str]] = field(default_factory=tuple)  # (product name, value)
    with_value: int = 0
    total: int = 0


@dataclass(frozen=True)
class Product:
    """A host product, as listing rules and catalog matching see it."""

    id: str
    sku: str
    name: str
    price: Decimal | None = None
    quantity: int | None = None
    #: The category path, outermost first: ("Apparel", "Shoes", "Running").
    category: Sequence[str] = ()
    #: Attribute code -> value (the mapped product id among them).
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ShippingAddress:
    """Where an Amazon order goes. Only given when the app has Amazon's restricted
    Direct-to-Consumer Shipping role; otherwise the order's ``ship_to`` is None."""

    name: str | None = None
    company: str | None = None
    lines: Sequence[str] = ()
    city: str | None = None
    state_or_region: str | None = None
    postal_code: str | None = None
    country_code: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class OrderLine:
    """One item of an Amazon order."""

    seller_sku: str
    quantity: int
    asin: str | None = None
    title: str | None = None
    #: Price of one unit, in the order's currency (None while Amazon gives none).
    unit_price: Decimal | None = None
    #: Tax of the whole line where Amazon gives it (its proceeds breakdown), else None.
    tax: Decimal | None = None
    amazon_item_id: str = ""


@dataclass(frozen=True)
class IncomingOrder:
    """An Amazon order handed to the host's :meth:`Host.import_order` (and, once cancelled,
    to :meth:`Host.cancel_order`). Buyer and shipping details are present only where the app's
    Amazon roles grant them (the restricted Direct-to-Consumer Shipping role); an import must
    work without them."""

    amazon_order_id: str
    #: The plugin's store the order came through, its host website and Amazon marketplace.
    store_id: int
    website_id: str
    marketplace_code: str
    marketplace_id: str
    purchase_date: datetime
    currency: str | None
    lines: Sequence[OrderLine]
    #: Amazon's fulfillment status (UNSHIPPED, SHIPPED, CANCELLED, …).
    status: str = "UNSHIPPED"
    buyer_name: str | None = None
    buyer_email: str | None = None
    ship_to: ShippingAddress | None = None

    @property
    def total(self) -> Decimal:
        return sum(((line.unit_price or Decimal(0)) * line.quantity + (line.tax or Decimal(0))
                    for line in self.lines), Decimal(0))


class OrderRejected(Exception):
    """Raised by :meth:`Host.import_order` when the host cannot take the order as it is; the
    plugin keeps it as *Needs attention* with ``reason`` (shown to the admin) and imports it
    again when asked. Raise it before writing anything."""

    def __init__(self, reason: str, *, sku: str | None = None):
        super().__init__(reason)
        self.reason, self.sku = reason, sku


class UnknownSku(OrderRejected):
    """An item's seller SKU matches no product of the website."""

    def __init__(self, sku: str):
        super().__init__(f"unknown_sku:{sku}", sku=sku)


@dataclass(frozen=True)
class RuleCondition:
    """One usable condition of a listing rule, parsed, for a host that counts in SQL.

    ``field`` is ``"sku"``, ``"name"``, ``"price"``, ``"quantity"``, ``"category"`` or
    ``"attribute:<code>"``; ``operator`` one of ``is``, ``is_not``, ``contains``, ``one_of``,
    ``gt``, ``lt``, ``is_set``, ``is_empty``; ``values`` the operand(s): casefolded, stripped
    text for text and category fields, :class:`~decimal.Decimal` for price and quantity, and
    ``()`` for ``is_set`` / ``is_empty`` (only ``one_of`` has more than one).

    What the plugin's own evaluation does, which a host's query must do too:

    - text (SKU, name, attributes): the value casefolded (attributes also stripped), a missing
      value is ``""``; ``is`` / ``is_not`` compare equal, ``contains`` is a substring test,
      ``one_of`` a membership test, ``is_set`` / ``is_empty`` test for ``""``;
    - numbers: a product without the number matches no comparison (not even ``is_not``);
      ``is_set`` / ``is_empty`` test for a missing number;
    - category: every level of the product's path counts (``is`` holds when one level equals
      the value, ``is_not`` when none does, ``contains`` when one contains it, ``one_of`` when
      one is in the list); ``is_set`` / ``is_empty`` test for an empty path.
    """

    field: str
    operator: str
    values: tuple[str | Decimal, ...] = ()


@dataclass(frozen=True)
class RuleQuery:
    """A listing rule as a host's ``count_matching`` receives it: ``match`` is ``"all"`` or
    ``"any"``; no conditions means every product."""

    match: str
    conditions: tuple[RuleCondition, ...] = ()


@runtime_checkable
class Host(Protocol):
    """What the plugin asks of its host. Every method runs inside a request."""

    #: Template every plugin page ultimately extends (it must define ``{% block asc_body %}``
    #: somewhere in its content area and ``{% block asc_head %}`` in <head>).
    base_template: str

    def can_access(self) -> bool:
        """True when the current user may use the Amazon Sales Channel."""

    def unauthorized(self) -> ResponseReturnValue:
        """Response for a user who may not: a login redirect, or 403."""

    def can_manage(self, store: Store) -> bool:
        """True when the current admin may see and manage this store (called with
        :meth:`can_access` already true). A host whose admins each run their own stores answers
        per store: every store route, list, count and name check then shows only the stores it
        allows, and another admin's store is a 404 that names nothing. :class:`BaseHost`'s
        allows every store, and the plugin skips the per-store filtering while a host keeps it."""

    def admin_name(self) -> str:
        """Display name of the current admin, written to the activity log."""

    def admin_id(self) -> str:
        """Stable id of the current admin (per-admin pre-setup progress)."""

    def websites(self) -> Sequence[Website]:
        """The host's websites."""

    def product_attributes(self) -> Sequence[ProductAttribute]:
        """The host's product attributes that may carry an Amazon product id."""

    def attribute_preview(self, attribute_code: str, limit: int) -> AttributePreview | None:
        """Optional: sample values of an attribute (None when the host can't tell)."""

    def products(self, website_id: str, *, after: str | None, limit: int) -> Sequence[Product]:
        """A website's products in a stable order (by id, ascending), the first ``limit`` after
        the product id ``after`` (None: from the start). May run outside a request (the
        matching job); must not depend on who is signed in."""

    def product_count(self, website_id: str) -> int:
        """How many products the website has."""

    # Optional: ``field_values(website_id, field, limit) -> Sequence[str] | None``, the distinct
    # values a rule field takes on the website ("category" for category path segments, else an
    # attribute code), offered as the rule inputs' suggestions. Without it (or when it answers
    # None) the plugin reads them from the first products of ``products()``.
    def import_order(self, order: IncomingOrder) -> str:
        """Optional (order import): create the host's order for an Amazon order and lower the
        stock; return the host's order id. Called once Amazon moved the order out of Pending,
        outside a request (a worker). Must be idempotent by ``order.amazon_order_id``: if the
        host already has that order, return its id and change nothing. Writes go through the
        host's session without committing (the plugin commits them with its own record, so a
        second worker's attempt rolls back). Raise :class:`UnknownSku` (or
        :class:`OrderRejected`) before writing when an item cannot be taken."""

    def cancel_order(self, host_order_id: str, order: IncomingOrder) -> None:
        """Optional: Amazon cancelled an order the host imported. Idempotent; restock as the
        host sees fit. Same session rules as :meth:`import_order`."""

    def order_url(self, host_order_id: str) -> str | None:
        """Optional: where the host admin shows the order (linked from the dashboard)."""

    def count_matching(self, website_id: str, rule: RuleQuery) -> int | None:
        """Optional: how many of the website's products the rule lists, counted where the
        products are (one SQL query); None lets the plugin read every product and count."""


class BaseHost:
    """Deny-by-default implementation of :class:`Host`; subclass and override.

    Nobody gets in (:meth:`can_access` is False); whoever a host lets in manages every store
    until it overrides :meth:`can_manage`."""

    base_template = "asc/standalone_base.html"

    def can_access(self) -> bool:
        return False

    def unauthorized(self) -> ResponseReturnValue:
        abort(403)

    def can_manage(self, store: Store) -> bool:
        return True

    def admin_name(self) -> str:
        return "unknown admin"

    def admin_id(self) -> str:
        return self.admin_name()

    def websites(self) -> Sequence[Website]:
        return ()

    def product_attributes(self) -> Sequence[ProductAttribute]:
        return ()

    def attribute_preview(self, attribute_code: str, limit: int) -> AttributePreview | None:
        return None

    def products(self, website_id: str, *, after: str | None, limit: int) -> Sequence[Product]:
        return ()

    def product_count(self, website_id: str) -> int:
        return 0

    def import_order(self, order: IncomingOrder) -> str:
        raise NotImplementedError("this host does not import orders")

    def cancel_order(self, host_order_id: str, order: IncomingOrder) -> None:
        raise NotImplementedError("this host does not import orders")

    def order_url(self, host_order_id: str) -> str | None:
        return None

    def count_matching(self, website_id: str, rule: RuleQuery) -> int | None:
        return None


@dataclass(frozen=True)
class NavEntry:
    """The host's sidebar link: Marketing > Channels > Amazon Sales Channel."""

    section: str
    group: str
    label: str
    url: str
    active: bool
