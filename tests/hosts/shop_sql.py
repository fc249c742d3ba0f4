"""A host whose products live in its own SQL tables and that counts listing rules in SQL.

It proves the optional host method ``count_matching(website_id, rule)``: the live count becomes
one ``SELECT count(*)`` instead of reading every product into Python. The demo host's pages,
websites and attributes are kept (so the tests and the benchmark drive it the same way); only
where products come from changes. Attributes are columns of the product row, as most shops
keep them, and category levels a table of their own (every level of the path counts).
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from asc_plugin import Product, RuleCondition, RuleQuery
from asc_plugin.demo.app import DemoHost, db
from asc_plugin.demo.catalog import generate

#: Attribute codes kept as columns of shop_product (the demo catalog's attributes).
COLUMNS = ("upc", "ean", "isbn", "amazon_asin", "amazon_condition", "brand", "color")


def _text_type(length: int):
    """Text compared without case, as the plugin's rules compare it: SQLite's NOCASE collation
    (ASCII), so a condition is a plain comparison of the column; PostgreSQL compares lower()."""
    return sa.String(length).with_variant(sa.String(length, collation="NOCASE"), "sqlite")


class ShopProduct(db.Model):
    __tablename__ = "shop_product"
    id = sa.Column(sa.String(64), primary_key=True)
    website_id = sa.Column(sa.String(20), nullable=False, index=True)
    sku = sa.Column(_text_type(64), nullable=False)
    name = sa.Column(_text_type(255), nullable=False)
    price = sa.Column(sa.Numeric(14, 4))
    quantity = sa.Column(sa.Integer)
    upc = sa.Column(_text_type(20))
    ean = sa.Column(_text_type(20))
    isbn = sa.Column(_text_type(20))
    amazon_asin = sa.Column(_text_type(20))
    amazon_condition = sa.Column(_text_type(40))
    brand = sa.Column(_text_type(80))
    color = sa.Column(_text_type(40))


class ShopCategory(db.Model):
    """One level of a product's category path (Apparel, Shoes, Running: three rows)."""

    __tablename__ = "shop_product_category"
    product_id = sa.Column(sa.String(64), sa.ForeignKey("shop_product.id", ondelete="CASCADE"),
                           primary_key=True)
    level = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(_text_type(80), nullable=False)


def load(website_id: str, count: int) -> None:
    """Fill the tables with the demo's generated products (the same ones the demo serves)."""
    products, levels = [], []
    for p in generate(website_id, count):
        products.append({"id": p.id, "website_id": website_id, "sku": p.sku, "name": p.name,
                         "price": p.price, "quantity": p.quantity,
                         # stored trimmed, as a shop's form saves them
                         **{code: (p.attributes.get(code) or "").strip() or None
                            for code in COLUMNS}})
        levels.extend({"product_id": p.id, "level": n, "name": name}
                      for n, name in enumerate(p.category))
    for start in range(0, len(products), 5000):
        db.session.execute(sa.insert(ShopProduct), products[start:start + 5000])
    for start in range(0, len(levels), 5000):
        db.session.execute(sa.insert(ShopCategory), levels[start:start + 5000])
    db.session.commit()


