"""The demo shop's catalog: two websites, a few attributes, and a few thousand products.

The products are generated, the same every time (a seeded generator), with values a real shop
has: UPCs, EANs and ISBNs mostly valid, some with a wrong check digit, some missing; several
categories; prices; stock of 0 and above. The benchmark builds 100,000 the same way.
"""

from __future__ import annotations

import bisect
import random
from decimal import Decimal
from functools import cache

from asc_plugin import AttributePreview, Product, ProductAttribute, Website

WEBSITES = (
    Website(id="1", code="base", name="Main Website", default_store_view="Default Store View"),
    Website(id="2", code="canada", name="Canada Website", default_store_view="Canada English"),
)

ATTRIBUTES = (
    ProductAttribute("sku", "SKU"),
    ProductAttribute("upc", "UPC"),
    ProductAttribute("ean", "EAN"),
    ProductAttribute("isbn", "ISBN"),
    ProductAttribute("amazon_asin", "Amazon ASIN"),
    ProductAttribute("amazon_condition", "Amazon Condition", "select"),
    ProductAttribute("brand", "Brand"),
    ProductAttribute("color", "Color", "select"),
    ProductAttribute("name", "Product Name"),
)

#: The first products, written by hand (the attribute preview shows them).
FIRST = (
    {"name": "Trail Running Shoe", "sku": "TRS-001", "upc": "036000291452",
     "ean": "4006381333931", "amazon_asin": "B07XJ8C8F5", "amazon_condition": "New"},
    {"name": "Canvas Tote Bag", "sku": "CTB-014", "upc": "012345678905",
     "ean": "5901234123457", "amazon_asin": "B08N5WRWNW", "amazon_condition": "New"},
    {"name": "The Pragmatic Cookbook", "sku": "BOOK-77", "isbn": "9780306406157",
     "amazon_asin": "0306406152", "amazon_condition": "Used - Like New"},
    {"name": "Ceramic Coffee Mug", "sku": "MUG-3", "upc": "036000291453",
     "ean": "4006381333932", "amazon_condition": "New"},
    {"name": "Wool Beanie", "sku": "BEA-9", "ean": "9501101530003", "amazon_condition": "New"},
    {"name": "Field Notebook", "sku": "NB-22", "isbn": "0-306-40615-2",
     "amazon_condition": "New"},
)
#: Each first product's category and price, in the same order.
FIRST_DETAILS = (
    (("Apparel", "Shoes", "Running"), "89.00", 12), (("Accessories", "Bags"), "24.50", 40),
    (("Books", "Cooking"), "31.99", 7), (("Home", "Kitchen", "Mugs"), "12.00", 0),
    (("Apparel", "Hats"), "19.00", 25), (("Office", "Notebooks"), "6.50", 120),
)

CATEGORIES = (
    ("Apparel", "Shoes", "Running"), ("Apparel", "Shoes", "Hiking"), ("Apparel", "Hats"),
    ("Apparel", "Jackets"), ("Accessories", "Bags"), ("Accessories", "Wallets"),
    ("Home", "Kitchen", "Mugs"), ("Home", "Kitchen", "Knives"), ("Home", "Bedding"),
    ("Outdoors", "Camping", "Tents"), ("Outdoors", "Camping", "Stoves"), ("Office", "Notebooks"),
    ("Books", "Cooking"), ("Books", "Travel"), ("Toys", "Puzzles"),
)
ADJECTIVES = ("Classic", "Trail", "Urban", "Alpine", "Everyday", "Compact", "Heritage", "Light",
              "Coastal", "Studio", "Rugged", "Soft")
NOUNS = {"Running": "Running Shoe", "Hiking": "Hiking Boot", "Shoes": "Shoe", "Hats": "Beanie",
         "Jackets": "Jacket", "Bags": "Tote", "Wallets": "Wallet",
         "Mugs": "Mug", "Knives": "Chef Knife", "Bedding": "Duvet", "Tents": "Tent",
         "Stoves": "Stove", "Notebooks": "Notebook", "Cooking": "Cookbook", "Travel": "Guide",
         "Puzzles": "Puzzle"}
BRANDS = ("Northwind", "Contoso Outdoor", "Fabrikam", "Tailspin", "Litware", "Proseware")
COLORS = ("Black", "Navy", "Olive", "Sand", "Red", "Grey")
#: How many products each website has in the demo.
SIZES = {"1": 2400, "2": 800}


def _check_digit(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def _gtin(rng: random.Random, length: int, prefix: str = "") -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - 1 - len(prefix)))
    return body + _check_digit(body)


