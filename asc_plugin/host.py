"""The host contract: what a host admin gives the plugin.

A host passes an object with these methods to ``AmazonSalesChannel(host=...)``. Subclass
:class:`BaseHost` and override what you have; everything it does not override denies or is empty,
so a half-configured host shows nothing to anyone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol, runtime_checkable

from flask import abort


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


@runtime_checkable
class Host(Protocol):
    """What the plugin asks of its host. Every method runs inside a request."""

    #: Template every plugin page ultimately extends (it must define ``{% block asc_body %}``
    #: somewhere in its content area and ``{% block asc_head %}`` in <head>).
    base_template: str

    def can_access(self) -> bool:
        """True when the current user may use the Amazon Sales Channel."""

    def unauthorized(self):
        """Response for a user who may not: a login redirect, or 403."""

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


class BaseHost:
    """Deny-by-default implementation of :class:`Host`; subclass and override."""

    base_template = "asc/standalone_base.html"

    def can_access(self) -> bool:
        return False

    def unauthorized(self):
        abort(403)

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


@dataclass(frozen=True)
class NavEntry:
    """The host's sidebar link: Marketing > Channels > Amazon Sales Channel."""

    section: str
    group: str
    label: str
    url: str
    active: bool
