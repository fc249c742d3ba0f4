"""The demo shop's own orders and stock: what a host does with an imported Amazon order.

The catalog is generated (demo/catalog.py); what changes lives in the demo's tables: products
an admin added (so an Amazon order with a SKU the shop lacked can be imported once it exists),
stock movements (an order lowers the stock, a cancellation puts it back) and the orders.
They are the host's tables, on the host's ``db``: the plugin never touches them.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from asc_plugin import IncomingOrder, Product, UnknownSku

from .db import Base, db


class DemoProduct(Base):
    """A product the admin added by hand (after the generated ones, ids "<website>-x…")."""

    __tablename__ = "demo_product"
    __table_args__ = (sa.UniqueConstraint("website_id", "sku"),)

    id: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    website_id: Mapped[str] = mapped_column(sa.String(10))
    sku: Mapped[str] = mapped_column(sa.String(100))
    name: Mapped[str] = mapped_column(sa.String(200))
    price: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    quantity: Mapped[int] = mapped_column(default=0)

    def as_product(self, stock: int) -> Product:
        return Product(id=self.id, sku=self.sku, name=self.name, price=Decimal(self.price),
                       quantity=self.quantity + stock, category=("Added",),
                       attributes={"sku": self.sku, "name": self.name})


class DemoStockMove(Base):
    """A change of a product's stock: an order (negative) or a cancellation (positive)."""

    __tablename__ = "demo_stock_move"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[str] = mapped_column(sa.String(20), index=True)
    delta: Mapped[int]
    order_id: Mapped[int | None]


class DemoPrice(Base):
    """A price the admin set on a generated product (it replaces the generated one)."""

    __tablename__ = "demo_price"

    product_id: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    price: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))


class DemoOrder(Base):
    __tablename__ = "demo_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One shop order per Amazon order, whatever retries or workers do.
    amazon_order_id: Mapped[str] = mapped_column(sa.String(50), unique=True)
    website_id: Mapped[str] = mapped_column(sa.String(10))
    channel: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(20), default="processing")
    purchase_date: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    total: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), default=0)
    customer: Mapped[str | None] = mapped_column(sa.String(200))
    ship_to: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True),
                                                 default=lambda: datetime.now(timezone.utc))
    lines: Mapped[list[DemoOrderLine]] = relationship(order_by="DemoOrderLine.id",
                                                      cascade="all, delete-orphan")

    @property
    def number(self) -> str:
        return f"DEMO-{self.id:06d}"


class DemoOrderLine(Base):
    __tablename__ = "demo_order_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("demo_order.id", ondelete="CASCADE"),
                                          index=True)
    product_id: Mapped[str] = mapped_column(sa.String(20))
    sku: Mapped[str] = mapped_column(sa.String(100))
    name: Mapped[str] = mapped_column(sa.String(500))
    quantity: Mapped[int]
    price: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    tax: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))


def stock_changes(product_ids) -> dict[str, int]:
    """product id -> the sum of its stock movements."""
    ids = list(product_ids)
    if not ids:
        return {}
    return {product_id: int(total) for product_id, total in db.session.execute(
        sa.select(DemoStockMove.product_id, sa.func.sum(DemoStockMove.delta))
        .where(DemoStockMove.product_id.in_(ids)).group_by(DemoStockMove.product_id))}


def added_products(website_id: str, after: str | None, limit: int) -> list[DemoProduct]:
    query = sa.select(DemoProduct).where(DemoProduct.website_id == website_id)
    if after:
        query = query.where(DemoProduct.id > after)
    return list(db.session.scalars(query.order_by(DemoProduct.id).limit(limit)))


def add_product(website_id: str, sku: str, name: str, price: Decimal, quantity: int
                ) -> DemoProduct:
    count = db.session.scalars(sa.select(sa.func.count()).select_from(DemoProduct).where(
        DemoProduct.website_id == website_id)).one() or 0
    product = DemoProduct(id=f"{website_id}-x{count + 1:05d}", website_id=website_id, sku=sku,
                          name=name, price=price, quantity=quantity)
    db.session.add(product)
    db.session.flush()
    return product


def find_by_sku(catalog, website_id: str, sku: str):
    """The product (generated or added) with this SKU on the website, or None."""
    for product in catalog.all(website_id):
        if product.sku == sku:
            return product
    return db.session.scalar(sa.select(DemoProduct).where(DemoProduct.website_id == website_id,
                                                          DemoProduct.sku == sku))


def import_order(catalog, order: IncomingOrder) -> str:
    """The host contract's import_order: one shop order per Amazon order, stock lowered."""
    existing = db.session.scalar(sa.select(DemoOrder).where(
        DemoOrder.amazon_order_id == order.amazon_order_id))
    if existing is not None:
        return str(existing.id)
    products = []
    for line in order.lines:  # check every line before writing anything
        product = find_by_sku(catalog, order.website_id, line.seller_sku)
        if product is None:
            raise UnknownSku(line.seller_sku)
        products.append(product)
    address = order.ship_to
    shop_order = DemoOrder(
        amazon_order_id=order.amazon_order_id, website_id=order.website_id,
        channel=f"Amazon {order.marketplace_code}", purchase_date=order.purchase_date,
        currency=order.currency, total=order.total, customer=order.buyer_name,
        ship_to=", ".join(filter(None, (address.name, *address.lines, address.city,
                                        address.postal_code, address.country_code)))
        if address else None)
    for line, product in zip(order.lines, products, strict=True):
        shop_order.lines.append(DemoOrderLine(
            product_id=product.id, sku=line.seller_sku, name=line.title or product.name,
            quantity=line.quantity, price=line.unit_price, tax=line.tax))
    db.session.add(shop_order)
    db.session.flush()
    for line, product in zip(order.lines, products, strict=True):
        db.session.add(DemoStockMove(product_id=product.id, delta=-line.quantity,
                                     order_id=shop_order.id))
    db.session.flush()
    return str(shop_order.id)


def cancel_order(host_order_id: str) -> None:
    """The host contract's cancel_order: the order cancelled, its stock put back (once)."""
    shop_order = db.session.get(DemoOrder, int(host_order_id)) if host_order_id.isdigit() \
        else None
    if shop_order is None or shop_order.status == "cancelled":
        return
    shop_order.status = "cancelled"
    for line in shop_order.lines:
        db.session.add(DemoStockMove(product_id=line.product_id, delta=line.quantity,
                                     order_id=shop_order.id))
    db.session.flush()


def added_count(website_id: str) -> int:
    return db.session.scalars(sa.select(sa.func.count()).select_from(DemoProduct).where(
        DemoProduct.website_id == website_id)).one() or 0


def price_changes(product_ids) -> dict[str, Decimal]:
    """product id -> the price the admin set."""
    ids = list(product_ids)
    if not ids:
        return {}
    return {row.product_id: Decimal(row.price) for row in db.session.scalars(
        sa.select(DemoPrice).where(DemoPrice.product_id.in_(ids)))}


def edit_product(product, price: Decimal, stock: int) -> None:
    """The admin changed a product's price and stock: the price kept, the stock moved by the
    difference (an order's later decrease still applies)."""
    added = db.session.get(DemoProduct, product.id)
    if added is not None:
        added.price = price
    else:
        found = db.session.get(DemoPrice, product.id)
        if found is None:
            db.session.add(DemoPrice(product_id=product.id, price=price))
        else:
            found.price = price
    delta = stock - (product.quantity or 0)
    if delta:
        db.session.add(DemoStockMove(product_id=product.id, delta=delta))
    db.session.flush()