def _spoil(value: str) -> str:
    """The same number with a wrong check digit."""
    return value[:-1] + str((int(value[-1]) + 3) % 10)


def generate(website_id: str, count: int, seed: int = 7) -> list[Product]:
    """The website's products, ordered by id: the same ones every time for a website."""
    rng = random.Random(f"{seed}:{website_id}")
    products = []
    start = 0
    if website_id == "1":
        for n, (values, (category, price, stock)) in enumerate(zip(FIRST, FIRST_DETAILS,
                                                                    strict=True)):
            attributes = {k: v for k, v in values.items() if k != "name"}
            products.append(Product(
                id=f"{website_id}-{n + 1:06d}", sku=values["sku"], name=values["name"],
                price=Decimal(price), quantity=stock, category=category,
                attributes={**attributes, "name": values["name"]}))
        start = len(FIRST)
    for n in range(start, count):
        category = rng.choice(CATEGORIES)
        noun = NOUNS[category[-1]]
        name = f"{rng.choice(ADJECTIVES)} {noun} {rng.choice(COLORS)}"
        sku = f"{category[0][:3].upper()}-{n + 1:05d}"
        attributes = {"sku": sku, "name": name, "brand": rng.choice(BRANDS),
                      "color": rng.choice(COLORS),
                      "amazon_condition": rng.choice(("New", "New", "New", "Used - Good"))}
        roll = rng.random()
        if category[0] == "Books":
            isbn = _gtin(rng, 13, "978")
            attributes["isbn"] = isbn if roll < 0.85 else _spoil(isbn)
        elif roll < 0.72:
            upc = _gtin(rng, 12)
            attributes["upc"] = upc
            attributes["ean"] = "0" + upc
        elif roll < 0.80:
            attributes["upc"] = _spoil(_gtin(rng, 12))
        elif roll < 0.88:
            attributes["ean"] = _gtin(rng, 13, "40")
        # else: no product id at all
        if rng.random() < 0.1:
            attributes["amazon_asin"] = "B0" + "".join(
                rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(8))
        amount = Decimal(rng.choice((5, 9, 12, 19, 24, 35, 49, 89, 129, 249))) + Decimal("0.99")
        stock = 0 if rng.random() < 0.15 else rng.randint(1, 60)
        products.append(Product(id=f"{website_id}-{n + 1:06d}", sku=sku, name=name, price=amount,
                                quantity=stock, category=category, attributes=attributes))
    return products


@cache
def _generated(website_id: str, count: int) -> tuple[list[str], list[Product]]:
    """Generated once per process and size (the demo, the tests and the benchmark share it)."""
    products = generate(website_id, count)
    return [p.id for p in products], products


class Catalog:
    """Generated products per website, served in pages (keyset: after a product id)."""

    def __init__(self, sizes: dict[str, int]):
        self.sizes = {str(k): int(v) for k, v in sizes.items()}

    def _products(self, website_id: str) -> tuple[list[str], list[Product]]:
        return _generated(website_id, self.sizes.get(website_id, 0))

    def all(self, website_id: str) -> list[Product]:
        return self._products(website_id)[1]

    def page(self, website_id: str, after: str | None, limit: int) -> list[Product]:
        ids, products = self._products(website_id)
        start = bisect.bisect_right(ids, after) if after else 0
        return products[start:start + max(0, limit)]

    def count(self, website_id: str) -> int:
        return len(self._products(website_id)[1])

    def preview(self, attribute_code: str, limit: int) -> AttributePreview:
        products = self._products("1")[1]
        return AttributePreview(
            samples=tuple((p.name, p.attributes.get(attribute_code, "")) for p in products[:limit]),
            with_value=sum(1 for p in products if p.attributes.get(attribute_code)),
            total=len(products))



def amazon_names(sizes: dict[str, int]):
    """For the sandbox: Amazon's item name and brand for an id of a demo product, so a match
    reads like the product it matches (an id of no demo product gets a made-up name)."""
    index: dict[str, tuple[str, str]] = {}

    def build():
        for website_id, count in sizes.items():
            for product in _generated(str(website_id), int(count))[1]:
                brand = product.attributes.get("brand") or "Generic"
                for code in ("upc", "ean", "isbn", "amazon_asin", "sku"):
                    value = product.attributes.get(code)
                    if value:
                        key = value.replace("-", "").upper()
                        index.setdefault(key, (product.name, brand))

    def names(_identifiers_type: str, identifier: str):
        if not index:
            build()
        return index.get(identifier.replace("-", "").upper())

    return names