class SqlShopHost(DemoHost):
    """The demo's host contract, with products read and counted in SQL."""

    def __init__(self, products=None, *, count_in_sql: bool = True):
        super().__init__(products)
        self.count_in_sql = count_in_sql

    def products(self, website_id, *, after, limit):
        query = sa.select(ShopProduct).where(ShopProduct.website_id == website_id)
        if after is not None:
            query = query.where(ShopProduct.id > after)
        rows = db.session.scalars(query.order_by(ShopProduct.id).limit(limit)).all()
        paths: dict[str, list[str]] = {}
        if rows:
            for level in db.session.scalars(sa.select(ShopCategory).where(
                    ShopCategory.product_id.in_([r.id for r in rows])).order_by(
                    ShopCategory.product_id, ShopCategory.level)):
                paths.setdefault(level.product_id, []).append(level.name)
        return [Product(
            id=r.id, sku=r.sku, name=r.name, price=r.price, quantity=r.quantity,
            category=tuple(paths.get(r.id, ())),
            attributes={"sku": r.sku, "name": r.name,
                        **{c: getattr(r, c) for c in COLUMNS if getattr(r, c) is not None}})
            for r in rows]

    def product_count(self, website_id):
        return db.session.scalar(sa.select(sa.func.count()).where(
            ShopProduct.website_id == website_id))

    def count_matching(self, website_id: str, rule: RuleQuery) -> int | None:
        if not self.count_in_sql:
            return None
        tests = [_sql(c) for c in _merged(rule)]
        if any(t is None for t in tests):
            return None  # a field this host cannot query: the plugin counts in Python
        query = sa.select(sa.func.count()).select_from(ShopProduct).where(
            ShopProduct.website_id == website_id)
        if tests:
            query = query.where(sa.and_(*tests) if rule.match == "all" else sa.or_(*tests))
        return db.session.scalar(query)


def _merged(rule: RuleQuery) -> list[RuleCondition]:
    """With *any*, "is" and "is one of" on one field are one IN list (the union of the values):
    one test per row instead of one per condition."""
    if rule.match != "any":
        return list(rule.conditions)
    merged: dict[str, list] = {}
    others = []
    for c in rule.conditions:
        if c.operator in ("is", "one_of"):
            merged.setdefault(c.field, []).extend(c.values)
        else:
            others.append(c)
    return others + [RuleCondition(field, "one_of", tuple(dict.fromkeys(values)))
                     for field, values in merged.items()]


def _column(field: str):
    """The product column a text field is kept in; None for what this host does not have."""
    if field in ("sku", "name"):
        return getattr(ShopProduct, field)
    code = field.removeprefix("attribute:")
    if code in COLUMNS or code in ("sku", "name"):
        return getattr(ShopProduct, code)
    return None


def _sql(condition: RuleCondition):
    op, values = condition.operator, condition.values
    lower = db.engine.dialect.name != "sqlite"  # SQLite's columns compare with NOCASE
    if condition.field in ("price", "quantity"):
        column = getattr(ShopProduct, condition.field)
        numbers = [Decimal(v) for v in values]
        return {"is_set": lambda: column.is_not(None), "is_empty": lambda: column.is_(None),
                "is": lambda: column == numbers[0], "is_not": lambda: column != numbers[0],
                "gt": lambda: column > numbers[0], "lt": lambda: column < numbers[0],
                "one_of": lambda: column.in_(numbers)}[op]()
    if condition.field == "category":
        levels = sa.select(ShopCategory.product_id)
        name = sa.func.lower(ShopCategory.name) if lower else ShopCategory.name
        has = {"is_set": lambda: levels, "is_empty": lambda: levels,
               "is": lambda: levels.where(name == values[0]),
               "is_not": lambda: levels.where(name == values[0]),
               "contains": lambda: levels.where(_contains(name, values[0])),
               "one_of": lambda: levels.where(name.in_(values))}[op]()
        inside = ShopProduct.id.in_(has)  # one semi-join, not a subquery per product
        return ~inside if op in ("is_empty", "is_not") else inside
    column = _column(condition.field)
    if column is None:
        return None
    text = sa.func.lower(column) if lower else column
    # A missing value (NULL) reads as "": it is empty, it is not any value, it contains none.
    return {"is_set": lambda: sa.and_(column.is_not(None), column != ""),
            "is_empty": lambda: sa.or_(column.is_(None), column == ""),
            "is": lambda: text == values[0],
            "is_not": lambda: sa.or_(column.is_(None), text != values[0]),
            "contains": lambda: _contains(text, values[0]),
            "one_of": lambda: text.in_(values)}[op]()


def _contains(text, needle: str):
    """A substring test without case: SQLite's LIKE ignores ASCII case, and on PostgreSQL the
    text is lower() already."""
    return text.contains(needle, autoescape=True)
