"""The demo shop's catalog: two websites, a few attributes and sample products (in memory)."""

from __future__ import annotations

from asc_plugin import AttributePreview, ProductAttribute, Website

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
    ProductAttribute("name", "Product Name"),
)

PRODUCTS = (
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


def preview(attribute_code: str, limit: int) -> AttributePreview:
    with_value = [p for p in PRODUCTS if p.get(attribute_code)]
    return AttributePreview(
        samples=tuple((p["name"], p.get(attribute_code, "")) for p in PRODUCTS[:limit]),
        with_value=len(with_value),
        total=len(PRODUCTS),
    )
